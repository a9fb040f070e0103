"""Merging two records of one person, undoing it, and dismissing a pair (the services)."""

import datetime
import json
from typing import Any, cast

import pytest

from casework.accounts.models import Agency
from casework.audit.models import AuditEvent
from casework.audit.services import REDACTED
from casework.cases.models import Case
from casework.clients import matching, merging
from casework.clients.merging import RELATIONS, client_merge, client_relations, merge_undo, pair_dismiss
from casework.clients.models import (
    AccessGrant,
    Client,
    ClientIdentifier,
    DuplicatePair,
    PairStatus,
    SupportContact,
)
from casework.clients.selectors import client_search, clients_visible_to
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from casework.notes.models import ProgressNote
from casework.tasks.models import Notification, Task
from casework.testing import AgencyFactory, CaseFactory, ClientFactory, NoteFactory


def make_client(**fields: Any) -> Client:
    return cast(Client, ClientFactory(**fields))


def make_case(**fields: Any) -> Case:
    return cast(Case, CaseFactory(**fields))


def make_note(**fields: Any) -> ProgressNote:
    return cast(ProgressNote, NoteFactory(**fields))


def make_agency(**fields: Any) -> Agency:
    return cast(Agency, AgencyFactory(**fields))


def test_every_foreign_key_to_client_has_a_merge_decision():
    """Fails when a model gains a foreign key to Client without saying what a merge does with it."""
    found = {name for name, _model, _field in client_relations()}
    assert found == set(RELATIONS), (
        f"Add the new relation to casework.clients.merging.RELATIONS (MOVE or KEEP): {sorted(found ^ set(RELATIONS))}"
    )
    # Relations declared with related_name="+" are found too.
    assert "tasks.Notification.client" in found
    assert "clients.DuplicatePair.client_a" in found


def test_a_merge_refuses_to_run_with_an_unknown_relation(monkeypatch, supervisor, agency):
    monkeypatch.delitem(merging.RELATIONS, "notes.ProgressNote.client")
    one = make_client(agency=agency)
    two = make_client(agency=agency)
    with pytest.raises(RuntimeError, match=r"notes\.ProgressNote\.client"):
        client_merge(actor=supervisor, survivor=one, alias=two, survivor_version=1, alias_version=1)


@pytest.fixture
def twins_of_one(agency, supervisor, program, worker):
    """Robert Smith registered twice, the second record with its own case, note, contact and more."""
    keep = make_client(
        agency=agency,
        created_by=supervisor,
        legal_first_name="Robert",
        legal_last_name="Smith",
        date_of_birth=datetime.date(1980, 2, 3),
        phone="555-201-3344",
    )
    gone = make_client(
        agency=agency,
        created_by=worker,
        legal_first_name="Bob",
        legal_last_name="Smith",
        date_of_birth=datetime.date(1980, 2, 3),
        phone="555-777-1212",
        email="bob@example.org",
    )
    case = make_case(client=gone, program=program, primary_worker=worker, team=worker.team, created_by=worker)
    note = make_note(case=case)
    ClientIdentifier.objects.create(client=keep, kind="mrn", value="A1", value_key="a1")
    same = ClientIdentifier.objects.create(client=gone, kind="mrn", value="A-1", value_key="a1")
    other = ClientIdentifier.objects.create(client=gone, kind="medicaid", value="M9", value_key="m9")
    contact = SupportContact.objects.create(client=gone, name="Ann Smith", relationship="sibling")
    grant = AccessGrant.objects.create(client=gone, user=worker, granted_by=supervisor, reason="covering")
    task = Task.objects.create(
        agency=agency, client=gone, case=case, title="Call", assignee=worker, due_date=datetime.date.today()
    )
    notification = Notification.objects.create(recipient=worker, client=gone, message="Hello")
    return {
        "keep": keep,
        "gone": gone,
        "case": case,
        "note": note,
        "same": same,
        "other": other,
        "contact": contact,
        "grant": grant,
        "task": task,
        "notification": notification,
    }


