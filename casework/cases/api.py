"""Cases in the JSON API: list, open, read, edit, move through the lifecycle, case team."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from casework.accounts.models import Program, User
from casework.audit.services import audit_record
from casework.cases import selectors, services
from casework.cases.models import OPEN_STATUSES, Case, CaseStatus, CaseTeamMember
from casework.cases.schemas import (
    CaseCreate,
    CasePage,
    CaseRead,
    CaseTransition,
    CaseUpdate,
    TeamMemberIn,
    TeamMemberOut,
)
from casework.clients.selectors import client_get_for_user
from casework.core.api import (
    EDIT_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    IdempotentCreate,
    PageParams,
    expected_version,
    paginate,
    precondition,
    refuse_nul,
    request_user,
    submission_key,
    with_etag,
)
from casework.core.errors import NotFound, ValidationFailed

router = Router(tags=["cases"])

STATUS_FILTERS = ["open", "all", *[status.value for status in CaseStatus]]


def _staff_in_agency(user: User, staff_id: int, *, field: str) -> User:
    """A member of staff of the caller's agency, or a validation error on `field`."""
    staff = (
        User.objects.filter(pk=staff_id, agency_id=user.agency_id).select_related("team").first()
        if user.agency_id is not None
        else None
    )
    if staff is None:
        raise ValidationFailed(_("No member of staff with that id in your agency."), field=field)
    return staff


def _reload(case: Case) -> Case:
    """The case with what CaseRead shows (client, program, team, primary worker)."""
    return Case.objects.select_related("client", "program", "team", "primary_worker").get(pk=case.pk)


def _once(user: User, key: str | None) -> IdempotentCreate[Case]:
    """The case an earlier request with the same Idempotency-Key opened, or one new case."""
    return IdempotentCreate(
        key=key,
        find=lambda: Case.objects.filter(submission_key=key, created_by=user).first(),
        failure=_("The case could not be saved; please try again."),
    )


def _replay(user: User, case: Case, response: HttpResponse) -> Case:
    """The earlier submission's case, through the access helper (audited as a view)."""
    return with_etag(selectors.case_get_for_user(user=user, case_id=case.pk), response)


@router.get("", response={200: CasePage, **READ_ERRORS}, summary="List the cases I may see")
def list_cases(
    request: HttpRequest,
    page: Query[PageParams],
    client_id: int | None = Query(None, ge=1, le=MAX_ID),
    status: str = Query("all", description="open, all, or one status"),
    mine: bool = Query(False, description="Only cases where I am the primary worker"),
) -> dict[str, Any]:
    """Cases of clients the caller may see, newest first."""
    user = request_user(request)
    status = refuse_nul(status, field="status")
    if status not in STATUS_FILTERS:
        raise ValidationFailed(_("Unknown status filter."), field="status")
    cases = selectors.cases_visible_to(user).select_related("client", "program", "team", "primary_worker")
    if client_id is not None:
        cases = cases.filter(client_id=client_id)
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        cases = cases.filter(status=status)
    if mine:
        cases = cases.filter(primary_worker=user)
    result = paginate(cases.order_by("-opened_at", "-pk"), page)
    audit_record(
        actor=user,
        action="case.list",
        client_id=client_id,
        object_type="cases.case",
        changes={"case_ids": [case.pk for case in result["items"]], "offset": page.offset},
    )
    return result


@router.post("", response={201: CaseRead, 200: CaseRead, **WRITE_ERRORS}, summary="Open a case")
def open_case(
    request: HttpRequest,
    payload: CaseCreate,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Case]:
    """Open an episode of care for a client in a program; the primary worker defaults to the caller."""
    user = request_user(request)
    key = submission_key(user, idempotency_key)
    once = _once(user, key)
    earlier = once.earlier()
    if earlier is not None:
        return Status(200, _replay(user, earlier, response))
    client = client_get_for_user(user=user, client_id=payload.client_id, audit=False)
    program = Program.objects.filter(pk=payload.program_id, agency_id=client.agency_id).first()
    if program is None:
        raise ValidationFailed(_("No program with that id in your agency."), field="program_id")
    worker = (
        _staff_in_agency(user, payload.primary_worker_id, field="primary_worker_id")
        if payload.primary_worker_id
        else user
    )
    case, created = once.create(
        lambda: services.case_open(
            actor=user,
            client=client,
            program=program,
            primary_worker=worker,
            status=str(payload.status),
            acuity=int(payload.acuity),
            reason_for_referral=payload.reason_for_referral,
            submission_key=key,
        )
    )
    if not created:
        return Status(200, _replay(user, case, response))
    response["Location"] = f"{request.path.rstrip('/')}/{case.pk}"
    return Status(201, with_etag(_reload(case), response))


