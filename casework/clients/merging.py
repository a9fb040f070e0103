"""Merging duplicate client records, undoing a merge, and dismissing a possible pair.

A merge keeps one client (the survivor, chosen by the reviewer) and turns the other into an
alias (`merged_into`): every row of every model with a foreign key to Client moves to the
survivor, the ids of what moved are kept in a `MergeRecord`, and one audit event says what
moved. Undoing a merge moves exactly those rows back; rows written on the survivor since
stay with the survivor.

Every relation to Client must be named in `RELATIONS` (a test fails when a new foreign key to
Client appears without it, and the merge refuses to run), so nothing is silently left behind.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.audit.services import REDACTED, audit_record
from casework.clients import permissions
from casework.clients.models import Client, ClientIdentifier, DuplicatePair, MergeRecord, PairStatus
from casework.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict
from casework.core.validation import require_text

MOVE = "move"
KEEP = "keep"
# Every foreign key to Client, as "app_label.Model.field", and what a merge does with it.
RELATIONS: dict[str, str] = {
    "cases.Case.client": MOVE,
    "notes.ProgressNote.client": MOVE,
    "assessments.Assessment.client": MOVE,
    "appointments.Appointment.client": MOVE,
    "tasks.Task.client": MOVE,
    "tasks.Notification.client": MOVE,
    "safety.RiskFlag.client": MOVE,
    "needs.SuggestedNeed.client": MOVE,
    "careplans.Plan.client": MOVE,
    "referrals.Referral.client": MOVE,
    "clients.Consent.client": MOVE,  # the client's consents to share go with the person
    "clients.ClientIdentifier.client": MOVE,  # except one the survivor already carries
    "clients.SupportContact.client": MOVE,
    "clients.AccessGrant.client": MOVE,
    "clients.BreakGlassAccess.client": MOVE,
    "clients.Client.merged_into": MOVE,  # earlier aliases of the alias now point to the survivor
    # The review's own bookkeeping stays on the records it was about.
    "clients.DuplicatePair.client_a": KEEP,
    "clients.DuplicatePair.client_b": KEEP,
    "clients.MergeRecord.survivor": KEEP,
    "clients.MergeRecord.alias": KEEP,
}

# Fields the reviewer may take from the alias instead of the survivor's value ("ssn": both SSN columns).
MERGEABLE_FIELDS = [
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
    "ssn",
]
# Fields whose values the audit log and the merge page never show (the SSN is masked instead).
REDACTED_FIELDS = ["annual_household_income"]


def client_relations() -> list[tuple[str, type[models.Model], str]]:
    """Every foreign key to Client: (its name in RELATIONS, the model, the field name)."""
    found = []
    # include_hidden: relations declared with related_name="+" (Notification) count too.
    for relation in Client._meta.get_fields(include_hidden=True):
        if not isinstance(relation, models.ForeignObjectRel) or relation.many_to_many:
            continue
        model = relation.related_model
        assert isinstance(model, type) and issubclass(model, models.Model)
        found.append((f"{model._meta.label}.{relation.field.name}", model, relation.field.name))
    return found


def _relations_to_move() -> list[tuple[str, type[models.Model], str]]:
    relations = client_relations()
    unknown = sorted(name for name, _model, _field in relations if name not in RELATIONS)
    if unknown:
        # A new foreign key to Client without a decision: refuse rather than leave rows behind.
        raise RuntimeError(f"Merging does not know what to do with {', '.join(unknown)}: add it to RELATIONS.")
    return [relation for relation in relations if RELATIONS[relation[0]] == MOVE]


def _has_case(model: type[models.Model]) -> bool:
    """Whether rows of the model belong to a case (and so follow it)."""
    try:
        field = model._meta.get_field("case")
    except FieldDoesNotExist:
        return False
    related = field.related_model
    return bool(
        field.is_relation
        and isinstance(related, type)
        and issubclass(related, models.Model)
        and related._meta.label == "cases.Case"
    )


def _field_value(client: Client, name: str) -> Any:
    """A field's value as JSON can keep it (the SSN as its encrypted text and last four)."""
    if name == "ssn":
        return [client.ssn_encrypted, client.ssn_last4]
    field = Client._meta.get_field(name)
    assert isinstance(field, models.Field)
    if name == "date_of_birth":
        return field.value_to_string(client)
    value = getattr(client, name)
    # The income (a Decimal) is kept as its text: the merge record stores values as JSON.
    return str(value) if isinstance(value, decimal.Decimal) else value


