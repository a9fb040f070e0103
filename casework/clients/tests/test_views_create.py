"""Register a client: parsed by a form, written by client_create, nothing saved on error."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.clients.models import Client, ClientIdentifier
from casework.core import crypto

URL = reverse("clients:create")


def _post_data(**overrides):
    data = {
        "submission_key": uuid.uuid4().hex,
        "legal_first_name": "Maria",
        "legal_middle_name": "",
        "legal_last_name": "Gómez",
        "preferred_name": "Mari",
        "date_of_birth": "1990-07-14",
        "sex": "female",
        "gender_identity": "",
        "pronouns": "she/her",
        "primary_language": "Spanish",
        "interpreter_needed": "on",
        "phone": "555-300-1200",
        "email": "maria@example.org",
        "address_line1": "12 Elm Street",
        "address_line2": "",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "ssn": "123-45-6789",
        "identifier-0-kind": "medicaid",
        "identifier-0-value": "MC1234567",
        "identifier-1-kind": "",
        "identifier-1-value": "",
        "identifier-2-kind": "",
        "identifier-2-value": "",
    }
    data.update(overrides)
    return data


def test_worker_registers_a_client_with_ssn_and_identifiers(as_worker, worker):
    response = as_worker.post(URL, _post_data())

    client = Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[client.pk])
    assert client.legal_last_name == "Gómez"
    assert client.interpreter_needed is True
    assert client.created_by == worker
    assert client.ssn_last4 == "6789"
    assert crypto.decrypt(client.ssn_encrypted) == "123456789"
    assert "123456789" not in client.ssn_encrypted
    assert list(client.identifiers.values_list("kind", "value")) == [("medicaid", "MC1234567")]
    assert AuditEvent.objects.filter(action="client.create", client_id=client.pk).exists()
    # The new client is immediately visible to the worker who registered them.
    assert as_worker.get(response["Location"]).status_code == 200


def test_double_submit_with_the_same_key_creates_one_client(as_worker):
    data = _post_data()

    first = as_worker.post(URL, data)
    second = as_worker.post(URL, data)

    assert Client.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert ClientIdentifier.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "1990-02-30", "Enter a valid date."),
        ("date_of_birth", "2999-01-01", "Date of birth cannot be in the future."),
        ("postal_code", "1234", "Enter a 5-digit ZIP code (or ZIP+4)."),
        ("ssn", "123-45-678", "Enter a valid 9-digit Social Security number"),
        ("ssn", "000-12-3456", "Enter a valid 9-digit Social Security number"),
        ("phone", "call me", "Enter a phone number"),
        ("legal_last_name", "", "This field is required."),
        ("identifier-0-value", "MC<123>", "Use letters, digits, spaces, - . or /."),
    ],
)
def test_bad_input_shows_the_message_next_to_the_field_and_saves_nothing(as_worker, field, value, message):
    response = as_worker.post(URL, _post_data(**{field: value}))

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="field field-error' in html
    assert Client.objects.count() == 0
    assert ClientIdentifier.objects.count() == 0
    assert not AuditEvent.objects.filter(action="client.create").exists()
    # The user's other input is kept.
    assert 'value="Maria"' in html


def test_identifier_type_without_a_value_is_refused(as_worker):
    response = as_worker.post(URL, _post_data(**{"identifier-1-kind": "mrn"}))

    assert "Type the identifier" in response.content.decode()
    assert Client.objects.count() == 0


def test_the_same_identifier_twice_is_refused(as_worker):
    response = as_worker.post(URL, _post_data(**{"identifier-1-kind": "medicaid", "identifier-1-value": "MC1234567"}))

    assert "This identifier is listed twice." in response.content.decode()
    assert Client.objects.count() == 0


def test_form_carries_a_one_time_submission_key_and_labels(as_worker):
    first = as_worker.get(URL)
    second = as_worker.get(URL)

    key = first.context["form"].initial["submission_key"]
    assert uuid.UUID(key)
    assert key != second.context["form"].initial["submission_key"]
    html = first.content.decode()
    assert f'name="submission_key" value="{key}"' in html
    for name in ["legal_first_name", "date_of_birth", "ssn", "postal_code", "identifier-0-kind"]:
        assert f'for="id_{name}"' in html
    assert 'type="date"' in html


def test_form_is_prefilled_from_the_search(as_worker):
    response = as_worker.get(URL, {"name": "Zelda Anne Quarrington", "dob": "1975-06-30"})

    html = response.content.decode()
    assert 'value="Zelda"' in html
    assert 'value="Anne"' in html
    assert 'value="Quarrington"' in html
    assert 'value="1975-06-30"' in html


def test_prefill_understands_last_name_first_and_ignores_a_bad_date(as_worker):
    response = as_worker.get(URL, {"name": "Quarrington, Zelda", "dob": "30/06/1975"})

    initial = response.context["form"].initial
    assert initial["legal_first_name"] == "Zelda"
    assert initial["legal_last_name"] == "Quarrington"
    assert "date_of_birth" not in initial


@pytest.mark.parametrize("fixture_name", ["as_colleague", "as_outsider"])
def test_any_clinical_user_registers_clients_in_their_own_agency(request, fixture_name):
    http = request.getfixturevalue(fixture_name)
    user = http.get(URL).wsgi_request.user

    http.post(URL, _post_data())

    assert Client.objects.get().agency_id == user.agency_id


@pytest.mark.parametrize("fixture_name", ["auditor", "admin_user"])
def test_auditors_and_administrators_cannot_register_clients(login, request, fixture_name):
    http = login(request.getfixturevalue(fixture_name))

    assert http.get(URL).status_code == 404
    assert http.post(URL, _post_data()).status_code == 404
    assert Client.objects.count() == 0
