"""Writing cases: open, move through the lifecycle, case team, reassignment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import Program, Role, User
from casework.audit.selectors import changes_since
from casework.audit.services import audit_record, diff, redact_text, snapshot
from casework.cases import permissions
from casework.cases.models import (
    OPEN_STATUSES,
    STATUS_ORDER,
    Case,
    CaseAssignment,
    CaseStatus,
    CaseStatusChange,
    CaseTeamMember,
    ClosureReason,
)
from casework.clients.models import Client
from casework.clients.permissions import is_clinical
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from casework.core.submissions import insert_once
from casework.core.validation import clean_or_raise, require_text

TEAM_MEMBER_FIELDS = ["user", "role", "name", "organization", "phone", "email"]
CASE_EDIT_FIELDS = ["acuity", "reason_for_referral"]
REFERRAL_REASON_MAX_LENGTH = 4000


def _check_referral_reason(value: Any) -> None:
    # A TextField's max_length is not checked by full_clean(), only by forms.
    if isinstance(value, str) and len(value.strip()) > REFERRAL_REASON_MAX_LENGTH:
        raise ValidationFailed(
            _("Keep the reason for referral under %(n)s characters.") % {"n": REFERRAL_REASON_MAX_LENGTH},
            field="reason_for_referral",
        )


def _check_worker(worker: User, program: Program) -> None:
    if not worker.can_carry_cases or worker.agency_id != program.agency_id:
        raise ValidationFailed(
            _("%(name)s cannot carry cases in this program.") % {"name": worker}, field="primary_worker"
        )
    if worker.team_id is None:
        raise ValidationFailed(_("%(name)s is not on a team yet.") % {"name": worker}, field="primary_worker")


@transaction.atomic
def case_open(
    *,
    actor: User,
    client: Client,
    program: Program,
    primary_worker: User,
    status: str = CaseStatus.INTAKE,
    acuity: int = 2,
    reason_for_referral: str = "",
    submission_key: str | None = None,
) -> Case:
    """Open an episode of care for a client in a program with a primary case manager."""
    if not is_clinical(actor):
        raise PermissionDenied(_("Your role cannot open cases."))

    def earlier() -> Case | None:
        return Case.objects.filter(submission_key=submission_key, created_by=actor).first()

    if submission_key and (existing := earlier()) is not None:
        return existing
    if program.agency_id != client.agency_id or not program.is_active:
        raise ValidationFailed(_("Choose an active program of this agency."), field="program")
    if status not in (CaseStatus.REFERRED, CaseStatus.INTAKE):
        raise ValidationFailed(_("A new case starts as referred or at intake."), field="status")
    _check_worker(primary_worker, program)
    _check_referral_reason(reason_for_referral)
    if Case.objects.filter(client=client, program=program, status__in=OPEN_STATUSES).exists():
        raise ValidationFailed(
            _("This client already has an open case in %(program)s.") % {"program": program}, field="program"
        )
    case = Case(
        client=client,
        program=program,
        primary_worker=primary_worker,
        team=primary_worker.team,
        status=status,
        acuity=acuity,
        reason_for_referral=(reason_for_referral or "").strip(),
        created_by=actor,
        submission_key=submission_key or None,
    )
    clean_or_raise(case, exclude=["created_by"])
    case, inserted = insert_once(case, key=submission_key, earlier=earlier)
    if not inserted:
        return case
    CaseStatusChange.objects.create(
        case=case, from_status="", to_status=status, changed_by=actor, reason=_("Case opened")
    )
    CaseAssignment.objects.create(case=case, to_worker=primary_worker, assigned_by=actor, reason=_("Case opened"))
    audit_record(
        actor=actor,
        action="case.open",
        client_id=client.pk,
        obj=case,
        changes=diff(
            {}, {"program": program.name, "primary_worker": primary_worker.email, "status": status, "acuity": acuity}
        ),
    )
    return case


@transaction.atomic
def case_update(*, actor: User, case: Case, expected_version: int, data: Mapping[str, Any]) -> Case:
    """Change a case's acuity or referral reason; stale versions are refused."""
    locked = Case.objects.select_for_update().select_related("team", "program").get(pk=case.pk)
    if not permissions.can_work_case(actor, locked):
        raise PermissionDenied(_("Only the case team and its supervisors can change this case."))
    if locked.version != expected_version:
        raise VersionConflict(
            _("Someone changed this case after you opened it."),
            current_version=locked.version,
            changes=changes_since(
                obj=locked,
                actions=["case.update", "case.transition", "case.reassign"],
                versions=locked.version - expected_version,
            ),
        )
    _check_referral_reason(data.get("reason_for_referral"))
    before = snapshot(locked, CASE_EDIT_FIELDS)
    for key in CASE_EDIT_FIELDS:
        if key in data:
            setattr(locked, key, data[key].strip() if isinstance(data[key], str) else data[key])
    clean_or_raise(locked)
    changes = diff(before, snapshot(locked, CASE_EDIT_FIELDS))
    if not changes:
        return locked
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    changes["version"] = [expected_version, locked.version]
    audit_record(
        actor=actor,
        action="case.update",
        client_id=locked.client_id,
        obj=locked,
        changes=redact_text(changes, ["reason_for_referral"]),
    )
    return locked


