"""The auditor's page: who may open it, what it shows, filters, pagination and chain verification."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from casework.accounts.models import Role
from casework.audit.models import AuditEvent
from casework.audit.services import audit_record
from casework.clients import services as client_services
from casework.core.request_context import RequestInfo, reset_request_info, set_request_info
from casework.notes import services as note_services
from casework.testing import ClientFactory, UserFactory, count_queries

URL = reverse("audit:index")
VERIFY_URL = reverse("audit:verify")


def _events_url(client, **params):
    query = "&".join(f"{key}={value}" for key, value in {"client": client.pk, **params}.items())
    return f"{URL}?{query}"


@pytest.fixture
def registered(worker, login):
    """A client registered by the worker from 203.0.113.7 and then opened from the same address."""
    token = set_request_info(RequestInfo(ip_address="203.0.113.7", user_agent="Firefox"))
    try:
        client = client_services.client_create(
            actor=worker,
            data={"legal_first_name": "Dolores", "legal_last_name": "Haze", "date_of_birth": "1971-07-01"},
            ssn="219-09-9999",
        )
    finally:
        reset_request_info(token)
    response = login(worker).get(reverse("clients:detail", args=[client.pk]), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    return client


def test_auditor_sees_who_created_and_viewed_the_client(as_auditor, registered, worker, auditor):
    response = as_auditor.get(_events_url(registered))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Registered the client" in page
    assert "Viewed the client&#x27;s record" in page or "Viewed the client's record" in page
    assert worker.email in page
    assert worker.full_name in page
    assert page.count("203.0.113.7") >= 2
    assert "Dolores" in page
    assert "***-**-9999" in page
    assert "219-09-9999" not in page and "219099999" not in page
    # Times in the agency's zone (America/Chicago) and in UTC.
    assert "UTC" in page
    assert ("CDT" in page) or ("CST" in page)
    rows = [row for row in response.context["rows"]]
    assert [row["event"].action for row in rows] == ["audit.view", "client.view", "client.create"]
    view_event = AuditEvent.objects.filter(action="audit.view").get()
    assert (view_event.actor, view_event.client_id) == (auditor, registered.pk)


def test_changes_are_listed_old_to_new(as_auditor, registered, worker):
    client_services.client_update(actor=worker, client=registered, expected_version=1, data={"city": "Ramsdale"})
    page = as_auditor.get(_events_url(registered)).content.decode()
    assert "Changed the client&#x27;s details" in page or "Changed the client's details" in page
    assert "<strong>city</strong>: — → Ramsdale" in page
    assert "<strong>version</strong>: 1 → 2" in page


def test_flagged_events_and_reasons_show(as_auditor, registered, colleague):
    client_services.break_glass_open(
        actor=colleague, client_id=registered.pk, reason="Found unconscious at the shelter"
    )
    page = as_auditor.get(_events_url(registered)).content.decode()
    assert "Flagged" in page
    assert "Found unconscious at the shelter" in page


@pytest.mark.parametrize("user_fixture", ["worker", "colleague", "outsider", "admin_user", "supervisor", "director"])
def test_everyone_but_auditors_gets_404(request, login, registered, user_fixture):
    user = request.getfixturevalue(user_fixture)
    http = login(user)
    before = AuditEvent.objects.count()
    assert http.get(URL).status_code == 404
    assert http.get(_events_url(registered)).status_code == 404
    assert http.get(f"{URL}?q=Haze").status_code == 404
    assert http.post(VERIFY_URL).status_code == 404
    assert AuditEvent.objects.count() == before


def test_signed_out_visitors_are_sent_to_sign_in(client, registered):
    response = client.get(_events_url(registered))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_superusers_may_read_the_trail(login, registered, agency):
    root = UserFactory.create(agency=agency, role=Role.ADMINISTRATOR, is_superuser=True, is_staff=True)
    assert login(root).get(_events_url(registered)).status_code == 200


def test_auditor_of_another_agency_gets_404(login, registered):
    other_auditor = UserFactory.create(role=Role.AUDITOR)
    http = login(other_auditor)
    assert http.get(_events_url(registered)).status_code == 404
    page = http.get(f"{URL}?q=Haze").content.decode()
    assert "Dolores" not in page
    assert not AuditEvent.objects.filter(action="audit.view").exists()


def test_unknown_or_malformed_client_is_404(as_auditor):
    assert as_auditor.get(f"{URL}?client=999999").status_code == 404
    assert as_auditor.get(f"{URL}?client=abc").status_code == 404
    assert as_auditor.get(f"{URL}?client={'9' * 40}").status_code == 404


def test_auditor_finds_any_client_of_the_agency_by_name_or_record_number(as_auditor, registered, case, client_record):
    page = as_auditor.get(f"{URL}?q=haze").content.decode()
    assert "Dolores Haze" in page
    assert "1971-07-01" in page
    assert "Robert" not in page
    page = as_auditor.get(f"{URL}?q={client_record.pk}").content.decode()
    assert "Robert Smith" in page
    page = as_auditor.get(f"{URL}?q=Smyth").content.decode()
    assert "Robert Smith" in page
    page = as_auditor.get(f"{URL}?q=Nobody+Here").content.decode()
    assert "No client of your agency matches" in page


def test_the_lookup_shows_no_clinical_content(as_auditor, note, client_record):
    page = as_auditor.get(f"{URL}?q=Smith").content.decode()
    assert "Robert Smith" in page
    assert "Talked about housing" not in page
    assert "555-201-3344" not in page
    page = as_auditor.get(_events_url(client_record)).content.decode()
    assert "Talked about housing" not in page


def test_filters_by_action_actor_and_dates(as_auditor, registered, worker, supervisor):
    audit_record(actor=supervisor, action="client.view", client_id=registered.pk)
    response = as_auditor.get(_events_url(registered, action="client.create"))
    assert [row["event"].action for row in response.context["rows"]] == ["client.create"]

    response = as_auditor.get(_events_url(registered, actor="sup@"))
    assert {row["event"].actor for row in response.context["rows"]} == {supervisor}

    today = timezone.localdate(timezone=datetime.UTC)
    # The agency is in Chicago: "today" there covers every event just written.
    chicago_today = timezone.localtime(timezone.now(), timezone=zoneinfo.ZoneInfo("America/Chicago"))
    day = chicago_today.date().isoformat()
    response = as_auditor.get(_events_url(registered, date_from=day, date_to=day))
    assert len(response.context["rows"]) >= 4
    response = as_auditor.get(_events_url(registered, date_to=(today - datetime.timedelta(days=3)).isoformat()))
    assert response.context["rows"] == []
    response = as_auditor.get(_events_url(registered, date_from=(today + datetime.timedelta(days=3)).isoformat()))
    assert response.context["rows"] == []


def test_bad_filters_show_an_error_and_list_everything(as_auditor, registered):
    response = as_auditor.get(_events_url(registered, date_from="2024-02-30", date_to="2020-01-01", action="nope"))
    assert response.status_code == 200
    assert response.context["filters"].errors
    assert len(response.context["rows"]) >= 2


def test_events_are_paginated_fifty_a_page_newest_first(as_auditor, registered, worker):
    for _ in range(60):
        audit_record(actor=worker, action="client.view", client_id=registered.pk)
    first = as_auditor.get(_events_url(registered))
    rows = first.context["rows"]
    assert len(rows) == 50
    ids = [row["event"].pk for row in rows]
    assert ids == sorted(ids, reverse=True)
    assert "page=2" in first.content.decode()
    second = as_auditor.get(_events_url(registered, page=2))
    # Reading page 1 wrote one more event (the auditor's own view), so page 2 starts one event later.
    assert second.context["rows"][0]["event"].pk <= ids[-1]
    assert len(second.context["rows"]) == 64 - 50


def test_query_count_does_not_grow_with_the_number_of_events(as_auditor, agency, worker, colleague):
    few = ClientFactory.create(agency=agency, created_by=worker)
    many = ClientFactory.create(agency=agency, created_by=worker)
    for index in range(5):
        audit_record(actor=worker if index % 2 else colleague, action="client.view", client_id=few.pk, obj=few)
    for index in range(50):
        audit_record(actor=worker if index % 2 else colleague, action="client.view", client_id=many.pk, obj=many)
    as_auditor.get(_events_url(few))  # warm up the session
    with count_queries() as small:
        assert as_auditor.get(_events_url(few)).status_code == 200
    with count_queries() as large:
        assert as_auditor.get(_events_url(many)).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


def test_chain_status_shows_the_last_event_and_verifies(as_auditor, registered):
    last = AuditEvent.objects.latest("id")
    page = as_auditor.get(URL).content.decode()
    assert f"Last event: #{last.pk}" in page
    response = as_auditor.post(VERIFY_URL, {"client": registered.pk}, follow=True)
    assert response.redirect_chain[-1][0] == _events_url(registered)
    assert "Audit chain intact" in response.content.decode()
    assert AuditEvent.objects.filter(action="audit.verify").exists()


def test_chain_verification_answers_htmx_with_the_status_partial(as_auditor, registered):
    response = as_auditor.post(VERIFY_URL, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="chain-status"' in body
    assert "Intact." in body
    assert "<html" not in body


def test_chain_verification_reports_a_broken_chain(as_auditor, registered):
    event = AuditEvent.objects.filter(action="client.create").get()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks pending in this transaction would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
        cursor.execute("UPDATE audit_auditevent SET reason = 'tampered' WHERE id = %s", [event.pk])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    response = as_auditor.post(VERIFY_URL, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Broken." in body
    assert f"id {event.pk}" in body
    response = as_auditor.post(VERIFY_URL, follow=True)
    assert "Audit chain broken" in response.content.decode()


def test_verify_only_answers_post(as_auditor):
    assert as_auditor.get(VERIFY_URL).status_code == 405


def test_the_trail_names_changed_clinical_text_without_showing_it(as_auditor, worker, case, client_record):
    note = note_services.note_create(
        actor=worker,
        case=case,
        format="narrative",
        contact_type="phone",
        contact_date=timezone.localdate() - datetime.timedelta(days=1),
        duration_minutes=20,
        sections={"narrative": "Disclosed relapse last weekend."},
        sign=True,
    )
    note_services.note_add_addendum(actor=worker, note=note, text="Spoke to sponsor.")
    page = as_auditor.get(_events_url(client_record)).content.decode()
    assert "Wrote a progress note" in page
    assert "<strong>sections</strong>" in page
    assert "Disclosed relapse" not in page
    assert "Spoke to sponsor" not in page
