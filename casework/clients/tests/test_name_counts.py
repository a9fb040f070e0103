"""The agency's name counts: refreshed by a command and by the scan, read by lookups when fresh."""

import datetime
import io
from typing import Any, cast

import pytest
from django.core.management import call_command

from casework.accounts.models import Agency
from casework.audit.models import AuditEvent
from casework.clients import matching
from casework.clients.duplicates import refresh_name_counts, scan_agency
from casework.clients.matching import MatchQuery
from casework.clients.models import Client, NameCount
from casework.testing import AgencyFactory, ClientFactory

DOB = datetime.date(1980, 2, 3)


def make_client(**fields: Any) -> Client:
    return cast(Client, ClientFactory(**fields))


@pytest.fixture
def table_in_use(monkeypatch):
    """Use the table whatever the register's size (a test register is tiny), counting the population afresh."""
    monkeypatch.setattr(matching, "NAME_TABLE_MIN_POPULATION", 0)
    matching._population_cache.clear()
    yield
    matching._population_cache.clear()


def _counts(agency):
    return dict(NameCount.objects.filter(agency=agency).values_list("key", "count"))


def test_refresh_counts_the_agencys_names_only(agency, supervisor):
    for first in ("Ana", "Ana", "Bo"):
        make_client(agency=agency, created_by=supervisor, legal_first_name=first, legal_last_name="Okafor")
    other = cast(Agency, AgencyFactory())
    make_client(agency=other, legal_first_name="Ana", legal_last_name="Okafor")
    names = refresh_name_counts(agency=agency, actor=supervisor)
    assert names.population == 3
    counts = _counts(agency)
    assert counts["population"] == 3
    assert counts["first:ana"] == 2 and counts["first:bo"] == 1 and counts["last:okafor"] == 3
    event = AuditEvent.objects.get(action="duplicates.name_counts")
    assert event.changes["clients"] == 3
    # A second refresh replaces the counts.
    make_client(agency=agency, created_by=supervisor, legal_first_name="Bo", legal_last_name="Okafor")
    refresh_name_counts(agency=agency)
    assert _counts(agency)["first:bo"] == 2
    assert NameCount.objects.filter(agency=agency, key="first:bo").count() == 1


def test_the_command_refreshes_every_agency_or_one(agency, supervisor):
    make_client(agency=agency, created_by=supervisor, legal_first_name="Ana", legal_last_name="Okafor")
    out = io.StringIO()
    call_command("refresh_name_counts", "--agency", agency.name, stdout=out)
    assert "1 clients, 1 first names, 1 last names" in out.getvalue()
    assert _counts(agency)["last:okafor"] == 1
    call_command("refresh_name_counts", stdout=io.StringIO())
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("refresh_name_counts", "--agency", "Nowhere", stdout=io.StringIO())


def test_the_scan_refreshes_the_counts(agency, supervisor):
    make_client(agency=agency, created_by=supervisor, legal_first_name="Ana", legal_last_name="Okafor")
    scan_agency(agency=agency)
    assert _counts(agency)["first:ana"] == 1


def test_a_lookup_reads_fresh_counts_from_the_table(agency, supervisor, table_in_use):
    for _ in range(3):
        make_client(agency=agency, created_by=supervisor, legal_first_name="Ana", legal_last_name="Okafor")
    refresh_name_counts(agency=agency)
    # Counts written by hand show where the frequencies come from.
    NameCount.objects.filter(agency=agency, key="last:okafor").update(count=42)
    frequencies = matching.frequencies_for(MatchQuery(first_name="Ana", last_name="Okafor"), agency.pk)
    assert (frequencies.population, frequencies.first_name_count, frequencies.last_name_count) == (3, 3, 42)
    # A name nobody carried at the refresh counts as rare.
    assert matching.frequencies_for(MatchQuery(last_name="Venber"), agency.pk).last_name_count == 0


def test_a_lookup_counts_when_the_table_is_empty_stale_or_small(agency, supervisor, table_in_use, monkeypatch):
    for _ in range(5):
        make_client(agency=agency, created_by=supervisor, legal_first_name="Ana", legal_last_name="Okafor")
    query = MatchQuery(first_name="Ana", last_name="Okafor")
    assert matching.frequencies_for(query, agency.pk).last_name_count == 5  # empty: counted
    refresh_name_counts(agency=agency)
    NameCount.objects.filter(agency=agency, key="last:okafor").update(count=42)
    NameCount.objects.filter(agency=agency, key="population").update(count=2)  # the register grew since
    assert matching.frequencies_for(query, agency.pk).last_name_count == 5
    NameCount.objects.filter(agency=agency, key="population").update(count=5)
    assert matching.frequencies_for(query, agency.pk).last_name_count == 42
    monkeypatch.setattr(matching, "NAME_TABLE_MIN_POPULATION", 20_000)  # a small agency counts
    assert matching.frequencies_for(query, agency.pk).last_name_count == 5


