"""Registering and editing clients: validation, the encrypted SSN, versions, identifiers, support network."""

import datetime
import json

import pytest
from django.db import connection
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.audit.services import REDACTED
from casework.clients import services
from casework.clients.models import Client, ClientIdentifier, SupportContact, validate_birth_date
from casework.core import crypto
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict

VALID = {"legal_first_name": "Ana", "legal_last_name": "Lopez", "date_of_birth": "1985-04-05"}


def _last_event():
    return AuditEvent.objects.latest("id")


# --- Create ---------------------------------------------------------------------------------


def test_create_registers_the_client_and_audits_it(worker):
    client = services.client_create(actor=worker, data={**VALID, "phone": "(555) 123-4567", "postal_code": "60601"})
    client.refresh_from_db()
    assert (client.agency_id, client.created_by_id, client.version) == (worker.agency_id, worker.pk, 1)
    assert client.date_of_birth == datetime.date(1985, 4, 5)
    assert (client.first_name_key, client.last_name_key, client.phone_digits) == ("ana", "lopez", "5551234567")
    event = _last_event()
    assert (event.action, event.client_id, event.actor_id) == ("client.create", client.pk, worker.pk)
    assert event.changes["legal_last_name"] == [None, "Lopez"]


def _tomorrow():
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def _years_ago(years):
    today = timezone.localdate()
    return datetime.date(today.year - years, 1, 1).isoformat()


@pytest.mark.parametrize(
    ("data", "ssn", "field"),
    [
        ({**VALID, "date_of_birth": "2999-01-01"}, None, "date_of_birth"),
        ({**VALID, "date_of_birth": "tomorrow"}, None, "date_of_birth"),
        ({**VALID, "date_of_birth": "1980-02-30"}, None, "date_of_birth"),
        ({**VALID, "postal_code": "1234"}, None, "postal_code"),
        ({**VALID, "postal_code": "ABCDE"}, None, "postal_code"),
        ({**VALID, "phone": "call me maybe"}, None, "phone"),
        ({**VALID, "phone": "ext ext ext"}, None, "phone"),
        ({**VALID, "phone": "12"}, None, "phone"),
        ({**VALID, "email": "not-an-email"}, None, "email"),
        ({**VALID, "legal_last_name": ""}, None, "legal_last_name"),
        ({**VALID, "legal_first_name": "x" * 101}, None, "legal_first_name"),
        ({**VALID, "sex": "robot"}, None, "sex"),
        ({**VALID, "favourite_colour": "blue"}, None, "favourite_colour"),
        ({**VALID, "agency": 99}, None, "agency"),
        (VALID, "000-12-3456", "ssn"),
        (VALID, "666-12-3456", "ssn"),
        (VALID, "123-00-4567", "ssn"),
        (VALID, "123-45-0000", "ssn"),
        (VALID, "12345678", "ssn"),
        (VALID, "123-45-67890", "ssn"),
        (VALID, "12a-45-6789", "ssn"),
    ],
)
def test_create_refuses_bad_input_with_a_field_error_and_saves_nothing(worker, data, ssn, field):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as failure:
        services.client_create(actor=worker, data=data, ssn=ssn)
    assert field in failure.value.errors
    assert failure.value.errors[field][0]
    assert Client.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_create_refuses_birth_dates_in_the_future_and_older_than_125_years(worker):
    for dob in (_tomorrow(), _years_ago(130)):
        with pytest.raises(ValidationFailed) as failure:
            services.client_create(actor=worker, data={**VALID, "date_of_birth": dob})
        assert "date_of_birth" in failure.value.errors
    assert not Client.objects.exists()
    assert services.client_create(actor=worker, data={**VALID, "date_of_birth": _years_ago(110)}).pk


def test_birth_date_check_works_on_the_29th_of_february(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2028, 2, 29))
    validate_birth_date(datetime.date(1950, 1, 1))
    with pytest.raises(Exception, match="125 years"):
        validate_birth_date(datetime.date(1900, 1, 1))


def test_create_with_a_bad_identifier_saves_nothing(worker):
    with pytest.raises(ValidationFailed) as failure:
        services.client_create(actor=worker, data=VALID, identifiers=[{"kind": "mrn", "value": "<script>"}])
    assert "value" in failure.value.errors
    assert not Client.objects.exists()
    assert not ClientIdentifier.objects.exists()


def test_auditors_and_administrators_cannot_register_clients(auditor, admin_user):
    for user in (auditor, admin_user):
        with pytest.raises(PermissionDenied):
            services.client_create(actor=user, data=VALID)
    assert not Client.objects.exists()


def test_a_repeated_submission_returns_the_first_client(worker):
    first = services.client_create(actor=worker, data=VALID, submission_key="form-token-1")
    second = services.client_create(actor=worker, data=VALID, submission_key="form-token-1")
    assert first.pk == second.pk
    assert Client.objects.count() == 1
    assert AuditEvent.objects.filter(action="client.create").count() == 1
    third = services.client_create(actor=worker, data=VALID, submission_key="form-token-2")
    assert third.pk != first.pk


