"""The duplicate review pages: queue, comparison, dismiss, merge, alias redirect, undo."""

import datetime
from typing import Any, cast

import pytest

from casework.accounts.models import Agency, Role
from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.clients.models import Client, DuplicatePair, MergeRecord, PairStatus
from casework.testing import AgencyFactory, CaseFactory, ClientFactory, NoteFactory, UserFactory


def make_client(**fields: Any) -> Client:
    return cast(Client, ClientFactory(**fields))


def make_agency(**fields: Any) -> Agency:
    return cast(Agency, AgencyFactory(**fields))


def _pair(agency, first, second, score=0.99, band="certain"):
    a, b = sorted([first, second], key=lambda client: client.pk)
    return DuplicatePair.objects.create(
        agency=agency,
        client_a=a,
        client_b=b,
        score=score,
        band=band,
        levels={"first_name": "nickname", "last_name": "exact", "date_of_birth": "exact"},
    )


@pytest.fixture
def robert_twice(agency, supervisor, worker, program, client_record, case):
    """Robert Smith (the worker's client) and a second record "Bob Smith" with its own note."""
    bob = make_client(
        agency=agency,
        created_by=supervisor,
        legal_first_name="Bob",
        legal_last_name="Smith",
        date_of_birth=datetime.date(1980, 2, 3),
        phone="555-777-1212",
    )
    bob_case = CaseFactory(client=bob, program=program, primary_worker=worker, team=worker.team)
    NoteFactory(case=bob_case)
    return {"robert": client_record, "bob": bob, "bob_case": bob_case, "pair": _pair(agency, client_record, bob)}


@pytest.fixture
def as_admin(login, admin_user):
    return login(admin_user)


# --- Who may see the queue ----------------------------------------------------------------------


