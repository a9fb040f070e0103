"""The matching engine: comparisons, blocking, weights and bands, bad input."""

import datetime

import pytest

from casework.clients import matching
from casework.clients.matching import MatchQuery, compare_birth_date, find_matches, parse_match_query
from casework.clients.models import Client, MatchSettings
from casework.core.errors import ValidationFailed
from casework.testing import ClientFactory, count_queries

DOB = datetime.date(1980, 2, 3)


def _top(agency, **fields):
    found = find_matches(agency_id=agency.pk, query=MatchQuery(**fields))
    return found[0] if found else None


def test_birth_date_levels():
    assert compare_birth_date(DOB, DOB) == "exact"
    assert compare_birth_date(DOB, datetime.date(1980, 3, 2)) == "transposed"
    assert compare_birth_date(DOB, datetime.date(1981, 2, 3)) == "near"
    assert compare_birth_date(DOB, datetime.date(1908, 2, 3)) == "near"  # 80 -> 08
    assert compare_birth_date(DOB, datetime.date(1980, 2, 13)) == "near"
    assert compare_birth_date(DOB, datetime.date(1975, 7, 21)) == "different"
    assert compare_birth_date(None, DOB) is None


def test_first_name_levels():
    def level(typed, stored, preferred=""):
        return matching.compare_first_name(MatchQuery(first_name=typed), stored, preferred)

    assert level("Robert", "robert") == "exact"
    assert level("Bob", "robert") == "nickname"
    assert level("Robert", "bob") == "nickname"
    assert level("Liz", "margaret", "liz") == "exact"
    assert level("Elizabth", "elizabeth") in {"sound", "typo"}
    assert level("Mary", "robert") == "different"
    assert level("", "robert") is None


def test_last_name_levels():
    assert matching.compare_last_name("Smith", "smith", "SM0") == "exact"
    assert matching.compare_last_name("Smyth", "smith", "SM0") == "sound"
    assert matching.compare_last_name("García", "garcialopez", "KRSLPS") == "compound"
    assert matching.compare_last_name("Lopez", "garcialopez", "KRSLPS") == "compound"
    assert matching.compare_last_name("Venebr", "venber", "FNBR") in {"typo", "sound"}
    assert matching.compare_last_name("Jones", "smith", "SM0") == "different"


def test_the_same_person_with_a_nickname_is_certain(agency, supervisor):
    robert = ClientFactory.create(
        agency=agency, created_by=supervisor, legal_first_name="Robert", legal_last_name="Smith", date_of_birth=DOB
    )
    top = _top(agency, first_name="Bob", last_name="Smith", date_of_birth=DOB)
    assert top.client == robert
    assert top.band == matching.CERTAIN
    assert top.reasons[:3] == ["same date of birth", "same last name", "first name is a common nickname"]


def test_transposed_birth_date_and_typo_still_match(agency, supervisor):
    client = ClientFactory.create(
        agency=agency, created_by=supervisor, legal_first_name="Danielle", legal_last_name="Venber", date_of_birth=DOB
    )
    top = _top(agency, first_name="Danielle", last_name="Venebr", date_of_birth=datetime.date(1980, 3, 2))
    assert top.client == client
    assert top.band in {matching.CERTAIN, matching.POSSIBLE}
    assert "date of birth with day and month swapped" in top.reasons


def test_swapped_first_and_last_names(agency, supervisor):
    client = ClientFactory.create(
        agency=agency, created_by=supervisor, legal_first_name="Nguyen", legal_last_name="Thanh", date_of_birth=DOB
    )
    top = _top(agency, first_name="Thanh", last_name="Nguyen", date_of_birth=DOB)
    assert top.client == client
    assert top.reasons[0] == "first and last names swapped"
    assert top.band == matching.CERTAIN


def test_hyphenated_surname_typed_in_part(agency, supervisor):
    client = ClientFactory.create(
        agency=agency,
        created_by=supervisor,
        legal_first_name="María",
        legal_last_name="García-López",
        date_of_birth=DOB,
    )
    for typed in ["Garcia", "Lopez", "Garcia Lopez"]:
        top = _top(agency, first_name="Maria", last_name=typed, date_of_birth=DOB)
        assert top.client == client, typed
        assert top.band == matching.CERTAIN


