"""Writing referrals: draft, edit, send (consent checked, disclosure audited), status changes, follow-up.

The sender's side (the referring case team) and the receiver's side (partner users of the
receiving organization) go through the same `referral_transition`, which allows only the moves in
`models.TRANSITIONS` for that side, records each in the status history and audits it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.audit.selectors import changes_since
from casework.audit.services import audit_record, diff, snapshot
from casework.careplans.models import Intervention
from casework.cases import permissions as case_permissions
from casework.cases.models import Case, CaseStatus
from casework.clients.models import Consent, SharedInformation
from casework.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict
from casework.core.submissions import insert_once
from casework.core.validation import clean_or_raise, require_text
from casework.directory.models import Service, ServiceStatus
from casework.needs.models import NeedDomain
from casework.referrals import permissions
from casework.referrals.models import (
    DEFAULT_ANSWER_BUSINESS_DAYS,
    FINAL_STATUSES,
    NEEDS_OUTCOME,
    NEEDS_REASON,
    TRANSITIONS,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    ServiceLevel,
    Side,
    Urgency,
)
from casework.tasks import services as task_services
from casework.tasks.models import Task, TaskPriority, TaskSource

S = ReferralStatus
# Fields of a draft the worker may change (PATCH and the edit form).
DRAFT_FIELDS = ["reason", "urgency", "due_date", "shared_information", "summary", "consent", "need_domain"]


# --- Dates --------------------------------------------------------------------------------------


def add_business_days(day: datetime.date, days: int) -> datetime.date:
    """The day `days` business days (Monday to Friday) after `day`."""
    current = day
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def answer_business_days(case: Case) -> int:
    """The program's service level for an answer, in business days (2 when it set none)."""
    level = ServiceLevel.objects.filter(program_id=case.program_id).values_list(
        "answer_within_business_days", flat=True
    )
    return next(iter(level), DEFAULT_ANSWER_BUSINESS_DAYS)


# --- Checks -------------------------------------------------------------------------------------


def _require_sender(actor: User, case: Case) -> None:
    if not case_permissions.can_work_case(actor, case):
        raise PermissionDenied(_("Only the case team and its supervisors can refer this client."))


def _check_service(service: Service) -> None:
    if service.status != ServiceStatus.ACTIVE:
        raise ValidationFailed(
            _("%(service)s is %(status)s and takes no referrals; choose another service.")
            % {"service": service.name, "status": service.get_status_display().lower()},
            field="service",
        )


def _check_fields(
    *, reason: str, urgency: str, due_date: Any, shared_information: Any, need_domain: str
) -> tuple[str, list[str]]:
    reason = require_text(reason, field="reason", message=_("Say why you are referring the client."), max_length=2000)
    if urgency not in Urgency.values:
        raise ValidationFailed(_("Choose an urgency from the list."), field="urgency")
    if due_date is not None:
        if not isinstance(due_date, datetime.date):
            raise ValidationFailed(_("Enter the due date as a date."), field="due_date")
        if due_date < timezone.localdate():
            raise ValidationFailed(_("The due date is in the past."), field="due_date")
    if need_domain and need_domain not in NeedDomain.values:
        raise ValidationFailed(_("Choose a need from the list."), field="need_domain")
    if not isinstance(shared_information, list | tuple) or not shared_information:
        raise ValidationFailed(
            _("Tick the information to share with the receiver (at least one)."), field="shared_information"
        )
    unknown = [item for item in shared_information if item not in SharedInformation.values]
    if unknown:
        raise ValidationFailed(_("Choose the information from the list."), field="shared_information")
    # Keep the list's canonical order and no repeats.
    ordered = [value for value in SharedInformation.values if value in shared_information]
    return reason, ordered


