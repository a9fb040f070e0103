"""Quick records for tests of other pages: a risk flag with its urgent task, a scheduled instrument."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from casework.assessments.models import Assessment, AssessmentStatus, Instrument
from casework.safety.models import RiskFlag, RiskKind
from casework.tasks.models import ReassessmentRule, Task, TaskPriority, TaskSource


def flag_case(case: Any, *, summary: str = "Thoughts of self-harm (item 9 above 0)") -> RiskFlag:
    """An open PHQ-9 item-9 flag on the case's client and the urgent task for its primary worker."""
    flag = RiskFlag.objects.create(
        client_id=case.client_id, case=case, kind=RiskKind.PHQ9_ITEM9, summary=summary, raised_by=case.primary_worker
    )
    Task.objects.create(
        agency_id=case.client.agency_id,
        client_id=case.client_id,
        case=case,
        title="Complete a safety assessment / safety plan today",
        assignee=case.primary_worker,
        due_date=timezone.localdate(),
        priority=TaskPriority.URGENT,
        source_kind=TaskSource.RISK_FLAG,
        source_id=flag.pk,
    )
    return flag


def schedule(program: Any, code: str = "phq9", *, at_intake: bool = True, every: int | None = 90) -> ReassessmentRule:
    """A reassessment rule for the program."""
    return ReassessmentRule.objects.create(
        program=program, instrument=Instrument.objects.get(code=code), due_at_intake=at_intake, interval_days=every
    )


def given(case: Any, code: str = "phq9", *, on: datetime.datetime | None = None) -> Assessment:
    """A completed assessment of the case, given at `on` (answers do not matter for schedules)."""
    when = on or timezone.now()
    instrument = Instrument.objects.get(code=code)
    version = instrument.current_version()
    assert version is not None
    return Assessment.objects.create(
        case=case,
        client_id=case.client_id,
        instrument_version=version,
        status=AssessmentStatus.COMPLETED,
        administered_by=case.primary_worker,
        administered_at=when,
        completed_at=when,
        method="in_person",
    )
