"""Writes of the directory app: HSDS import runs, and turning a screen result into a need or a task."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.directory import eligibility, hsds, permissions
from casework.directory.importer import ImportResult, run_import
from casework.directory.models import BenefitProgram, DirectoryImport
from casework.needs.models import SuggestedNeed, SuggestedNeedStatus
from casework.tasks import services as task_services
from casework.tasks.models import Task


def directory_import(
    *,
    actor: User | None,
    package: hsds.RawPackage,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
) -> tuple[DirectoryImport, ImportResult]:
    """Import an HSDS package (all or, when malformed, nothing) and keep the report of the run."""
    if actor is not None and not permissions.can_manage_directory(actor):
        raise PermissionDenied(_("Only administrators import directory data."))
    started = timezone.now()
    result = run_import(package, strict=strict, progress=progress)
    if not result.written:
        status = DirectoryImport.Status.FAILED
    elif result.rejected:
        status = DirectoryImport.Status.IMPORTED_WITH_REJECTIONS
    else:
        status = DirectoryImport.Status.IMPORTED
    with transaction.atomic():
        run = DirectoryImport.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            actor=actor,
            source_name=package.source_name[:300],
            status=status,
            counts=result.counts,
            problems=[problem.as_dict() for problem in result.problems],
        )
        audit_record(
            actor=actor,
            action="directory.import",
            obj=run,
            changes={
                "status": [None, status],
                "counts": [None, result.counts],
                "problems": [None, len(result.problems)],
            },
        )
    return run, result


def directory_export_audit(*, actor: User, fmt: str) -> None:
    """Record who exported the directory (it holds no client data, but it leaves the system)."""
    with transaction.atomic():
        audit_record(actor=actor, action="directory.export", object_type="directory", changes={"format": [None, fmt]})


def _screen_result(*, case: Case, program: BenefitProgram, on: datetime.date) -> eligibility.ScreenResult:
    _level, results = eligibility.screen_client(case.client, on=on)
    for result in results:
        if result.program.pk == program.pk:
            return result
    raise ValidationFailed(_("That program is not screened any more."), field="program")


@transaction.atomic
def screening_suggest_need(*, actor: User, case: Case, program: BenefitProgram) -> SuggestedNeed:
    """Make a screen result a suggested need on the case (once while it waits), with the rule as reason."""
    if not permissions.can_act_on_screening(actor, case):
        raise PermissionDenied(_("Only the case team can add needs to this case."))
    result = _screen_result(case=case, program=program, on=timezone.localdate())
    reason = _("%(program)s: %(outcome)s. %(rule)s") % {
        "program": program.name,
        "outcome": result.outcome_label,
        "rule": result.reason,
    }
    existing = SuggestedNeed.objects.filter(
        case=case,
        domain=program.need_domain,
        status=SuggestedNeedStatus.SUGGESTED,
        reason__startswith=f"{program.name}:",
    ).first()
    if existing is not None:
        return existing
    need = SuggestedNeed.objects.create(client=case.client, case=case, domain=program.need_domain, reason=reason[:300])
    audit_record(
        actor=actor,
        action="suggested_need.create",
        client_id=case.client_id,
        obj=need,
        changes={"domain": [None, need.domain], "source": [None, f"eligibility screen: {program.code}"]},
    )
    return need


def screening_start_task(*, actor: User, case: Case, program: BenefitProgram) -> Task:
    """A task for the case's worker to help the client apply (or find out more), due in a week."""
    if not permissions.can_act_on_screening(actor, case):
        raise PermissionDenied(_("Only the case team can start tasks on this case."))
    result = _screen_result(case=case, program=program, on=timezone.localdate())
    if result.outcome == eligibility.Outcome.LIKELY_NOT:
        raise ValidationFailed(
            _("The screen says the client is likely not eligible; no task started."), field="program"
        )
    title = (
        _("Help with %(program)s application") if result.is_likely_eligible else _("Find out more for %(program)s")
    ) % {"program": program.name}
    return task_services.task_create(
        actor=actor,
        client=case.client,
        case=case,
        title=title[:200],
        detail=f"{result.reason}\n\n{program.how_to_apply}".strip(),
        assignee=case.primary_worker,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )
