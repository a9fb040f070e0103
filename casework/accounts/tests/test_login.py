"""Signing in: e-mail and password, throttling per account and address, argon2, demo accounts."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client as HttpClient
from django.urls import reverse

from casework.testing import PASSWORD, UserFactory

LOGIN_URL = reverse("accounts:login")
CASELOAD_URL = reverse("cases:caseload")
HOME_URL = reverse("home")
REPO = Path(__file__).resolve().parents[3]
WRONG = "E-mail or password is wrong."


def _sign_in(http, email, password, **extra):
    return http.post(LOGIN_URL, {"username": email, "password": password}, **extra)


def _signed_in_as(http):
    return http.session.get("_auth_user_id")


def test_the_sign_in_page_has_labelled_fields(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'for="id_username"' in page
    assert 'for="id_password"' in page


def test_signing_in_goes_to_the_today_list(worker):
    http = HttpClient(REMOTE_ADDR="198.51.100.10")
    response = _sign_in(http, worker.email, PASSWORD)
    assert response.status_code == 302
    assert _signed_in_as(http) == str(worker.pk)
    # The home page sends each role where its work starts: a case manager to the Today list.
    assert response["Location"] in (HOME_URL, "/today/")
    if response["Location"] == HOME_URL:
        assert http.get(HOME_URL)["Location"] == "/today/"


def test_the_e_mail_is_not_case_sensitive(worker):
    http = HttpClient(REMOTE_ADDR="198.51.100.10")
    assert _sign_in(http, worker.email.upper(), PASSWORD).status_code == 302
    assert _signed_in_as(http) == str(worker.pk)


@pytest.mark.parametrize("email", ["worker@example.org", "nobody@example.org"])
def test_a_wrong_password_or_unknown_e_mail_says_the_same_thing(worker, email):
    http = HttpClient(REMOTE_ADDR="198.51.100.10")
    response = _sign_in(http, email, "not the password")
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not _signed_in_as(http)


def test_an_inactive_account_cannot_sign_in(worker):
    worker.is_active = False
    worker.save()
    http = HttpClient(REMOTE_ADDR="198.51.100.10")
    response = _sign_in(http, worker.email, PASSWORD)
    assert response.status_code == 200
    assert not _signed_in_as(http)


def test_five_failures_lock_the_account_from_that_address_only(worker):
    attacker = HttpClient(REMOTE_ADDR="203.0.113.66")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = _sign_in(attacker, worker.email, "guess")
        assert response.status_code in (200, 429)
    locked = _sign_in(attacker, worker.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert not _signed_in_as(attacker)

    # The worker at their own desk is not locked out by somebody guessing elsewhere.
    desk = HttpClient(REMOTE_ADDR="198.51.100.10")
    response = _sign_in(desk, worker.email, PASSWORD)
    assert response.status_code == 302
    assert _signed_in_as(desk) == str(worker.pk)


def test_failures_for_one_account_do_not_lock_another(worker, colleague):
    http = HttpClient(REMOTE_ADDR="203.0.113.66")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(http, worker.email, "guess")
    assert _sign_in(http, colleague.email, PASSWORD).status_code == 302


def test_four_failures_do_not_lock(worker):
    http = HttpClient(REMOTE_ADDR="203.0.113.66")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(http, worker.email, "guess")
    assert _sign_in(http, worker.email, PASSWORD).status_code == 302


def test_lockout_is_keyed_on_account_and_address():
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_FAILURE_LIMIT == 5


def test_demo_accounts_cannot_sign_in_outside_demo_mode(agency, settings):
    settings.DEMO_MODE = False
    demo = UserFactory.create(agency=agency, email="cm1@example.org", is_demo_account=True)
    http = HttpClient(REMOTE_ADDR="198.51.100.10")
    response = _sign_in(http, demo.email, PASSWORD)
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not _signed_in_as(http)


def test_demo_accounts_sign_in_in_demo_mode(agency, settings):
    settings.DEMO_MODE = True
    demo = UserFactory.create(agency=agency, email="cm1@example.org", is_demo_account=True)
    http = HttpClient(REMOTE_ADDR="198.51.100.10")
    assert _sign_in(http, demo.email, PASSWORD).status_code == 302


def test_demo_mode_is_off_whenever_debug_is_off():
    assert settings.DEBUG is False
    assert settings.DEMO_MODE is False


def test_argon2_hashes_and_checks_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$")
    assert check_password(PASSWORD, encoded)
    assert not check_password("wrong", encoded)


def _production_env(**extra):
    env = {key: value for key, value in os.environ.items() if key not in ("CASEWORK_DEBUG", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="casework.config.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="example.org",
        SQLITE_PATH=os.devnull,
    )
    env.pop("SECURE_SSL_REDIRECT", None)
    env.update(extra)
    return env


def test_production_settings_hash_with_argon2_first():
    code = "import django; django.setup(); from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=_production_env(), capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_production_settings_pass_the_deployment_checklist():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secrets():
    env = _production_env()
    del env["SECRET_KEY"]
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