def test_twins_sharing_surname_birth_date_and_phone_are_not_matched(agency, supervisor):
    ClientFactory.create(
        agency=agency,
        created_by=supervisor,
        legal_first_name="Aisha",
        legal_last_name="Okafor",
        date_of_birth=DOB,
        phone="555-201-9999",
        sex="female",
    )
    top = _top(agency, first_name="Grace", last_name="Okafor", date_of_birth=DOB, phone="555-201-9999", sex="female")
    assert top is None or top.band == matching.UNLIKELY
    assert "different first name" in (top.reasons if top else ["different first name"])


def test_a_parent_with_the_same_name_and_phone_is_not_matched(agency, supervisor):
    ClientFactory.create(
        agency=agency,
        created_by=supervisor,
        legal_first_name="John",
        legal_last_name="Okafor",
        date_of_birth=datetime.date(1960, 5, 17),
        phone="555-201-9999",
    )
    top = _top(agency, first_name="John", last_name="Okafor", date_of_birth=DOB, phone="555-201-9999")
    assert top is None or top.band == matching.UNLIKELY


@pytest.mark.parametrize("name", ["مريم", "王小明", "Иван", "Ὀδυσσεύς"])
def test_non_latin_names_match_themselves(agency, supervisor, name):
    client = ClientFactory.create(
        agency=agency, created_by=supervisor, legal_first_name=name, legal_last_name=name, date_of_birth=DOB
    )
    ClientFactory.create(agency=agency, created_by=supervisor, legal_first_name="Other", legal_last_name="Person")
    top = _top(agency, first_name=name, last_name=name, date_of_birth=DOB)
    assert top.client == client
    assert top.band == matching.CERTAIN
    assert _top(agency, first_name=name, last_name=name).client == client


def test_only_a_first_name_is_never_a_certain_match(agency, supervisor):
    ClientFactory.create(agency=agency, created_by=supervisor, legal_first_name="Robert", legal_last_name="Smith")
    found = find_matches(agency_id=agency.pk, query=MatchQuery(first_name="Robert"))
    assert all(candidate.band == matching.UNLIKELY for candidate in found)


def test_missing_fields_weigh_nothing(agency, supervisor):
    client = ClientFactory.create(
        agency=agency, created_by=supervisor, legal_first_name="Robert", legal_last_name="Smith"
    )
    client.date_of_birth = None
    client.phone = ""
    client.refresh_search_keys()
    client.save()
    with_dob = matching.compare(MatchQuery(first_name="Robert", last_name="Smith", date_of_birth=DOB), client)
    without = matching.compare(MatchQuery(first_name="Robert", last_name="Smith"), client)
    assert with_dob.weight == without.weight


def test_identifier_and_ssn_find_a_renamed_client(agency, supervisor):
    client = ClientFactory.create(
        agency=agency,
        created_by=supervisor,
        legal_first_name="Robert",
        legal_last_name="Smith",
        ssn_last4="6789",
        date_of_birth=DOB,
    )
    client.identifiers.create(kind="mrn", value="MRN-12345", value_key="mrn12345")
    top = _top(agency, last_name="Jones", ssn_last4="6789", identifiers=("mrn 12345",), date_of_birth=DOB)
    assert top.client == client
    assert "same identifier" in top.reasons


def test_lookups_stay_in_the_agency(agency, supervisor, outsider):
    ClientFactory.create(agency=outsider.agency, legal_first_name="Robert", legal_last_name="Smith", date_of_birth=DOB)
    assert _top(agency, first_name="Robert", last_name="Smith", date_of_birth=DOB) is None


def test_thresholds_are_the_agencys_settings(agency, supervisor):
    ClientFactory.create(
        agency=agency, created_by=supervisor, legal_first_name="Robert", legal_last_name="Smith", date_of_birth=DOB
    )
    MatchSettings.objects.create(agency=agency, certain_threshold=0.99999999, possible_threshold=0.99)
    assert _top(agency, first_name="Robert", last_name="Smyth", date_of_birth=DOB).band == matching.POSSIBLE


