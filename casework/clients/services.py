"""Writing clients: register, edit, identifiers, support network, grants and break-the-glass."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.audit.selectors import changes_since
from casework.audit.services import REDACTED, audit_record, diff, snapshot
from casework.clients import permissions
from casework.clients.models import (
    AccessGrant,
    BreakGlassAccess,
    Client,
    ClientIdentifier,
    Consent,
    ConsentMethod,
    ConsentStatus,
    SupportContact,
)
from casework.core import crypto, text
from casework.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict
from casework.core.submissions import insert_once
from casework.core.validation import clean_or_raise, require_text

# Fields a user edits on the client form (the SSN goes through its own argument).
CLIENT_FIELDS = [
    "legal_first_name",
    "legal_middle_name",
    "legal_last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender_identity",
    "pronouns",
    "primary_language",
    "interpreter_needed",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "county",
    "household_size",
    "annual_household_income",
    "insurance",
]
# Client fields the audit log records as changed but never with their value: what a household earns.
AUDIT_REDACTED_FIELDS = ["annual_household_income"]
SUPPORT_CONTACT_FIELDS = ["name", "relationship", "phone", "email", "notes", "is_emergency_contact"]
_SSN_PATTERN = re.compile(r"^(?!000|666|9\d\d)\d{3}(?!00)\d{2}(?!0000)\d{4}$")
UNSET: Any = object()


def normalize_ssn(raw: str) -> str:
    """Nine digits of a valid SSN ("123-45-6789"), or a validation error."""
    value = text.digits(raw)
    if not _SSN_PATTERN.match(value) or len(re.sub(r"[\d\s-]", "", raw)) > 0:
        raise ValidationFailed(_("Enter a valid 9-digit Social Security number, like 123-45-6789."), field="ssn")
    return value


def _apply_ssn(client: Client, ssn: str | None) -> None:
    if ssn is None or ssn == "":
        client.ssn_encrypted = ""
        client.ssn_last4 = ""
        return
    value = normalize_ssn(ssn)
    client.ssn_encrypted = crypto.encrypt(value)
    client.ssn_last4 = value[-4:]


def _check_phone(value: Any) -> None:
    """The model's pattern allows the letters of "ext": a phone number also needs its digits."""
    if isinstance(value, str) and value.strip() and len(text.phone_digits(value)) < 7:
        raise ValidationFailed(_("Enter a phone number with at least 7 digits."), field="phone")