# --- SSN ------------------------------------------------------------------------------------


def test_ssn_is_stored_encrypted_and_shown_masked(worker):
    client = services.client_create(actor=worker, data=VALID, ssn="123-45-6789")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM clients_client WHERE id = %s", [client.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert "123456789" not in row
    assert "123-45-6789" not in row
    client.refresh_from_db()
    assert client.ssn_last4 == "6789"
    assert client.ssn_masked == "***-**-6789"
    assert crypto.decrypt(client.ssn_encrypted) == "123456789"
    assert "123456789" not in json.dumps(_last_event().changes)
    assert _last_event().changes["ssn"] == ["", "***-**-6789"]


def test_revealing_the_ssn_needs_a_reason_and_is_audited(worker):
    client = services.client_create(actor=worker, data=VALID, ssn="123456789")
    events = AuditEvent.objects.count()
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as failure:
            services.client_reveal_ssn(actor=worker, client=client, reason=reason)
        assert "reason" in failure.value.errors
    assert AuditEvent.objects.count() == events

    assert services.client_reveal_ssn(actor=worker, client=client, reason="Medicaid application") == "123456789"
    event = _last_event()
    assert (event.action, event.client_id, event.reason) == ("client.reveal_ssn", client.pk, "Medicaid application")
    assert "123456789" not in json.dumps(event.changes)


def test_auditors_cannot_reveal_the_ssn(worker, auditor):
    client = services.client_create(actor=worker, data=VALID, ssn="123456789")
    with pytest.raises(PermissionDenied):
        services.client_reveal_ssn(actor=auditor, client=client, reason="Curious")


# --- Update ---------------------------------------------------------------------------------


def test_update_saves_changes_bumps_the_version_and_audits_changed_fields_only(worker):
    client = services.client_create(actor=worker, data={**VALID, "phone": "555-111-2222"})
    updated = services.client_update(
        actor=worker,
        client=client,
        expected_version=1,
        data={"phone": "555-333-4444", "legal_first_name": "Ana"},
        ssn="123-45-6789",
    )
    assert updated.version == 2
    client.refresh_from_db()
    assert (client.phone, client.phone_digits, client.version) == ("555-333-4444", "5553334444", 2)
    event = _last_event()
    assert event.action == "client.update"
    assert event.changes == {
        "phone": ["555-111-2222", "555-333-4444"],
        "ssn": ["", "***-**-6789"],
        "version": [1, 2],
    }


def test_income_is_audited_as_changed_never_as_the_amount(worker):
    client = services.client_create(
        actor=worker, data={**VALID, "household_size": 3, "annual_household_income": 48250, "county": "Cook"}
    )
    created = _last_event()
    assert created.changes["annual_household_income"] == [None, REDACTED]
    assert (created.changes["household_size"], created.changes["county"]) == ([None, 3], [None, "Cook"])
    services.client_update(actor=worker, client=client, expected_version=1, data={"annual_household_income": 0})
    assert _last_event().changes["annual_household_income"] == [REDACTED, REDACTED]
    services.client_update(actor=worker, client=client, expected_version=2, data={"annual_household_income": None})
    assert _last_event().changes["annual_household_income"] == [REDACTED, None]
    client.refresh_from_db()
    assert (client.annual_household_income, client.version) == (None, 3)
    rows = [
        json.dumps([event.changes, event.reason, event.object_id])
        for event in AuditEvent.objects.filter(client_id=client.pk)
    ]
    assert len(rows) == 3
    assert not [row for row in rows if "48250" in row or '"0"' in row or ", 0]" in row]


def test_update_without_changes_writes_nothing(worker):
    client = services.client_create(actor=worker, data=VALID)
    events = AuditEvent.objects.count()
    services.client_update(actor=worker, client=client, expected_version=1, data={"legal_first_name": " Ana "})
    client.refresh_from_db()
    assert client.version == 1
    assert AuditEvent.objects.count() == events


def test_update_over_a_newer_version_is_refused_with_the_other_changes(worker, supervisor):
    client = services.client_create(actor=worker, data={**VALID, "phone": "555-111-2222"})
    services.client_update(actor=supervisor, client=client, expected_version=1, data={"phone": "555-999-8888"})
    with pytest.raises(VersionConflict) as conflict:
        services.client_update(actor=worker, client=client, expected_version=1, data={"legal_last_name": "Lopes"})
    assert conflict.value.current_version == 2
    assert conflict.value.changes == [
        {
            "field": "phone",
            "old": "555-111-2222",
            "new": "555-999-8888",
            "by": supervisor.email,
            "at": conflict.value.changes[0]["at"],
        }
    ]
    client.refresh_from_db()
    assert (client.legal_last_name, client.phone, client.version) == ("Lopez", "555-999-8888", 2)
    assert AuditEvent.objects.filter(action="client.update").count() == 1