@router.get("/{int:case_id}", response={200: CaseRead, **READ_ERRORS}, summary="Read a case")
def get_case(request: HttpRequest, case_id: int, response: HttpResponse) -> Case:
    """One case; the ETag header carries its version."""
    return with_etag(selectors.case_get_for_user(user=request_user(request), case_id=case_id), response)


@router.patch("/{int:case_id}", response={200: CaseRead, **EDIT_ERRORS}, summary="Edit a case")
def update_case(
    request: HttpRequest,
    case_id: int,
    payload: CaseUpdate,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Case:
    """Change acuity or the reason for referral. Send the version edited (If-Match or `version`)."""
    user = request_user(request)
    case = selectors.case_get_for_user(user=user, case_id=case_id, audit=False)
    version, used_if_match = expected_version(if_match=if_match, version=payload.version, current=case.version)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    with precondition(used_if_match):
        updated = services.case_update(actor=user, case=case, expected_version=version, data=data)
    if updated.version == version:
        audit_record(actor=user, action="case.view", client_id=updated.client_id, obj=updated)
    return with_etag(_reload(updated), response)


@router.post("/{int:case_id}/transition", response={200: CaseRead, **EDIT_ERRORS}, summary="Change a case's status")
def transition_case(
    request: HttpRequest,
    case_id: int,
    payload: CaseTransition,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> Case:
    """Move a case through referred → intake → assessment → planning → active → transition → closed.

    The version is optional here (a status move is checked against the case's current status);
    when given, a stale one is refused.
    """
    user = request_user(request)
    case = selectors.case_get_for_user(user=user, case_id=case_id, audit=False)
    version: int | None = None
    used_if_match = False
    if (if_match and if_match.strip()) or payload.version is not None:
        version, used_if_match = expected_version(if_match=if_match, version=payload.version, current=case.version)
    with precondition(used_if_match):
        updated = services.case_transition(
            actor=user,
            case=case,
            to_status=str(payload.to_status),
            reason=payload.reason,
            closure_reason=str(payload.closure_reason or ""),
            expected_version=version,
        )
    return with_etag(_reload(updated), response)


@router.get("/{int:case_id}/team", response={200: list[TeamMemberOut], **READ_ERRORS}, summary="The case team")
def list_team(request: HttpRequest, case_id: int, include_removed: bool = False) -> list[CaseTeamMember]:
    """Staff and outside professionals on the case team (removed members too if asked)."""
    case = selectors.case_get_for_user(user=request_user(request), case_id=case_id, action="case.team_view")
    members = CaseTeamMember.objects.filter(case=case).select_related("user").order_by("added_at", "pk")
    if not include_removed:
        members = members.filter(removed_at__isnull=True)
    return list(members)


@router.post("/{int:case_id}/team", response={201: TeamMemberOut, **WRITE_ERRORS}, summary="Add to the case team")
def add_team_member(request: HttpRequest, case_id: int, payload: TeamMemberIn) -> Status[CaseTeamMember]:
    """Add a member of staff (`user_id`) or an outside professional (`name` and contact details)."""
    user = request_user(request)
    case = selectors.case_get_for_user(user=user, case_id=case_id, audit=False)
    data: dict[str, Any] = payload.model_dump(exclude={"user_id"})
    if payload.user_id is not None:
        data["user"] = _staff_in_agency(user, payload.user_id, field="user_id")
    with transaction.atomic():
        member = services.case_team_member_add(actor=user, case=case, data=data)
    return Status(201, member)


@router.delete(
    "/{int:case_id}/team/{int:member_id}",
    response={200: TeamMemberOut, **WRITE_ERRORS},
    summary="Take someone off the case team",
)
def remove_team_member(request: HttpRequest, case_id: int, member_id: int, reason: str = "") -> CaseTeamMember:
    """The membership is kept with its end date."""
    user = request_user(request)
    reason = refuse_nul(reason, field="reason")
    if len(reason) > 1000:
        raise ValidationFailed(_("Keep the reason under 1000 characters."), field="reason")
    case = selectors.case_get_for_user(user=user, case_id=case_id, audit=False)
    member = CaseTeamMember.objects.filter(pk=member_id, case=case).select_related("user").first()
    if member is None:
        raise NotFound()
    member.case = case
    return services.case_team_member_remove(actor=user, member=member, reason=reason)