def test_matches_are_the_same_with_the_table(agency, supervisor, table_in_use):
    for first, dob in (("Robert", DOB), ("Roberta", DOB), ("Robert", datetime.date(1990, 5, 6))):
        make_client(
            agency=agency, created_by=supervisor, legal_first_name=first, legal_last_name="Smith", date_of_birth=dob
        )
    query = MatchQuery(first_name="Bob", last_name="Smith", date_of_birth=DOB)
    counted = [(c.client.pk, c.probability, c.band) for c in matching.find_matches(agency_id=agency.pk, query=query)]
    refresh_name_counts(agency=agency)
    stored = [(c.client.pk, c.probability, c.band) for c in matching.find_matches(agency_id=agency.pk, query=query)]
    assert stored == counted and counted


@pytest.fixture
def smiths(agency, supervisor):
    """John Smith born in 1980 (the one looked up), namesakes born decades apart, one without a date."""
    born = [DOB, datetime.date(1950, 6, 1), datetime.date(1962, 3, 4), datetime.date(1995, 8, 9), None]
    return [
        make_client(
            agency=agency, created_by=supervisor, legal_first_name="John", legal_last_name="Smith", date_of_birth=dob
        )
        for dob in born
    ]


def test_the_scan_counts_the_common_name_sounds(agency, smiths, monkeypatch):
    monkeypatch.setattr(matching, "COMMON_SOUND_MIN", 3)
    refresh_name_counts(agency=agency)
    counts = _counts(agency)
    sound = f"{smiths[0].last_name_phonetic} {smiths[0].first_name_phonetic}"
    assert counts[f"sounds:{sound}"] == 5
    assert counts[f"lastsound:{smiths[0].last_name_phonetic}"] == 5


def test_a_common_name_is_blocked_with_the_birth_year(agency, smiths, table_in_use, monkeypatch):
    monkeypatch.setattr(matching, "COMMON_SOUND_MIN", 3)
    monkeypatch.setattr(matching, "COMMON_BLOCK", 3)
    query = MatchQuery(first_name="John", last_name="Smith", date_of_birth=datetime.date(1981, 5, 5))
    everyone = {client.pk for client in smiths}
    # Without counts every namesake shares the name block.
    assert matching.candidate_ids(agency_id=agency.pk, query=query) == everyone
    refresh_name_counts(agency=agency)
    blocks = matching._block_queries(query, matching.name_table_counts(agency.pk, matching._sound_keys(query)))
    assert any(isinstance(block.get("date_of_birth"), matching.Between) for block in blocks)
    # Born 1980 (within a year) and without a date of birth stay; namesakes born decades apart go.
    assert matching.candidate_ids(agency_id=agency.pk, query=query) == {smiths[0].pk, smiths[4].pk}
    # A slipped decade is still found through the date-of-birth blocks.
    slipped = MatchQuery(first_name="John", last_name="Smith", date_of_birth=datetime.date(1990, 2, 3))
    assert smiths[0].pk in matching.candidate_ids(agency_id=agency.pk, query=slipped)
    # No date typed: nothing to narrow by.
    assert (
        matching.candidate_ids(agency_id=agency.pk, query=MatchQuery(first_name="John", last_name="Smith")) == everyone
    )
    found = matching.find_matches(
        agency_id=agency.pk, query=MatchQuery(first_name="Jon", last_name="Smith", date_of_birth=DOB)
    )
    assert found[0].client.pk == smiths[0].pk


def test_a_rare_name_is_not_narrowed(agency, smiths, table_in_use, monkeypatch):
    monkeypatch.setattr(matching, "COMMON_SOUND_MIN", 3)
    refresh_name_counts(agency=agency)  # 5 John Smiths: below COMMON_BLOCK
    query = MatchQuery(first_name="John", last_name="Smith", date_of_birth=datetime.date(1981, 5, 5))
    assert matching.candidate_ids(agency_id=agency.pk, query=query) == {client.pk for client in smiths}