def test_update_refuses_bad_input_and_changes_nothing(worker):
    client = services.client_create(actor=worker, data=VALID)
    for data in ({"date_of_birth": _tomorrow()}, {"email": "nope"}, {"created_by": 1}, {"postal_code": "9"}):
        with pytest.raises(ValidationFailed):
            services.client_update(actor=worker, client=client, expected_version=1, data={"city": "Chicago", **data})
    with pytest.raises(ValidationFailed):
        services.client_update(actor=worker, client=client, expected_version=1, data={"city": "Chicago"}, ssn="1")
    client.refresh_from_db()
    assert (client.city, client.version) == ("", 1)


def test_clearing_the_ssn_is_audited_masked(worker):
    client = services.client_create(actor=worker, data=VALID, ssn="123-45-6789")
    services.client_update(actor=worker, client=client, expected_version=1, data={}, ssn="")
    client.refresh_from_db()
    assert (client.ssn_encrypted, client.ssn_last4) == ("", "")
    assert _last_event().changes["ssn"] == ["***-**-6789", ""]


# --- Identifiers -----------------------------------------------------------------------------


def test_identifiers_can_be_added_and_removed_with_a_reason(worker):
    client = services.client_create(actor=worker, data=VALID, identifiers=[{"kind": "mrn", "value": "MRN-12345"}])
    identifier = client.identifiers.get()
    assert identifier.value_key == "mrn12345"

    with pytest.raises(ValidationFailed):
        services.identifier_add(actor=worker, client=client, kind="mrn", value="mrn 12345")
    with pytest.raises(ValidationFailed) as failure:
        services.identifier_add(actor=worker, client=client, kind="passport", value="X1")
    assert "kind" in failure.value.errors
    medicaid = services.identifier_add(actor=worker, client=client, kind="medicaid", value="AB123456C", issuer="IL")
    assert client.identifiers.count() == 2

    with pytest.raises(ValidationFailed):
        services.identifier_remove(actor=worker, identifier=medicaid, reason="")
    services.identifier_remove(actor=worker, identifier=medicaid, reason="Typed the wrong number")
    assert list(client.identifiers.all()) == [identifier]
    event = _last_event()
    assert (event.action, event.reason) == ("client.identifier_remove", "Typed the wrong number")
    assert event.changes == {"kind": ["medicaid", None], "value": ["AB123456C", None]}


# --- Support network --------------------------------------------------------------------------


def test_support_contacts_are_added_updated_and_removed_but_kept(worker):
    client = services.client_create(actor=worker, data=VALID)
    contact = services.support_contact_add(
        actor=worker,
        client=client,
        data={"name": "Rosa Lopez", "relationship": "parent", "phone": "555-222-3333", "is_emergency_contact": True},
    )
    assert _last_event().action == "client.contact_add"

    with pytest.raises(ValidationFailed) as failure:
        services.support_contact_add(actor=worker, client=client, data={"name": "", "relationship": "parent"})
    assert "name" in failure.value.errors
    with pytest.raises(ValidationFailed):
        services.support_contact_add(actor=worker, client=client, data={"name": "X", "relationship": "boss"})
    with pytest.raises(ValidationFailed):
        services.support_contact_update(actor=worker, contact=contact, data={"email": "not-an-email"})
    assert client.support_contacts.count() == 1

    services.support_contact_update(actor=worker, contact=contact, data={"phone": "555-777-8888"})
    contact.refresh_from_db()
    assert contact.phone == "555-777-8888"
    assert _last_event().changes == {"phone": ["555-222-3333", "555-777-8888"]}

    services.support_contact_remove(actor=worker, contact=contact)
    contact.refresh_from_db()
    assert contact.is_active is False
    assert SupportContact.objects.filter(pk=contact.pk).exists()
    assert _last_event().action == "client.contact_remove"


def test_auditors_cannot_change_the_support_network(worker, auditor):
    client = services.client_create(actor=worker, data=VALID)
    with pytest.raises(PermissionDenied):
        services.support_contact_add(actor=auditor, client=client, data={"name": "X", "relationship": "parent"})
    assert not SupportContact.objects.exists()


# --- Grants and emergency access --------------------------------------------------------------


def test_only_supervisors_and_directors_grant_access_to_staff_of_the_same_agency(
    worker, colleague, supervisor, outsider
):
    client = services.client_create(actor=worker, data=VALID)
    with pytest.raises(PermissionDenied):
        services.access_grant_create(actor=worker, client=client, user=colleague, reason="Covering")
    with pytest.raises(ValidationFailed):
        services.access_grant_create(actor=supervisor, client=client, user=outsider, reason="Covering")
    with pytest.raises(ValidationFailed):
        services.access_grant_create(actor=supervisor, client=client, user=colleague, reason=" ")
    past = timezone.now() - datetime.timedelta(days=1)
    with pytest.raises(ValidationFailed):
        services.access_grant_create(
            actor=supervisor, client=client, user=colleague, reason="Covering", expires_at=past
        )
    assert not client.access_grants.exists()


def test_break_the_glass_needs_a_real_reason(worker, colleague):
    client = services.client_create(actor=worker, data=VALID)
    for reason in ("", "urgent"):
        with pytest.raises(ValidationFailed):
            services.break_glass_open(actor=colleague, client_id=client.pk, reason=reason)
    assert not client.break_glass_accesses.exists()