def test_a_merge_moves_everything_keeps_an_alias_and_writes_one_audit_event(twins_of_one, supervisor):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    record = client_merge(
        actor=supervisor,
        survivor=keep,
        alias=gone,
        survivor_version=1,
        alias_version=1,
        take_from_alias=["email", "phone"],
        reason="Same person, registered twice",
    )
    gone.refresh_from_db()
    keep.refresh_from_db()
    assert gone.merged_into_id == keep.pk
    assert Case.objects.get(pk=twins_of_one["case"].pk).client_id == keep.pk
    assert ProgressNote.objects.get(pk=twins_of_one["note"].pk).client_id == keep.pk
    assert SupportContact.objects.get(pk=twins_of_one["contact"].pk).client_id == keep.pk
    assert AccessGrant.objects.get(pk=twins_of_one["grant"].pk).client_id == keep.pk
    assert Task.objects.get(pk=twins_of_one["task"].pk).client_id == keep.pk
    assert Notification.objects.get(pk=twins_of_one["notification"].pk).client_id == keep.pk
    assert ClientIdentifier.objects.get(pk=twins_of_one["other"].pk).client_id == keep.pk
    # The identifier both carried stays on the alias (the survivor has its own copy).
    assert ClientIdentifier.objects.get(pk=twins_of_one["same"].pk).client_id == gone.pk
    # Fields: the survivor keeps its own values unless the reviewer took the other's.
    assert keep.legal_first_name == "Robert"
    assert (keep.phone, keep.email) == ("555-777-1212", "bob@example.org")
    assert keep.phone_digits == "5557771212"
    assert keep.version == 2
    assert record.moved["cases.Case.client"] == [twins_of_one["case"].pk]
    assert record.fields["phone"] == ["555-201-3344", "555-777-1212"]
    [event] = AuditEvent.objects.filter(action="client.merge")
    assert event.client_id == keep.pk
    assert event.actor_id == supervisor.pk
    assert event.reason == "Same person, registered twice"
    assert event.changes["alias"] == [None, gone.pk]
    assert event.changes["moved"]["notes.ProgressNote.client"] == [twins_of_one["note"].pk]


def test_search_and_matching_skip_the_alias(twins_of_one, supervisor, worker):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    client_merge(actor=supervisor, survivor=keep, alias=gone, survivor_version=1, alias_version=1)
    hits = [hit.client.pk for hit in client_search(user=worker, query="Smith")]
    assert hits == [keep.pk]  # the worker now sees Robert through the moved case
    assert gone.pk not in clients_visible_to(worker).values_list("pk", flat=True)
    query = matching.MatchQuery(first_name="Bob", last_name="Smith", date_of_birth=datetime.date(1980, 2, 3))
    found = [candidate.client.pk for candidate in matching.find_matches(agency_id=keep.agency_id, query=query)]
    assert found == [keep.pk]


def test_undo_moves_back_what_moved_and_keeps_what_was_written_since(twins_of_one, supervisor, worker):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    record = client_merge(
        actor=supervisor, survivor=keep, alias=gone, survivor_version=1, alias_version=1, take_from_alias=["phone"]
    )
    # Written after the merge: a note on the moved case (it follows its case back), a case of the
    # survivor's own with a note, a new contact, an e-mail (these stay with the survivor).
    moved_case = Case.objects.get(pk=twins_of_one["case"].pk)
    note_on_moved_case = make_note(case=moved_case)
    assert note_on_moved_case.client_id == keep.pk
    own_case = make_case(client=keep, program=moved_case.program, primary_worker=worker, team=worker.team)
    later_note = make_note(case=own_case)
    later_contact = SupportContact.objects.create(client_id=keep.pk, name="New friend", relationship="friend")
    Client.objects.filter(pk=keep.pk).update(email="robert@example.org")
    merge_undo(actor=supervisor, record=record, reason="Two people after all: checked the ID")
    gone.refresh_from_db()
    keep.refresh_from_db()
    record.refresh_from_db()
    assert gone.merged_into_id is None
    assert record.undone_by_id == supervisor.pk
    assert Case.objects.get(pk=twins_of_one["case"].pk).client_id == gone.pk
    assert ProgressNote.objects.get(pk=twins_of_one["note"].pk).client_id == gone.pk
    assert Notification.objects.get(pk=twins_of_one["notification"].pk).client_id == gone.pk
    assert ProgressNote.objects.get(pk=note_on_moved_case.pk).client_id == gone.pk
    # What was written on the survivor after the merge stays with the survivor.
    assert ProgressNote.objects.get(pk=later_note.pk).client_id == keep.pk
    assert Case.objects.get(pk=own_case.pk).client_id == keep.pk
    assert SupportContact.objects.get(pk=later_contact.pk).client_id == keep.pk
    # The phone taken from the alias is given back; the e-mail typed since is kept.
    assert keep.phone == "555-201-3344"
    assert keep.phone_digits == "5552013344"
    assert keep.email == "robert@example.org"
    event = AuditEvent.objects.get(action="client.unmerge")
    assert event.reason == "Two people after all: checked the ID"
    assert event.changes["moved_back"]["cases.Case.client"] == [twins_of_one["case"].pk]
    with pytest.raises(ValidationFailed):
        merge_undo(actor=supervisor, record=record, reason="again")