def _check_consent(referral: Referral, consent: Consent | None, *, on: datetime.date) -> None:
    """The consent must be the client's, valid today, for the receiving organization and every shared piece."""
    if consent is None:
        raise ValidationFailed(
            _("Record the client's consent to share with %(organization)s before sending the referral.")
            % {"organization": referral.organization.name},
            field="consent",
        )
    if consent.client_id != referral.client_id:
        raise ValidationFailed(_("That consent belongs to another client."), field="consent")
    if consent.revoked_on is not None and consent.revoked_on <= on:
        raise ValidationFailed(
            _("The client revoked this consent on %(date)s; record a new consent to send the referral.")
            % {"date": consent.revoked_on.isoformat()},
            field="consent",
        )
    if consent.expires_on is not None and consent.expires_on < on:
        raise ValidationFailed(
            _("This consent expired on %(date)s; record a new consent to send the referral.")
            % {"date": consent.expires_on.isoformat()},
            field="consent",
        )
    if consent.recipient_organization_id is not None and consent.recipient_organization_id != referral.organization_id:
        raise ValidationFailed(
            _("This consent is for another organization, not %(organization)s.")
            % {"organization": referral.organization.name},
            field="consent",
        )
    missing = [item for item in referral.shared_information if item not in consent.information]
    if missing:
        labels = ", ".join(str(SharedInformation(item).label).lower() for item in missing)
        raise ValidationFailed(
            _("The client's consent does not cover sharing: %(items)s. Untick it or record a wider consent.")
            % {"items": labels},
            field="shared_information",
        )


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case__program", "case__team", "client", "organization", "service", "consent")
        .get(pk=referral.pk)
    )


def _check_version(locked: Referral, expected_version: int | None) -> None:
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(
            _("This referral was changed after you opened it."),
            current_version=locked.version,
            changes=changes_since(
                obj=locked,
                actions=["referral.update", "referral.send", "referral.transition"],
                versions=locked.version - expected_version,
            ),
        )


# --- Draft --------------------------------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    actor: User,
    case: Case,
    service: Service,
    reason: str,
    shared_information: list[str],
    urgency: str = Urgency.ROUTINE,
    due_date: datetime.date | None = None,
    summary: str = "",
    consent: Consent | None = None,
    need_domain: str = "",
    intervention: Intervention | None = None,
    submission_key: str | None = None,
) -> Referral:
    """A draft referral of the case's client to a directory service (the caller authorised the case).

    `intervention`: the care-plan action step of this case that the referral carries out.
    """
    _require_sender(actor, case)

    def earlier() -> Referral | None:
        return Referral.objects.filter(submission_key=submission_key, referred_by=actor).first()

    if submission_key and (existing := earlier()) is not None:
        return existing
    if case.status == CaseStatus.CLOSED:
        raise ValidationFailed(_("This case is closed; reopen it to refer the client."), field="case")
    _check_service(service)
    reason, shared = _check_fields(
        reason=reason,
        urgency=urgency,
        due_date=due_date,
        shared_information=shared_information,
        need_domain=need_domain,
    )
    if consent is not None and consent.client_id != case.client_id:
        raise ValidationFailed(_("That consent belongs to another client."), field="consent")
    if intervention is not None and intervention.revision.plan.case_id != case.pk:
        raise ValidationFailed(_("That action step belongs to another case's plan."), field="intervention")
    referral = Referral(
        case=case,
        client_id=case.client_id,
        service=service,
        organization_id=service.organization_id,
        consent=consent,
        need_domain=need_domain,
        intervention=intervention,
        reason=reason,
        urgency=urgency,
        due_date=due_date,
        shared_information=shared,
        summary=(summary or "").strip(),
        referred_by=actor,
        submission_key=submission_key or None,
    )
    clean_or_raise(referral, exclude=["case", "client", "service", "organization", "consent", "referred_by"])
    referral, inserted = insert_once(referral, key=submission_key, earlier=earlier)
    if not inserted:
        return referral
    ReferralStatusChange.objects.create(
        referral=referral, from_status="", to_status=S.DRAFT, side=Side.SENDER, changed_by=actor
    )
    audit_record(
        actor=actor,
        action="referral.create",
        client_id=case.client_id,
        obj=referral,
        changes={
            "service": [None, str(service.pk)],
            "organization": [None, str(service.organization_id)],
            "urgency": [None, urgency],
            "due_date": [None, due_date],
            "shared_information": [None, shared],
            "consent": [None, consent.pk if consent else None],
            "intervention": [None, intervention.pk if intervention else None],
        },
    )
    return referral


