"""Find a client: search as you type, results scoped to what the user may see, audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.cases.models import CaseStatus
from casework.testing import CaseFactory, ClientFactory, count_queries

URL = reverse("clients:search")


def test_search_finds_bob_smyth_for_robert_smith(as_worker, worker, client_record, case):
    response = as_worker.get(URL, {"q": "Bob Smyth"})

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("clients:detail", args=[client_record.pk]) in html
    assert "Robert Smith" in html
    assert "nickname match" in html  # the reasons are shown in plain language
    assert "1980-02-03" in html
    assert case.program.name in html
    assert "badge-active" in html


def test_search_by_us_date_of_birth_and_phone(as_worker, client_record, case):
    by_date = as_worker.get(URL, {"q": "02/03/1980"})
    by_phone = as_worker.get(URL, {"q": "(555) 201-3344"})

    detail = reverse("clients:detail", args=[client_record.pk])
    assert detail in by_date.content.decode()
    assert "same date of birth" in by_date.content.decode()
    assert detail in by_phone.content.decode()


def test_search_writes_an_audit_event_with_query_and_results(as_worker, worker, client_record, case):
    as_worker.get(URL, {"q": "Robert Smith"})

    event = AuditEvent.objects.get(action="client.search", actor=worker)
    assert event.reason == ""
    assert event.changes == {"query": "Robert Smith", "results": [client_record.pk]}


def test_empty_search_shows_no_results_and_writes_no_event(as_worker, worker):
    response = as_worker.get(URL)

    assert response.status_code == 200
    assert "No client matches" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="client.search").exists()


@pytest.mark.parametrize("fixture_name", ["as_colleague", "as_outsider"])
def test_search_does_not_show_clients_without_a_relationship(request, fixture_name, client_record, case):
    http = request.getfixturevalue(fixture_name)

    response = http.get(URL, {"q": "Robert Smith 1980-02-03"})

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("clients:detail", args=[client_record.pk]) not in html
    assert "No client matches" in html
    event = AuditEvent.objects.get(action="client.search")
    assert event.changes["results"] == []


def test_search_results_never_include_clients_the_user_cannot_see(as_worker, worker, agency, client_record, case):
    hidden: Any = ClientFactory(
        agency=agency, legal_first_name="Robert", legal_last_name="Smith", date_of_birth="1980-02-03"
    )

    response = as_worker.get(URL, {"q": "Robert Smith 1980-02-03"})

    html = response.content.decode()
    assert reverse("clients:detail", args=[client_record.pk]) in html
    assert reverse("clients:detail", args=[hidden.pk]) not in html
    assert AuditEvent.objects.get(action="client.search").changes["results"] == [client_record.pk]


def test_no_match_offers_to_register_with_the_typed_name_and_birth_date(as_worker):
    response = as_worker.get(URL, {"q": "Zelda Quarrington 1975-06-30"})

    html = response.content.decode()
    assert "No client matches" in html
    assert "Register a new client" in html
    link = response.context["create_url"]
    assert urlparse(link).path == reverse("clients:create")
    assert parse_qs(urlparse(link).query) == {"name": ["Zelda Quarrington"], "dob": ["1975-06-30"]}
    assert reverse("clients:break_glass") in html


def test_htmx_search_renders_only_the_results(as_worker, client_record, case):
    response = as_worker.get(URL, {"q": "Robert"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert reverse("clients:detail", args=[client_record.pk]) in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(as_worker, client_record, case):
    response = as_worker.get(URL, {"q": "Robert"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert "<html" in response.content.decode()


def test_odd_input_in_the_search_box_is_harmless(as_worker, client_record, case):
    for query in ["Robert\x00Smith", "%_'; DROP TABLE clients_client; --", "x" * 5000, "Ünïcödé 名前"]:
        response = as_worker.get(URL, {"q": query})
        assert response.status_code == 200
    assert AuditEvent.objects.filter(action="client.search").count() == 4
    assert all("\x00" not in event.changes["query"] for event in AuditEvent.objects.filter(action="client.search"))


def test_search_page_has_a_labelled_live_search_box(as_worker):
    html = as_worker.get(URL).content.decode()

    assert '<label for="id_q">' in html
    assert 'id="id_q"' in html and "autofocus" in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert f'hx-get="{URL}"' in html
    assert 'method="get"' in html  # works without JavaScript too


@pytest.mark.parametrize("fixture_name", ["auditor", "admin_user"])
def test_auditors_and_administrators_get_404_on_search(login, request, fixture_name, client_record, case):
    http = login(request.getfixturevalue(fixture_name))

    response = http.get(URL, {"q": "Robert Smith"})

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="client.search").exists()


def test_search_requires_sign_in(client, db):
    response = client.get(URL, {"q": "Robert"})

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def _clients_with_open_cases(n, *, agency, program, worker):
    for index in range(n):
        person = ClientFactory(agency=agency, legal_first_name="Robert", legal_last_name=f"Smith{index}")
        CaseFactory(client=person, program=program, primary_worker=worker, team=worker.team, status=CaseStatus.ACTIVE)


def test_search_query_count_does_not_grow_with_the_number_of_results(as_worker, worker, agency, program):
    _clients_with_open_cases(2, agency=agency, program=program, worker=worker)
    as_worker.get(URL, {"q": "Robert"})  # warm the session
    with count_queries() as few:
        response = as_worker.get(URL, {"q": "Robert"})
    assert len(response.context["rows"]) == 2

    _clients_with_open_cases(8, agency=agency, program=program, worker=worker)
    with count_queries() as many:
        response = as_worker.get(URL, {"q": "Robert"})
    assert len(response.context["rows"]) == 10

    assert len(many.captured_queries) == len(few.captured_queries)