def test_settings_refuse_thresholds_out_of_order(agency):
    settings = MatchSettings(agency=agency, certain_threshold=0.5, possible_threshold=0.9)
    with pytest.raises(Exception, match="below"):
        settings.full_clean()


def test_a_lookup_takes_a_bounded_number_of_queries(agency, supervisor):
    ClientFactory.create_batch(5, agency=agency, created_by=supervisor, legal_last_name="Smith")
    query = MatchQuery(first_name="Robert", last_name="Smith", date_of_birth=DOB, phone="5552013344", ssn_last4="1234")
    with count_queries() as queries:
        find_matches(agency_id=agency.pk, query=query)
    assert len(queries) <= 12


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, None),
        ({"first_name": " "}, None),
        ({"first_name": "x" * 5000}, "first_name"),
        ({"date_of_birth": "2024-02-30"}, "date_of_birth"),
        ({"date_of_birth": "0001-01-01"}, "date_of_birth"),
        ({"date_of_birth": "9999-12-31"}, "date_of_birth"),
        ({"ssn_last4": "12a4"}, "ssn_last4"),
        ({"identifiers": "abc"}, "identifiers"),
        ({"identifiers": ["x" * 41]}, "identifiers"),
        ({"last_name": 7}, "last_name"),
        ({"last_name": "a\x00b"}, "last_name"),
        ({"nonsense": "1"}, "nonsense"),
        ({"sex": "robot"}, "sex"),
    ],
)
def test_bad_queries_are_refused_with_a_message(data, field):
    with pytest.raises(ValidationFailed) as caught:
        parse_match_query(data)
    assert caught.value.message
    if field:
        assert field in caught.value.errors


def test_a_good_query_is_normalised():
    query = parse_match_query({"first_name": " Bob ", "date_of_birth": "1980-02-03", "identifiers": ["", "A-1"]})
    assert query.first_name == "Bob"
    assert query.date_of_birth == DOB
    assert query.identifiers == ("A-1",)
    assert query.fields_given == ["first_name", "date_of_birth", "identifiers"]


def test_a_common_name_weighs_less_than_a_rare_one():
    rare = matching.Frequencies(population=100_000, first_name_count=1, last_name_count=1)
    common = matching.Frequencies(population=100_000, first_name_count=900, last_name_count=1000)
    assert rare.exact_weight("last_name", 1) > common.exact_weight("last_name", 1000) + 9
    levels = {"first_name": "exact", "last_name": "exact"}
    assert matching._weight(levels, rare, False) > matching._weight(levels, common, False)


def test_a_bigger_register_needs_more_evidence():
    small = matching.Frequencies(population=20_000, first_name_count=20, last_name_count=20)
    big = matching.Frequencies(population=1_000_000, first_name_count=1000, last_name_count=1000)
    levels = {"first_name": "exact", "last_name": "sound", "date_of_birth": "near"}
    assert matching._weight(levels, big, False) < matching._weight(levels, small, False)


def test_a_tiny_register_is_weighed_like_a_normal_one():
    assert matching.Frequencies(population=3).prior == matching.Frequencies(population=20_000).prior


def test_frequencies_count_the_typed_names(agency, supervisor):
    ClientFactory.create_batch(3, agency=agency, created_by=supervisor, legal_last_name="Okafor")
    frequencies = matching.frequencies_for(MatchQuery(first_name="Nobody", last_name="okafor"))
    assert frequencies.last_name_count == 3
    assert frequencies.first_name_count == 0


def test_the_services_keep_the_email_key_in_step(worker):
    from casework.clients import services

    client = services.client_create(
        actor=worker, data={"legal_first_name": "Ana", "legal_last_name": "Ruiz", "email": "Ana.Ruiz@Example.org"}
    )
    assert client.email_key == "ana.ruiz@example.org"
    updated = services.client_update(
        actor=worker, client=client, expected_version=client.version, data={"email": "ana@example.org"}
    )
    assert Client.objects.get(pk=updated.pk).email_key == "ana@example.org"
    found = find_matches(agency_id=worker.agency_id, query=MatchQuery(email="ANA@example.org", last_name="Ruiz"))
    assert found[0].client.pk == client.pk
    assert "same e-mail" in found[0].reasons
