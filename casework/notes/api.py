"""Progress notes in the JSON API: list, write, read, edit drafts, sign, addenda, void."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.cases.selectors import case_get_for_user
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
from casework.core.errors import ValidationFailed
from casework.notes import selectors, services
from casework.notes.models import NoteAddendum, NoteStatus, ProgressNote
from casework.notes.schemas import AddendumIn, AddendumOut, NoteCreate, NotePage, NoteRead, NoteUpdate, NoteVoid

router = Router(tags=["notes"])

STATUS_FILTERS = ["", *[status.value for status in NoteStatus]]


def _reload(user: User, note: ProgressNote) -> ProgressNote:
    """The note as NoteRead shows it (author, signer, addenda), after a write the service audited."""
    return selectors.note_get_for_user(user=user, note_id=note.pk, audit=False)


def _once(user: User, key: str | None) -> IdempotentCreate[ProgressNote]:
    """The note an earlier request with the same Idempotency-Key created, or one new note."""
    return IdempotentCreate(
        key=key,
        find=lambda: ProgressNote.objects.filter(submission_key=key, author=user).first(),
        failure=_("The note could not be saved; please try again."),
    )


def _replay(user: User, note: ProgressNote, response: HttpResponse) -> ProgressNote:
    """The earlier submission's note, through the access helper (audited as a view)."""
    return with_etag(selectors.note_get_for_user(user=user, note_id=note.pk), response)


@router.get("", response={200: NotePage, **READ_ERRORS}, summary="List a case's or a client's notes")
def list_notes(
    request: HttpRequest,
    page: Query[PageParams],
    case_id: int | None = Query(None, ge=1, le=MAX_ID),
    client_id: int | None = Query(None, ge=1, le=MAX_ID),
    status: str = Query("", description="draft, signed or voided; all when empty"),
) -> dict[str, Any]:
    """Notes of one case (`case_id`) or one client (`client_id`), newest contact first, with addenda."""
    user = request_user(request)
    status = refuse_nul(status, field="status")
    if status not in STATUS_FILTERS:
        raise ValidationFailed(_("Unknown note status."), field="status")
    if case_id is not None:
        case = case_get_for_user(user=user, case_id=case_id, action="note.list")
        notes = selectors.notes_for_case(case=case)
        if client_id is not None and client_id != case.client_id:
            notes = notes.none()
    elif client_id is not None:
        client = client_get_for_user(user=user, client_id=client_id, action="note.list")
        notes = selectors.notes_for_client(client=client)
    else:
        raise ValidationFailed(_("Say whose notes: give case_id or client_id."), field="case_id")
    if status:
        notes = notes.filter(status=status)
    return paginate(notes, page)


@router.post("", response={201: NoteRead, 200: NoteRead, **WRITE_ERRORS}, summary="Write a progress note")
def create_note(
    request: HttpRequest,
    payload: NoteCreate,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[ProgressNote]:
    """A draft (or, with `sign: true`, a signed note). The same Idempotency-Key returns the first note (200)."""
    user = request_user(request)
    key = submission_key(user, idempotency_key)
    once = _once(user, key)
    earlier = once.earlier()
    if earlier is not None:
        return Status(200, _replay(user, earlier, response))
    case = case_get_for_user(user=user, case_id=payload.case_id, audit=False)
    note, created = once.create(
        lambda: services.note_create(
            actor=user,
            case=case,
            format=str(payload.format),
            contact_type=str(payload.contact_type),
            contact_date=payload.contact_date,
            duration_minutes=payload.duration_minutes,
            sections=payload.sections,
            sign=payload.sign,
            submission_key=key,
        )
    )
    if not created:
        return Status(200, _replay(user, note, response))
    response["Location"] = f"{request.path.rstrip('/')}/{note.pk}"
    return Status(201, with_etag(_reload(user, note), response))


@router.get("/{int:note_id}", response={200: NoteRead, **READ_ERRORS}, summary="Read a note")
def get_note(request: HttpRequest, note_id: int, response: HttpResponse) -> ProgressNote:
    """One note with its addenda; the ETag header carries its version."""
    return with_etag(selectors.note_get_for_user(user=request_user(request), note_id=note_id), response)


@router.patch("/{int:note_id}", response={200: NoteRead, **EDIT_ERRORS}, summary="Edit a draft note")
def update_note(
    request: HttpRequest,
    note_id: int,
    payload: NoteUpdate,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
) -> ProgressNote:
    """Only drafts, only by their author. Send the version edited (If-Match or `version`)."""
    user = request_user(request)
    note = selectors.note_get_for_user(user=user, note_id=note_id, audit=False)
    version, used_if_match = expected_version(if_match=if_match, version=payload.version, current=note.version)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    with precondition(used_if_match):
        updated = services.note_update(actor=user, note=note, expected_version=version, data=data)
    if updated.version == version:
        audit_record(actor=user, action="note.view", client_id=updated.client_id, obj=updated)
    return with_etag(_reload(user, updated), response)


@router.post("/{int:note_id}/sign", response={200: NoteRead, **WRITE_ERRORS}, summary="Sign (lock) a draft note")
def sign_note(request: HttpRequest, note_id: int, response: HttpResponse) -> ProgressNote:
    """The author signs; the note is locked from then on and corrected only by addenda."""
    user = request_user(request)
    note = selectors.note_get_for_user(user=user, note_id=note_id, audit=False)
    signed = services.note_sign(actor=user, note=note)
    return with_etag(_reload(user, signed), response)


@router.get("/{int:note_id}/addenda", response={200: list[AddendumOut], **READ_ERRORS}, summary="A note's addenda")
def list_addenda(request: HttpRequest, note_id: int) -> list[NoteAddendum]:
    note = selectors.note_get_for_user(user=request_user(request), note_id=note_id)
    return list(note.addenda.all())


@router.post(
    "/{int:note_id}/addenda",
    response={201: AddendumOut, 200: AddendumOut, **WRITE_ERRORS},
    summary="Add an addendum to a signed note",
)
def add_addendum(
    request: HttpRequest,
    note_id: int,
    payload: AddendumIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[NoteAddendum]:
    """A correction or addition; the signed note itself never changes.

    The same Idempotency-Key on the same note returns the first addendum (200); on another note
    it adds that note's addendum.
    """
    user = request_user(request)
    note = selectors.note_get_for_user(user=user, note_id=note_id, audit=False)
    key = submission_key(user, idempotency_key, scope=f"note:{note.pk}")
    once = IdempotentCreate(
        key=key,
        find=lambda: NoteAddendum.objects.filter(submission_key=key, author=user, note=note).first(),
        failure=_("The addendum could not be saved; please try again."),
    )
    earlier = once.earlier()
    if earlier is not None:
        return Status(200, earlier)
    addendum, created = once.create(
        lambda: services.note_add_addendum(actor=user, note=note, text=payload.text, submission_key=key)
    )
    return Status(201 if created else 200, addendum)


@router.post("/{int:note_id}/void", response={200: NoteRead, **WRITE_ERRORS}, summary="Void a note entered in error")
def void_note(request: HttpRequest, note_id: int, payload: NoteVoid, response: HttpResponse) -> ProgressNote:
    """The note stays in the record, marked voided, with the reason."""
    user = request_user(request)
    note = selectors.note_get_for_user(user=user, note_id=note_id, audit=False)
    voided = services.note_void(actor=user, note=note, reason=payload.reason)
    return with_etag(_reload(user, voided), response)
