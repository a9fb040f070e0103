"""Edit a client: versioned saves, conflicts shown with what changed, the SSN left alone when blank."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.clients import services
from casework.clients.models import Client
from casework.core import crypto


def _url(client):
    return reverse("clients:edit", args=[client.pk])


def _form_data(client, **overrides):
    data = {name: getattr(client, name) for name in services.CLIENT_FIELDS}
    data["date_of_birth"] = str(client.date_of_birth or "")
    data["interpreter_needed"] = "on" if client.interpreter_needed else ""
    data["version"] = client.version
    data["ssn"] = ""
    data.update(overrides)
    return {key: ("" if value is None else value) for key, value in data.items()}


@pytest.fixture
def with_ssn(client_record):
    client_record.ssn_encrypted = crypto.encrypt("501234589")
    client_record.ssn_last4 = "4589"
    client_record.save()
    client_record.refresh_from_db()
    return client_record


def test_worker_sees_the_edit_form_with_current_values_and_version(as_worker, with_ssn, case):
    response = as_worker.get(_url(with_ssn))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Robert"' in html
    assert 'value="1980-02-03"' in html
    assert 'name="version" value="1"' in html
    assert "***-**-4589" in html
    assert "501-23-4589" not in html


def test_worker_saves_changes_and_the_version_moves_on(as_worker, worker, client_record, case):
    response = as_worker.post(_url(client_record), _form_data(client_record, preferred_name="Bobby", city="Peoria"))

    assert response.status_code == 302
    client_record.refresh_from_db()
    assert (client_record.preferred_name, client_record.city, client_record.version) == ("Bobby", "Peoria", 2)
    event = AuditEvent.objects.get(action="client.update")
    assert event.changes["preferred_name"] == ["", "Bobby"]


def test_a_stale_edit_shows_the_conflict_and_does_not_overwrite(as_worker, worker, supervisor, client_record, case):
    stale = _form_data(client_record, phone="555-999-0000", city="Peoria")
    services.client_update(actor=supervisor, client=client_record, expected_version=1, data={"phone": "555-777-1234"})

    response = as_worker.post(_url(client_record), stale)

    assert response.status_code == 409
    html = response.content.decode()
    assert "someone else changed this client" in html
    assert "555-201-3344" in html and "555-777-1234" in html  # was / now
    assert "sup@example.org" in html  # who
    assert 'value="555-999-0000"' in html  # the user's input is kept
    assert 'value="Peoria"' in html
    assert 'name="version" value="2"' in html
    client_record.refresh_from_db()
    assert (client_record.phone, client_record.city, client_record.version) == ("555-777-1234", "", 2)
    assert AuditEvent.objects.filter(action="client.update").count() == 1


def test_saving_again_after_the_conflict_replaces_the_newer_version(as_worker, supervisor, client_record, case):
    services.client_update(actor=supervisor, client=client_record, expected_version=1, data={"phone": "555-777-1234"})
    as_worker.post(_url(client_record), _form_data(client_record, version=1, phone="555-999-0000"))

    response = as_worker.post(_url(client_record), _form_data(client_record, version=2, phone="555-999-0000"))

    assert response.status_code == 302
    client_record.refresh_from_db()
    assert (client_record.phone, client_record.version) == ("555-999-0000", 3)


def test_blank_ssn_leaves_it_unchanged(as_worker, with_ssn, case):
    as_worker.post(_url(with_ssn), _form_data(with_ssn, city="Peoria"))

    with_ssn.refresh_from_db()
    assert with_ssn.city == "Peoria"
    assert crypto.decrypt(with_ssn.ssn_encrypted) == "501234589"


def test_a_new_ssn_replaces_the_old_one(as_worker, with_ssn, case):
    as_worker.post(_url(with_ssn), _form_data(with_ssn, ssn="234-56-7890"))

    with_ssn.refresh_from_db()
    assert with_ssn.ssn_last4 == "7890"
    assert AuditEvent.objects.get(action="client.update").changes["ssn"] == ["***-**-4589", "***-**-7890"]


def test_remove_ssn_clears_it(as_worker, with_ssn, case):
    as_worker.post(_url(with_ssn), _form_data(with_ssn, remove_ssn="on"))

    with_ssn.refresh_from_db()
    assert (with_ssn.ssn_encrypted, with_ssn.ssn_last4) == ("", "")


def test_typing_an_ssn_and_ticking_remove_is_refused(as_worker, with_ssn, case):
    response = as_worker.post(_url(with_ssn), _form_data(with_ssn, ssn="234-56-7890", remove_ssn="on"))

    assert "Either type a new number or remove it, not both." in response.content.decode()
    with_ssn.refresh_from_db()
    assert with_ssn.ssn_last4 == "4589"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "1980-02-31", "Enter a valid date."),
        ("postal_code", "ABCDE", "Enter a 5-digit ZIP code"),
        ("ssn", "12345", "Enter a valid 9-digit Social Security number"),
        ("email", "not-an-email", "Enter a valid email address."),
    ],
)
def test_bad_input_on_edit_shows_the_message_and_changes_nothing(as_worker, client_record, case, field, value, message):
    response = as_worker.post(_url(client_record), _form_data(client_record, city="Peoria", **{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    client_record.refresh_from_db()
    assert (client_record.city, client_record.version) == ("", 1)


def test_unchanged_save_keeps_the_version(as_worker, client_record, case):
    response = as_worker.post(_url(client_record), _form_data(client_record))

    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.version == 1
    assert not AuditEvent.objects.filter(action="client.update").exists()


@pytest.mark.parametrize("fixture_name", ["as_colleague", "as_outsider"])
def test_others_cannot_see_or_edit_the_client(request, fixture_name, client_record, case):
    http = request.getfixturevalue(fixture_name)
    before = Client.objects.values().get(pk=client_record.pk)

    assert http.get(_url(client_record)).status_code == 404
    assert http.post(_url(client_record), _form_data(client_record, legal_last_name="Jones")).status_code == 404

    assert Client.objects.values().get(pk=client_record.pk) == before
    assert not AuditEvent.objects.filter(action__in=["client.view", "client.update"]).exists()


@pytest.mark.parametrize("fixture_name", ["auditor", "admin_user"])
def test_auditors_and_administrators_cannot_edit(login, request, fixture_name, client_record, case):
    http = login(request.getfixturevalue(fixture_name))

    response = http.post(_url(client_record), _form_data(client_record, legal_last_name="Jones"))

    assert response.status_code == 404
    client_record.refresh_from_db()
    assert client_record.legal_last_name == "Smith"
