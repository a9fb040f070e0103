"""The engine compares plain rows and loads only the clients it returns."""

import datetime
from typing import Any, cast

from casework.clients import matching
from casework.clients.matching import MatchQuery
from casework.clients.models import Client
from casework.testing import ClientFactory, count_queries

DOB = datetime.date(1980, 2, 3)


def make_client(**fields: Any) -> Client:
    return cast(Client, ClientFactory(**fields))


def test_candidates_are_rows_and_only_the_returned_clients_are_loaded(agency, supervisor):
    for day in range(1, 13):
        make_client(
            agency=agency,
            created_by=supervisor,
            legal_first_name="Robert",
            legal_last_name="Smith",
            date_of_birth=datetime.date(1980, 2, day),
        )
    query = MatchQuery(first_name="Bob", last_name="Smith", date_of_birth=DOB)
    rows = matching._candidates(agency_id=agency.pk, query=query)
    assert len(rows) == 12 and all(isinstance(row, matching.CandidateRow) for row in rows)
    found = matching.find_matches(agency_id=agency.pk, query=query, limit=3)
    assert found[0].client.date_of_birth == DOB
    assert len(found) == 3
    with count_queries() as queries:
        reasons = found[0].reasons  # worded when read, from the comparison: no query
        assert found[0].agreements == [reason for reason in reasons if "different" not in reason]
    assert len(queries) == 0
    assert reasons[:2] == ["same date of birth", "same last name"]
    # Scores are those of comparing the full client.
    assert (
        found[0].probability
        == matching.compare(query, found[0].client, None, matching.frequencies_for(query, agency.pk)).probability
    )


def test_an_excluded_or_merged_client_is_not_a_candidate(agency, supervisor):
    kept, merged, excluded = (
        make_client(
            agency=agency, created_by=supervisor, legal_first_name="Ana", legal_last_name="Ruiz", date_of_birth=DOB
        )
        for _ in range(3)
    )
    merged.merged_into = kept
    merged.save(update_fields=["merged_into"])
    query = MatchQuery(first_name="Ana", last_name="Ruiz", date_of_birth=DOB)
    assert matching.candidate_ids(agency_id=agency.pk, query=query, exclude_ids=[excluded.pk]) == {kept.pk}
