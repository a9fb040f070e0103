"""Progress notes: sections per format, validation, drafts, signing, addenda and voiding."""

import datetime

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases import services as case_services
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from casework.notes import services
from casework.notes.models import SECTION_MAX_LENGTH, NoteAddendum, NoteStatus, ProgressNote


def _yesterday():
    return timezone.localdate() - datetime.timedelta(days=1)


def _write(actor, case, **overrides):
    fields = {
        "format": "dap",
        "contact_type": "phone",
        "contact_date": _yesterday(),
        "duration_minutes": 30,
        "sections": {"data": "Talked about housing.", "assessment": "Stable.", "plan": "Call Friday."},
    }
    fields.update(overrides)
    return services.note_create(actor=actor, case=case, **fields)


def _last_event():
    return AuditEvent.objects.latest("id")


@pytest.mark.parametrize(
    ("note_format", "sections"),
    [
        ("soap", {"subjective": "Feels low.", "objective": "Flat affect.", "assessment": "Stable.", "plan": "PHQ-9"}),
        ("dap", {"data": "Talked.", "assessment": "Stable.", "plan": "Call."}),
        ("birp", {"behavior": "Calm.", "intervention": "MI.", "response": "Engaged.", "plan": "Follow up."}),
        ("narrative", {"narrative": "Home visit; fridge stocked."}),
    ],
)
def test_each_format_keeps_its_own_sections(worker, case, note_format, sections):
    note = _write(worker, case, format=note_format, sections=sections)
    note.refresh_from_db()
    assert note.sections == sections
    assert [key for key, _label, _text in note.section_list] == list(sections)
    event = _last_event()
    assert (event.action, event.client_id, event.actor_id) == ("note.create", case.client_id, worker.pk)


@pytest.mark.parametrize(
    ("note_format", "sections"),
    [("dap", {"subjective": "Feels low."}), ("narrative", {"plan": "Call."}), ("soap", {"behavior": "Calm."})],
)
def test_a_section_of_another_format_is_refused(worker, case, note_format, sections):
    with pytest.raises(ValidationFailed):
        _write(worker, case, format=note_format, sections=sections)
    assert not ProgressNote.objects.exists()


def test_an_unknown_format_is_refused(worker, case):
    with pytest.raises(ValidationFailed) as failure:
        _write(worker, case, format="poem", sections={"verse": "..."})
    assert "format" in failure.value.errors
    assert not ProgressNote.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contact_date": timezone.localdate() + datetime.timedelta(days=1)}, "contact_date"),
        ({"contact_date": None}, "contact_date"),
        ({"contact_date": "yesterday"}, "contact_date"),
        ({"contact_date": datetime.date(1970, 1, 1)}, "contact_date"),  # before the client was born
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 1441}, "duration_minutes"),
        ({"duration_minutes": -5}, "duration_minutes"),
        ({"contact_type": "telepathy"}, "contact_type"),
        ({"sections": {"data": "x" * (SECTION_MAX_LENGTH + 1)}}, "data"),
    ],
)
def test_bad_note_input_is_refused_and_nothing_saved(worker, case, overrides, field):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as failure:
        _write(worker, case, **overrides)
    assert field in failure.value.errors
    assert not ProgressNote.objects.exists()
    assert AuditEvent.objects.count() == events


def test_limits_are_inclusive(worker, case):
    assert _write(worker, case, duration_minutes=1).pk
    assert _write(worker, case, duration_minutes=1440, contact_date=timezone.localdate()).pk
    assert _write(worker, case, sections={"data": "x" * SECTION_MAX_LENGTH}).pk


def test_a_closed_case_takes_no_new_notes(worker, case):
    case_services.case_transition(actor=worker, case=case, to_status="closed", closure_reason="goals_met")
    case.refresh_from_db()
    with pytest.raises(ValidationFailed):
        _write(worker, case)
    assert not ProgressNote.objects.exists()


def test_auditors_cannot_write_notes(auditor, case):
    with pytest.raises(PermissionDenied):
        _write(auditor, case)
    assert not ProgressNote.objects.exists()


def test_a_repeated_submission_returns_the_first_note(worker, case):
    first = _write(worker, case, submission_key="note-token")
    second = _write(worker, case, submission_key="note-token")
    assert first.pk == second.pk
    assert ProgressNote.objects.count() == 1


# --- Drafts -----------------------------------------------------------------------------------


def test_the_author_edits_a_draft_with_a_version(worker, case):
    note = _write(worker, case)
    updated = services.note_update(
        actor=worker,
        note=note,
        expected_version=1,
        data={"duration_minutes": 45, "sections": {"data": "Talked about rent.", "assessment": "", "plan": ""}},
    )
    assert (updated.version, updated.duration_minutes, updated.sections["data"]) == (2, 45, "Talked about rent.")
    event = _last_event()
    assert event.action == "note.update"
    assert event.changes["duration_minutes"] == [30, 45]
    assert event.changes["version"] == [1, 2]


def test_only_the_author_edits_a_draft(worker, supervisor, colleague, case):
    note = _write(worker, case)
    for user in (supervisor, colleague):
        with pytest.raises(PermissionDenied):
            services.note_update(actor=user, note=note, expected_version=1, data={"duration_minutes": 5})
    note.refresh_from_db()
    assert (note.duration_minutes, note.version) == (30, 1)


def test_a_stale_draft_edit_is_refused_with_the_other_changes(worker, case):
    note = _write(worker, case)
    services.note_update(actor=worker, note=note, expected_version=1, data={"duration_minutes": 50})
    with pytest.raises(VersionConflict) as conflict:
        services.note_update(actor=worker, note=note, expected_version=1, data={"duration_minutes": 20})
    assert conflict.value.current_version == 2
    assert [(c["field"], c["old"], c["new"]) for c in conflict.value.changes] == [("duration_minutes", 30, 50)]
    note.refresh_from_db()
    assert (note.duration_minutes, note.version) == (50, 2)


