"""Who may see a client (the access helper and the visible set) and how search finds clients."""

import datetime

import pytest
from django.utils import timezone

from casework.accounts.models import Role
from casework.audit.models import AuditEvent
from casework.cases.models import CaseTeamMember
from casework.clients import services
from casework.clients.models import AccessGrant, BreakGlassAccess
from casework.clients.selectors import client_get_for_user, client_search, clients_visible_to, parse_query
from casework.core.errors import NotFound
from casework.testing import CaseFactory, ClientFactory, ProgramFactory, UserFactory

# --- Access ------------------------------------------------------------------------------


def _assert_sees(user, client):
    """The user sees the client in lists and through the access helper, which writes one event."""
    assert clients_visible_to(user).filter(pk=client.pk).exists()
    before = AuditEvent.objects.count()
    fetched = client_get_for_user(user=user, client_id=client.pk)
    assert fetched.pk == client.pk
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id, event.client_id) == ("client.view", user.pk, client.pk)
    return event


def _assert_refused(user, client):
    """The user does not see the client: not listed, NotFound, and no audit event written."""
    assert not clients_visible_to(user).filter(pk=client.pk).exists()
    before = AuditEvent.objects.count()
    with pytest.raises(NotFound):
        client_get_for_user(user=user, client_id=client.pk)
    assert AuditEvent.objects.count() == before


def test_primary_worker_sees_the_client(worker, case, client_record):
    event = _assert_sees(worker, client_record)
    assert not event.flagged
    assert event.reason == ""


def test_staff_member_of_the_case_team_sees_the_client_until_removed(case, client_record, colleague, worker):
    member = CaseTeamMember.objects.create(case=case, user=colleague, role="secondary", added_by=worker)
    _assert_sees(colleague, client_record)
    member.removed_at = timezone.now()
    member.save()
    _assert_refused(colleague, client_record)


def test_supervisor_of_the_case_team_sees_the_client(supervisor, case, client_record):
    _assert_sees(supervisor, client_record)


def test_supervisor_of_another_team_does_not_see_the_client(supervisor_b, case, client_record):
    _assert_refused(supervisor_b, client_record)


def test_program_director_sees_the_client(director, case, client_record):
    _assert_sees(director, client_record)


def test_registering_worker_sees_a_client_without_a_case(agency, colleague):
    client = ClientFactory.create(agency=agency, created_by=colleague)
    _assert_sees(colleague, client)


def test_explicit_grant_gives_access_until_it_expires(case, client_record, colleague, supervisor):
    grant = services.access_grant_create(actor=supervisor, client=client_record, user=colleague, reason="Covering")
    _assert_sees(colleague, client_record)
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    _assert_refused(colleague, client_record)


def test_revoked_grant_gives_no_access(case, client_record, colleague, supervisor):
    grant = services.access_grant_create(actor=supervisor, client=client_record, user=colleague, reason="Covering")
    AccessGrant.objects.filter(pk=grant.pk).update(revoked_at=timezone.now())
    _assert_refused(colleague, client_record)