@transaction.atomic
def referral_update(*, actor: User, referral: Referral, data: Mapping[str, Any], expected_version: int) -> Referral:
    """Change a draft (reason, urgency, due date, what is shared, consent); sent referrals are fixed."""
    locked = _lock(referral)
    _require_sender(actor, locked.case)
    _check_version(locked, expected_version)
    if locked.status != S.DRAFT:
        raise ValidationFailed(_("Only a draft can be changed; this referral was sent."), field="status")
    unknown = set(data) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(locked, DRAFT_FIELDS)
    merged = {name: getattr(locked, name) for name in DRAFT_FIELDS}
    merged.update(data)
    reason, shared = _check_fields(
        reason=merged["reason"],
        urgency=merged["urgency"],
        due_date=merged["due_date"],
        shared_information=merged["shared_information"],
        need_domain=merged["need_domain"] or "",
    )
    consent = merged["consent"]
    if consent is not None and consent.client_id != locked.client_id:
        raise ValidationFailed(_("That consent belongs to another client."), field="consent")
    locked.reason = reason
    locked.urgency = merged["urgency"]
    locked.due_date = merged["due_date"]
    locked.shared_information = shared
    locked.summary = (merged["summary"] or "").strip()
    locked.consent = consent
    locked.need_domain = merged["need_domain"] or ""
    changes = diff(before, snapshot(locked, DRAFT_FIELDS))
    if not changes:
        return locked
    clean_or_raise(locked, exclude=["case", "client", "service", "organization", "consent", "referred_by"])
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    changes["version"] = [expected_version, locked.version]
    if "summary" in changes:
        changes["summary"] = ["…" if changes["summary"][0] else "", "…" if changes["summary"][1] else ""]
    audit_record(actor=actor, action="referral.update", client_id=locked.client_id, obj=locked, changes=changes)
    return locked


# --- Sending: the disclosure --------------------------------------------------------------------


def shared_data_for(referral: Referral) -> dict[str, Any]:
    """Exactly the ticked information, copied from the record as it is now."""
    from casework.needs.models import SuggestedNeed, SuggestedNeedStatus

    client = referral.client
    data: dict[str, Any] = {}
    for item in referral.shared_information:
        if item == SharedInformation.NAME:
            data["name"] = client.legal_name
            if client.preferred_name:
                data["preferred_name"] = client.preferred_name
        elif item == SharedInformation.DATE_OF_BIRTH:
            data["date_of_birth"] = client.date_of_birth.isoformat() if client.date_of_birth else ""
        elif item == SharedInformation.PHONE:
            data["phone"] = client.phone
        elif item == SharedInformation.ADDRESS:
            data["address"] = {
                "line1": client.address_line1,
                "line2": client.address_line2,
                "city": client.city,
                "state": client.state,
                "postal_code": client.postal_code,
            }
        elif item == SharedInformation.NEEDS:
            domains = list(
                SuggestedNeed.objects.filter(client=client)
                .exclude(status=SuggestedNeedStatus.DISMISSED)
                .values_list("domain", flat=True)
                .distinct()
            )
            if referral.need_domain and referral.need_domain not in domains:
                domains.insert(0, referral.need_domain)
            data["needs"] = [str(NeedDomain(domain).label) for domain in domains if domain in NeedDomain.values]
        elif item == SharedInformation.SUMMARY:
            data["summary"] = referral.summary
    return data


@transaction.atomic
def referral_send(*, actor: User, referral: Referral, expected_version: int | None = None) -> Referral:
    """Send a draft to the receiving organization: consent checked first; stays a draft when it fails.

    Copies the ticked information into `shared_data` and audits the disclosure (recipient,
    what, purpose), as HIPAA 164.528 and 42 CFR Part 2 accounting need.
    """
    locked = _lock(referral)
    _require_sender(actor, locked.case)
    _check_version(locked, expected_version)
    if locked.status != S.DRAFT:
        raise ValidationFailed(
            _("This referral was already sent (it is %(status)s).") % {"status": locked.get_status_display().lower()},
            field="status",
        )
    if locked.case.status == CaseStatus.CLOSED:
        raise ValidationFailed(_("This case is closed; reopen it to refer the client."), field="case")
    _check_service(locked.service)
    if locked.service.organization_id != locked.organization_id:
        raise ValidationFailed(_("The service moved to another organization; choose it again."), field="service")
    today = timezone.localdate()
    _check_consent(locked, locked.consent, on=today)
    if "summary" in locked.shared_information and not locked.summary.strip():
        raise ValidationFailed(_("Write the summary you chose to share, or untick it."), field="summary")
    now = timezone.now()
    locked.shared_data = shared_data_for(locked)
    locked.status = S.REQUESTED
    locked.sent_at = now
    locked.updated_at = now
    locked.version += 1
    locked.save()
    ReferralStatusChange.objects.create(
        referral=locked, from_status=S.DRAFT, to_status=S.REQUESTED, side=Side.SENDER, changed_by=actor, changed_at=now
    )
    audit_record(
        actor=actor,
        action="referral.send",
        client_id=locked.client_id,
        obj=locked,
        reason=locked.consent.purpose if locked.consent else "",
        changes={
            "status": [S.DRAFT, S.REQUESTED],
            "recipient": [None, f"{locked.organization.name} ({locked.organization_id})"],
            "service": [None, locked.service.name],
            "disclosed": [None, list(locked.shared_information)],
            "consent": [None, locked.consent_id],
            "version": [locked.version - 1, locked.version],
        },
    )
    return locked


