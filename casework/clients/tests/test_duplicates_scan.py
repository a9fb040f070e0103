"""The agency-wide duplicate scan: pairs found once, stored, re-runs idempotent, dismissals remembered."""

import datetime
import io
from typing import Any, cast

import pytest
from django.core.management import call_command

from casework.accounts.models import Agency
from casework.audit.models import AuditEvent
from casework.clients.duplicates import BLOCK_LIMIT, scan_agency
from casework.clients.merging import pair_dismiss
from casework.clients.models import Client, ClientIdentifier, DuplicatePair, PairSource, PairStatus
from casework.testing import AgencyFactory, ClientFactory


def make_client(**fields: Any) -> Client:
    return cast(Client, ClientFactory(**fields))


def make_agency(**fields: Any) -> Agency:
    return cast(Agency, AgencyFactory(**fields))


@pytest.fixture
def people(agency, supervisor):
    """Two records of Robert Smith (a nickname and a new phone), his twin brother, a stranger."""

    def make(first, last, dob, phone, **extra):
        return make_client(
            agency=agency,
            created_by=supervisor,
            legal_first_name=first,
            legal_last_name=last,
            date_of_birth=dob,
            phone=phone,
            postal_code="60601",
            **extra,
        )

    return {
        "robert": make("Robert", "Smith", datetime.date(1980, 2, 3), "555-201-3344"),
        "bob": make("Bob", "Smith", datetime.date(1980, 2, 3), "555-777-1212"),
        "twin": make("Richard", "Smith", datetime.date(1980, 2, 3), "555-201-3344"),
        "stranger": make("Alice", "Nguyen", datetime.date(1991, 7, 14), "555-300-4000"),
    }


def _pairs(agency):
    return {(pair.client_a_id, pair.client_b_id): pair for pair in DuplicatePair.objects.filter(agency=agency)}


def test_the_scan_finds_the_two_records_of_one_person_and_not_the_twin(agency, people):
    result = scan_agency(agency=agency)
    pairs = _pairs(agency)
    robert, bob = people["robert"], people["bob"]
    assert set(pairs) == {(robert.pk, bob.pk)}
    pair = pairs[(robert.pk, bob.pk)]
    assert pair.status == PairStatus.OPEN
    assert pair.source == PairSource.SCAN
    assert pair.band in ("certain", "possible")
    assert pair.levels["first_name"] == "nickname"
    assert pair.levels["date_of_birth"] == "exact"
    assert result.clients == 4
    assert result.pairs_found == 1
    assert result.created == 1
    # Robert/Bob and Robert/Richard... each pair scored once, not once per shared key.
    assert result.pairs_scored <= 6
    event = AuditEvent.objects.get(action="duplicates.scan")
    assert event.changes["pairs_found"] == 1


def test_a_rerun_updates_the_open_pair_instead_of_adding_another(agency, people):
    scan_agency(agency=agency)
    first = DuplicatePair.objects.get()
    again = scan_agency(agency=agency)
    assert DuplicatePair.objects.count() == 1
    assert DuplicatePair.objects.get().pk == first.pk
    assert (again.created, again.updated) == (0, 1)


def test_a_dismissed_pair_stays_dismissed_on_the_next_scan(agency, people, supervisor):
    scan_agency(agency=agency)
    pair = DuplicatePair.objects.get()
    pair_dismiss(actor=supervisor, pair=pair, reason="Different people: checked the ID cards.")
    again = scan_agency(agency=agency)
    pair.refresh_from_db()
    assert pair.status == PairStatus.DISMISSED
    assert pair.decision_reason == "Different people: checked the ID cards."
    assert DuplicatePair.objects.count() == 1
    assert (again.created, again.updated) == (0, 0)


def test_the_scan_stays_inside_the_agency(agency, people, supervisor):
    other = make_agency(name="Elsewhere")
    make_client(
        agency=other, legal_first_name="Robert", legal_last_name="Smith", date_of_birth=datetime.date(1980, 2, 3)
    )
    scan_agency(agency=other)
    assert not DuplicatePair.objects.filter(agency=other).exists()
    scan_agency(agency=agency)
    assert DuplicatePair.objects.filter(agency=agency).count() == 1


