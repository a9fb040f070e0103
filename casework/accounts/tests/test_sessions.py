"""Sessions end after 30 minutes idle and after 12 hours in all (automatic logoff)."""

import time

import pytest
from django.conf import settings
from django.urls import reverse

PAGE = reverse("audit:index")  # any signed-in page; the auditor's page needs nothing else
LOGIN_URL = reverse("accounts:login")


def _set(http, **values):
    session = http.session
    session.update(values)
    session.save()


def _ended(response, http):
    return (
        response.status_code == 302
        and response["Location"].startswith(LOGIN_URL)
        and "_auth_user_id" not in http.session
    )


@pytest.fixture
def signed_in(as_auditor):
    assert as_auditor.get(PAGE).status_code == 200
    return as_auditor


def test_timeouts_are_thirty_minutes_idle_and_twelve_hours_in_all():
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS == 12 * 3600


def test_an_active_session_goes_on(signed_in):
    _set(signed_in, casework_last_seen=time.time() - 29 * 60)
    assert signed_in.get(PAGE).status_code == 200


def test_a_session_idle_for_more_than_thirty_minutes_ends(signed_in):
    _set(signed_in, casework_last_seen=time.time() - 31 * 60)
    response = signed_in.get(PAGE)
    assert _ended(response, signed_in)
    # Signed out for good, not just for one request.
    assert _ended(signed_in.get(PAGE), signed_in)


def test_the_sign_in_page_says_why(signed_in):
    _set(signed_in, casework_last_seen=time.time() - 31 * 60)
    response = signed_in.get(PAGE, follow=True)
    assert "Your session ended" in response.content.decode()


def test_a_busy_session_ends_after_twelve_hours(signed_in):
    _set(signed_in, casework_login_at=time.time() - 12 * 3600 - 60, casework_last_seen=time.time() - 60)
    assert _ended(signed_in.get(PAGE), signed_in)


def test_a_session_under_twelve_hours_goes_on(signed_in):
    _set(signed_in, casework_login_at=time.time() - 11 * 3600, casework_last_seen=time.time() - 60)
    assert signed_in.get(PAGE).status_code == 200


def test_each_request_keeps_the_session_alive(signed_in):
    _set(signed_in, casework_last_seen=time.time() - 20 * 60)
    assert signed_in.get(PAGE).status_code == 200
    assert time.time() - signed_in.session["casework_last_seen"] < 5


def test_the_session_cookie_is_not_readable_by_scripts_and_ends_with_the_browser():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