def _clean_data(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(CLIENT_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown field: %(field)s") % {"field": sorted(unknown)[0]}, field=sorted(unknown)[0])
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        cleaned[key] = value.strip() if isinstance(value, str) else value
    _check_phone(cleaned.get("phone"))
    return cleaned


def _redact_amounts(changes: dict[str, Any]) -> dict[str, Any]:
    """Income amounts are audited as changed (set, changed, cleared), never as the amount: zero neither."""
    for name in AUDIT_REDACTED_FIELDS:
        if name in changes:
            changes[name] = [None if value is None else REDACTED for value in changes[name]]
    return changes


def _audit_ssn_change(before_last4: str, after_last4: str) -> dict[str, list[str]]:
    """SSN changes are audited masked: never the number itself."""
    if before_last4 == after_last4:
        return {}
    mask = lambda last4: f"***-**-{last4}" if last4 else ""  # noqa: E731
    return {"ssn": [mask(before_last4), mask(after_last4)]}


@transaction.atomic
def client_create(
    *,
    actor: User,
    data: Mapping[str, Any],
    ssn: str | None = None,
    identifiers: list[Mapping[str, str]] | None = None,
    support_contacts: list[Mapping[str, Any]] | None = None,
    submission_key: str | None = None,
    duplicate_reason: str = "",
    certain_match_ids: list[int] | None = None,
    possible_match_ids: list[int] | None = None,
) -> Client:
    """Register a new client in the actor's agency; a repeated submission returns the first.

    Identifiers and support contacts are added with the client, and only then: a repeated
    submission adds nothing to the first one's client.

    When the worker registered the client despite "certain" matches, `certain_match_ids` and
    the worker's `duplicate_reason` are recorded in the audit event. Each certain or possible
    match registered over becomes a pair in the duplicate review queue.
    """
    if not permissions.can_register_clients(actor):
        raise PermissionDenied(_("Your role cannot register clients."))

    def earlier() -> Client | None:
        # Only the actor's own earlier submission is returned, never someone else's client.
        return Client.objects.filter(submission_key=submission_key, created_by=actor).first()

    if submission_key:
        existing = earlier()
        if existing is not None:
            return existing
    client = Client(agency=actor.agency, created_by=actor, submission_key=submission_key or None)
    for key, value in _clean_data(data).items():
        setattr(client, key, value)
    _apply_ssn(client, ssn)
    client.refresh_search_keys()
    clean_or_raise(client, exclude=["created_by", "agency"])
    try:
        client, inserted = insert_once(client, key=submission_key, earlier=earlier)
    except IntegrityError as exc:
        raise ValidationFailed(_("The client could not be saved; please try again.")) from exc
    if not inserted:  # a twin submission registered it meanwhile
        return client
    changes = _redact_amounts(diff({}, snapshot(client, CLIENT_FIELDS)))
    changes.update(_audit_ssn_change("", client.ssn_last4))
    if certain_match_ids:
        changes["certain_matches"] = [None, list(certain_match_ids)]
    if possible_match_ids:
        changes["possible_matches"] = [None, list(possible_match_ids)]
    audit_record(
        actor=actor,
        action="client.create",
        client_id=client.pk,
        obj=client,
        changes=changes,
        reason=(duplicate_reason or "").strip()[:1000],
    )
    for identifier in identifiers or []:
        identifier_add(
            actor=actor,
            client=client,
            kind=identifier.get("kind", ""),
            value=identifier.get("value", ""),
            issuer=identifier.get("issuer", ""),
        )
    for contact in support_contacts or []:
        support_contact_add(actor=actor, client=client, data=contact)
    if certain_match_ids or possible_match_ids:
        from casework.clients.duplicates import pairs_record_from_intake

        pairs_record_from_intake(client=client, other_ids=[*(certain_match_ids or []), *(possible_match_ids or [])])
    return client


@transaction.atomic
def client_update(
    *, actor: User, client: Client, expected_version: int, data: Mapping[str, Any], ssn: Any = UNSET
) -> Client:
    """Edit a client's details; refuse a save over a newer version with what changed meanwhile."""
    if not permissions.can_edit_client(actor):
        raise PermissionDenied(_("Your role cannot edit client details."))
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.version != expected_version:
        raise VersionConflict(
            _("Someone saved this client after you opened it. Review their changes, then make yours again."),
            current_version=locked.version,
            changes=changes_since(obj=locked, actions=["client.update"], versions=locked.version - expected_version),
        )
    before = snapshot(locked, CLIENT_FIELDS)
    before_last4 = locked.ssn_last4
    for key, value in _clean_data(data).items():
        setattr(locked, key, value)
    if ssn is not UNSET:
        _apply_ssn(locked, ssn)
    locked.refresh_search_keys()
    clean_or_raise(locked, exclude=["created_by", "agency", "submission_key"])
    changes = _redact_amounts(diff(before, snapshot(locked, CLIENT_FIELDS)))
    changes.update(_audit_ssn_change(before_last4, locked.ssn_last4))
    if not changes:
        return locked
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    changes["version"] = [expected_version, locked.version]
    audit_record(actor=actor, action="client.update", client_id=locked.pk, obj=locked, changes=changes)
    return locked


def client_reveal_ssn(*, actor: User, client: Client, reason: str) -> str:
    """Show the full SSN to a user who gives a reason; audited."""
    if not permissions.can_edit_client(actor):
        raise PermissionDenied(_("Your role cannot see full identifiers."))
    reason = require_text(reason, field="reason", message=_("Say why you need the full number."), max_length=500)
    with transaction.atomic():
        audit_record(actor=actor, action="client.reveal_ssn", client_id=client.pk, obj=client, reason=reason)
    return crypto.decrypt(client.ssn_encrypted)


@transaction.atomic
def identifier_add(*, actor: User, client: Client, kind: str, value: str, issuer: str = "") -> ClientIdentifier:
    """Add an identifier (MRN, Medicaid ID...) to a client."""
    if not permissions.can_edit_client(actor):
        raise PermissionDenied(_("Your role cannot edit client details."))
    identifier = ClientIdentifier(client=client, kind=kind, value=(value or "").strip(), issuer=(issuer or "").strip())
    identifier.value_key = text.identifier_key(identifier.value)
    clean_or_raise(identifier, exclude=["client"])
    if ClientIdentifier.objects.filter(client=client, kind=kind, value_key=identifier.value_key).exists():
        raise ValidationFailed(_("This client already has that identifier."), field="value")
    identifier.save()
    audit_record(
        actor=actor,
        action="client.identifier_add",
        client_id=client.pk,
        obj=identifier,
        changes={"kind": [None, kind], "value": [None, identifier.value]},
    )
    return identifier


@transaction.atomic
def identifier_remove(*, actor: User, identifier: ClientIdentifier, reason: str) -> None:
    """Remove a wrong identifier; the audit event keeps what it was."""
    if not permissions.can_edit_client(actor):
        raise PermissionDenied(_("Your role cannot edit client details."))
    reason = require_text(reason, field="reason", message=_("Say why the identifier is removed."), max_length=500)
    audit_record(
        actor=actor,
        action="client.identifier_remove",
        client_id=identifier.client_id,
        obj=identifier,
        reason=reason,
        changes={"kind": [identifier.kind, None], "value": [identifier.value, None]},
    )
    identifier.delete()


@transaction.atomic
def support_contact_add(*, actor: User, client: Client, data: Mapping[str, Any]) -> SupportContact:
    """Add someone to the client's support network."""
    if not permissions.can_edit_client(actor):
        raise PermissionDenied(_("Your role cannot edit client details."))
    contact = SupportContact(client=client)
    for key in SUPPORT_CONTACT_FIELDS:
        if key in data:
            value = data[key]
            setattr(contact, key, value.strip() if isinstance(value, str) else value)
    _check_phone(contact.phone)
    clean_or_raise(contact, exclude=["client"])
    contact.save()
    audit_record(
        actor=actor,
        action="client.contact_add",
        client_id=client.pk,
        obj=contact,
        changes=diff({}, snapshot(contact, SUPPORT_CONTACT_FIELDS)),
    )
    return contact


@transaction.atomic
def support_contact_update(*, actor: User, contact: SupportContact, data: Mapping[str, Any]) -> SupportContact:
    """Correct a support-network member's details."""
    if not permissions.can_edit_client(actor):
        raise PermissionDenied(_("Your role cannot edit client details."))
    locked = SupportContact.objects.select_for_update().get(pk=contact.pk)
    before = snapshot(locked, SUPPORT_CONTACT_FIELDS)
    for key in SUPPORT_CONTACT_FIELDS:
        if key in data:
            value = data[key]
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
    _check_phone(locked.phone)
    clean_or_raise(locked, exclude=["client"])
    changes = diff(before, snapshot(locked, SUPPORT_CONTACT_FIELDS))
    if changes:
        locked.save()
        audit_record(
            actor=actor, action="client.contact_update", client_id=locked.client_id, obj=locked, changes=changes
        )
    return locked


@transaction.atomic
def support_contact_remove(*, actor: User, contact: SupportContact) -> None:
    """Take someone out of the support network; the row is kept, inactive."""
    if not permissions.can_edit_client(actor):
        raise PermissionDenied(_("Your role cannot edit client details."))
    if not contact.is_active:
        return
    contact.is_active = False
    contact.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="client.contact_remove",
        client_id=contact.client_id,
        obj=contact,
        changes={"is_active": [True, False]},
    )


@transaction.atomic
def access_grant_create(
    *, actor: User, client: Client, user: User, reason: str, expires_at: datetime.datetime | None = None
) -> AccessGrant:
    """Let a colleague in the same agency see a client, with a reason and an optional end."""
    if not permissions.can_grant_access(actor):
        raise PermissionDenied(_("Only supervisors and program directors can grant access."))
    if user.agency_id != client.agency_id or not user.is_active:
        raise ValidationFailed(_("Access can only be granted to active staff of the same agency."), field="user")
    reason = require_text(reason, field="reason", message=_("Say why access is granted."), max_length=1000)
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(_("The end of access must be in the future."), field="expires_at")
    grant = AccessGrant.objects.create(client=client, user=user, granted_by=actor, reason=reason, expires_at=expires_at)
    audit_record(
        actor=actor,
        action="client.access_grant",
        client_id=client.pk,
        obj=grant,
        reason=reason,
        changes={"user": [None, user.email], "expires_at": [None, expires_at]},
    )
    return grant


@transaction.atomic
def break_glass_open(*, actor: User, client_id: int, reason: str) -> BreakGlassAccess:
    """Emergency access to a client outside the user's relationships: time-limited and flagged."""
    if not permissions.can_break_glass(actor):
        raise PermissionDenied(_("Your role cannot use emergency access."))
    reason = require_text(reason, field="reason", message=_("Type the reason for emergency access."), max_length=1000)
    if len(reason) < 10:
        raise ValidationFailed(_("Describe the emergency in a few words (at least 10 characters)."), field="reason")
    client = Client.objects.filter(pk=client_id, agency=actor.agency).first()
    if client is None:
        raise NotFound(_("No client with that record number in your agency."))
    access = BreakGlassAccess.objects.create(
        client=client,
        user=actor,
        reason=reason,
        expires_at=timezone.now() + datetime.timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    audit_record(
        actor=actor,
        action="client.break_glass",
        client_id=client.pk,
        obj=access,
        reason=reason,
        flagged=True,
        changes={"expires_at": [None, access.expires_at]},
    )
    return access


@transaction.atomic
def break_glass_review(*, actor: User, access: BreakGlassAccess) -> BreakGlassAccess:
    """A supervisor marks an emergency access as reviewed."""
    if not permissions.can_grant_access(actor):
        raise PermissionDenied(_("Only supervisors and program directors review emergency access."))
    if access.reviewed_at is None:
        access.reviewed_by = actor
        access.reviewed_at = timezone.now()
        access.save(update_fields=["reviewed_by", "reviewed_at"])
        audit_record(actor=actor, action="client.break_glass_review", client_id=access.client_id, obj=access)
    return access


# --- Consent to share outside the agency -------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor: User,
    client: Client,
    recipient_organization: Any,
    purpose: str,
    information: list[str],
    given_on: datetime.date,
    method: str,
    expires_on: datetime.date | None = None,
    submission_key: str | None = None,
) -> Consent:
    """Record a client's consent to share information with one organization (or any, when None).

    The case team records it (the caller authorised the client); audited with what, to whom, why.
    """
    if not permissions.can_manage_consent(actor, client):
        raise PermissionDenied(_("Only the client's case team can record consent."))

    def earlier() -> Consent | None:
        return Consent.objects.filter(submission_key=submission_key, recorded_by=actor).first()

    if submission_key and (existing := earlier()) is not None:
        return existing
    purpose = require_text(
        purpose, field="purpose", message=_("Say what the information is shared for."), max_length=300
    )
    if method not in ConsentMethod.values:
        raise ValidationFailed(_("Choose how the client gave consent."), field="method")
    if not isinstance(given_on, datetime.date):
        raise ValidationFailed(_("Enter the day the client gave consent."), field="given_on")
    consent = Consent(
        client=client,
        recipient_organization=recipient_organization,
        purpose=purpose,
        information=list(information or []),
        given_on=given_on,
        method=method,
        expires_on=expires_on,
        recorded_by=actor,
        submission_key=submission_key or None,
    )
    clean_or_raise(consent, exclude=["client", "recipient_organization", "recorded_by", "revoked_by"])
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationFailed(_("This consent has already expired; check the date."), field="expires_on")
    consent, inserted = insert_once(consent, key=submission_key, earlier=earlier)
    if not inserted:
        return consent
    audit_record(
        actor=actor,
        action="consent.record",
        client_id=client.pk,
        obj=consent,
        changes={
            "recipient": [None, str(recipient_organization.pk) if recipient_organization is not None else "any"],
            "purpose": [None, purpose],
            "information": [None, consent.information],
            "given_on": [None, given_on],
            "method": [None, method],
            "expires_on": [None, expires_on],
        },
    )
    return consent


@transaction.atomic
def consent_revoke(
    *,
    actor: User,
    consent: Consent,
    reason: str,
    expected_version: int,
    revoked_on: datetime.date | None = None,
) -> Consent:
    """Revoke a consent from a day on (today by default), with the client's reason; kept, never deleted.

    Referrals already sent stay as they are (the disclosure happened); no new ones may use it.
    """
    locked = Consent.objects.select_for_update(of=("self",)).select_related("client").get(pk=consent.pk)
    if not permissions.can_manage_consent(actor, locked.client):
        raise PermissionDenied(_("Only the client's case team can revoke consent."))
    if locked.version != expected_version:
        raise VersionConflict(
            _("This consent was changed after you opened it."),
            current_version=locked.version,
            changes=changes_since(obj=locked, actions=["consent.revoke"], versions=locked.version - expected_version),
        )
    if locked.revoked_on is not None:
        raise ValidationFailed(_("This consent is already revoked."), field="revoked_on")
    reason = require_text(reason, field="reason", message=_("Say why the consent is revoked."), max_length=2000)
    today = timezone.localdate()
    revoked_on = revoked_on or today
    if not isinstance(revoked_on, datetime.date) or revoked_on > today:
        raise ValidationFailed(_("A consent cannot be revoked from a future day."), field="revoked_on")
    if revoked_on < locked.given_on:
        raise ValidationFailed(_("The consent cannot be revoked before it was given."), field="revoked_on")
    before_status = locked.status
    locked.revoked_on = revoked_on
    locked.revocation_reason = reason
    locked.revoked_by = actor
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["revoked_on", "revocation_reason", "revoked_by", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="consent.revoke",
        client_id=locked.client_id,
        obj=locked,
        reason=reason,
        changes={
            "status": [before_status, ConsentStatus.REVOKED],
            "revoked_on": [None, revoked_on],
            "version": [expected_version, locked.version],
        },
    )
    return locked
