"""Writing suggested needs: suggest them from a completed screen, dismiss one with a reason."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.assessments.models import Assessment, AssessmentStatus
from casework.audit.services import audit_record, redact_text
from casework.cases import permissions as case_permissions
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.core.validation import clean_or_raise, require_text
from casework.needs.models import SCREEN_DOMAINS, NeedDomain, SuggestedNeed, SuggestedNeedStatus


def _assessment_chain_ids(assessment: Assessment) -> list[int]:
    ids = [assessment.pk]
    previous = assessment.amends_id
    while previous is not None and previous not in ids:
        ids.append(previous)
        previous = Assessment.objects.filter(pk=previous).values_list("amends_id", flat=True).first()
    return ids


@transaction.atomic
def needs_suggest_for_assessment(*, actor: User, assessment: Assessment) -> list[SuggestedNeed]:
    """Suggest a need for each positive social-needs screen of a completed assessment; returns the new ones.

    Idempotent per assessment and domain. Nothing new when the case already has the same domain
    waiting as a suggestion, or when the assessment an amendment corrects already suggested it.
    """
    if assessment.status != AssessmentStatus.COMPLETED:
        return []
    code = assessment.instrument_version.instrument.code
    rules = {rule["key"]: rule for rule in assessment.instrument_version.scoring.get("positive_screens", [])}
    # domain -> the positive screen that suggests it: the shipped map, or `need_domain` in the
    # definition of an instrument added as data.
    keys: dict[NeedDomain, str] = {}
    for key in assessment.positive_screens:
        domain = SCREEN_DOMAINS.get((code, key))
        if domain is None and rules.get(key, {}).get("need_domain") in NeedDomain.values:
            domain = NeedDomain(rules[key]["need_domain"])
        if domain is not None:
            keys.setdefault(domain, key)
    domains = list(keys)
    if not domains:
        return []
    labels = {key: str(rule.get("label", key)) for key, rule in rules.items()}
    existing = set(
        SuggestedNeed.objects.filter(source_assessment_id__in=_assessment_chain_ids(assessment)).values_list(
            "domain", flat=True
        )
    )
    existing |= set(
        SuggestedNeed.objects.filter(case_id=assessment.case_id, status=SuggestedNeedStatus.SUGGESTED).values_list(
            "domain", flat=True
        )
    )
    created: list[SuggestedNeed] = []
    for domain in dict.fromkeys(domains):
        if domain in existing:
            continue
        need = SuggestedNeed(
            client_id=assessment.client_id,
            case_id=assessment.case_id,
            domain=domain,
            source_assessment=assessment,
            reason=labels.get(keys[domain], str(domain.label))[:300],
        )
        clean_or_raise(need, exclude=["client", "case", "source_assessment", "decided_by"])
        need.save()
        audit_record(
            actor=actor,
            action="suggested_need.create",
            client_id=need.client_id,
            obj=need,
            changes={"domain": [None, domain], "source_assessment": [None, assessment.pk]},
        )
        created.append(need)
    return created


@transaction.atomic
def suggested_need_dismiss(*, actor: User, need: SuggestedNeed, reason: str) -> SuggestedNeed:
    """Dismiss a waiting suggestion with a reason (the case team and its supervisors)."""
    locked = SuggestedNeed.objects.select_for_update().select_related("case__team", "case__program").get(pk=need.pk)
    if not case_permissions.can_work_case(actor, locked.case):
        raise PermissionDenied(_("Only the case team and its supervisors can dismiss a suggested need."))
    if locked.status != SuggestedNeedStatus.SUGGESTED:
        raise ValidationFailed(
            _("This need was already %(status)s.") % {"status": locked.get_status_display().lower()}, field="reason"
        )
    reason = require_text(reason, field="reason", message=_("Say why the need is dismissed."), max_length=2000)
    locked.status = SuggestedNeedStatus.DISMISSED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.decision_note = reason
    clean_or_raise(locked, exclude=["client", "case", "source_assessment", "decided_by"])
    locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    changes = redact_text(
        {"status": [SuggestedNeedStatus.SUGGESTED, SuggestedNeedStatus.DISMISSED], "decision_note": [None, reason]},
        ["decision_note"],
    )
    audit_record(actor=actor, action="suggested_need.dismiss", client_id=locked.client_id, obj=locked, changes=changes)
    return locked