# --- Status changes ----------------------------------------------------------------------------


def _side_of(actor: User, referral: Referral) -> str:
    """Which side the actor acts for on this referral; refused (404 for partners) otherwise."""
    if actor.is_partner:
        if not permissions.partner_organization_id(actor) == referral.organization_id or referral.sent_at is None:
            raise NotFound()
        return Side.RECEIVER
    _require_sender(actor, referral.case)
    return Side.SENDER


@transaction.atomic
def referral_transition(
    *,
    actor: User,
    referral: Referral,
    to_status: str,
    reason: str = "",
    outcome: str = "",
    expected_version: int | None = None,
) -> Referral:
    """Move a sent referral along the Gravity workflow, for the side the actor is on.

    Declining, cancelling, failing and putting on hold need a reason; completing needs the outcome.
    """
    locked = _lock(referral)
    side = _side_of(actor, locked)
    _check_version(locked, expected_version)
    if to_status not in S.values:
        raise ValidationFailed(_("Unknown referral status."), field="status")
    if to_status == S.REQUESTED and locked.status == S.DRAFT:
        raise ValidationFailed(_("Send the draft instead (the consent is checked when it is sent)."), field="status")
    if to_status == locked.status:
        raise ValidationFailed(
            _("This referral is already %(status)s.") % {"status": locked.get_status_display().lower()},
            field="status",
        )
    allowed = TRANSITIONS.get(locked.status, {}).get(to_status)
    if allowed is None:
        raise ValidationFailed(
            _("A referral that is %(old)s cannot become %(new)s.")
            % {"old": locked.get_status_display().lower(), "new": str(S(to_status).label).lower()},
            field="status",
        )
    if side not in allowed:
        if side == Side.SENDER:
            message = _("Only the receiving organization can mark a referral %(new)s.")
        else:
            message = _("Only the referring worker can mark a referral %(new)s.")
        raise PermissionDenied(message % {"new": str(S(to_status).label).lower()}, field="status")
    reason = (reason or "").strip()
    outcome = (outcome or "").strip()
    if to_status in NEEDS_REASON:
        reason = require_text(reason, field="reason", message=_("Give a reason."), max_length=2000)
    if to_status in NEEDS_OUTCOME:
        outcome = require_text(outcome, field="outcome", message=_("Report the outcome."), max_length=2000)
    now = timezone.now()
    old = locked.status
    locked.status = to_status
    if reason:
        locked.status_reason = reason
    if outcome:
        locked.outcome = outcome
    if old == S.REQUESTED and to_status in (S.ACCEPTED, S.REJECTED):
        locked.answered_at = now
    if to_status in FINAL_STATUSES:
        locked.closed_at = now
    locked.updated_at = now
    locked.version += 1
    locked.save()
    ReferralStatusChange.objects.create(
        referral=locked,
        from_status=old,
        to_status=to_status,
        side=side,
        changed_by=actor,
        changed_at=now,
        reason=reason,
    )
    changes: dict[str, Any] = {"status": [old, to_status], "version": [locked.version - 1, locked.version]}
    if outcome:
        changes["outcome"] = [None, outcome]
    audit_record(
        actor=actor,
        action="referral.transition",
        client_id=locked.client_id,
        obj=locked,
        reason=reason,
        changes=changes,
    )
    # The follow-up tasks stand for an answer and a completion; they are done when those come.
    if to_status != S.ON_HOLD and to_status != S.IN_PROGRESS:
        task_services.tasks_complete_for_source(
            actor=actor, source_kind=TaskSource.REFERRAL_NO_ANSWER, source_id=locked.pk
        )
    if to_status in FINAL_STATUSES:
        task_services.tasks_complete_for_source(
            actor=actor, source_kind=TaskSource.REFERRAL_OVERDUE, source_id=locked.pk
        )
    return locked


def referral_accept(*, actor: User, referral: Referral, expected_version: int | None = None) -> Referral:
    """The receiving organization accepts the referral."""
    return referral_transition(actor=actor, referral=referral, to_status=S.ACCEPTED, expected_version=expected_version)