def test_the_reviewer_chooses_county_household_income_and_insurance_and_undo_gives_them_back(twins_of_one, supervisor):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    Client.objects.filter(pk=keep.pk).update(county="Cook", household_size=2, annual_household_income=18000)
    Client.objects.filter(pk=gone.pk).update(
        county="DuPage", household_size=4, annual_household_income=52500, insurance="medicaid"
    )
    keep.refresh_from_db()
    taken = ["county", "household_size", "annual_household_income", "insurance"]
    record = client_merge(
        actor=supervisor, survivor=keep, alias=gone, survivor_version=1, alias_version=1, take_from_alias=taken
    )
    keep.refresh_from_db()
    assert (keep.county, keep.household_size, keep.annual_household_income, keep.insurance) == (
        "DuPage",
        4,
        52500,
        "medicaid",
    )
    assert sorted(record.fields) == sorted(taken)
    [event] = AuditEvent.objects.filter(action="client.merge")
    assert event.changes["fields"]["annual_household_income"] == [REDACTED, REDACTED]
    assert event.changes["fields"]["household_size"] == [2, 4]
    assert event.changes["fields"]["insurance"] == ["", "medicaid"]
    assert "18000" not in json.dumps(event.changes) and "52500" not in json.dumps(event.changes)

    merge_undo(actor=supervisor, record=record, reason="Different people")
    keep.refresh_from_db()
    assert (keep.county, keep.household_size, keep.annual_household_income, keep.insurance) == ("Cook", 2, 18000, "")
    [undone] = AuditEvent.objects.filter(action="client.unmerge")
    assert undone.changes["fields_restored"]["annual_household_income"] == [REDACTED, REDACTED]
    assert "18000" not in json.dumps(undone.changes) and "52500" not in json.dumps(undone.changes)


def test_a_merge_keeps_the_survivors_income_unless_the_reviewer_takes_the_other(twins_of_one, supervisor):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    Client.objects.filter(pk=gone.pk).update(annual_household_income=0, household_size=3)
    client_merge(actor=supervisor, survivor=keep, alias=gone, survivor_version=1, alias_version=1)
    keep.refresh_from_db()
    assert (keep.annual_household_income, keep.household_size) == (None, None)


def test_a_field_changed_since_the_merge_is_not_restored(twins_of_one, supervisor):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    record = client_merge(
        actor=supervisor, survivor=keep, alias=gone, survivor_version=1, alias_version=1, take_from_alias=["phone"]
    )
    Client.objects.filter(pk=keep.pk).update(phone="555-999-0000")
    merge_undo(actor=supervisor, record=record, reason="Different people")
    keep.refresh_from_db()
    assert keep.phone == "555-999-0000"


