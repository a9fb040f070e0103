"""Progress-note pages: write (draft or sign), read, edit a draft, sign, addenda, void."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.audit.services import audit_record
from casework.cases import permissions as case_permissions
from casework.cases.forms import new_submission_key
from casework.cases.selectors import case_get_for_user
from casework.cases.views import add_domain_error, describe_changes, signed_in
from casework.core.errors import DomainError, VersionConflict
from casework.notes.forms import AddendumForm, NoteCreateForm, NoteEditForm, VoidForm, section_field_name
from casework.notes.models import NOTE_SECTIONS, ContactType, NoteFormat, NoteStatus, ProgressNote
from casework.notes.selectors import note_get_for_user
from casework.notes.services import can_void, note_add_addendum, note_create, note_sign, note_update, note_void


def _timeline_url(note: ProgressNote) -> str:
    """The client's page at the note, where it shows on the timeline."""
    return reverse("clients:detail", args=[note.client_id]) + f"#note-{note.pk}"


def _section_field_map(note_format: str) -> dict[str, str]:
    # A service names a section by its key; the form names it by format and key.
    return {key: section_field_name(note_format, key) for key, _label in NOTE_SECTIONS.get(note_format, [])}


def _initial_from_query(request: HttpRequest) -> dict[str, Any]:
    """Contact type, date and minutes passed in the link (from an appointment); bad values are dropped."""
    initial: dict[str, Any] = {}
    if request.GET.get("contact_type") in ContactType.values:
        initial["contact_type"] = request.GET["contact_type"]
    with contextlib.suppress(ValueError):
        initial["contact_date"] = datetime.date.fromisoformat(request.GET.get("contact_date", ""))
    minutes = request.GET.get("duration_minutes", "")
    if minutes.isdigit() and 1 <= int(minutes) <= 24 * 60:
        initial["duration_minutes"] = int(minutes)
    return initial


def _audit_note_view(request: HttpRequest, note: ProgressNote) -> None:
    audit_record(actor=request.user, action="note.view", client_id=note.client_id, obj=note)


def _plan_goals(user: Any, case: Any) -> list[Any]:
    """Goals of the case's active care plans the writer may record progress on (one query)."""
    from casework.careplans.selectors import active_goals_for_case

    if not case.is_open or not case_permissions.can_work_case(user, case):
        return []
    return active_goals_for_case(case=case)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, case_id: int) -> HttpResponse:
    """Write a progress note for a case: save a draft or sign at once."""
    user = signed_in(request)
    case = case_get_for_user(user=user, case_id=case_id, action="case.view", audit=request.method == "GET")
    goals = _plan_goals(user, case)
    status = 200
    if request.method == "POST":
        form = NoteCreateForm(request.POST, goals=goals)
        status = 422
        if form.is_valid():
            try:
                note = note_create(
                    actor=user,
                    case=case,
                    **form.note_data(),
                    sign=request.POST.get("action") == "sign",
                    submission_key=form.cleaned_data["submission_key"],
                    **form.follow_up(),
                    goal_updates=form.goal_updates(),
                )
            except DomainError as exc:
                status = add_domain_error(form, exc, field_map=_section_field_map(form.cleaned_data["format"]))
            else:
                if note.status == NoteStatus.SIGNED:
                    messages.success(request, _("Note signed."))
                else:
                    messages.success(request, _("Draft saved. Sign it when it is complete."))
                return redirect(_timeline_url(note))
        audit_record(actor=user, action="case.view", client_id=case.client_id, obj=case)
    else:
        form = NoteCreateForm(
            initial={
                "format": NoteFormat.DAP,
                "contact_date": timezone.localdate(),
                "submission_key": new_submission_key(),
                **_initial_from_query(request),
            },
            goals=goals,
        )
    context = {
        "nav": "caseload",
        "case": case,
        "client": case.client,
        "form": form,
        "can_document": case_permissions.can_document_case(user, case) and case.is_open,
    }
    return render(request, "notes/form.html", context, status=status)