def referral_decline(*, actor: User, referral: Referral, reason: str, expected_version: int | None = None) -> Referral:
    """The receiving organization declines (Gravity: rejected), with a reason."""
    return referral_transition(
        actor=actor, referral=referral, to_status=S.REJECTED, reason=reason, expected_version=expected_version
    )


def referral_complete(
    *, actor: User, referral: Referral, outcome: str, expected_version: int | None = None
) -> Referral:
    """The receiving organization reports the service given, with the outcome."""
    return referral_transition(
        actor=actor, referral=referral, to_status=S.COMPLETED, outcome=outcome, expected_version=expected_version
    )


def referral_cancel(*, actor: User, referral: Referral, reason: str, expected_version: int | None = None) -> Referral:
    """Either side cancels (a draft only by the sender), with a reason."""
    return referral_transition(
        actor=actor, referral=referral, to_status=S.CANCELLED, reason=reason, expected_version=expected_version
    )


# --- Follow-up ---------------------------------------------------------------------------------


def answer_due_date(referral: Referral, business_days: int) -> datetime.date | None:
    """The last day the receiver may answer: `business_days` business days after the day it was sent."""
    if referral.sent_at is None:
        return None
    return add_business_days(timezone.localdate(referral.sent_at), business_days)


@transaction.atomic
def referrals_follow_up(*, today: datetime.date | None = None) -> list[Task]:
    """Create a task for the referring worker for each referral that is late: not answered within the
    program's service level, or accepted and not completed by its due date. Once per referral and kind.

    Run by the `referral_follow_up` background task (django-tasks) every hour, and by the
    `referral_follow_up` command; safe to run as often as you like.
    """
    today = today or timezone.localdate()
    created: list[Task] = []
    open_task_sources = set(
        Task.objects.filter(source_kind__in=[TaskSource.REFERRAL_NO_ANSWER, TaskSource.REFERRAL_OVERDUE]).values_list(
            "source_kind", "source_id"
        )
    )
    levels = dict(ServiceLevel.objects.values_list("program_id", "answer_within_business_days"))
    waiting = Referral.objects.filter(status=S.REQUESTED).select_related(
        "case", "client", "organization", "referred_by"
    )
    for referral in waiting:
        if (TaskSource.REFERRAL_NO_ANSWER, referral.pk) in open_task_sources:
            continue
        due = answer_due_date(referral, levels.get(referral.case.program_id, DEFAULT_ANSWER_BUSINESS_DAYS))
        if due is None or today <= due:
            continue
        created.append(
            _follow_up_task(
                referral,
                kind=TaskSource.REFERRAL_NO_ANSWER,
                title=_("Referral to %(organization)s not answered") % {"organization": referral.organization.name},
                detail=_("Sent %(sent)s; an answer was due by %(due)s. Call the organization or refer elsewhere.")
                % {"sent": timezone.localdate(referral.sent_at).isoformat(), "due": due.isoformat()},
                today=today,
            )
        )
    late = Referral.objects.filter(
        status__in=[S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD], due_date__lt=today
    ).select_related("case", "client", "organization", "referred_by")
    for referral in late:
        if (TaskSource.REFERRAL_OVERDUE, referral.pk) in open_task_sources:
            continue
        created.append(
            _follow_up_task(
                referral,
                kind=TaskSource.REFERRAL_OVERDUE,
                title=_("Referral to %(organization)s not completed") % {"organization": referral.organization.name},
                detail=_("It was due by %(due)s and is %(status)s. Ask the organization what happened.")
                % {
                    "due": referral.due_date.isoformat() if referral.due_date else "",
                    "status": referral.get_status_display().lower(),
                },
                today=today,
            )
        )
    return created


def _follow_up_task(referral: Referral, *, kind: str, title: str, detail: str, today: datetime.date) -> Task:
    worker = referral.referred_by
    # A worker who left hands over to the case's primary worker.
    assignee = (
        worker if worker.is_active and worker.agency_id == referral.client.agency_id else referral.case.primary_worker
    )
    return task_services.task_create(
        actor=assignee,
        client=referral.client,
        case=referral.case,
        title=title[:200],
        detail=detail,
        assignee=assignee,
        due_date=today,
        priority=TaskPriority.HIGH if referral.urgency != Urgency.ROUTINE else TaskPriority.NORMAL,
        source_kind=kind,
        source_id=referral.pk,
        by_rule=True,
    )
