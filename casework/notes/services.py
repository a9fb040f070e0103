"""Writing progress notes: draft, edit, sign (lock), addenda, void."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import Role, User
from casework.audit.selectors import changes_since
from casework.audit.services import audit_record, diff, redact_text, snapshot
from casework.cases import permissions as case_permissions
from casework.cases.models import Case, CaseStatus
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from casework.core.submissions import insert_once
from casework.core.validation import clean_or_raise, require_text
from casework.notes.models import NOTE_SECTIONS, SECTION_MAX_LENGTH, NoteAddendum, NoteStatus, ProgressNote

EARLIEST_CONTACT_DATE = datetime.date(1950, 1, 1)
NOTE_FIELDS = ["format", "contact_type", "contact_date", "duration_minutes", "sections"]


def _clean_sections(note_format: str, sections: Mapping[str, Any] | None) -> dict[str, str]:
    if note_format not in NOTE_SECTIONS:
        raise ValidationFailed(_("Choose a note format."), field="format")
    if sections is not None and not isinstance(sections, Mapping):
        raise ValidationFailed(_("Sections must map section names to text."), field="sections")
    allowed = [key for key, _label in NOTE_SECTIONS[note_format]]
    cleaned: dict[str, str] = {}
    for key, value in (sections or {}).items():
        if key not in allowed:
            if value and str(value).strip():
                raise ValidationFailed(
                    _("%(section)s is not a section of a %(format)s note.") % {"section": key, "format": note_format},
                    field=key,
                )
            continue
        value = str(value or "").strip()
        if len(value) > SECTION_MAX_LENGTH:
            raise ValidationFailed(
                _("Keep each section under %(n)s characters.") % {"n": SECTION_MAX_LENGTH}, field=key
            )
        cleaned[key] = value
    return cleaned


def _check_contact_date(case: Case, contact_date: Any) -> None:
    if not isinstance(contact_date, datetime.date):
        raise ValidationFailed(_("Enter the date of the contact."), field="contact_date")
    if contact_date > timezone.localdate():
        raise ValidationFailed(_("The contact date cannot be in the future."), field="contact_date")
    if contact_date < EARLIEST_CONTACT_DATE:
        raise ValidationFailed(_("Check the year of the contact date."), field="contact_date")
    dob = case.client.date_of_birth
    if dob and contact_date < dob:
        raise ValidationFailed(_("The contact date is before the client's date of birth."), field="contact_date")


@transaction.atomic
def note_create(
    *,
    actor: User,
    case: Case,
    format: str,
    contact_type: str,
    contact_date: datetime.date,
    duration_minutes: int,
    sections: Mapping[str, Any],
    sign: bool = False,
    submission_key: str | None = None,
    follow_up_date: datetime.date | None = None,
    follow_up_title: str = "",
    goal_updates: Sequence[Mapping[str, Any]] = (),
) -> ProgressNote:
    """Write a progress note as a draft (or sign it at once).

    The contact completes the follow-up tasks earlier notes of the case asked for; a
    `follow_up_date` asks for a new one, assigned to the author. `goal_updates` record progress
    on the care-plan goals the contact addressed, linked to the note, in the same transaction.
    """
    if not case_permissions.can_document_case(actor, case):
        raise PermissionDenied(_("Your role cannot write progress notes."))

    def earlier() -> ProgressNote | None:
        return ProgressNote.objects.filter(submission_key=submission_key, author=actor).first()

    if submission_key and (existing := earlier()) is not None:
        return existing
    if case.status == CaseStatus.CLOSED:
        raise ValidationFailed(_("This case is closed; reopen it to document new contacts."), field="case")
    cleaned_sections = _clean_sections(format, sections)
    _check_contact_date(case, contact_date)
    note = ProgressNote(
        case=case,
        client_id=case.client_id,
        author=actor,
        format=format,
        contact_type=contact_type,
        contact_date=contact_date,
        duration_minutes=duration_minutes,
        sections=cleaned_sections,
        submission_key=submission_key or None,
    )
    clean_or_raise(note, exclude=["case", "client", "author"])
    note, inserted = insert_once(note, key=submission_key, earlier=earlier)
    if not inserted:
        return note
    audit_record(
        actor=actor,
        action="note.create",
        client_id=case.client_id,
        obj=note,
        changes=redact_text(diff({}, snapshot(note, NOTE_FIELDS)), ["sections"]),
    )
    from casework.tasks import services as task_services
    from casework.tasks.models import TaskSource

    task_services.tasks_complete_follow_ups(actor=actor, case=case, except_note_id=note.pk)
    if follow_up_date is not None:
        if follow_up_date < contact_date:
            raise ValidationFailed(_("Follow up on or after the date of contact."), field="follow_up_date")
        task_services.task_create(
            actor=actor,
            client=case.client,
            case=case,
            title=(follow_up_title or "").strip()
            or _("Follow up after the contact of %(date)s") % {"date": contact_date},
            assignee=actor,
            due_date=follow_up_date,
            source_kind=TaskSource.NOTE_FOLLOW_UP,
            source_id=note.pk,
        )
    elif (follow_up_title or "").strip():
        raise ValidationFailed(_("Say by when to follow up."), field="follow_up_date")
    if goal_updates:
        from casework.careplans import services as careplan_services

        careplan_services.goals_progress_from_note(actor=actor, note=note, updates=goal_updates)
    if sign:
        note = note_sign(actor=actor, note=note)
    return note


@transaction.atomic
def note_update(*, actor: User, note: ProgressNote, expected_version: int, data: Mapping[str, Any]) -> ProgressNote:
    """Edit a draft note; only its author, and never once it is signed."""
    locked = ProgressNote.objects.select_for_update().select_related("case__client").get(pk=note.pk)
    if locked.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can edit a draft note."))
    if locked.status != NoteStatus.DRAFT:
        raise ValidationFailed(_("This note is signed and locked; add an addendum instead."), field="status")
    if locked.version != expected_version:
        raise VersionConflict(
            _("This draft was saved elsewhere after you opened it."),
            current_version=locked.version,
            changes=changes_since(obj=locked, actions=["note.update"], versions=locked.version - expected_version),
        )
    before = snapshot(locked, NOTE_FIELDS)
    note_format = data.get("format", locked.format)
    for key in ("format", "contact_type", "contact_date", "duration_minutes"):
        if key in data:
            setattr(locked, key, data[key])
    if "sections" in data or "format" in data:
        locked.sections = _clean_sections(note_format, data.get("sections", locked.sections))
    _check_contact_date(locked.case, locked.contact_date)
    clean_or_raise(locked, exclude=["case", "client", "author"])
    changes = diff(before, snapshot(locked, NOTE_FIELDS))
    if not changes:
        return locked
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    changes["version"] = [expected_version, locked.version]
    audit_record(
        actor=actor,
        action="note.update",
        client_id=locked.client_id,
        obj=locked,
        changes=redact_text(changes, ["sections"]),
    )
    return locked


@transaction.atomic
def note_sign(*, actor: User, note: ProgressNote) -> ProgressNote:
    """Sign a draft: it is locked from then on. Only the author signs."""
    locked = ProgressNote.objects.select_for_update().get(pk=note.pk)
    if locked.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can sign a note."))
    if locked.status == NoteStatus.SIGNED:
        raise ValidationFailed(_("This note is already signed."), field="status")
    if locked.status == NoteStatus.VOIDED:
        raise ValidationFailed(_("A voided note cannot be signed."), field="status")
    if not any(value.strip() for value in locked.sections.values()):
        raise ValidationFailed(_("Write at least one section before signing."), field="sections")
    locked.status = NoteStatus.SIGNED
    locked.signed_at = timezone.now()
    locked.signed_by = actor
    locked.version += 1
    locked.save(update_fields=["status", "signed_at", "signed_by", "version"])
    audit_record(
        actor=actor,
        action="note.sign",
        client_id=locked.client_id,
        obj=locked,
        changes={"status": [NoteStatus.DRAFT, NoteStatus.SIGNED], "version": [locked.version - 1, locked.version]},
    )
    return locked


@transaction.atomic
def note_add_addendum(*, actor: User, note: ProgressNote, text: str, submission_key: str | None = None) -> NoteAddendum:
    """Add a correction or addition to a signed note."""
    if not case_permissions.can_document_case(actor, note.case):
        raise PermissionDenied(_("Your role cannot write progress notes."))

    def earlier() -> NoteAddendum | None:
        return NoteAddendum.objects.filter(submission_key=submission_key, author=actor, note=note).first()

    if submission_key and (existing := earlier()) is not None:
        return existing
    if note.status != NoteStatus.SIGNED:
        message = (
            _("Edit the draft itself; addenda are for signed notes.")
            if note.status == NoteStatus.DRAFT
            else _("This note was voided; addenda cannot be added.")
        )
        raise ValidationFailed(message, field="text")
    body = require_text(text, field="text", message=_("Write the addendum."), max_length=SECTION_MAX_LENGTH)
    addendum, inserted = insert_once(
        NoteAddendum(note=note, author=actor, text=body, submission_key=submission_key or None),
        key=submission_key,
        earlier=earlier,
    )
    if not inserted:
        return addendum
    audit_record(
        actor=actor,
        action="note.addendum",
        client_id=note.client_id,
        obj=addendum,
        changes=redact_text({"note": [None, note.pk], "text": [None, body]}, ["text"]),
    )
    return addendum


def can_void(user: User, note: ProgressNote) -> bool:
    """The author, or a supervisor of the case, may mark a note entered in error."""
    if note.author_id == user.pk:
        return True
    return user.role in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR) and case_permissions.supervises_case(user, note.case)


@transaction.atomic
def note_void(*, actor: User, note: ProgressNote, reason: str) -> ProgressNote:
    """Mark a note entered in error. It stays in the record, struck through, with the reason."""
    locked = ProgressNote.objects.select_for_update().select_related("case__team", "case__program").get(pk=note.pk)
    if not can_void(actor, locked):
        raise PermissionDenied(_("Only the author or the case's supervisor can void a note."))
    if locked.status == NoteStatus.VOIDED:
        raise ValidationFailed(_("This note is already voided."), field="status")
    reason = require_text(reason, field="reason", message=_("Say why the note is voided."), max_length=1000)
    previous = locked.status
    locked.status = NoteStatus.VOIDED
    locked.voided_at = timezone.now()
    locked.voided_by = actor
    locked.void_reason = reason
    locked.version += 1
    locked.save(update_fields=["status", "voided_at", "voided_by", "void_reason", "version"])
    audit_record(
        actor=actor,
        action="note.void",
        client_id=locked.client_id,
        obj=locked,
        reason=reason,
        changes={"status": [previous, NoteStatus.VOIDED], "version": [locked.version - 1, locked.version]},
    )
    return locked
