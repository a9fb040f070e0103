"""`manage.py generate_synthetic`: bulk benchmark data that the selectors can read."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from casework.accounts.models import Agency, Role, User
from casework.audit.models import AuditEvent
from casework.cases.models import OPEN_STATUSES, Case, CaseAssignment, CaseStatusChange
from casework.cases.selectors import caseload_for_user, caseload_rows, team_workloads
from casework.clients.models import Client
from casework.clients.selectors import client_search
from casework.core.synthetic import AGENCY_NAME
from casework.notes.models import NOTE_SECTIONS, ProgressNote
from casework.testing import count_queries

pytestmark = pytest.mark.django_db


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_synthetic", *args, stdout=out)
    return out.getvalue()


@override_settings(DEBUG=False)
def test_generate_synthetic_refuses_without_debug_or_yes_i_know() -> None:
    with pytest.raises(CommandError, match="never run against production"):
        generate("--clients", "10")
    assert not Client.objects.exists()


@override_settings(DEBUG=False)
def test_generate_synthetic_creates_clients_with_search_keys_cases_and_notes() -> None:
    output = generate("--clients", "200", "--notes-per-case", "2", "--batch-size", "75", "--yes-i-know")

    agency = Agency.objects.get(name=AGENCY_NAME)
    clients = Client.objects.filter(agency=agency)
    assert clients.count() == 200
    assert not clients.filter(last_name_key="").exists()
    assert not clients.filter(first_name_key="").exists()
    assert not clients.filter(last_name_phonetic="").exists()
    assert clients.exclude(phone="").filter(phone_digits="").count() == 0
    sample = clients.order_by("pk").first()
    assert sample is not None
    before = (sample.last_name_key, sample.first_name_phonetic)
    sample.refresh_search_keys()
    assert (sample.last_name_key, sample.first_name_phonetic) == before

    cases = Case.objects.filter(client__agency=agency)
    assert cases.count() >= 200
    assert cases.filter(status__in=OPEN_STATUSES).count() > 150
    assert CaseStatusChange.objects.filter(case__in=cases).count() >= cases.count()
    assert CaseAssignment.objects.filter(case__in=cases).count() == cases.count()
    notes = ProgressNote.objects.filter(case__in=cases)
    assert notes.exists()
    for note in notes[:50]:
        assert set(note.sections) == {key for key, _label in NOTE_SECTIONS[note.format]}
        assert note.client_id == note.case.client_id

    # Benchmark data writes no audit events (documented), and the run says so.
    assert not AuditEvent.objects.exists()
    assert "200 clients" in output and "No audit events" in output


@override_settings(DEBUG=True)
def test_synthetic_caseloads_work_with_the_caseload_selectors() -> None:
    generate("--clients", "200", "--notes-per-case", "3")
    worker = User.objects.filter(agency__name=AGENCY_NAME, role=Role.CASE_MANAGER).order_by("pk").first()
    assert worker is not None and worker.team is not None

    with count_queries() as queries:
        rows = caseload_rows(cases=caseload_for_user(user=worker))
    assert len(queries) <= 3
    assert 60 <= len(rows) <= 100
    assert any(row.last_contact_date for row in rows)
    assert any(row.is_overdue for row in rows)
    assert any(not row.is_overdue for row in rows)

    loads = {load.worker.pk: load for load in team_workloads(team=worker.team)}
    assert loads[worker.pk].open_cases == len(rows)

    case = Case.objects.filter(primary_worker=worker).select_related("client").first()
    assert case is not None
    client = case.client
    hits = client_search(user=worker, query=f"{client.legal_first_name} {client.legal_last_name}")
    assert client.pk in [hit.client.pk for hit in hits]


@override_settings(DEBUG=True)
def test_generate_synthetic_is_deterministic_for_a_seed() -> None:
    generate("--clients", "30", "--seed", "7", "--notes-per-case", "0")
    first = list(Client.objects.order_by("pk").values_list("legal_first_name", "legal_last_name", "date_of_birth"))
    # A second run appends to the same synthetic agency, with new workers and teams.
    generate("--clients", "30", "--seed", "7", "--notes-per-case", "0")
    second = list(Client.objects.order_by("pk").values_list("legal_first_name", "legal_last_name", "date_of_birth"))
    assert second[:30] == first
    assert second[30:] == first
    assert (
        User.objects.filter(agency__name=AGENCY_NAME).values("email").distinct().count()
        == User.objects.filter(agency__name=AGENCY_NAME).count()
    )