def test_the_supervisor_sees_the_pair_with_reasons(as_supervisor, robert_twice):
    response = as_supervisor.get("/clients/duplicates/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Robert Smith" in page and "Bob Smith" in page
    assert "first name is a common nickname" in page
    assert f"/clients/duplicates/{robert_twice['pair'].pk}/" in page
    event = AuditEvent.objects.get(action="duplicates.list")
    assert set(event.changes["client_ids"]) == {robert_twice["robert"].pk, robert_twice["bob"].pk}


def test_an_administrator_and_a_director_see_the_queue(as_admin, login, director, robert_twice):
    assert as_admin.get("/clients/duplicates/").status_code == 200
    assert login(director).get("/clients/duplicates/").status_code == 200


@pytest.mark.parametrize("who", ["worker", "colleague", "outsider", "auditor"])
def test_case_managers_auditors_and_outsiders_get_404_and_nothing_is_recorded(request, login, who, robert_twice):
    http = login(request.getfixturevalue(who))
    pair = robert_twice["pair"]
    assert http.get("/clients/duplicates/").status_code == 404
    assert http.get(f"/clients/duplicates/{pair.pk}/").status_code == 404
    assert http.post(f"/clients/duplicates/{pair.pk}/dismiss/", {"reason": "x", "version": 1}).status_code == 404
    assert http.post(f"/clients/duplicates/{pair.pk}/merge/", {"survivor": "a"}).status_code == 404
    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN
    assert not AuditEvent.objects.filter(action__startswith="duplicates.").exists()


def test_a_supervisor_of_another_agency_cannot_open_the_pair(login, robert_twice):
    other = make_agency(name="Elsewhere")
    stranger = UserFactory(agency=other, role=Role.SUPERVISOR)
    http = login(stranger)
    assert http.get("/clients/duplicates/").status_code == 200
    assert "Robert Smith" not in http.get("/clients/duplicates/").content.decode()
    assert http.get(f"/clients/duplicates/{robert_twice['pair'].pk}/").status_code == 404
    response = http.post(f"/clients/duplicates/{robert_twice['pair'].pk}/merge/", {"survivor": "a"})
    assert response.status_code == 404
    assert not MergeRecord.objects.exists()


def test_the_queue_takes_a_fixed_number_of_queries(as_supervisor, agency, supervisor, django_assert_max_num_queries):
    def add_pairs(count):
        for index in range(count):
            one = make_client(agency=agency, created_by=supervisor, legal_last_name=f"Doe{index}")
            two = make_client(agency=agency, created_by=supervisor, legal_last_name=f"Doe{index}")
            _pair(agency, one, two, score=0.9 - index / 100)

    add_pairs(2)
    with django_assert_max_num_queries(20) as few:
        assert as_supervisor.get("/clients/duplicates/").status_code == 200
    add_pairs(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = as_supervisor.get("/clients/duplicates/")
    assert response.content.decode().count("Compare ") >= 12


# --- Comparing, dismissing ------------------------------------------------------------------------


def test_the_comparison_shows_both_records_side_by_side_without_clinical_content(as_supervisor, robert_twice):
    pair = robert_twice["pair"]
    response = as_supervisor.get(f"/clients/duplicates/{pair.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "555-201-3344" in page and "555-777-1212" in page
    assert "Talked about housing" not in page  # the note's text is never shown
    assert "progress notes" in page.lower()  # only how many
    assert AuditEvent.objects.filter(action="duplicates.review").count() == 2


def test_dismissing_needs_a_reason_and_is_remembered(as_supervisor, robert_twice):
    pair = robert_twice["pair"]
    response = as_supervisor.post(f"/clients/duplicates/{pair.pk}/dismiss/", {"reason": "", "version": 1})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN
    response = as_supervisor.post(
        f"/clients/duplicates/{pair.pk}/dismiss/", {"reason": "Different people, met both", "version": 1}
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.status, pair.decision_reason) == (PairStatus.DISMISSED, "Different people, met both")
    assert "Robert Smith" not in as_supervisor.get("/clients/duplicates/").content.decode()
    assert "Robert Smith" in as_supervisor.get("/clients/duplicates/?status=dismissed").content.decode()


def test_a_stale_dismissal_is_refused(as_supervisor, robert_twice):
    pair = robert_twice["pair"]
    response = as_supervisor.post(f"/clients/duplicates/{pair.pk}/dismiss/", {"reason": "Different", "version": 9})
    assert response.status_code == 400
    pair.refresh_from_db()
    assert pair.status == PairStatus.OPEN


# --- Merging, the alias, undoing -------------------------------------------------------------------


def test_merging_moves_the_records_and_the_alias_redirects(as_supervisor, as_worker, robert_twice):
    robert, bob, pair = robert_twice["robert"], robert_twice["bob"], robert_twice["pair"]
    response = as_supervisor.post(
        f"/clients/duplicates/{pair.pk}/merge/",
        {
            "survivor": "a",
            "version_a": 1,
            "version_b": 1,
            "field_legal_first_name": "a",
            "field_phone": "b",
            "reason": "Same man",
        },
    )
    record = MergeRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/clients/merges/{record.pk}/"
    survivor_id = pair.client_a_id
    alias_id = pair.client_b_id
    assert (record.survivor_id, record.alias_id) == (survivor_id, alias_id)
    survivor = Client.objects.get(pk=survivor_id)
    assert survivor.phone == Client.objects.get(pk=alias_id).phone
    assert Case.objects.filter(client_id=survivor_id).count() == 2
    # The alias's page redirects to the survivor, for anyone who may see the survivor.
    redirect = as_worker.get(f"/clients/{alias_id}/")
    assert redirect.status_code == 302
    assert redirect["Location"] == f"/clients/{survivor_id}/"
    assert as_worker.get(redirect["Location"]).status_code == 200
    assert {robert.pk, bob.pk} == {survivor_id, alias_id}
    page = as_supervisor.get(f"/clients/merges/{record.pk}/").content.decode()
    assert "Undo the merge" in page


def test_the_reviewer_compares_and_takes_the_income_the_merge_page_does_not_show_it(as_supervisor, robert_twice):
    pair = robert_twice["pair"]
    Client.objects.filter(pk=pair.client_a_id).update(annual_household_income=18000, insurance="none")
    Client.objects.filter(pk=pair.client_b_id).update(annual_household_income=52500, insurance="medicaid")
    comparison = as_supervisor.get(f"/clients/duplicates/{pair.pk}/").content.decode()
    assert "$18,000 a year" in comparison and "$52,500 a year" in comparison
    assert 'name="field_annual_household_income"' in comparison and 'name="field_insurance"' in comparison
    response = as_supervisor.post(
        f"/clients/duplicates/{pair.pk}/merge/",
        {
            "survivor": "a",
            "version_a": 1,
            "version_b": 1,
            "field_annual_household_income": "b",
            "field_insurance": "b",
        },
    )
    assert response.status_code == 302
    survivor = Client.objects.get(pk=pair.client_a_id)
    assert (survivor.annual_household_income, survivor.insurance) == (52500, "medicaid")
    record = MergeRecord.objects.get()
    page = as_supervisor.get(f"/clients/merges/{record.pk}/").content.decode()
    assert "medicaid" in page
    assert "18000" not in page and "52500" not in page and "52,500" not in page


def test_the_alias_does_not_redirect_for_someone_who_cannot_see_the_survivor(login, colleague, robert_twice):
    from casework.clients.merging import client_merge

    robert, bob = robert_twice["robert"], robert_twice["bob"]
    client_merge(actor=robert.created_by, survivor=robert, alias=bob, survivor_version=1, alias_version=1)
    assert login(colleague).get(f"/clients/{bob.pk}/").status_code == 404


def test_undo_from_the_merge_page(as_supervisor, robert_twice):
    pair = robert_twice["pair"]
    as_supervisor.post(f"/clients/duplicates/{pair.pk}/merge/", {"survivor": "b", "version_a": 1, "version_b": 1})
    record = MergeRecord.objects.get()
    assert record.survivor_id == pair.client_b_id
    refused = as_supervisor.post(f"/clients/merges/{record.pk}/undo/", {"reason": ""})
    assert refused.status_code == 400
    record.refresh_from_db()
    assert record.undone_at is None
    response = as_supervisor.post(f"/clients/merges/{record.pk}/undo/", {"reason": "Wrong person"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.undone_at is not None
    assert Client.objects.get(pk=pair.client_a_id).merged_into_id is None
    assert as_supervisor.get(f"/clients/{pair.client_a_id}/").status_code == 200


def test_a_merge_over_a_changed_record_is_refused_with_409(as_supervisor, robert_twice):
    pair = robert_twice["pair"]
    response = as_supervisor.post(
        f"/clients/duplicates/{pair.pk}/merge/", {"survivor": "a", "version_a": 1, "version_b": 5}
    )
    assert response.status_code == 409
    assert "changed after you opened" in response.content.decode()
    assert not MergeRecord.objects.exists()


def test_the_worker_cannot_open_a_merge_record(as_worker, as_supervisor, robert_twice):
    pair = robert_twice["pair"]
    as_supervisor.post(f"/clients/duplicates/{pair.pk}/merge/", {"survivor": "a", "version_a": 1, "version_b": 1})
    record = MergeRecord.objects.get()
    assert as_worker.get(f"/clients/merges/{record.pk}/").status_code == 404
    assert as_worker.post(f"/clients/merges/{record.pk}/undo/", {"reason": "x"}).status_code == 404
    record.refresh_from_db()
    assert record.undone_at is None


def test_the_scan_button_queues_a_background_scan(as_supervisor, robert_twice):
    from django_tasks_db.models import DBTaskResult

    response = as_supervisor.post("/clients/duplicates/scan/")
    assert response.status_code == 302
    assert DBTaskResult.objects.filter(task_path="casework.clients.tasks.scan_duplicates").exists()


def test_registering_over_a_certain_match_puts_the_pair_in_the_queue(as_worker, worker, client_record, case):
    response = as_worker.post(
        "/clients/new/",
        {
            "legal_first_name": "Bob",
            "legal_last_name": "Smith",
            "date_of_birth": "1980-02-03",
            "phone": "555-201-3344",
            "sex": "not_collected",
            "primary_language": "English",
            "submission_key": "k-dup-1",
            "duplicate_reason": "He says he was never here before",
            "identifiers-TOTAL_FORMS": "0",
            "identifiers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Client.objects.get(submission_key="k-dup-1")
    pair = DuplicatePair.objects.get()
    assert (pair.client_a_id, pair.client_b_id) == (client_record.pk, new.pk)
    assert pair.source == "intake"