def allowed_transitions(case: Case) -> list[str]:
    """Statuses a case may move to from where it is."""
    if case.status == CaseStatus.CLOSED:
        return [s for s in OPEN_STATUSES]  # reopen
    return [s for s in STATUS_ORDER if s != case.status]


@transaction.atomic
def case_transition(
    *,
    actor: User,
    case: Case,
    to_status: str,
    reason: str = "",
    closure_reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Move a case in its lifecycle. Going back or reopening needs a reason; closing needs a closure reason."""
    locked = Case.objects.select_for_update().select_related("team", "program").get(pk=case.pk)
    if not permissions.can_work_case(actor, locked):
        raise PermissionDenied(_("Only the case team and its supervisors can change this case's status."))
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(
            _("Someone changed this case after you opened it."),
            current_version=locked.version,
            changes=changes_since(
                obj=locked,
                actions=["case.update", "case.transition", "case.reassign"],
                versions=locked.version - expected_version,
            ),
        )
    if to_status not in STATUS_ORDER:
        raise ValidationFailed(_("Unknown status."), field="to_status")
    if to_status == locked.status:
        raise ValidationFailed(
            _("The case is already %(status)s.") % {"status": locked.get_status_display()}, field="to_status"
        )
    reason = (reason or "").strip()
    if len(reason) > 4000:
        raise ValidationFailed(_("Keep the reason under 4000 characters."), field="reason")
    from_status = locked.status
    reopening = from_status == CaseStatus.CLOSED
    going_back = not reopening and STATUS_ORDER.index(to_status) < STATUS_ORDER.index(from_status)
    if (reopening or going_back) and not reason:
        message = _("Say why the case is reopened.") if reopening else _("Say why the case moves back.")
        raise ValidationFailed(message, field="reason")
    changes: dict[str, list[Any]] = {"status": [from_status, to_status]}
    if to_status == CaseStatus.CLOSED:
        if closure_reason not in ClosureReason.values:
            raise ValidationFailed(_("Choose why the case is closed."), field="closure_reason")
        locked.closure_reason = closure_reason
        locked.closed_at = timezone.now()
        changes["closure_reason"] = ["", closure_reason]
    elif reopening:
        changes["closure_reason"] = [locked.closure_reason, ""]
        locked.closure_reason = ""
        locked.closed_at = None
        _check_worker(locked.primary_worker, locked.program)
        if (
            Case.objects.filter(client_id=locked.client_id, program_id=locked.program_id, status__in=OPEN_STATUSES)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise ValidationFailed(_("The client already has another open case in this program."), field="to_status")
    locked.status = to_status
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    CaseStatusChange.objects.create(
        case=locked, from_status=from_status, to_status=to_status, changed_by=actor, reason=reason
    )
    changes["version"] = [locked.version - 1, locked.version]
    audit_record(
        actor=actor, action="case.transition", client_id=locked.client_id, obj=locked, reason=reason, changes=changes
    )
    return locked


@transaction.atomic
def case_team_member_add(*, actor: User, case: Case, data: Mapping[str, Any]) -> CaseTeamMember:
    """Add a member of staff or an outside professional to the case team."""
    if not permissions.can_work_case(actor, case):
        raise PermissionDenied(_("Only the case team and its supervisors can change the case team."))
    member = CaseTeamMember(case=case, added_by=actor)
    for key in TEAM_MEMBER_FIELDS:
        if key in data:
            value = data[key]
            setattr(member, key, value.strip() if isinstance(value, str) else value)
    if member.user_id is not None:
        staff = member.user
        # Auditors and administrators see no clinical content, so they cannot join a case team.
        if staff is None or staff.agency_id != case.program.agency_id or not is_clinical(staff):
            raise ValidationFailed(_("Choose an active member of the clinical staff of this agency."), field="user")
        if CaseTeamMember.objects.filter(case=case, user=staff, removed_at__isnull=True).exists():
            raise ValidationFailed(_("%(name)s is already on the case team.") % {"name": staff}, field="user")
    elif not member.name:
        raise ValidationFailed(_("Give the professional's name, or choose a member of staff."), field="name")
    clean_or_raise(member, exclude=["case", "added_by"])
    member.save()
    audit_record(
        actor=actor,
        action="case.team_add",
        client_id=case.client_id,
        obj=member,
        changes=diff({}, {"member": member.display_name, "role": member.role, "organization": member.organization}),
    )
    return member


@transaction.atomic
def case_team_member_remove(*, actor: User, member: CaseTeamMember, reason: str = "") -> CaseTeamMember:
    """Take someone off the case team; the membership is kept with its end date."""
    case = member.case
    if not permissions.can_work_case(actor, case):
        raise PermissionDenied(_("Only the case team and its supervisors can change the case team."))
    if member.removed_at is None:
        member.removed_at = timezone.now()
        member.save(update_fields=["removed_at"])
        audit_record(
            actor=actor,
            action="case.team_remove",
            client_id=case.client_id,
            obj=member,
            reason=reason,
            changes={"member": [member.display_name, None]},
        )
    return member


def _reassign_one(*, actor: User, case: Case, to_worker: User, reason: str) -> Case:
    from_worker = case.primary_worker
    case.primary_worker = to_worker
    case.team = to_worker.team  # type: ignore[assignment]  # _check_worker ensured a team
    case.version += 1
    case.updated_at = timezone.now()
    case.save(update_fields=["primary_worker", "team", "version", "updated_at"])
    CaseAssignment.objects.create(
        case=case, from_worker=from_worker, to_worker=to_worker, assigned_by=actor, reason=reason
    )
    audit_record(
        actor=actor,
        action="case.reassign",
        client_id=case.client_id,
        obj=case,
        reason=reason,
        changes={"primary_worker": [from_worker.email, to_worker.email], "version": [case.version - 1, case.version]},
    )
    return case


@transaction.atomic
def case_reassign(*, actor: User, case: Case, to_worker: User, reason: str) -> Case:
    """Give one case a new primary worker, with a reason."""
    reason = require_text(reason, field="reason", message=_("Say why the case is reassigned."), max_length=1000)
    locked = Case.objects.select_for_update().select_related("team", "program", "primary_worker").get(pk=case.pk)
    if not permissions.can_reassign(actor, locked):
        raise PermissionDenied(_("Only the team's supervisor or the program director can reassign this case."))
    if locked.status == CaseStatus.CLOSED:
        raise ValidationFailed(_("Closed cases are not reassigned; reopen the case first."), field="to_worker")
    _check_worker(to_worker, locked.program)
    if to_worker.pk == locked.primary_worker_id:
        raise ValidationFailed(_("%(name)s already has this case.") % {"name": to_worker}, field="to_worker")
    return _reassign_one(actor=actor, case=locked, to_worker=to_worker, reason=reason)


@transaction.atomic
def caseload_reassign(*, actor: User, from_worker: User, to_worker: User, reason: str) -> int:
    """Move every open case of one worker (a worker leaving) to another in one action.

    All or nothing: if any case cannot move, none moves.
    """
    reason = require_text(reason, field="reason", message=_("Say why the caseload is reassigned."), max_length=1000)
    if actor.role not in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR) or not actor.is_active:
        raise PermissionDenied(_("Only supervisors and program directors can reassign caseloads."))
    if from_worker.pk == to_worker.pk:
        raise ValidationFailed(_("Choose a different worker to take the caseload."), field="to_worker")
    cases = list(
        Case.objects.select_for_update()
        .filter(primary_worker=from_worker, status__in=OPEN_STATUSES)
        .select_related("team", "program", "primary_worker")
        .order_by("pk")
    )
    for case in cases:
        if not permissions.can_reassign(actor, case):
            raise PermissionDenied(
                _("You do not supervise every case on this caseload; ask the other supervisor or the director.")
            )
        _check_worker(to_worker, case.program)
    for case in cases:
        _reassign_one(actor=actor, case=case, to_worker=to_worker, reason=reason)
    audit_record(
        actor=actor,
        action="caseload.reassign",
        reason=reason,
        changes={"from_worker": from_worker.email, "to_worker": to_worker.email, "cases": [c.pk for c in cases]},
    )
    return len(cases)
