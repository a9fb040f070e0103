"""My settings: each user turns their own daily digest e-mail off and on (audited); nobody else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent

URL = reverse("accounts:settings")


def test_the_menu_links_to_my_settings_with_the_digest_on_by_default(as_worker, worker):
    html = as_worker.get(reverse("today:index")).content.decode()
    assert f'href="{URL}"' in html

    response = as_worker.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Send me the daily digest e-mail" in page
    assert 'id="id_daily_digest" checked' in page
    assert worker.daily_digest is True


def test_turning_the_digest_off_and_on_is_audited(as_worker, worker):
    response = as_worker.post(URL, {})

    assert response.status_code == 302 and response.url == URL
    worker.refresh_from_db()
    assert worker.daily_digest is False
    event = AuditEvent.objects.get(action="account.settings_update")
    assert event.actor == worker and event.client_id is None
    assert event.changes == {"daily_digest": [True, False]}
    page = as_worker.get(URL).content.decode()
    assert "Daily digest e-mail off." in page and 'id="id_daily_digest" checked' not in page

    as_worker.post(URL, {"daily_digest": "on"})
    worker.refresh_from_db()
    assert worker.daily_digest is True
    assert AuditEvent.objects.filter(action="account.settings_update").count() == 2


def test_saving_without_a_change_writes_no_event(as_worker, worker):
    as_worker.post(URL, {"daily_digest": "on"})
    worker.refresh_from_db()
    assert worker.daily_digest is True
    assert not AuditEvent.objects.filter(action="account.settings_update").exists()


def test_a_colleague_or_outsider_changes_only_their_own(as_colleague, as_outsider, worker, colleague, outsider):
    for http in (as_colleague, as_outsider):
        assert http.post(URL, {"worker": worker.pk, "user": worker.pk}).status_code == 302
    worker.refresh_from_db()
    colleague.refresh_from_db()
    outsider.refresh_from_db()
    assert worker.daily_digest is True
    assert colleague.daily_digest is False and outsider.daily_digest is False
    assert set(AuditEvent.objects.filter(action="account.settings_update").values_list("actor_id", flat=True)) == {
        colleague.pk,
        outsider.pk,
    }


@pytest.mark.django_db
def test_signed_out_goes_to_the_sign_in_page(client):
    response = client.post(URL, {})
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.filter(action="account.settings_update").exists()


def test_an_auditor_has_no_digest_to_turn_off(as_auditor, auditor):
    page = as_auditor.get(URL).content.decode()
    assert "your role does not receive it" in page and "daily_digest" not in page

    as_auditor.post(URL, {})

    auditor.refresh_from_db()
    assert auditor.daily_digest is True
    assert not AuditEvent.objects.filter(action="account.settings_update").exists()
