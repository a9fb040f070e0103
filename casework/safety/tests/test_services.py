"""Risk flags: raised from completed assessments with their task and alerts, resolved only with a note."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from casework.assessments import services as assessment_services
from casework.assessments.models import Assessment
from casework.assessments.tests.helpers import answers_for_total, hrsn_answers
from casework.audit.models import AuditEvent
from casework.audit.services import REDACTED
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.safety import services
from casework.safety.models import RiskFlag, RiskKind
from casework.tasks.models import Notification, Task, TaskPriority, TaskStatus


def _complete(actor, case, code, answers):
    assessment = assessment_services.assessment_start(
        actor=actor,
        case=case,
        instrument_code=code,
        method="in_person",
        administered_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assessment = assessment_services.assessment_answer(
        actor=actor, assessment=assessment, answers=answers, expected_version=1
    )
    return assessment_services.assessment_complete(actor=actor, assessment=assessment)


def phq9_with_item9(value=1, total=8):
    answers = answers_for_total("phq9", total - value)
    answers["phq9_9"] = value
    return answers


def test_completing_a_phq9_with_item_9_raises_flag_urgent_task_and_two_notifications(worker, supervisor, case):
    assessment = _complete(worker, case, "phq9", phq9_with_item9(1))

    flag = RiskFlag.objects.get()
    assert (flag.client_id, flag.case_id, flag.assessment_id, flag.kind) == (
        case.client_id,
        case.pk,
        assessment.pk,
        RiskKind.PHQ9_ITEM9,
    )
    assert flag.is_open and flag.raised_by == worker
    assert "item 9" in flag.summary
    task = Task.objects.get()
    assert (task.assignee, task.priority, task.status, task.due_date) == (
        worker,
        TaskPriority.URGENT,
        TaskStatus.OPEN,
        timezone.localdate(),
    )
    assert (task.source_kind, task.source_id, task.created_by, task.case_id) == ("risk_flag", flag.pk, None, case.pk)
    assert task.title == "Complete a safety assessment / safety plan today"
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {worker.pk, supervisor.pk}
    assert all("Robert Smith" in n.message for n in Notification.objects.all())
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-5:] == [
        "assessment.complete",
        "risk_flag.raise",
        "task.create",
        "notification.create",
        "notification.create",
    ]


def test_the_flag_its_task_and_alerts_roll_back_with_the_assessment(worker, supervisor, case):
    assessment = assessment_services.assessment_start(
        actor=worker,
        case=case,
        instrument_code="phq9",
        method="in_person",
        administered_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assessment = assessment_services.assessment_answer(
        actor=worker, assessment=assessment, answers=phq9_with_item9(2), expected_version=1
    )
    events_before = AuditEvent.objects.count()
    with (
        mock.patch("casework.tasks.services.notification_create", side_effect=RuntimeError("mail down")),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assessment_services.assessment_complete(actor=worker, assessment=assessment)

    assessment.refresh_from_db()
    assert assessment.status == "draft"
    assert (RiskFlag.objects.count(), Task.objects.count(), Notification.objects.count()) == (0, 0, 0)
    assert AuditEvent.objects.count() == events_before


def test_item_9_at_zero_raises_nothing(worker, case):
    _complete(worker, case, "phq9", phq9_with_item9(0, total=20))

    assert not RiskFlag.objects.exists()
    assert not Task.objects.exists()


def test_raising_twice_for_the_same_assessment_is_idempotent(worker, case):
    assessment = _complete(worker, case, "phq9", phq9_with_item9(1))

    again = services.risk_flags_raise_for_assessment(actor=worker, assessment=assessment)

    assert again == []
    assert (RiskFlag.objects.count(), Task.objects.count(), Notification.objects.count()) == (1, 1, 2)


def test_cssrs_high_risk_and_hits_above_10_raise_their_flags(worker, case):
    _complete(worker, case, "cssrs_screener", {"cssrs_1": 1, "cssrs_2": 1, "cssrs_3": 1, "cssrs_4": 1, "cssrs_5": 0,
                                               "cssrs_6": 0})  # fmt: skip
    hits = {"ahc_safety_hurt": 3, "ahc_safety_insult": 3, "ahc_safety_threaten": 3, "ahc_safety_scream": 3}
    _complete(worker, case, "ahc_hrsn", hrsn_answers(**hits))

    assert sorted(RiskFlag.objects.values_list("kind", flat=True)) == [RiskKind.CSSRS_HIGH_RISK, RiskKind.HITS_POSITIVE]


def test_cssrs_moderate_risk_raises_no_alert(worker, case):
    _complete(worker, case, "cssrs_screener", {"cssrs_1": 1, "cssrs_2": 0, "cssrs_6": 0})

    assert not RiskFlag.objects.exists()


def test_hits_of_10_raises_no_flag(worker, case):
    hits = {"ahc_safety_hurt": 3, "ahc_safety_insult": 3, "ahc_safety_threaten": 2, "ahc_safety_scream": 2}
    _complete(worker, case, "ahc_hrsn", hrsn_answers(**hits))

    assert not RiskFlag.objects.exists()


def test_no_notification_reaches_a_colleague_on_another_team(worker, supervisor, supervisor_b, colleague, case):
    _complete(worker, case, "phq9", phq9_with_item9(3))

    assert not Notification.objects.filter(recipient__in=[colleague, supervisor_b]).exists()


def test_supervisor_working_their_own_case_gets_one_notification(supervisor, client_record, program):
    from casework.testing import CaseFactory

    own = CaseFactory(client=client_record, program=program, primary_worker=supervisor, team=supervisor.team)
    _complete(supervisor, own, "phq9", phq9_with_item9(1))

    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [supervisor.pk]


def test_an_amendment_removing_item_9_leaves_the_open_flag(worker, case):
    original = _complete(worker, case, "phq9", phq9_with_item9(1))

    amendment = assessment_services.assessment_amend(
        actor=worker, assessment=original, answers={"phq9_9": 0}, reason="Client misread question 9."
    )

    assert amendment.flags == []
    flag = RiskFlag.objects.get()
    assert flag.is_open and flag.assessment_id == original.pk
    assert Task.objects.get().status == TaskStatus.OPEN


def test_an_amendment_keeping_item_9_does_not_raise_it_again(worker, case):
    original = _complete(worker, case, "phq9", phq9_with_item9(1))

    assessment_services.assessment_amend(
        actor=worker, assessment=original, answers={"phq9_1": 0}, reason="Item 1 was entered wrong."
    )

    assert (RiskFlag.objects.count(), Task.objects.count(), Notification.objects.count()) == (1, 1, 2)


def test_an_amendment_adding_item_9_raises_the_flag(worker, case):
    original = _complete(worker, case, "phq9", phq9_with_item9(0, total=6))

    amendment = assessment_services.assessment_amend(
        actor=worker, assessment=original, answers={"phq9_9": 2}, reason="Client corrected question 9."
    )

    assert RiskFlag.objects.get().assessment_id == amendment.pk


def test_resolving_requires_a_note_and_changes_nothing_without_one(worker, case):
    _complete(worker, case, "phq9", phq9_with_item9(1))
    flag = RiskFlag.objects.get()
    events = AuditEvent.objects.count()

    for note in ("", "   "):
        with pytest.raises(ValidationFailed) as exc:
            services.risk_flag_resolve(actor=worker, flag=flag, note=note)
        assert exc.value.field == "note"

    flag.refresh_from_db()
    assert flag.is_open
    assert Task.objects.get().status == TaskStatus.OPEN
    assert AuditEvent.objects.count() == events


def test_resolving_closes_the_flag_and_its_task_and_keeps_the_note_out_of_the_audit_log(worker, case):
    _complete(worker, case, "phq9", phq9_with_item9(1))
    flag = RiskFlag.objects.get()

    resolved = services.risk_flag_resolve(actor=worker, flag=flag, note="Safety plan made with client; sister staying.")

    assert not resolved.is_open
    assert (resolved.resolved_by, resolved.resolution_note) == (worker, "Safety plan made with client; sister staying.")
    task = Task.objects.get()
    assert (task.status, task.completed_by) == (TaskStatus.DONE, worker)
    event = AuditEvent.objects.filter(action="risk_flag.resolve").get()
    assert event.changes["resolution_note"] == [None, REDACTED]
    assert "sister" not in str(AuditEvent.objects.values_list("changes", "reason"))
    assert AuditEvent.objects.filter(action="task.complete", object_id=str(task.pk)).exists()


def test_resolving_twice_is_refused(worker, case):
    _complete(worker, case, "phq9", phq9_with_item9(1))
    flag = services.risk_flag_resolve(actor=worker, flag=RiskFlag.objects.get(), note="Safe.")

    with pytest.raises(ValidationFailed):
        services.risk_flag_resolve(actor=worker, flag=flag, note="Again.")


def test_roles_that_do_not_document_cannot_resolve(worker, case, auditor):
    _complete(worker, case, "phq9", phq9_with_item9(1))
    flag = RiskFlag.objects.get()

    with pytest.raises(PermissionDenied):
        services.risk_flag_resolve(actor=auditor, flag=flag, note="Looks fine.")

    flag.refresh_from_db()
    assert flag.is_open


def test_a_draft_assessment_raises_nothing(worker, case):
    assessment = assessment_services.assessment_start(
        actor=worker,
        case=case,
        instrument_code="phq9",
        method="in_person",
        administered_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assessment = assessment_services.assessment_answer(
        actor=worker, assessment=assessment, answers={"phq9_9": 2}, expected_version=1
    )

    assert services.risk_flags_raise_for_assessment(actor=worker, assessment=assessment) == []
    assert Assessment.objects.get().flags == []
