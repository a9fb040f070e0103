"""The team page: who may see it, workloads, reassigning one case or a caseload, emergency-access review."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseAssignment
from casework.clients import services as client_services
from casework.clients.models import BreakGlassAccess
from casework.testing import CaseFactory, ClientFactory, NoteFactory, UserFactory, count_queries

URL = reverse("cases:team")


@pytest.fixture
def teammate(agency, team_a):
    return UserFactory(agency=agency, team=team_a, email="teammate@example.org", full_name="Tara Teammate")


def _assignment(case):
    fresh = Case.objects.get(pk=case.pk)
    return fresh.primary_worker_id, fresh.version, CaseAssignment.objects.filter(case=case).count()


def _add_cases(worker, program, n):
    for i in range(n):
        client = ClientFactory(agency=worker.agency, created_by=worker, legal_last_name=f"Client{i}")
        NoteFactory(case=CaseFactory(client=client, program=program, primary_worker=worker, team=worker.team))


# --- The page ------------------------------------------------------------------------------------


def test_supervisor_sees_workloads_and_team_cases(as_supervisor, supervisor, worker, case, teammate):
    response = as_supervisor.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "North team" in html
    assert "Wanda Worker" in html and "Tara Teammate" in html
    assert "Robert Smith" in html
    assert f'id="team-case-{case.pk}"' in html
    assert 'data-label="Worker"' in html
    assert "South team" not in html
    event = AuditEvent.objects.get(action="team.view", actor=supervisor)
    assert event.changes["cases"] == [case.pk]


def test_workload_shows_open_cases_and_weighted_load_against_capacity(as_supervisor, worker, case, program):
    CaseFactory(client=ClientFactory(agency=worker.agency), program=program, primary_worker=worker, acuity=3)
    worker.capacity = 4
    worker.save()

    html = as_supervisor.get(URL).content.decode()

    # Two open cases: moderate (2) + high (3) = 5 of 4 → 125 %.
    assert "125%" in html
    assert "(over capacity)" in html


@pytest.mark.parametrize("who", ["as_worker", "as_colleague", "as_outsider", "as_auditor"])
def test_team_page_is_not_found_for_non_supervisors(who, request, case):
    response = request.getfixturevalue(who).get(URL)

    assert response.status_code == 404
    assert "Robert Smith" not in response.content.decode()


def test_other_teams_supervisor_does_not_see_the_case(login, supervisor_b, case):
    html = login(supervisor_b).get(URL).content.decode()

    assert "South team" in html
    assert "Robert Smith" not in html


def test_program_director_sees_the_teams_carrying_their_programs_cases(login, director, case):
    response = login(director).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "North team" in html
    assert "Robert Smith" in html


def test_team_page_query_count_does_not_grow_with_cases(login, supervisor, worker, program):
    http = login(supervisor)
    counts = []
    for n in (3, 27):
        _add_cases(worker, program, n)
        http.get(URL)
        with count_queries() as queries:
            response = http.get(URL)
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- Reassign one case ---------------------------------------------------------------------------


def test_supervisor_reassigns_one_case(as_supervisor, case, teammate):
    response = as_supervisor.post(
        reverse("cases:reassign"), {"case": case.pk, "to_worker": teammate.pk, "reason": "Balancing caseloads"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.primary_worker == teammate
    assignment = CaseAssignment.objects.filter(case=case).latest("assigned_at")
    assert assignment.reason == "Balancing caseloads"
    assert "now belongs to Tara Teammate" in as_supervisor.get(URL).content.decode()


def test_reassigning_without_a_reason_is_refused_next_to_the_field(as_supervisor, case, teammate):
    before = _assignment(case)

    response = as_supervisor.post(reverse("cases:reassign"), {"case": case.pk, "to_worker": teammate.pk, "reason": ""})

    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="team-case-{case.pk}"' in html
    assert "This field is required." in html
    assert _assignment(case) == before


@pytest.mark.parametrize("who", ["as_worker", "as_colleague", "as_outsider"])
def test_non_supervisors_cannot_reassign(who, request, case, teammate):
    before = _assignment(case)

    response = request.getfixturevalue(who).post(
        reverse("cases:reassign"), {"case": case.pk, "to_worker": teammate.pk, "reason": "Taking it"}
    )

    assert response.status_code == 404
    assert _assignment(case) == before


def test_another_teams_supervisor_cannot_reassign(login, supervisor_b, case, colleague):
    before = _assignment(case)

    response = login(supervisor_b).post(
        reverse("cases:reassign"), {"case": case.pk, "to_worker": colleague.pk, "reason": "Taking it"}
    )

    assert response.status_code == 404
    assert _assignment(case) == before


# --- Reassign a caseload -------------------------------------------------------------------------


def test_caseload_reassign_asks_to_confirm_the_count_then_moves_every_open_case(
    as_supervisor, worker, case, program, teammate
):
    _add_cases(worker, program, 2)
    data = {"from_worker": worker.pk, "to_worker": teammate.pk, "reason": "Wanda is leaving", "team": worker.team_id}

    confirm = as_supervisor.post(reverse("cases:reassign_caseload"), data)

    assert confirm.status_code == 200
    assert "3 open cases move from Wanda Worker to Tara Teammate." in confirm.content.decode()
    assert Case.objects.filter(primary_worker=worker).count() == 3

    done = as_supervisor.post(reverse("cases:reassign_caseload"), {**data, "confirm": "1", "expected_count": "3"})

    assert done.status_code == 302
    assert Case.objects.filter(primary_worker=teammate).count() == 3
    assert Case.objects.filter(primary_worker=worker).count() == 0
    assert "3 cases moved from Wanda Worker to Tara Teammate." in as_supervisor.get(URL).content.decode()


def test_caseload_reassign_asks_again_when_the_count_changed(as_supervisor, worker, case, program, teammate):
    data = {
        "from_worker": worker.pk,
        "to_worker": teammate.pk,
        "reason": "Leaving",
        "confirm": "1",
        "expected_count": "5",
    }

    response = as_supervisor.post(reverse("cases:reassign_caseload"), data)

    assert response.status_code == 200
    assert "changed since you looked" in response.content.decode()
    assert Case.objects.get(pk=case.pk).primary_worker == worker


def test_caseload_reassign_needs_a_reason(as_supervisor, worker, case, teammate):
    response = as_supervisor.post(
        reverse("cases:reassign_caseload"),
        {"from_worker": worker.pk, "to_worker": teammate.pk, "reason": "", "team": worker.team_id, "confirm": "1"},
    )

    assert response.status_code == 422
    assert Case.objects.get(pk=case.pk).primary_worker == worker


@pytest.mark.parametrize("who", ["as_worker", "as_colleague", "as_outsider"])
def test_non_supervisors_cannot_reassign_a_caseload(who, request, worker, case, teammate):
    before = _assignment(case)

    response = request.getfixturevalue(who).post(
        reverse("cases:reassign_caseload"),
        {"from_worker": worker.pk, "to_worker": teammate.pk, "reason": "x", "confirm": "1", "expected_count": "1"},
    )

    assert response.status_code == 404
    assert _assignment(case) == before


def test_another_teams_supervisor_cannot_move_this_caseload(login, supervisor_b, worker, colleague, case):
    before = _assignment(case)

    response = login(supervisor_b).post(
        reverse("cases:reassign_caseload"),
        {"from_worker": worker.pk, "to_worker": colleague.pk, "reason": "x", "confirm": "1", "expected_count": "1"},
    )

    assert response.status_code == 403
    assert "You do not supervise every case on this caseload" in response.content.decode()
    assert _assignment(case) == before


# --- Emergency access review ---------------------------------------------------------------------


@pytest.fixture
def emergency(colleague, client_record, case):
    return client_services.break_glass_open(
        actor=colleague, client_id=client_record.pk, reason="Client in crisis at ER"
    )


def test_supervisor_sees_and_reviews_emergency_access_to_team_clients(as_supervisor, supervisor, emergency):
    html = as_supervisor.get(URL).content.decode()
    assert "Client in crisis at ER" in html and "Colin Colleague" in html

    response = as_supervisor.post(reverse("cases:break_glass_reviewed", args=[emergency.pk]))

    assert response.status_code == 302
    emergency.refresh_from_db()
    assert emergency.reviewed_by == supervisor and emergency.reviewed_at is not None
    assert "Reviewed by Sam Supervisor" in as_supervisor.get(URL).content.decode()


@pytest.mark.parametrize("who", ["as_worker", "as_colleague", "as_outsider"])
def test_non_supervisors_cannot_review_emergency_access(who, request, emergency):
    response = request.getfixturevalue(who).post(reverse("cases:break_glass_reviewed", args=[emergency.pk]))

    assert response.status_code == 404
    assert BreakGlassAccess.objects.get(pk=emergency.pk).reviewed_at is None


def test_another_teams_supervisor_cannot_review_this_access(login, supervisor_b, emergency):
    http = login(supervisor_b)

    assert "Client in crisis at ER" not in http.get(URL).content.decode()
    response = http.post(reverse("cases:break_glass_reviewed", args=[emergency.pk]))

    assert response.status_code == 404
    assert BreakGlassAccess.objects.get(pk=emergency.pk).reviewed_at is None
