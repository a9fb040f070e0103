"""Emergency access: a typed reason opens a record for a limited time, flagged in the audit log."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.clients.models import BreakGlassAccess

URL = reverse("clients:break_glass")
REASON = "Client in crisis at the front desk, case manager unreachable"


def test_page_explains_the_rules_and_prefills_the_record_number(as_colleague, client_record):
    response = as_colleague.get(URL, {"client": client_record.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "recorded" in html and "supervisor" in html and "minutes" in html
    assert f'value="{client_record.pk}"' in html
    assert 'for="id_reason"' in html and 'for="id_client_id"' in html


def test_colleague_breaks_the_glass_then_sees_the_client_with_a_banner(as_colleague, colleague, client_record, case):
    assert as_colleague.get(reverse("clients:detail", args=[client_record.pk])).status_code == 404

    response = as_colleague.post(URL, {"client_id": client_record.pk, "reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[client_record.pk])
    access = BreakGlassAccess.objects.get()
    assert (access.user, access.client, access.reason) == (colleague, client_record, REASON)
    assert access.expires_at > timezone.now()
    opened = AuditEvent.objects.get(action="client.break_glass")
    assert opened.flagged is True
    assert opened.reason == REASON

    page = as_colleague.get(response["Location"])

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="emergency-access"' in html
    assert REASON in html
    view = AuditEvent.objects.get(action="client.view", actor=colleague)
    assert view.flagged is True
    assert view.reason == REASON


def test_expired_emergency_access_is_404_again(as_colleague, client_record, case):
    as_colleague.post(URL, {"client_id": client_record.pk, "reason": REASON})
    BreakGlassAccess.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    assert as_colleague.get(reverse("clients:detail", args=[client_record.pk])).status_code == 404


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "This field is required."), ("help", "at least 10 characters")],
)
def test_a_reason_is_required(as_colleague, client_record, reason, message):
    response = as_colleague.post(URL, {"client_id": client_record.pk, "reason": reason})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BreakGlassAccess.objects.exists()
    assert not AuditEvent.objects.filter(action="client.break_glass").exists()


def test_unknown_record_number_is_refused_next_to_the_field(as_colleague, db):
    response = as_colleague.post(URL, {"client_id": 987654, "reason": REASON})

    assert "No client with that record number in your agency." in response.content.decode()
    assert not BreakGlassAccess.objects.exists()


def test_outsider_cannot_break_into_another_agencys_client(as_outsider, client_record, case):
    response = as_outsider.post(URL, {"client_id": client_record.pk, "reason": REASON})

    assert response.status_code == 200
    assert "No client with that record number in your agency." in response.content.decode()
    assert not BreakGlassAccess.objects.exists()
    assert as_outsider.get(reverse("clients:detail", args=[client_record.pk])).status_code == 404


def test_emergency_access_does_not_let_the_user_edit_other_agencies_or_other_clients(
    as_colleague, agency, client_record, case
):
    from casework.testing import ClientFactory

    other: Any = ClientFactory(agency=agency)
    as_colleague.post(URL, {"client_id": client_record.pk, "reason": REASON})

    assert as_colleague.get(reverse("clients:detail", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("fixture_name", ["auditor", "admin_user"])
def test_auditors_and_administrators_have_no_emergency_access(login, request, fixture_name, client_record):
    http = login(request.getfixturevalue(fixture_name))

    assert http.get(URL).status_code == 404
    assert http.post(URL, {"client_id": client_record.pk, "reason": REASON}).status_code == 404
    assert not BreakGlassAccess.objects.exists()
