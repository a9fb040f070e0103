"""My caseload: who sees what, sorting, filtering, htmx partial, audit and a query count that does not grow."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from casework.accounts.models import Program
from casework.audit.models import AuditEvent
from casework.cases.models import Acuity, CaseStatus
from casework.notes.models import NoteStatus
from casework.safety.tests.helpers import flag_case, given, schedule
from casework.testing import CaseFactory, ClientFactory, NoteFactory, count_queries

URL = reverse("cases:caseload")


def _case_for(worker, program, first, last, **kwargs):
    client = ClientFactory(
        agency=worker.agency,
        created_by=worker,
        legal_first_name=first,
        legal_last_name=last,
        date_of_birth=datetime.date(1970, 1, 1),
    )
    return CaseFactory(client=client, program=program, primary_worker=worker, team=worker.team, **kwargs)


def _names_in_order(html, names):
    return sorted(names, key=html.index)


def test_worker_sees_their_caseload(as_worker, worker, case, note):
    response = as_worker.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Robert Smith" in html
    assert reverse("clients:detail", args=[case.client_id]) in html
    assert reverse("cases:detail", args=[case.pk]) in html
    assert "Adult Mental Health" in html
    assert "badge-active" in html
    assert "1980-02-03" in html
    assert note.contact_date.isoformat() in html
    assert 'data-label="Due next"' in html


def test_colleague_and_outsider_do_not_see_the_workers_cases(as_colleague, as_outsider, case):
    for http in (as_colleague, as_outsider):
        response = http.get(URL)
        assert response.status_code == 200
        assert "Robert Smith" not in response.content.decode()


def test_signed_out_visitor_is_sent_to_sign_in(client, case):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_caseload_view_is_audited_once_with_the_cases_shown(as_worker, worker, case, program):
    other = _case_for(worker, program, "Ann", "Baker")

    as_worker.get(URL)

    events = AuditEvent.objects.filter(action="caseload.view", actor=worker)
    assert events.count() == 1
    assert sorted(events.get().changes["cases"]) == sorted([case.pk, other.pk])


def test_due_next_shows_overdue_contact_in_red(as_worker, case, program):
    case.opened_at = timezone.now() - datetime.timedelta(days=90)
    case.save()

    html = as_worker.get(URL).content.decode()

    assert 'class="overdue"' in html
    assert "Contact overdue" in html


def test_draft_notes_are_counted_and_come_first_in_due_label(as_worker, case):
    NoteFactory(case=case, status=NoteStatus.DRAFT)
    NoteFactory(case=case, status=NoteStatus.DRAFT)

    html = as_worker.get(URL).content.decode()

    assert "Sign 2 draft notes" in html


def test_sorting_by_name_both_ways(as_worker, worker, program):
    _case_for(worker, program, "Zoe", "Young")
    _case_for(worker, program, "Amy", "Adams")
    _case_for(worker, program, "Mia", "Moore")

    ascending = as_worker.get(URL, {"sort": "name"}).content.decode()
    descending = as_worker.get(URL, {"sort": "name", "dir": "desc"}).content.decode()

    assert _names_in_order(ascending, ["Zoe Young", "Amy Adams", "Mia Moore"]) == [
        "Amy Adams",
        "Mia Moore",
        "Zoe Young",
    ]
    assert _names_in_order(descending, ["Zoe Young", "Amy Adams", "Mia Moore"]) == [
        "Zoe Young",
        "Mia Moore",
        "Amy Adams",
    ]
    assert 'aria-sort="descending"' in descending


def test_sort_header_link_reverses_the_current_sort_and_keeps_filters(as_worker, worker, program):
    _case_for(worker, program, "Amy", "Adams")

    html = as_worker.get(URL, {"sort": "name", "q": "ada"}).content.decode()

    assert "?sort=name&amp;q=ada&amp;dir=desc" in html or "?q=ada&amp;sort=name&amp;dir=desc" in html


def test_closed_cases_are_hidden_by_default_and_shown_by_status_filter(as_worker, worker, program):
    _case_for(worker, program, "Open", "Olsen")
    _case_for(worker, program, "Closed", "Carter", status=CaseStatus.CLOSED)

    default = as_worker.get(URL).content.decode()
    closed = as_worker.get(URL, {"status": "closed"}).content.decode()
    everything = as_worker.get(URL, {"status": "all"}).content.decode()

    assert "Olsen" in default and "Carter" not in default
    assert "Carter" in closed and "Olsen" not in closed
    assert "Carter" in everything and "Olsen" in everything


def test_filter_by_program_and_name(as_worker, worker, agency, program):
    home_care = Program.objects.create(agency=agency, name="Older Adults Home Care")
    _case_for(worker, program, "Amy", "Adams")
    _case_for(worker, home_care, "Bob", "Brown")

    by_program = as_worker.get(URL, {"program": home_care.pk}).content.decode()
    by_name = as_worker.get(URL, {"q": "adams"}).content.decode()

    assert "Brown" in by_program and "Adams" not in by_program
    assert "Adams" in by_name and "Brown" not in by_name


def test_invalid_filters_fall_back_to_defaults(as_worker, case):
    response = as_worker.get(URL, {"status": "bogus", "program": "abc", "sort": "x", "dir": "sideways"})

    assert response.status_code == 200
    assert "Robert Smith" in response.content.decode()


def test_htmx_request_renders_only_the_table(as_worker, case):
    response = as_worker.get(URL, {"q": "smith"}, headers={"HX-Request": "true", "HX-Target": "caseload-table"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="caseload-table"' in html
    assert "Robert Smith" in html
    assert 'hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]


def test_filter_form_is_a_plain_get_form_enhanced_by_htmx(as_worker, case):
    html = as_worker.get(URL).content.decode()

    assert 'method="get"' in html
    assert 'hx-get="/cases/caseload/"' in html
    assert 'hx-push-url="true"' in html
    assert 'hx-target="#caseload-table"' in html


def _make_cases(worker, program, n):
    for i in range(n):
        case = _case_for(worker, program, f"First{i}", f"Last{i}", acuity=Acuity.HIGH)
        NoteFactory(case=case)
        flag_case(case)
        given(case, on=timezone.now() - datetime.timedelta(days=100))


def _caseload_queries(http):
    http.get(URL)  # the first request of a session writes it; measure a steady one
    with count_queries() as queries:
        response = http.get(URL)
    assert response.status_code == 200
    return len(queries), response.content.decode().count("<tr>") - 1


def test_caseload_query_count_is_the_same_for_3_and_30_cases(login, worker, program):
    http = login(worker)
    schedule(program, "phq9")
    _make_cases(worker, program, 3)
    few_queries, few_rows = _caseload_queries(http)
    _make_cases(worker, program, 27)
    many_queries, many_rows = _caseload_queries(http)
    html = http.get(URL).content.decode()

    assert (few_rows, many_rows) == (3, 30)
    assert few_queries == many_queries
    # Every row shows its at-risk badge, urgent task and overdue PHQ-9.
    assert html.count(">At risk</a>") == 30
    assert html.count("Complete a safety assessment / safety plan today") == 30
    assert html.count("PHQ-9 overdue") == 30


def test_name_sort_ignores_accents(as_worker, worker, program):
    _case_for(worker, program, "Ana", "Zapata")
    _case_for(worker, program, "José", "Ñúñez")
    _case_for(worker, program, "Mia", "Moore")

    html = as_worker.get(URL, {"sort": "name"}).content.decode()

    assert _names_in_order(html, ["Ana Zapata", "José Ñúñez", "Mia Moore"]) == ["Mia Moore", "José Ñúñez", "Ana Zapata"]


def test_form_triggered_htmx_request_leaves_the_sort_fields_alone(as_worker, case):
    headers = {"HX-Request": "true", "HX-Target": "caseload-table", "HX-Trigger": "caseload-filters"}

    html = as_worker.get(URL, {"sort": "name"}, headers=headers).content.decode()

    assert "hx-swap-oob" not in html
    assert "Robert Smith" in html


def test_sort_and_order_are_in_the_filter_form_for_small_screens(as_worker, case):
    html = as_worker.get(URL, {"sort": "program", "dir": "desc"}).content.decode()

    assert '<option value="program" selected>' in html
    assert '<option value="desc" selected>' in html