def test_the_survivor_merged_again_must_be_undone_first(twins_of_one, supervisor, agency):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    first = client_merge(actor=supervisor, survivor=keep, alias=gone, survivor_version=1, alias_version=1)
    third = make_client(agency=agency, legal_first_name="Robert", legal_last_name="Smith")
    keep.refresh_from_db()
    second = client_merge(actor=supervisor, survivor=third, alias=keep, survivor_version=1, alias_version=keep.version)
    gone.refresh_from_db()
    assert gone.merged_into_id == third.pk  # earlier aliases follow to the new survivor
    with pytest.raises(ValidationFailed, match="undo that merge first"):
        merge_undo(actor=supervisor, record=first, reason="wrong")
    merge_undo(actor=supervisor, record=second, reason="wrong")
    gone.refresh_from_db()
    assert gone.merged_into_id == keep.pk
    merge_undo(actor=supervisor, record=first, reason="wrong")
    assert Case.objects.get(pk=twins_of_one["case"].pk).client_id == gone.pk


def test_a_merge_over_a_changed_record_is_refused_and_changes_nothing(twins_of_one, supervisor):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    with pytest.raises(VersionConflict):
        client_merge(actor=supervisor, survivor=keep, alias=gone, survivor_version=1, alias_version=7)
    gone.refresh_from_db()
    assert gone.merged_into_id is None
    assert Case.objects.get(pk=twins_of_one["case"].pk).client_id == gone.pk
    assert not AuditEvent.objects.filter(action="client.merge").exists()


def test_only_reviewers_merge_and_only_within_their_agency(twins_of_one, worker, outsider):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    with pytest.raises(PermissionDenied):
        client_merge(actor=worker, survivor=keep, alias=gone, survivor_version=1, alias_version=1)
    outsider.role = "supervisor"
    with pytest.raises(Exception) as refused:
        client_merge(actor=outsider, survivor=keep, alias=gone, survivor_version=1, alias_version=1)
    assert refused.type.__name__ == "NotFound"
    gone.refresh_from_db()
    assert gone.merged_into_id is None


def test_merging_a_record_into_itself_or_an_alias_is_refused(twins_of_one, supervisor, agency):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    with pytest.raises(ValidationFailed):
        client_merge(actor=supervisor, survivor=keep, alias=keep, survivor_version=1, alias_version=1)
    with pytest.raises(ValidationFailed):
        client_merge(
            actor=supervisor, survivor=keep, alias=gone, survivor_version=1, alias_version=1, take_from_alias=["agency"]
        )
    client_merge(actor=supervisor, survivor=keep, alias=gone, survivor_version=1, alias_version=1)
    third = make_client(agency=agency)
    with pytest.raises(ValidationFailed, match="already been merged"):
        client_merge(actor=supervisor, survivor=third, alias=gone, survivor_version=1, alias_version=2)


def test_the_pair_records_the_merge_and_is_reopened_by_undo(twins_of_one, supervisor, agency):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    pair = DuplicatePair.objects.create(
        agency=agency, client_a=keep, client_b=gone, score=0.99, band="certain", levels={"last_name": "exact"}
    )
    record = client_merge(actor=supervisor, survivor=keep, alias=gone, survivor_version=1, alias_version=1)
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by_id, record.pair_id) == (PairStatus.MERGED, supervisor.pk, pair.pk)
    merge_undo(actor=supervisor, record=record, reason="Not him")
    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN


def test_dismissing_needs_a_reason_and_a_reviewer(twins_of_one, supervisor, worker, agency):
    keep, gone = twins_of_one["keep"], twins_of_one["gone"]
    pair = DuplicatePair.objects.create(
        agency=agency, client_a=keep, client_b=gone, score=0.9, band="possible", levels={}
    )
    with pytest.raises(ValidationFailed):
        pair_dismiss(actor=supervisor, pair=pair, reason="  ")
    with pytest.raises(PermissionDenied):
        pair_dismiss(actor=worker, pair=pair, reason="Different people")
    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN
    assert not AuditEvent.objects.filter(action="duplicates.dismiss").exists()
    pair_dismiss(actor=supervisor, pair=pair, reason="Different people", expected_version=1)
    pair.refresh_from_db()
    assert pair.status == PairStatus.DISMISSED
    event = AuditEvent.objects.get(action="duplicates.dismiss")
    assert event.changes["clients"] == [keep.pk, gone.pk]