def _render_detail(
    request: HttpRequest,
    note: ProgressNote,
    *,
    addendum_form: AddendumForm | None = None,
    void_form: VoidForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in(request)
    is_author = note.author_id == user.pk
    context = {
        "nav": "caseload",
        "note": note,
        "case": note.case,
        "client": note.case.client,
        "can_edit": is_author and note.status == NoteStatus.DRAFT,
        "can_sign": is_author and note.status == NoteStatus.DRAFT,
        "can_addendum": note.status == NoteStatus.SIGNED and case_permissions.can_document_case(user, note.case),
        "can_void": note.status != NoteStatus.VOIDED and can_void(user, note),
        "addendum_form": addendum_form or AddendumForm(initial={"submission_key": new_submission_key()}),
        "void_form": void_form or VoidForm(),
    }
    return render(request, "notes/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, note_id: int) -> HttpResponse:
    """A note with its addenda and what the user may do with it."""
    note = note_get_for_user(user=signed_in(request), note_id=note_id)
    return _render_detail(request, note)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, note_id: int) -> HttpResponse:
    """Edit a draft (author only); a version saved elsewhere meanwhile is shown, the input kept."""
    user = signed_in(request)
    note = note_get_for_user(user=user, note_id=note_id, audit=request.method == "GET")
    if note.status != NoteStatus.DRAFT or note.author_id != user.pk:
        if note.status != NoteStatus.DRAFT:
            messages.error(request, _("This note is signed and locked; add an addendum instead."))
        else:
            messages.error(request, _("Only the author can edit a draft note."))
        return redirect("notes:detail", note_id=note.pk)
    conflict = None
    status = 200
    if request.method == "POST":
        form = NoteEditForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                note_update(actor=user, note=note, expected_version=form.cleaned_data["version"], data=form.note_data())
            except VersionConflict as exc:
                status = 409
                conflict = describe_changes(exc.changes, ProgressNote)
                fresh = request.POST.copy()
                fresh["version"] = str(exc.current_version)
                form = NoteEditForm(fresh)
                form.is_valid()
                form.add_error(None, exc.message)
            except DomainError as exc:
                status = add_domain_error(form, exc, field_map=_section_field_map(form.cleaned_data["format"]))
            else:
                messages.success(request, _("Draft saved."))
                return redirect(_timeline_url(note))
        _audit_note_view(request, note)
    else:
        initial: dict[str, Any] = {
            "format": note.format,
            "contact_type": note.contact_type,
            "contact_date": note.contact_date,
            "duration_minutes": note.duration_minutes,
            "version": note.version,
            **NoteEditForm.initial_sections(note.format, note.sections),
        }
        form = NoteEditForm(initial=initial)
    context = {
        "nav": "caseload",
        "note": note,
        "case": note.case,
        "client": note.case.client,
        "form": form,
        "conflict": conflict,
        "can_document": True,
    }
    return render(request, "notes/form.html", context, status=status)


@login_required
@require_POST
def sign(request: HttpRequest, note_id: int) -> HttpResponse:
    """Sign a draft (author only): it is locked from then on."""
    user = signed_in(request)
    note = note_get_for_user(user=user, note_id=note_id, audit=False)
    try:
        note_sign(actor=user, note=note)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("notes:detail", note_id=note.pk)
    messages.success(request, _("Note signed."))
    return redirect(_timeline_url(note))


@login_required
@require_POST
def addendum(request: HttpRequest, note_id: int) -> HttpResponse:
    """Add a correction or addition to a signed note."""
    user = signed_in(request)
    note = note_get_for_user(user=user, note_id=note_id, audit=False)
    form = AddendumForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            added = note_add_addendum(
                actor=user,
                note=note,
                text=form.cleaned_data["text"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, _("Addendum added."))
            return redirect(reverse("notes:detail", args=[note.pk]) + f"#addendum-{added.pk}")
    _audit_note_view(request, note)
    return _render_detail(request, note, addendum_form=form, status=status)


@login_required
@require_POST
def void(request: HttpRequest, note_id: int) -> HttpResponse:
    """Mark a note entered in error, with a reason (author or the case's supervisor)."""
    user = signed_in(request)
    note = note_get_for_user(user=user, note_id=note_id, audit=False)
    form = VoidForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            note_void(actor=user, note=note, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, _("Note voided. It stays in the record, marked as entered in error."))
            return redirect("notes:detail", note_id=note.pk)
    _audit_note_view(request, note)
    return _render_detail(request, note, void_form=form, status=status)
