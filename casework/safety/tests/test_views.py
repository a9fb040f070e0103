"""Risk flags on pages: the client banner and case page, resolving with a note; colleagues and outsiders get 404."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from casework.assessments import services as assessment_services
from casework.assessments.tests.helpers import answers_for_total
from casework.audit.models import AuditEvent
from casework.safety.models import RiskFlag
from casework.safety.tests.helpers import flag_case
from casework.tasks.models import Task, TaskStatus
from casework.testing import count_queries


def _flag_through_phq9(worker, case):
    answers = answers_for_total("phq9", 6)
    answers["phq9_9"] = 1
    assessment = assessment_services.assessment_start(
        actor=worker,
        case=case,
        instrument_code="phq9",
        method="phone",
        administered_at=timezone.now() - datetime.timedelta(hours=2),
    )
    assessment = assessment_services.assessment_answer(
        actor=worker, assessment=assessment, answers=answers, expected_version=1
    )
    assessment_services.assessment_complete(actor=worker, assessment=assessment)
    return RiskFlag.objects.get(assessment=assessment)


def _resolve_url(flag):
    return reverse("safety:resolve", args=[flag.pk])


def test_client_page_shows_the_open_flag_with_what_when_and_which_assessment(as_worker, worker, case):
    flag = _flag_through_phq9(worker, case)

    html = as_worker.get(reverse("clients:detail", args=[case.client_id])).content.decode()

    assert 'id="risk-flags"' in html
    assert "At risk: 1 open flag" in html
    assert "Thoughts of self-harm (PHQ-9 item 9)" in html
    assert "PHQ-9 (Patient Health Questionnaire, depression)" in html
    assert flag.raised_at.astimezone(timezone.get_current_timezone()).strftime("%Y") in html
    assert f'action="{_resolve_url(flag)}"' in html
    assert 'name="note"' in html and "required" in html
    # The urgent task shows among the client's open tasks.
    assert "Complete a safety assessment / safety plan today" in html


def test_case_page_shows_the_banner(as_worker, worker, case):
    _flag_through_phq9(worker, case)

    html = as_worker.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert "At risk: 1 open flag" in html


def test_caseload_row_shows_at_risk_and_the_urgent_task(as_worker, worker, case):
    _flag_through_phq9(worker, case)

    html = as_worker.get(reverse("cases:caseload")).content.decode()

    assert ">At risk</a>" in html
    assert "Urgent: Complete a safety assessment / safety plan today" in html


def test_no_banner_once_resolved(as_worker, worker, case):
    flag = flag_case(case)

    response = as_worker.post(_resolve_url(flag), {"note": "Safety plan completed with the client."})

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[case.client_id]) + "#risk-flags"
    flag.refresh_from_db()
    assert not flag.is_open and flag.resolved_by == worker
    assert Task.objects.get().status == TaskStatus.DONE
    html = as_worker.get(reverse("clients:detail", args=[case.client_id])).content.decode()
    assert 'id="risk-flags"' not in html
    assert "Risk flag resolved" in html
    assert ">At risk</a>" not in as_worker.get(reverse("cases:caseload")).content.decode()


def test_resolving_without_a_note_shows_the_error_and_changes_nothing(as_worker, case):
    flag = flag_case(case)

    response = as_worker.post(_resolve_url(flag), {"note": "  "})

    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    flag.refresh_from_db()
    assert flag.is_open
    assert Task.objects.get().status == TaskStatus.OPEN
    assert not AuditEvent.objects.filter(action="risk_flag.resolve").exists()


def test_resolve_page_shows_the_flag_and_is_audited(as_worker, worker, case):
    flag = flag_case(case)

    response = as_worker.get(_resolve_url(flag))

    assert response.status_code == 200
    assert "Thoughts of self-harm" in response.content.decode()
    assert AuditEvent.objects.filter(action="risk_flag.view", actor=worker, object_id=str(flag.pk)).exists()


def test_supervisor_of_the_team_can_resolve(as_supervisor, supervisor, case):
    flag = flag_case(case)

    response = as_supervisor.post(_resolve_url(flag), {"note": "Called the client; safe with family tonight."})

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.resolved_by == supervisor


def test_colleague_and_outsider_get_404_and_change_nothing(as_colleague, as_outsider, case):
    flag = flag_case(case)
    events = AuditEvent.objects.count()

    for http in (as_colleague, as_outsider):
        assert http.get(_resolve_url(flag)).status_code == 404
        response = http.post(_resolve_url(flag), {"note": "Not mine to resolve."})
        assert response.status_code == 404
        assert "Thoughts of self-harm" not in response.content.decode()
        assert http.get(reverse("clients:detail", args=[case.client_id])).status_code == 404

    flag.refresh_from_db()
    assert flag.is_open
    assert Task.objects.get().status == TaskStatus.OPEN
    assert not AuditEvent.objects.filter(action__startswith="risk_flag").exists()
    assert AuditEvent.objects.count() == events


def test_auditor_gets_404(as_auditor, case):
    flag = flag_case(case)

    assert as_auditor.post(_resolve_url(flag), {"note": "x"}).status_code == 404
    flag.refresh_from_db()
    assert flag.is_open


def test_unknown_flag_is_404(as_worker, case):
    assert as_worker.get(reverse("safety:resolve", args=[999999])).status_code == 404


def test_client_page_query_count_does_not_grow_with_flags_and_tasks(as_worker, case):
    url = reverse("clients:detail", args=[case.client_id])
    flag_case(case)
    as_worker.get(url)
    with count_queries() as one:
        as_worker.get(url)
    for _ in range(5):
        flag_case(case)
    with count_queries() as six:
        html = as_worker.get(url).content.decode()

    assert "At risk: 6 open flags" in html
    assert len(one.captured_queries) == len(six.captured_queries)