def _set_field(client: Client, name: str, value: Any) -> None:
    if name == "ssn":
        client.ssn_encrypted, client.ssn_last4 = value
        return
    field = Client._meta.get_field(name)
    assert isinstance(field, models.Field)
    setattr(client, name, field.to_python(value) if value not in (None, "") or name != "date_of_birth" else None)


def shown_value(name: str, value: Any) -> Any:
    """What the audit log and the merge page keep of a field's value: the SSN masked, no income amount."""
    if name == "ssn":
        return f"***-**-{value[1]}" if value and value[1] else ""
    if name in REDACTED_FIELDS:
        return None if value is None or value == "" else REDACTED
    return value


def _lock_pair(first_id: int, second_id: int) -> dict[int, Client]:
    """Both clients, locked in id order (two merges of the same records cannot deadlock)."""
    return {
        client.pk: client
        for client in Client.objects.select_for_update().filter(pk__in=[first_id, second_id]).order_by("pk")
    }


@transaction.atomic
def client_merge(
    *,
    actor: User,
    survivor: Client,
    alias: Client,
    survivor_version: int,
    alias_version: int,
    take_from_alias: Iterable[str] = (),
    reason: str = "",
    pair: DuplicatePair | None = None,
) -> MergeRecord:
    """Merge `alias` into `survivor`: move everything, keep the alias as a redirecting record."""
    if not permissions.can_review_duplicates(actor):
        raise PermissionDenied(_("Only supervisors, program directors and administrators merge records."))
    if survivor.pk == alias.pk:
        raise ValidationFailed(_("Choose two different records."), field="survivor")
    take = list(dict.fromkeys(take_from_alias))
    unknown = [name for name in take if name not in MERGEABLE_FIELDS]
    if unknown:
        raise ValidationFailed(_("Unknown field: %(field)s") % {"field": unknown[0]}, field="fields")
    relations = _relations_to_move()
    locked = _lock_pair(survivor.pk, alias.pk)
    keep, gone = locked.get(survivor.pk), locked.get(alias.pk)
    if keep is None or gone is None or keep.agency_id != actor.agency_id or gone.agency_id != actor.agency_id:
        raise NotFound()
    if keep.merged_into_id or gone.merged_into_id:
        raise ValidationFailed(_("One of these records has already been merged into another."))
    if keep.version != survivor_version or gone.version != alias_version:
        raise VersionConflict(
            _("One of these records was changed after you opened the comparison. Compare them again."),
            current_version=keep.version,
            changes=[],
        )
    reason = (reason or "").strip()[:1000]

    fields: dict[str, list[Any]] = {}
    for name in take:
        before, after = _field_value(keep, name), _field_value(gone, name)
        if before != after:
            _set_field(keep, name, after)
            fields[name] = [before, after]
    now = timezone.now()
    if fields:
        keep.refresh_search_keys()
    keep.version += 1
    keep.updated_at = now
    keep.save()
    gone.merged_into = keep
    gone.version += 1
    gone.updated_at = now
    gone.save(update_fields=["merged_into", "version", "updated_at"])

    moved: dict[str, list[int]] = {}
    for name, model, field_name in relations:
        rows = model._default_manager.filter(**{field_name: gone})
        if model is ClientIdentifier:
            # The survivor keeps one copy of an identifier both records carry; the alias keeps its own.
            carried = set(ClientIdentifier.objects.filter(client=keep).values_list("kind", "value_key"))
            ids = [pk for pk, kind, key in rows.values_list("pk", "kind", "value_key") if (kind, key) not in carried]
        else:
            ids = list(rows.values_list("pk", flat=True))
        if ids:
            model._default_manager.filter(pk__in=ids).update(**{field_name: keep})
            moved[name] = ids

    if pair is None:
        low, high = sorted([keep.pk, gone.pk])
        pair = DuplicatePair.objects.filter(client_a_id=low, client_b_id=high).first()
    if pair is not None:
        pair.status = PairStatus.MERGED
        pair.decided_by = actor
        pair.decided_at = now
        pair.decision_reason = reason
        pair.version += 1
        pair.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "version"])
    record = MergeRecord.objects.create(
        agency_id=keep.agency_id,
        survivor=keep,
        alias=gone,
        pair=pair,
        merged_by=actor,
        merged_at=now,
        reason=reason,
        moved=moved,
        fields=fields,
    )
    audit_record(
        actor=actor,
        action="client.merge",
        client_id=keep.pk,
        obj=record,
        reason=reason,
        changes={
            "alias": [None, gone.pk],
            "moved": {name: ids for name, ids in moved.items()},
            "fields": {
                name: [shown_value(name, before), shown_value(name, after)] for name, (before, after) in fields.items()
            },
        },
    )
    return record


