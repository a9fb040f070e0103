"""`manage.py load_demo`: what the demo agency holds, loading it once, and demo logins.

Loading the demo takes a few seconds, so the module loads it once (inside a transaction
rolled back at the end) and each test runs in a savepoint on top of it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.test import RequestFactory, override_settings
from django.utils import timezone

from casework.accounts.models import Agency, Program, Role, Team, User
from casework.audit.models import AuditEvent
from casework.audit.verify import verify_chain
from casework.cases.models import STATUS_ORDER, Case, CaseStatus, CaseTeamMember
from casework.cases.selectors import caseload_for_user, caseload_rows
from casework.clients.models import Client, ClientIdentifier, SupportContact
from casework.core.demo import DEMO_PASSWORD
from casework.notes.models import NoteAddendum, NoteFormat, NoteStatus, ProgressNote

pytestmark = pytest.mark.django_db

demo_mode = override_settings(DEBUG=True, DEMO_MODE=True)


def load(*args: str) -> str:
    out = StringIO()
    with demo_mode:
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def sign_in(email: str, password: str = DEMO_PASSWORD) -> User | None:
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, username=email, password=password)  # type: ignore[return-value]


@pytest.fixture(scope="module")
def demo_output(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The demo loaded once for the module (the first `--if-empty` run on an empty database)."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = load("--if-empty")
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def users(demo_output: str) -> dict[str, User]:
    return {user.email: user for user in User.objects.select_related("team", "team__supervisor")}


def test_load_demo_creates_the_demo_agency_staff_and_programs(demo_output: str, users: dict[str, User]) -> None:
    output = demo_output

    agency = Agency.objects.get()
    assert agency.name == "Riverside Community Services"
    assert agency.time_zone == "America/Chicago"
    expected_roles = {
        "cm1@example.org": Role.CASE_MANAGER,
        "cm2@example.org": Role.CASE_MANAGER,
        "supervisor@example.org": Role.SUPERVISOR,
        "supervisor2@example.org": Role.SUPERVISOR,
        "director@example.org": Role.PROGRAM_DIRECTOR,
        "admin@example.org": Role.ADMINISTRATOR,
        "auditor@example.org": Role.AUDITOR,
    }
    for email, role in expected_roles.items():
        assert users[email].role == role, email
    staff = [user for user in users.values() if user.role != Role.PARTNER]
    assert all(user.is_demo_account and user.agency_id == agency.pk for user in staff)
    # The food pantry's partner login belongs to no agency: it reaches that organization's referral inbox only.
    partner = users["partner@example.org"]
    assert partner.role == Role.PARTNER and partner.is_demo_account and partner.agency_id is None
    assert partner.partner_account.organization.name == "Riverside Township"  # type: ignore[attr-defined]
    assert all(user.check_password(DEMO_PASSWORD) for user in users.values())
    assert users["admin@example.org"].is_staff
    assert not users["cm1@example.org"].is_staff

    cm1, cm2 = users["cm1@example.org"], users["cm2@example.org"]
    assert cm1.team is not None and cm2.team is not None and cm1.team != cm2.team
    assert cm1.team.supervisor == users["supervisor@example.org"]
    assert cm2.team.supervisor == users["supervisor2@example.org"]
    assert Team.objects.filter(agency=agency).count() == 2

    programs = {program.name: program for program in Program.objects.filter(agency=agency)}
    assert programs["Adult Mental Health"].contact_interval_days == 14
    assert programs["Older Adults & Home Care"].contact_interval_days == 30
    assert {program.director for program in programs.values()} == {users["director@example.org"]}

    assert "http://127.0.0.1:8000" in output
    for email in expected_roles:
        assert email in output
    assert DEMO_PASSWORD in output


def test_load_demo_creates_clients_cases_and_notes_through_the_services(users: dict[str, User]) -> None:

    clients = Client.objects.all()
    assert 55 <= clients.count() <= 65
    assert clients.filter(legal_last_name="Ñúñez", legal_first_name="José").exists()
    assert clients.filter(legal_first_name="Robert", preferred_name="Bob").exists()
    assert clients.filter(legal_last_name__contains="-").count() >= 3
    assert clients.filter(interpreter_needed=True).exclude(primary_language="English").count() >= 5
    assert clients.exclude(pronouns="").count() == clients.count()
    assert clients.filter(pronouns="they/them").exists()
    assert clients.exclude(ssn_last4="").exists()
    assert not clients.filter(last_name_key="").exists()
    assert {"mrn", "medicaid"} <= set(ClientIdentifier.objects.values_list("kind", flat=True))
    assert SupportContact.objects.filter(is_emergency_contact=True).count() >= 30

    cases = Case.objects.all()
    assert set(cases.values_list("status", flat=True)) == set(STATUS_ORDER)
    closed = cases.filter(status=CaseStatus.CLOSED)
    assert closed.exists() and not closed.filter(closure_reason="").exists()
    assert closed.values("closure_reason").distinct().count() >= 5
    assert cases.filter(status_changes__from_status=CaseStatus.CLOSED).exists(), "a reopened case"
    external = set(CaseTeamMember.objects.filter(user__isnull=True).values_list("role", flat=True))
    assert {"physician", "therapist", "probation", "attorney"} <= external

    cm1, cm2 = users["cm1@example.org"], users["cm2@example.org"]
    cm1_cases = cases.filter(primary_worker=cm1)
    assert 18 <= cm1_cases.count() <= 24
    assert cm1_cases.values("program").distinct().count() == 2
    assert 13 <= cases.filter(primary_worker=cm2).count() <= 17

    notes = ProgressNote.objects.all()
    assert set(notes.values_list("format", flat=True)) == set(NoteFormat.values)
    assert {NoteStatus.DRAFT, NoteStatus.SIGNED, NoteStatus.VOIDED} <= set(notes.values_list("status", flat=True))
    assert NoteAddendum.objects.exists()
    assert {"home_visit", "phone", "collateral"} <= set(notes.values_list("contact_type", flat=True))
    dates = sorted(notes.values_list("contact_date", flat=True))
    assert (dates[-1] - dates[0]).days > 90

    with timezone.override("America/Chicago"):
        rows = caseload_rows(cases=caseload_for_user(user=cm1))
    assert any(row.is_overdue for row in rows)
    assert not all(row.is_overdue for row in rows)

    # The audit log is real: every event has a demo user as actor, and the chain verifies.
    by_actor = dict(AuditEvent.objects.values_list("actor__email").annotate(n=Count("pk")))
    assert None not in by_actor
    assert by_actor["cm1@example.org"] > 50
    assert AuditEvent.objects.filter(action="note.sign").count() == notes.exclude(signed_at=None).count()
    assert verify_chain().ok


def test_if_empty_does_nothing_the_second_time(demo_output: str) -> None:
    counts = [model.objects.count() for model in (User, Client, Case, ProgressNote, AuditEvent)]

    output = load("--if-empty")

    assert [model.objects.count() for model in (User, Client, Case, ProgressNote, AuditEvent)] == counts
    assert "not loaded" in output
    assert "cm1@example.org" in output and "http://127.0.0.1:8000" in output


def test_loading_again_without_if_empty_is_refused(demo_output: str) -> None:
    clients = Client.objects.count()
    with pytest.raises(CommandError, match="already exists"):
        load()
    assert Client.objects.count() == clients


def test_demo_logins_work_only_in_demo_mode(demo_output: str) -> None:
    with override_settings(DEMO_MODE=True):
        user = sign_in("cm1@example.org")
        assert user is not None and user.email == "cm1@example.org"
        assert sign_in("cm1@example.org", "wrong password") is None
    with override_settings(DEBUG=False, DEMO_MODE=False):
        assert sign_in("cm1@example.org") is None
        assert sign_in("director@example.org") is None


def test_demo_client_has_a_phq9_and_gad7_history_for_the_trend(demo_output: str, users: dict[str, User]) -> None:
    from casework.assessments.models import Assessment, AssessmentStatus
    from casework.assessments.selectors import scores_for_client

    client = Client.objects.get(legal_first_name="Robert", legal_last_name="Whitaker")
    phq9 = scores_for_client(client=client, instrument_code="phq9")
    gad7 = scores_for_client(client=client, instrument_code="gad7")
    assert [point.total for point in phq9] == [16, 11, 7]
    assert [point.change_since_baseline for point in gad7] == [0, -5]
    assert [point.band for point in phq9] == ["moderately_severe", "moderate", "mild"]
    dates = [point.administered_at for point in phq9]
    assert dates == sorted(dates) and dates[0] < timezone.now() - datetime.timedelta(days=7)
    given = Assessment.objects.filter(client=client)
    assert all(a.status == AssessmentStatus.COMPLETED and not a.flags for a in given)
    assert {a.administered_by for a in given} == {users["cm1@example.org"]}
    assert all(a.completed_at is not None and a.completed_at > a.administered_at for a in given)


def test_demo_has_schedules_a_flagged_client_and_suggested_needs(users: dict[str, User]) -> None:
    from casework.needs.models import SuggestedNeed
    from casework.safety.models import RiskFlag
    from casework.tasks.models import Notification, ReassessmentRule, Task

    cm1, supervisor = users["cm1@example.org"], users["supervisor@example.org"]
    rules = {
        (rule.program.name, rule.instrument.code)
        for rule in ReassessmentRule.objects.select_related("program", "instrument")
    }
    assert ("Adult Mental Health", "phq9") in rules and ("Adult Mental Health", "gad7") in rules
    flag = RiskFlag.objects.get()
    assert flag.is_open and flag.case.primary_worker == cm1 and flag.kind == "phq9_item9"
    task = Task.objects.get(source_kind="risk_flag", source_id=flag.pk)
    assert (task.assignee, task.priority, task.status) == (cm1, "urgent", "open")
    assert set(Notification.objects.values_list("recipient", flat=True)) == {cm1.pk, supervisor.pk}
    assert set(SuggestedNeed.objects.values_list("domain", flat=True)) == {"housing", "food", "transportation"}

    with timezone.override("America/Chicago"):
        rows = caseload_rows(cases=caseload_for_user(user=cm1))
    assert {row.case.client_id for row in rows if row.at_risk} == {flag.client_id}
    labels = [(item.instrument_code, item.overdue) for row in rows for item in row.reassessments]
    assert ("phq9", True) in labels and ("phq9", False) in labels
    assert verify_chain().ok
