"""Reading notes and the client timeline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from casework.accounts.models import User
from casework.assessments.models import Assessment, AssessmentStatus
from casework.cases.models import Case, CaseAssignment, CaseStatusChange
from casework.clients.models import Client
from casework.core.errors import NotFound
from casework.notes.models import NoteAddendum, ProgressNote


def notes_visible_to(user: User) -> QuerySet[ProgressNote]:
    """Notes on clients the user may see."""
    from casework.clients.selectors import clients_visible_to

    return ProgressNote.objects.filter(client__in=clients_visible_to(user))


def note_get_for_user(*, user: User, note_id: int, action: str = "note.view", audit: bool = True) -> ProgressNote:
    """Fetch a note on a client the user may see; audit the read; NotFound otherwise."""
    from casework.audit.services import audit_record
    from casework.clients.selectors import client_get_for_user

    note = (
        ProgressNote.objects.filter(pk=note_id)
        .select_related("case__program", "case__team", "case__client", "author", "signed_by", "voided_by")
        .prefetch_related(Prefetch("addenda", queryset=NoteAddendum.objects.select_related("author")))
        .first()
    )
    if note is None:
        raise NotFound()
    client = client_get_for_user(user=user, client_id=note.client_id, audit=False)
    if audit:
        audit_record(
            actor=user,
            action=action,
            client_id=client.pk,
            obj=note,
            flagged=getattr(client, "accessed_by_break_glass", False),
        )
    return note


def notes_for_case(*, case: Case) -> QuerySet[ProgressNote]:
    """A case's notes (the caller has authorised the case), newest first, with addenda."""
    return (
        ProgressNote.objects.filter(case=case)
        .select_related("author", "signed_by", "voided_by")
        .prefetch_related(Prefetch("addenda", queryset=NoteAddendum.objects.select_related("author")))
        .order_by("-contact_date", "-created_at")
    )


def notes_for_client(*, client: Client) -> QuerySet[ProgressNote]:
    """A client's notes across their cases (the caller has authorised the client), newest first."""
    return (
        ProgressNote.objects.filter(client=client)
        .select_related("author", "signed_by", "voided_by")
        .prefetch_related(Prefetch("addenda", queryset=NoteAddendum.objects.select_related("author")))
        .order_by("-contact_date", "-created_at")
    )


@dataclass
class TimelineEntry:
    """One item on a client's timeline: a note, a case event or an assessment given."""

    kind: str  # "note", "status", "assignment", "assessment", "referral"
    at: datetime.datetime
    case: Case
    item: Any


def _note_time(note: ProgressNote) -> datetime.datetime:
    # Notes sort by the day of the contact, at the time they were written if on the same day.
    created = timezone.localtime(note.created_at)
    if created.date() == note.contact_date:
        return note.created_at
    return timezone.make_aware(datetime.datetime.combine(note.contact_date, datetime.time(12, 0)))


def client_timeline(*, client: Client, limit: int = 200) -> list[TimelineEntry]:
    """Notes, case events, assessments and referral status changes of a client (already authorised),
    newest first; a fixed number of queries."""
    cases = {case.pk: case for case in Case.objects.filter(client=client).select_related("program", "primary_worker")}
    notes = (
        ProgressNote.objects.filter(client=client)
        .select_related("author", "signed_by", "voided_by")
        .prefetch_related(Prefetch("addenda", queryset=NoteAddendum.objects.select_related("author")))
        .order_by("-contact_date", "-created_at")[:limit]
    )
    changes = (
        CaseStatusChange.objects.filter(case__client=client)
        .select_related("changed_by")
        .order_by("-changed_at")[:limit]
    )
    assignments = (
        CaseAssignment.objects.filter(case__client=client)
        .exclude(from_worker__isnull=True)
        .select_related("from_worker", "to_worker", "assigned_by")
        .order_by("-assigned_at")[:limit]
    )
    # Assessments given (completed, and those amended since: the correction is one of them too);
    # drafts are work in progress, not history.
    assessments = (
        Assessment.objects.filter(client=client, status__in=[AssessmentStatus.COMPLETED, AssessmentStatus.AMENDED])
        .select_related("instrument_version__instrument", "administered_by", "amended_by")
        .order_by("-administered_at", "-id")[:limit]
    )
    from casework.referrals.models import ReferralStatusChange

    referral_changes = (
        ReferralStatusChange.objects.filter(referral__client=client)
        .select_related("referral__service", "referral__organization", "changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )
    entries = [TimelineEntry("note", _note_time(n), cases[n.case_id], n) for n in notes]
    entries += [TimelineEntry("assessment", a.administered_at, cases[a.case_id], a) for a in assessments]
    entries += [TimelineEntry("referral", r.changed_at, cases[r.referral.case_id], r) for r in referral_changes]
    entries += [TimelineEntry("status", c.changed_at, cases[c.case_id], c) for c in changes]
    entries += [TimelineEntry("assignment", a.assigned_at, cases[a.case_id], a) for a in assignments]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]