@transaction.atomic
def merge_undo(*, actor: User, record: MergeRecord, reason: str) -> MergeRecord:
    """Undo a merge: the rows that moved go back to the alias; what was written since stays."""
    if not permissions.can_review_duplicates(actor):
        raise PermissionDenied(_("Only supervisors, program directors and administrators undo merges."))
    reason = require_text(reason, field="reason", message=_("Say why the merge is undone."), max_length=1000)
    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    if record.undone_at is not None:
        raise ValidationFailed(_("This merge has already been undone."))
    locked = _lock_pair(record.survivor_id, record.alias_id)
    keep, gone = locked[record.survivor_id], locked[record.alias_id]
    if keep.merged_into_id is not None:
        raise ValidationFailed(_("The kept record has since been merged into another: undo that merge first."))
    models_by_name = {name: (model, field_name) for name, model, field_name in client_relations()}
    moved_back: dict[str, list[int]] = {}
    for name, ids in record.moved.items():
        if name not in models_by_name:
            continue  # a relation removed from the code since; nothing to move
        model, field_name = models_by_name[name]
        # Only rows still on the survivor: a row moved on again since (a later merge) stays put.
        back = list(model._default_manager.filter(pk__in=ids, **{field_name: keep}).values_list("pk", flat=True))
        if back:
            model._default_manager.filter(pk__in=back).update(**{field_name: gone})
            moved_back[name] = back
    # Rows written since the merge on a case that has just gone back follow their case: a note
    # belongs with its case's client. Rows written on the survivor's own cases stay.
    cases_back = moved_back.get("cases.Case.client", [])
    if cases_back:
        for name, model, field_name in client_relations():
            if RELATIONS.get(name) != MOVE or name == "cases.Case.client" or not _has_case(model):
                continue
            following = list(
                model._default_manager.filter(**{field_name: keep, "case_id__in": cases_back}).values_list(
                    "pk", flat=True
                )
            )
            if following:
                model._default_manager.filter(pk__in=following).update(**{field_name: gone})
                moved_back[name] = sorted({*moved_back.get(name, []), *following})
    restored: dict[str, list[Any]] = {}
    for name, (before, after) in record.fields.items():
        current = _field_value(keep, name)
        if current == after:  # not changed since the merge: give the survivor its own value back
            _set_field(keep, name, before)
            restored[name] = [shown_value(name, after), shown_value(name, before)]
    now = timezone.now()
    if restored:
        keep.refresh_search_keys()
    keep.version += 1
    keep.updated_at = now
    keep.save()
    gone.merged_into = None
    gone.version += 1
    gone.updated_at = now
    gone.save(update_fields=["merged_into", "version", "updated_at"])
    record.undone_by = actor
    record.undone_at = now
    record.undo_reason = reason
    record.save(update_fields=["undone_by", "undone_at", "undo_reason"])
    if record.pair_id is not None:
        DuplicatePair.objects.filter(pk=record.pair_id).update(
            status=PairStatus.OPEN,
            decided_by=None,
            decided_at=None,
            decision_reason="",
            version=models.F("version") + 1,
        )
    audit_record(
        actor=actor,
        action="client.unmerge",
        client_id=keep.pk,
        obj=record,
        reason=reason,
        changes={"alias": [gone.pk, None], "moved_back": moved_back, "fields_restored": restored},
    )
    return record


@transaction.atomic
def pair_dismiss(
    *, actor: User, pair: DuplicatePair, reason: str, expected_version: int | None = None
) -> DuplicatePair:
    """Record that two records are not the same person: the scan and the queue stop proposing them."""
    if not permissions.can_review_duplicates(actor):
        raise PermissionDenied(_("Only supervisors, program directors and administrators review duplicates."))
    reason = require_text(
        reason, field="reason", message=_("Say how you know these are different people."), max_length=1000
    )
    locked = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if locked.agency_id != actor.agency_id:
        raise NotFound()
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(
            _("Someone decided on this pair after you opened it."), current_version=locked.version, changes=[]
        )
    if locked.status != PairStatus.OPEN:
        raise ValidationFailed(_("This pair has already been decided."))
    locked.status = PairStatus.DISMISSED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.version += 1
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "version"])
    audit_record(
        actor=actor,
        action="duplicates.dismiss",
        client_id=locked.client_a_id,
        obj=locked,
        reason=reason,
        changes={"clients": [locked.client_a_id, locked.client_b_id], "status": [PairStatus.OPEN, locked.status]},
    )
    return locked
