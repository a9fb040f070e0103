"""`manage.py load_demo` refuses outside demo mode and leaves other databases alone."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from casework.accounts.models import Agency, User
from casework.clients.models import Client

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False, DEMO_MODE=False)
def test_load_demo_refuses_when_debug_is_off() -> None:
    with pytest.raises(CommandError, match="CASEWORK_DEBUG=1"):
        call_command("load_demo", stdout=StringIO())
    assert not Agency.objects.exists()
    assert not User.objects.exists()


@override_settings(DEBUG=True, DEMO_MODE=False)
def test_load_demo_refuses_when_demo_mode_is_off_even_with_debug() -> None:
    with pytest.raises(CommandError, match="demo mode"):
        call_command("load_demo", "--if-empty", stdout=StringIO())
    assert not Agency.objects.exists()


@override_settings(DEBUG=True, DEMO_MODE=True)
def test_if_empty_leaves_a_database_that_has_clients_alone(client_record: Client) -> None:
    users_before = User.objects.count()
    out = StringIO()

    call_command("load_demo", "--if-empty", stdout=out)

    assert Client.objects.count() == 1
    assert Agency.objects.count() == 1
    assert User.objects.count() == users_before
    assert "not loaded" in out.getvalue()
    assert "http://127.0.0.1:8000" in out.getvalue()
