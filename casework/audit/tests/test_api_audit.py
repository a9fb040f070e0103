"""The audit API: auditors read a client's trail (and that read is audited); nobody else can."""

import datetime

import pytest
from django.test import Client as HttpClient

from casework.audit.models import AuditEvent
from casework.audit.services import audit_record
from casework.testing import ClientFactory

URL = "/api/v1/audit"


def test_auditor_reads_who_viewed_and_changed_a_client(as_auditor, auditor, as_worker, worker, client_record, case):
    as_worker.get(f"/api/v1/clients/{client_record.pk}", REMOTE_ADDR="192.0.2.10")
    as_worker.patch(
        f"/api/v1/clients/{client_record.pk}", {"city": "Springfield", "version": 1}, content_type="application/json"
    )
    response = as_auditor.get(URL, {"client_id": client_record.pk}, REMOTE_ADDR="192.0.2.99")
    assert response.status_code == 200
    body = response.json()
    actions = [(e["action"], e["actor"]) for e in body["items"]]
    # Newest first; the auditor's own read comes first.
    assert actions[:3] == [
        ("audit.view", "auditor@example.org"),
        ("client.update", "worker@example.org"),
        ("client.view", "worker@example.org"),
    ]
    view = body["items"][2]
    assert view["ip_address"] == "192.0.2.10"
    assert view["object_type"] == "clients.client"
    assert view["object_id"] == str(client_record.pk)
    assert view["flagged"] is False
    assert body["items"][1]["changes"]["city"] == ["", "Springfield"]
    assert body["items"][0]["id"] > body["items"][1]["id"]
    assert all(e["seq"] >= 1 for e in body["items"])
    assert body["items"][0]["occurred_at"].endswith("Z")
    parsed = datetime.datetime.fromisoformat(body["items"][0]["occurred_at"].replace("Z", "+00:00"))
    assert parsed.utcoffset() == datetime.timedelta(0)
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.client_id, event.ip_address) == (
        "audit.view",
        auditor.pk,
        client_record.pk,
        "192.0.2.99",
    )


def test_audit_trail_is_paginated(as_auditor, worker, client_record):
    for _ in range(5):
        audit_record(actor=worker, action="client.view", client_id=client_record.pk, obj=client_record)
    body = as_auditor.get(URL, {"client_id": client_record.pk, "limit": 2}).json()
    assert body["count"] == 6  # five views and the auditor's read
    assert len(body["items"]) == 2
    assert as_auditor.get(URL, {"client_id": client_record.pk, "limit": 0}).status_code == 422


@pytest.mark.parametrize("who", ["as_worker", "as_colleague", "as_outsider", "as_supervisor"])
def test_only_auditors_read_the_trail(request, who, client_record, case):
    events = AuditEvent.objects.count()
    response = request.getfixturevalue(who).get(URL, {"client_id": client_record.pk})
    assert response.status_code == 404
    assert AuditEvent.objects.count() == events


def test_an_auditor_does_not_read_another_agencys_clients(as_auditor, outsider):
    foreign = ClientFactory.create(agency=outsider.agency, created_by=outsider)
    audit_record(actor=outsider, action="client.view", client_id=foreign.pk, obj=foreign)
    events = AuditEvent.objects.count()
    assert as_auditor.get(URL, {"client_id": foreign.pk}).status_code == 404
    assert AuditEvent.objects.count() == events


def test_client_id_is_required(as_auditor):
    response = as_auditor.get(URL)
    assert response.status_code == 422
    assert "client_id" in response.json()["errors"]


def test_audit_trail_needs_authentication(client_record):
    assert HttpClient().get(URL, {"client_id": client_record.pk}).status_code == 401
