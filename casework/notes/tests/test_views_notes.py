"""Progress-note pages: write (draft or signed), read, edit a draft, sign, addenda, void; who may do what."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import CaseStatus
from casework.notes import services
from casework.notes.models import NoteAddendum, NoteStatus, ProgressNote
from casework.testing import NoteFactory, audited_writes_after, last_audit_id, twin_request_unseen_until_insert


def _create_url(case):
    return reverse("notes:create", args=[case.pk])


def _note_data(**overrides):
    data = {
        "format": "dap",
        "contact_type": "home_visit",
        "contact_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "duration_minutes": "45",
        "dap_data": "Visited at home; fridge empty.",
        "dap_assessment": "Food insecure.",
        "dap_plan": "Refer to food bank.",
        "submission_key": "note-key-1",
        "action": "draft",
    }
    data.update(overrides)
    return data


def _snapshot(note):
    fresh = ProgressNote.objects.get(pk=note.pk)
    return fresh.status, fresh.version, fresh.sections, fresh.void_reason, fresh.addenda.count()


@pytest.fixture
def draft(worker, case):
    return NoteFactory(case=case, author=worker, status=NoteStatus.DRAFT)


@pytest.fixture
def signed(worker, draft):
    return services.note_sign(actor=worker, note=draft)


# --- Writing -------------------------------------------------------------------------------------


def test_note_form_shows_every_format_with_its_sections(as_worker, case):
    response = as_worker.get(_create_url(case))

    assert response.status_code == 200
    html = response.content.decode()
    assert "data-note-format" in html
    for note_format in ("soap", "dap", "birp", "narrative"):
        assert f'data-note-formats="{note_format}"' in html
    for name in ("soap_subjective", "dap_data", "birp_intervention", "narrative_narrative"):
        assert f'name="{name}"' in html
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert 'name="submission_key"' in html
    assert 'value="draft"' in html and 'value="sign"' in html


def test_note_date_defaults_to_today_in_the_agency_zone(as_worker, case, agency):
    agency.time_zone = "Pacific/Kiritimati"  # UTC+14: usually a different day from UTC
    agency.save()

    html = as_worker.get(_create_url(case)).content.decode()

    import zoneinfo

    today_there = datetime.datetime.now(zoneinfo.ZoneInfo("Pacific/Kiritimati")).date()
    assert f'name="contact_date" value="{today_there.isoformat()}"' in html


def test_worker_saves_a_draft_and_lands_on_the_client_timeline(as_worker, worker, case):
    response = as_worker.post(_create_url(case), _note_data())

    note = ProgressNote.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[case.client_id]) + f"#note-{note.pk}"
    assert note.status == NoteStatus.DRAFT and note.author == worker
    assert note.sections == {
        "data": "Visited at home; fridge empty.",
        "assessment": "Food insecure.",
        "plan": "Refer to food bank.",
    }
    assert (note.contact_type, note.duration_minutes) == ("home_visit", 45)


def test_sections_of_other_formats_are_ignored_when_sent_without_javascript(as_worker, case):
    # Without JavaScript every textarea is submitted; only the chosen format's are kept.
    response = as_worker.post(
        _create_url(case), _note_data(soap_subjective="typed in the wrong block", birp_plan="also ignored")
    )

    assert response.status_code == 302
    note = ProgressNote.objects.get(case=case)
    assert set(note.sections) == {"data", "assessment", "plan"}
    assert "typed in the wrong block" not in str(note.sections)


def test_sign_now_signs_the_note(as_worker, worker, case):
    response = as_worker.post(_create_url(case), _note_data(action="sign"))

    assert response.status_code == 302
    note = ProgressNote.objects.get(case=case)
    assert note.status == NoteStatus.SIGNED and note.signed_by == worker


def test_signing_an_empty_note_is_refused_and_nothing_is_saved(as_worker, case):
    response = as_worker.post(_create_url(case), _note_data(action="sign", dap_data="", dap_assessment="", dap_plan=""))

    assert response.status_code == 422
    assert "Write at least one section before signing." in response.content.decode()
    assert not ProgressNote.objects.filter(case=case).exists()


def test_double_submit_with_the_same_key_creates_one_note(as_worker, case):
    first = as_worker.post(_create_url(case), _note_data())
    second = as_worker.post(_create_url(case), _note_data())

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ProgressNote.objects.filter(case=case).count() == 1


def test_two_submits_of_the_note_form_at_once_create_one_note(as_worker, case):
    """The second submit misses the first one's note until its own insert fails on the key."""
    first = as_worker.post(_create_url(case), _note_data())
    assert first.status_code == 302
    last = last_audit_id()

    with twin_request_unseen_until_insert(ProgressNote, "note-key-1"):
        second = as_worker.post(_create_url(case), _note_data())

    assert second.status_code == 302, second.content
    assert second["Location"] == first["Location"]
    assert ProgressNote.objects.filter(case=case).count() == 1
    assert audited_writes_after(last) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_date", "2999-01-01", "The contact date cannot be in the future."),
        ("contact_date", "2024-02-30", "Enter a valid date."),
        ("duration_minutes", "0", "greater than or equal to 1"),
        ("duration_minutes", "5000", "less than or equal to 1440"),
        ("format", "poem", "Select a valid choice."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(as_worker, case, field, value, message):
    response = as_worker.post(_create_url(case), _note_data(**{field: value}))

    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert "Visited at home; fridge empty." in html  # input kept
    assert not ProgressNote.objects.filter(case=case).exists()


def test_a_closed_case_takes_no_new_notes(as_worker, case):
    case.status = CaseStatus.CLOSED
    case.save()

    response = as_worker.post(_create_url(case), _note_data())

    assert response.status_code == 422
    assert "This case is closed" in response.content.decode()
    assert not ProgressNote.objects.filter(case=case).exists()


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_writing_a_note_without_a_relationship_is_not_found(who, request, case):
    http = request.getfixturevalue(who)

    page = http.get(_create_url(case))
    post = http.post(_create_url(case), _note_data())

    assert page.status_code == post.status_code == 404
    assert not ProgressNote.objects.filter(case=case).exists()


# --- Reading -------------------------------------------------------------------------------------


def test_worker_reads_a_note_with_its_actions(as_worker, worker, draft):
    response = as_worker.get(reverse("notes:detail", args=[draft.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Talked about housing." in html
    assert reverse("notes:edit", args=[draft.pk]) in html
    assert reverse("notes:sign", args=[draft.pk]) in html
    assert reverse("notes:addendum", args=[draft.pk]) not in html  # drafts are edited, not amended
    assert AuditEvent.objects.filter(action="note.view", actor=worker).count() == 1


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_note_page_is_not_found_without_a_relationship(who, request, note):
    response = request.getfixturevalue(who).get(reverse("notes:detail", args=[note.pk]))

    assert response.status_code == 404
    assert "Talked about housing." not in response.content.decode()


# --- The life of a note: draft → edited → signed (locked) → addendum → voided ------------------


def test_note_lifecycle_draft_edit_sign_addendum_void(as_worker, worker, case):
    as_worker.post(_create_url(case), _note_data())
    note = ProgressNote.objects.get(case=case)

    edited = as_worker.post(
        reverse("notes:edit", args=[note.pk]),
        {**_note_data(dap_plan="Refer to food bank and SNAP."), "version": note.version},
    )
    note.refresh_from_db()
    assert edited.status_code == 302
    assert note.sections["plan"] == "Refer to food bank and SNAP."

    signed = as_worker.post(reverse("notes:sign", args=[note.pk]))
    note.refresh_from_db()
    assert signed.status_code == 302
    assert signed["Location"].endswith(f"#note-{note.pk}")
    assert note.status == NoteStatus.SIGNED

    locked = as_worker.post(
        reverse("notes:edit", args=[note.pk]), {**_note_data(dap_plan="Changed after signing"), "version": note.version}
    )
    assert locked.status_code == 302
    assert ProgressNote.objects.get(pk=note.pk).sections["plan"] == "Refer to food bank and SNAP."
    page = as_worker.get(reverse("notes:detail", args=[note.pk])).content.decode()
    assert "signed and locked" in page
    assert reverse("notes:edit", args=[note.pk]) not in page

    added = as_worker.post(
        reverse("notes:addendum", args=[note.pk]),
        {"text": "Client called back: SNAP approved.", "submission_key": "a1"},
    )
    assert added.status_code == 302
    assert NoteAddendum.objects.get(note=note).text == "Client called back: SNAP approved."

    voided = as_worker.post(reverse("notes:void", args=[note.pk]), {"reason": "Entered on the wrong client"})
    note.refresh_from_db()
    assert voided.status_code == 302
    assert note.status == NoteStatus.VOIDED and note.void_reason == "Entered on the wrong client"
    page = as_worker.get(reverse("notes:detail", args=[note.pk])).content.decode()
    assert 'class="card voided"' in page
    assert "Entered on the wrong client" in page
    assert "Refer to food bank and SNAP." in page  # still shown, struck through by the voided class
    assert "Client called back: SNAP approved." in page


def test_stale_draft_edit_shows_the_conflict_and_keeps_the_input(as_worker, worker, draft):
    stale = draft.version
    services.note_update(actor=worker, note=draft, expected_version=stale, data={"duration_minutes": 50})

    response = as_worker.post(
        reverse("notes:edit", args=[draft.pk]), {**_note_data(dap_plan="My new plan wording"), "version": stale}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "This draft was saved elsewhere after you opened it." in html
    assert "duration (minutes)" in html
    assert "My new plan wording" in html
    assert f'name="version" value="{stale + 1}"' in html
    assert ProgressNote.objects.get(pk=draft.pk).sections["plan"] == "Call Friday."


def test_edit_form_is_prefilled_with_the_draft(as_worker, draft):
    html = as_worker.get(reverse("notes:edit", args=[draft.pk])).content.decode()

    assert "Talked about housing." in html
    assert f'name="version" value="{draft.version}"' in html


def test_only_the_author_edits_or_signs_a_draft(as_supervisor, draft):
    before = _snapshot(draft)

    edit = as_supervisor.post(reverse("notes:edit", args=[draft.pk]), {**_note_data(), "version": draft.version})
    sign = as_supervisor.post(reverse("notes:sign", args=[draft.pk]))

    assert edit.status_code == sign.status_code == 302
    assert _snapshot(draft) == before


def test_void_needs_a_reason(as_worker, signed):
    before = _snapshot(signed)

    response = as_worker.post(reverse("notes:void", args=[signed.pk]), {"reason": "  "})

    assert response.status_code == 422
    assert 'id="id_reason_error"' in response.content.decode()
    assert _snapshot(signed) == before


def test_supervisor_may_void_a_workers_note(as_supervisor, signed):
    response = as_supervisor.post(reverse("notes:void", args=[signed.pk]), {"reason": "Duplicate entry"})

    assert response.status_code == 302
    assert ProgressNote.objects.get(pk=signed.pk).status == NoteStatus.VOIDED


def test_a_case_team_colleague_who_is_not_the_author_cannot_void(login, agency, team_a, signed):
    from casework.testing import UserFactory

    other = UserFactory(agency=agency, team=team_a)
    from casework.cases import services as case_services

    case_services.case_team_member_add(actor=signed.author, case=signed.case, data={"user": other, "role": "secondary"})
    before = _snapshot(signed)

    response = login(other).post(reverse("notes:void", args=[signed.pk]), {"reason": "Not mine"})

    assert response.status_code == 403
    assert _snapshot(signed) == before


def test_double_submit_of_an_addendum_adds_one(as_worker, signed):
    data = {"text": "Correction: visit lasted 50 minutes.", "submission_key": "add-1"}

    as_worker.post(reverse("notes:addendum", args=[signed.pk]), data)
    as_worker.post(reverse("notes:addendum", args=[signed.pk]), data)

    assert NoteAddendum.objects.filter(note=signed).count() == 1


def test_two_submits_of_an_addendum_at_once_add_one(as_worker, signed):
    """The second submit misses the first one's addendum until its own insert fails on the key."""
    data = {"text": "Correction: visit lasted 50 minutes.", "submission_key": "add-twin"}
    first = as_worker.post(reverse("notes:addendum", args=[signed.pk]), data)
    assert first.status_code == 302
    last = last_audit_id()

    with twin_request_unseen_until_insert(NoteAddendum, "add-twin"):
        second = as_worker.post(reverse("notes:addendum", args=[signed.pk]), data)

    assert second.status_code == 302, second.content
    assert second["Location"] == first["Location"]
    assert NoteAddendum.objects.filter(note=signed).count() == 1
    assert audited_writes_after(last) == []


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider"])
def test_note_actions_without_a_relationship_are_not_found(who, request, draft, worker):
    http = request.getfixturevalue(who)
    before = _snapshot(draft)

    responses = [
        http.get(reverse("notes:edit", args=[draft.pk])),
        http.post(reverse("notes:edit", args=[draft.pk]), {**_note_data(), "version": draft.version}),
        http.post(reverse("notes:sign", args=[draft.pk])),
        http.post(reverse("notes:void", args=[draft.pk]), {"reason": "x"}),
    ]
    signed = services.note_sign(actor=worker, note=draft)
    responses.append(http.post(reverse("notes:addendum", args=[signed.pk]), {"text": "x", "submission_key": "k"}))

    assert [r.status_code for r in responses] == [404] * 5
    assert _snapshot(draft)[2:] == before[2:]
    assert ProgressNote.objects.get(pk=draft.pk).status == NoteStatus.SIGNED  # only the worker's own signing