def test_break_the_glass_gives_flagged_time_limited_access(case, client_record, colleague):
    _assert_refused(colleague, client_record)
    access = services.break_glass_open(actor=colleague, client_id=client_record.pk, reason="Client in crisis at ER")
    opened = AuditEvent.objects.latest("id")
    assert (opened.action, opened.flagged, opened.reason) == ("client.break_glass", True, "Client in crisis at ER")

    event = _assert_sees(colleague, client_record)
    assert event.flagged
    assert event.reason == "Client in crisis at ER"

    BreakGlassAccess.objects.filter(pk=access.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    _assert_refused(colleague, client_record)


def test_break_the_glass_reads_through_a_relationship_are_not_flagged(case, client_record, worker):
    services.break_glass_open(actor=worker, client_id=client_record.pk, reason="Checking something urgent")
    event = _assert_sees(worker, client_record)
    assert not event.flagged


def test_colleague_on_another_team_does_not_see_the_client(colleague, case, client_record):
    _assert_refused(colleague, client_record)


def test_outsider_of_another_agency_does_not_see_the_client(outsider, case, client_record):
    _assert_refused(outsider, client_record)


def test_outsider_cannot_break_the_glass_into_another_agency(outsider, case, client_record):
    with pytest.raises(NotFound):
        services.break_glass_open(actor=outsider, client_id=client_record.pk, reason="Pretending an emergency")
    assert not BreakGlassAccess.objects.exists()
    _assert_refused(outsider, client_record)


def test_auditor_and_administrator_do_not_see_client_records(auditor, admin_user, case, client_record):
    _assert_refused(auditor, client_record)
    _assert_refused(admin_user, client_record)


def test_inactive_user_sees_nothing(worker, case, client_record):
    worker.is_active = False
    worker.save()
    _assert_refused(worker, client_record)


def test_unknown_client_id_is_not_found(worker, case):
    with pytest.raises(NotFound):
        client_get_for_user(user=worker, client_id=999_999)


def test_director_of_another_program_does_not_see_the_client(agency, team_b, case, client_record):
    other_director = UserFactory.create(agency=agency, role=Role.PROGRAM_DIRECTOR)
    other_program = ProgramFactory.create(agency=agency, director=other_director)
    other_worker = UserFactory.create(agency=agency, team=team_b)
    CaseFactory.create(
        client=ClientFactory.create(agency=agency, created_by=other_worker),
        program=other_program,
        primary_worker=other_worker,
    )
    assert clients_visible_to(other_director).count() == 1
    _assert_refused(other_director, client_record)


# --- Search --------------------------------------------------------------------------------


@pytest.fixture
def people(agency, worker, case, client_record):
    """A few clients the worker registered, plus Robert Smith (seen through the case)."""
    services.identifier_add(actor=worker, client=client_record, kind="mrn", value="mrn-12345")
    services.client_update(actor=worker, client=client_record, expected_version=1, data={}, ssn="123-45-6789")
    make = lambda **data: services.client_create(actor=worker, data=data)  # noqa: E731
    return {
        "robert": client_record,
        "jose": make(legal_first_name="José", legal_last_name="Núñez", date_of_birth="1975-06-07"),
        "maria": make(legal_first_name="Maria", legal_last_name="Nunez", date_of_birth="1990-01-01"),
        "bob": make(legal_first_name="Bob", legal_last_name="Jones", date_of_birth="1960-05-05"),
        "arabic": make(legal_first_name="محمد", legal_last_name="علي"),
        "chinese": make(legal_first_name="伟", legal_last_name="王"),
        "cyrillic": make(legal_first_name="Иван", legal_last_name="Петров"),
        "lukasz": make(legal_first_name="Łukasz", legal_last_name="Øster"),
        "other_phone": make(legal_first_name="Ann", legal_last_name="Lee", phone="555-999-0000"),
    }


def _found(user, query):
    return [hit.client.pk for hit in client_search(user=user, query=query)]


@pytest.mark.parametrize("query", ["Bob Smyth", "ROBERT smith", "robert  SMITH", "Smiht", "Rob Smith", "smith, robert"])
def test_name_search_tolerates_case_nicknames_sound_alikes_and_typos(people, worker, query):
    assert _found(worker, query)[0] == people["robert"].pk


def test_nickname_search_works_both_ways(people, worker):
    assert people["bob"].pk in _found(worker, "Robert Jones")
    assert people["robert"].pk in _found(worker, "Bobby Smith")


def test_accents_are_ignored_both_ways(people, worker):
    assert _found(worker, "Jose Nunez")[0] == people["jose"].pk
    assert _found(worker, "José Núñez")[0] == people["jose"].pk
    assert _found(worker, "maría núñez")[0] == people["maria"].pk


def test_letters_without_a_decomposition_fold_to_ascii(people, worker):
    assert _found(worker, "Lukasz Oster")[0] == people["lukasz"].pk


def test_hits_say_why_they_matched(people, worker):
    hit = client_search(user=worker, query="Bob Smyth 1980-02-03")[0]
    assert hit.client == people["robert"]
    assert "same date of birth" in hit.reasons
    assert any("nickname" in reason for reason in hit.reasons)


@pytest.mark.parametrize("query", ["1980-02-03", "02/03/1980", "2/3/1980", "Smith 1980-02-03"])
def test_date_of_birth_search(people, worker, query):
    assert _found(worker, query) == [people["robert"].pk]


@pytest.mark.parametrize(
    "query", ["555-201-3344", "(555) 201-3344", "5552013344", "555.201.3344", "+1 555 201 3344", "555 201 3344"]
)
def test_phone_search_in_any_format(people, worker, query):
    assert _found(worker, query) == [people["robert"].pk]


@pytest.mark.parametrize("query", ["MRN 12345", "mrn-12345", "MRN12345", "mrn 12345"])
def test_identifier_search_ignores_case_spaces_and_punctuation(people, worker, query):
    assert _found(worker, query) == [people["robert"].pk]


@pytest.mark.parametrize("query", ["6789", "***-**-6789", "xxx-xx-6789"])
def test_ssn_last_four_search(people, worker, query):
    assert _found(worker, query) == [people["robert"].pk]


@pytest.mark.parametrize(("key", "query"), [("arabic", "محمد علي"), ("chinese", "王 伟"), ("cyrillic", "Иван Петров")])
def test_names_in_other_scripts_match_themselves(people, worker, key, query):
    assert _found(worker, query)[0] == people[key].pk
    assert _found(worker, query.split()[-1])[0] == people[key].pk


def test_empty_and_blank_queries_find_nothing(people, worker):
    assert client_search(user=worker, query="") == []
    assert client_search(user=worker, query="   ,, ") == []


@pytest.mark.parametrize("query", ["a" * 10_000, "Smith " * 2_000, "1" * 10_000, "é" * 10_000, "%_'\"\\" * 2_000])
def test_very_long_queries_do_not_crash(people, worker, query):
    assert isinstance(client_search(user=worker, query=query), list)


def test_search_only_returns_visible_clients(people, worker, colleague, outsider, agency):
    twin = ClientFactory.create(agency=agency, created_by=colleague, legal_first_name="Robert", legal_last_name="Smith")
    found = _found(worker, "Robert Smith")
    assert found[0] == people["robert"].pk
    assert twin.pk not in found
    assert _found(colleague, "Robert Smith") == [twin.pk]
    assert _found(outsider, "Robert Smith") == []
    assert _found(outsider, "555-201-3344") == []


def test_search_does_not_write_audit_events_for_clients_not_opened(people, worker):
    before = AuditEvent.objects.count()
    client_search(user=worker, query="Smith")
    assert AuditEvent.objects.count() == before


def test_unrelated_names_are_not_found(people, worker):
    assert _found(worker, "Zbigniew Quackenbush") == []


def test_parse_query_separates_the_kinds_of_evidence():
    parsed = parse_query("Bob Smyth 02/03/1980 (555) 201-3344 ***-**-6789 MRN-12345")
    assert parsed.names == ["bob", "smyth"]
    assert parsed.dates == [datetime.date(1980, 2, 3)]
    assert parsed.phone == "5552013344"
    assert parsed.last4 == "6789"
    assert "mrn12345" in parsed.identifiers


def test_impossible_dates_are_not_dates():
    assert parse_query("1980-02-30").dates == []


def test_exact_name_and_birth_date_score_full_marks(people, worker):
    hit = client_search(user=worker, query="Robert Smith 1980-02-03")[0]
    assert (hit.client, hit.score) == (people["robert"], 1.0)


def test_a_label_before_an_identifier_is_not_taken_for_a_name():
    parsed = parse_query("MRN 12345")
    assert parsed.names == []
    assert "mrn12345" in parsed.identifiers


def test_a_phone_stored_with_an_extension_is_found_by_the_number(worker, agency):
    client = services.client_create(
        actor=worker, data={"legal_first_name": "Ext", "legal_last_name": "Person", "phone": "(555) 444-1212 ext 34"}
    )
    assert _found(worker, "555-444-1212") == [client.pk]
