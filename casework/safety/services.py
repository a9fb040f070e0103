"""Raising risk flags from completed assessments, and resolving them with a note.

Raising a flag, in the caller's transaction: the flag, an urgent task for the case's primary
worker (a safety assessment / safety plan today), and in-app notifications to that worker and
the supervisor of the case's team. Resolving it completes the task. A flag is never dropped
by a later answer (an amendment that removes item 9): only a person resolves it, with a note.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from casework.accounts.models import User
from casework.assessments.models import Assessment, AssessmentStatus
from casework.audit.services import audit_record, redact_text
from casework.cases import permissions as case_permissions
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.core.validation import clean_or_raise, require_text
from casework.safety.models import ASSESSMENT_FLAG_KINDS, RiskFlag, RiskKind
from casework.tasks import services as task_services
from casework.tasks.models import TaskPriority, TaskSource

SAFETY_TASK_TITLE = gettext_noop("Complete a safety assessment / safety plan today")


def _assessment_chain_ids(assessment: Assessment) -> list[int]:
    """The assessment and the ones it amends (an amendment's original, its original...)."""
    ids = [assessment.pk]
    previous = assessment.amends_id
    while previous is not None and previous not in ids:
        ids.append(previous)
        previous = Assessment.objects.filter(pk=previous).values_list("amends_id", flat=True).first()
    return ids


def _flag_labels(assessment: Assessment) -> dict[str, str]:
    rules = assessment.instrument_version.scoring.get("flags", [])
    return {rule["key"]: str(rule.get("label", rule["key"])) for rule in rules}


def _is_risk_alert(assessment: Assessment, key: str) -> bool:
    """Whether the instrument version marks this scoring flag as a risk alert (instruments added as data)."""
    rules = assessment.instrument_version.scoring.get("flags", [])
    return any(rule.get("key") == key and rule.get("risk_alert") is True for rule in rules)


@transaction.atomic
def risk_flags_raise_for_assessment(*, actor: User, assessment: Assessment) -> list[RiskFlag]:
    """Flag the client at risk for each risk answer of a completed assessment; returns the new flags.

    Idempotent per assessment and kind. An amendment does not raise again what the assessment it
    corrects already raised (open or resolved): the answer was seen and acted on. It raises only
    a kind the original did not have.
    """
    if assessment.status != AssessmentStatus.COMPLETED:
        return []
    code = assessment.instrument_version.instrument.code
    labels = _flag_labels(assessment)
    # kind -> the labels of the flags that raised it
    summaries: dict[RiskKind, list[str]] = {}
    for key in assessment.flags:
        kind = ASSESSMENT_FLAG_KINDS.get((code, key))
        if kind is None and _is_risk_alert(assessment, key):
            kind = RiskKind.ASSESSMENT_RISK
        if kind is not None:
            summaries.setdefault(kind, []).append(labels.get(key, str(kind.label)))
    if not summaries:
        return []
    chain = _assessment_chain_ids(assessment)
    already = set(RiskFlag.objects.filter(assessment_id__in=chain).values_list("kind", flat=True))
    case = assessment.case
    raised: list[RiskFlag] = []
    for kind, flag_labels in summaries.items():
        if kind in already:
            continue
        flag = RiskFlag(
            client_id=assessment.client_id,
            case=case,
            assessment=assessment,
            kind=kind,
            summary="; ".join(flag_labels)[:300],
            raised_by=actor,
        )
        clean_or_raise(flag, exclude=["client", "case", "assessment", "raised_by", "resolved_by"])
        flag.save()
        audit_record(
            actor=actor,
            action="risk_flag.raise",
            client_id=flag.client_id,
            obj=flag,
            changes={"kind": [None, kind], "assessment": [None, assessment.pk], "case": [None, case.pk]},
        )
        _follow_up(actor=actor, flag=flag)
        raised.append(flag)
    return raised


def _follow_up(*, actor: User, flag: RiskFlag) -> None:
    """The urgent task for the primary worker and the alerts to them and their supervisor."""
    case = flag.case
    client = case.client
    worker = case.primary_worker
    url = reverse("clients:detail", args=[client.pk]) + "#risk-flags"
    task_services.task_create(
        actor=actor,
        client=client,
        case=case,
        title=_(SAFETY_TASK_TITLE),
        detail=flag.summary,
        assignee=worker,
        due_date=timezone.localdate(),
        priority=TaskPriority.URGENT,
        source_kind=TaskSource.RISK_FLAG,
        source_id=flag.pk,
        by_rule=True,
    )
    message = _("%(client)s flagged at risk: %(summary)s") % {"client": client.display_name, "summary": flag.summary}
    recipients = [worker]
    supervisor = case.team.supervisor
    if supervisor is not None and supervisor.is_active and supervisor.pk != worker.pk:
        recipients.append(supervisor)
    for recipient in recipients:
        task_services.notification_create(actor=actor, recipient=recipient, client=client, message=message, url=url)


@transaction.atomic
def risk_flag_resolve(*, actor: User, flag: RiskFlag, note: str) -> RiskFlag:
    """Resolve an open flag with a note (the caller authorised the client); completes its task.

    The note is clinical text: the audit log records that one was written, not what it says.
    """
    locked = RiskFlag.objects.select_for_update().select_related("case__team", "case__program").get(pk=flag.pk)
    if not case_permissions.can_document_case(actor, locked.case):
        raise PermissionDenied(_("Your role cannot resolve risk flags."))
    if locked.resolved_at is not None:
        raise ValidationFailed(_("This flag was already resolved."), field="note")
    note = require_text(
        note, field="note", message=_("Write a note: what was done to keep the client safe."), max_length=4000
    )
    locked.resolved_at = timezone.now()
    locked.resolved_by = actor
    locked.resolution_note = note
    locked.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    changes = redact_text(
        {"resolved_at": [None, locked.resolved_at], "resolution_note": [None, note]}, ["resolution_note"]
    )
    audit_record(actor=actor, action="risk_flag.resolve", client_id=locked.client_id, obj=locked, changes=changes)
    task_services.tasks_complete_for_source(actor=actor, source_kind=TaskSource.RISK_FLAG, source_id=locked.pk)
    return locked