def test_a_shared_identifier_and_swapped_names_are_found(agency, supervisor):
    first = make_client(
        agency=agency,
        created_by=supervisor,
        legal_first_name="Mei",
        legal_last_name="Tanaka",
        date_of_birth=datetime.date(1975, 5, 6),
        phone="",
    )
    second = make_client(
        agency=agency,
        created_by=supervisor,
        legal_first_name="Tanaka",
        legal_last_name="Mei",
        date_of_birth=None,
        phone="",
    )
    third = make_client(
        agency=agency,
        created_by=supervisor,
        legal_first_name="Meiko",
        legal_last_name="Tanaka-Sato",
        date_of_birth=datetime.date(1975, 5, 6),
        phone="",
    )
    for client in (first, third):
        ClientIdentifier.objects.create(client=client, kind="mrn", value="MRN-55 1234", value_key="mrn551234")
    scan_agency(agency=agency)
    pairs = _pairs(agency)
    assert (first.pk, third.pk) in pairs
    assert pairs[(first.pk, third.pk)].levels.get("identifier") == "exact"
    assert (first.pk, second.pk) in pairs
    assert pairs[(first.pk, second.pk)].swapped_names is True


def test_a_key_shared_by_too_many_clients_is_not_paired(agency, supervisor, monkeypatch):
    monkeypatch.setattr("casework.clients.duplicates.BLOCK_LIMIT", 3)
    for index in range(4):  # four different people who gave the shelter's phone number
        make_client(
            agency=agency,
            created_by=supervisor,
            legal_first_name=f"Person{'abcd'[index]}",
            legal_last_name=f"Family{'wxyz'[index]}",
            date_of_birth=datetime.date(1960 + index, 1, 1),
            phone="555-000-0000",
        )
    result = scan_agency(agency=agency)
    assert result.skipped_blocks >= 1
    assert result.pairs_scored == 0
    assert BLOCK_LIMIT > 3


def test_merged_records_are_not_scanned(agency, people, supervisor):
    from casework.clients.merging import client_merge

    robert, bob = people["robert"], people["bob"]
    client_merge(actor=supervisor, survivor=robert, alias=bob, survivor_version=1, alias_version=1)
    scan_agency(agency=agency)
    assert not DuplicatePair.objects.filter(status=PairStatus.OPEN).exists()


def test_the_command_shows_a_progress_bar_and_a_summary(agency, people):
    out, err = io.StringIO(), io.StringIO()
    call_command("scan_duplicates", "--agency", str(agency.pk), "--batch-size", "2", stdout=out, stderr=err)
    assert "1 possible duplicates (1 new" in out.getvalue()
    assert "rows" in err.getvalue()  # the tqdm bar
    assert DuplicatePair.objects.count() == 1
    call_command("scan_duplicates", "--agency", agency.name, "--no-progress", stdout=out, stderr=err)
    assert DuplicatePair.objects.count() == 1


def test_the_command_refuses_an_unknown_agency(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No agency"):
        call_command("scan_duplicates", "--agency", "Nowhere", stdout=io.StringIO())


def test_the_scan_runs_as_a_background_task(agency, people):
    from casework.clients.tasks import scan_duplicates

    result = scan_duplicates.call(agency.pk)
    assert result["pairs_found"] == 1
    assert DuplicatePair.objects.count() == 1


def test_the_date_variant_check_agrees_with_the_blocking_variants():
    """`is_birth_date_variant` (used when scoring millions of pairs) is the set of variants, without the set."""
    import random

    from casework.clients.matching import birth_date_variants, is_birth_date_variant

    rng = random.Random(3)
    base = datetime.date(1930, 1, 1)
    for _ in range(3000):
        typed = base + datetime.timedelta(days=rng.randint(0, 30000))
        variants = birth_date_variants(typed)
        for stored in [
            *rng.sample(sorted(variants), min(5, len(variants))),
            base + datetime.timedelta(days=rng.randint(0, 30000)),
        ]:
            assert is_birth_date_variant(typed, stored) == (stored in variants), (typed, stored)
        for stored in (
            datetime.date(typed.year + 3, typed.month, min(typed.day, 28)),
            typed + datetime.timedelta(days=40),
        ):
            assert is_birth_date_variant(typed, stored) == (stored in variants), (typed, stored)


def test_the_command_can_queue_the_scan_for_the_worker(agency, people):
    from django_tasks_db.models import DBTaskResult

    out = io.StringIO()
    call_command("scan_duplicates", "--enqueue", stdout=out)
    assert "Queued the duplicate scan of Riverside Community Services" in out.getvalue()
    assert DBTaskResult.objects.filter(task_path="casework.clients.tasks.scan_duplicates").count() == 1
    assert not DuplicatePair.objects.exists()  # queued, not run here