def test_changing_the_format_of_a_draft_needs_sections_of_the_new_format(worker, case):
    note = _write(worker, case)
    with pytest.raises(ValidationFailed):
        services.note_update(actor=worker, note=note, expected_version=1, data={"format": "narrative"})
    updated = services.note_update(
        actor=worker, note=note, expected_version=1, data={"format": "narrative", "sections": {"narrative": "All."}}
    )
    assert (updated.format, updated.sections) == ("narrative", {"narrative": "All."})


def test_a_draft_edit_with_bad_input_changes_nothing(worker, case):
    note = _write(worker, case)
    for data in (
        {"duration_minutes": 0},
        {"contact_date": timezone.localdate() + datetime.timedelta(days=2)},
        {"sections": {"subjective": "wrong format"}},
    ):
        with pytest.raises(ValidationFailed):
            services.note_update(actor=worker, note=note, expected_version=1, data=data)
    note.refresh_from_db()
    assert (note.version, note.duration_minutes, note.contact_date) == (1, 30, _yesterday())


# --- Signing ------------------------------------------------------------------------------------


def test_signing_locks_the_note(worker, case):
    note = _write(worker, case)
    signed = services.note_sign(actor=worker, note=note)
    assert (signed.status, signed.signed_by, signed.version) == (NoteStatus.SIGNED, worker, 2)
    assert signed.signed_at is not None
    assert _last_event().action == "note.sign"
    with pytest.raises(ValidationFailed):
        services.note_update(actor=worker, note=note, expected_version=2, data={"duration_minutes": 10})
    with pytest.raises(ValidationFailed):
        services.note_sign(actor=worker, note=note)
    note.refresh_from_db()
    assert (note.duration_minutes, note.version) == (30, 2)


def test_signing_needs_content(worker, case):
    note = _write(worker, case, sections={"data": "  ", "assessment": "", "plan": ""})
    with pytest.raises(ValidationFailed) as failure:
        services.note_sign(actor=worker, note=note)
    assert "sections" in failure.value.errors
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT


def test_only_the_author_signs(worker, supervisor, case):
    note = _write(worker, case)
    with pytest.raises(PermissionDenied):
        services.note_sign(actor=supervisor, note=note)
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT


def test_a_note_can_be_written_and_signed_at_once(worker, case):
    note = _write(worker, case, sign=True)
    assert note.status == NoteStatus.SIGNED
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == ["note.create", "note.sign"]


# --- Addenda -----------------------------------------------------------------------------------


def test_addenda_only_on_signed_notes(worker, supervisor, case):
    note = _write(worker, case)
    with pytest.raises(ValidationFailed):
        services.note_add_addendum(actor=worker, note=note, text="Forgot: client has a new phone.")
    services.note_sign(actor=worker, note=note)
    note.refresh_from_db()
    with pytest.raises(ValidationFailed):
        services.note_add_addendum(actor=worker, note=note, text="  ")
    with pytest.raises(ValidationFailed):
        services.note_add_addendum(actor=worker, note=note, text="x" * (SECTION_MAX_LENGTH + 1))
    addendum = services.note_add_addendum(actor=supervisor, note=note, text="Reviewed; see safety plan.")
    assert (addendum.note, addendum.author) == (note, supervisor)
    assert _last_event().action == "note.addendum"
    note.refresh_from_db()
    assert note.sections["data"] == "Talked about housing."


def test_a_repeated_addendum_is_saved_once(worker, case):
    note = _write(worker, case, sign=True)
    services.note_add_addendum(actor=worker, note=note, text="Late entry.", submission_key="a1")
    services.note_add_addendum(actor=worker, note=note, text="Late entry.", submission_key="a1")
    assert NoteAddendum.objects.count() == 1


# --- Voiding -------------------------------------------------------------------------------------


def test_voiding_needs_a_reason_and_keeps_the_note(worker, case):
    note = _write(worker, case, sign=True)
    with pytest.raises(ValidationFailed) as failure:
        services.note_void(actor=worker, note=note, reason=" ")
    assert "reason" in failure.value.errors
    voided = services.note_void(actor=worker, note=note, reason="Wrong client")
    assert (voided.status, voided.void_reason, voided.voided_by) == (NoteStatus.VOIDED, "Wrong client", worker)
    assert ProgressNote.objects.filter(pk=note.pk).exists()
    assert voided.sections["data"] == "Talked about housing."
    event = _last_event()
    assert (event.action, event.reason, event.changes["status"]) == ("note.void", "Wrong client", ["signed", "voided"])
    with pytest.raises(ValidationFailed):
        services.note_void(actor=worker, note=note, reason="Again")
    with pytest.raises(ValidationFailed):
        services.note_add_addendum(actor=worker, note=voided, text="More.")
    with pytest.raises(ValidationFailed):
        services.note_sign(actor=worker, note=voided)


def test_the_cases_supervisor_or_director_may_void_but_a_colleague_may_not(
    worker, supervisor, director, colleague, supervisor_b, case
):
    first = _write(worker, case, sign=True)
    second = _write(worker, case, sign=True)
    for user in (colleague, supervisor_b):
        with pytest.raises(PermissionDenied):
            services.note_void(actor=user, note=first, reason="Looks wrong")
    first.refresh_from_db()
    assert first.status == NoteStatus.SIGNED
    assert services.note_void(actor=supervisor, note=first, reason="Duplicate entry").voided_by == supervisor
    assert services.note_void(actor=director, note=second, reason="Duplicate entry").voided_by == director
