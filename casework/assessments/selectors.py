"""Reading assessments: access through the client, a case's assessments, a client's score trend."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from casework.accounts.models import User
from casework.assessments.models import Assessment, AssessmentStatus, Instrument, InstrumentVersion
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.errors import NotFound


def assessment_get_for_user(
    *, user: User, assessment_id: int, action: str = "assessment.view", audit: bool = True
) -> Assessment:
    """Fetch an assessment of a client the user may see; audit the read; NotFound otherwise."""
    from casework.audit.services import audit_record
    from casework.clients.selectors import client_get_for_user

    assessment = (
        Assessment.objects.filter(pk=assessment_id)
        .select_related(
            "instrument_version__instrument", "case__program", "case__team", "administered_by", "amends", "amended_by"
        )
        .first()
    )
    if assessment is None:
        raise NotFound()
    client = client_get_for_user(user=user, client_id=assessment.client_id, audit=False)
    if audit:
        audit_record(
            actor=user,
            action=action,
            client_id=client.pk,
            obj=assessment,
            flagged=getattr(client, "accessed_by_break_glass", False),
        )
    assessment.client = client
    assessment.case.client = client
    return assessment


def assessments_for_case(*, case: Case) -> QuerySet[Assessment]:
    """A case's assessments (the caller authorised the case), newest first."""
    return (
        Assessment.objects.filter(case=case)
        .select_related("instrument_version__instrument", "administered_by")
        .order_by("-administered_at", "-id")
    )


def instruments_available() -> QuerySet[Instrument]:
    """Instruments a worker can start, by name: active, with a published version (drafts are never offered)."""
    return Instrument.objects.filter(
        is_active=True, pk__in=InstrumentVersion.objects.filter(published_at__isnull=False).values("instrument_id")
    ).order_by("name")


@dataclass(frozen=True)
class ScorePoint:
    """One completed score of a client on an instrument, for a trend."""

    assessment_id: int
    administered_at: datetime.datetime
    total: int
    band: str
    band_label: str
    prorated: bool
    change_since_baseline: int


def scores_for_client(*, client: Client, instrument_code: str) -> list[ScorePoint]:
    """A client's totals on one instrument over time (the caller authorised the client), oldest first.

    Only current records count: an amended assessment is replaced by its amendment. The baseline
    is the first score; each point says how far it moved from it.
    """
    assessments = (
        Assessment.objects.filter(
            client=client,
            status=AssessmentStatus.COMPLETED,
            instrument_version__instrument__code=instrument_code,
            total_score__isnull=False,
        )
        .select_related("instrument_version")
        .order_by("administered_at", "id")
    )
    points: list[ScorePoint] = []
    baseline: int | None = None
    for assessment in assessments:
        total = assessment.total_score
        assert total is not None  # filtered above; narrows the type
        if baseline is None:
            baseline = total
        details = assessment.band_details() or {}
        points.append(
            ScorePoint(
                assessment_id=assessment.pk,
                administered_at=assessment.administered_at,
                total=total,
                band=assessment.band,
                band_label=str(details.get("label", "")),
                prorated=assessment.prorated,
                change_since_baseline=total - baseline,
            )
        )
    return points


@dataclass(frozen=True)
class ScoreSummary:
    """A client's scores on one instrument at a glance: the latest, the baseline and the change."""

    instrument: Instrument
    latest: ScorePoint
    baseline_total: int
    count: int

    @property
    def change_since_baseline(self) -> int:
        return self.latest.change_since_baseline


def score_summaries_for_client(*, client: Client) -> list[ScoreSummary]:
    """One summary per instrument the client has completed totals in (the caller authorised the client).

    One query whatever the number of assessments; instruments by name. As in `scores_for_client`,
    an amended assessment no longer counts (its amendment does).
    """
    assessments = (
        Assessment.objects.filter(client=client, status=AssessmentStatus.COMPLETED, total_score__isnull=False)
        .select_related("instrument_version__instrument")
        .order_by("administered_at", "id")
    )
    by_instrument: dict[int, list[Assessment]] = {}
    for assessment in assessments:
        by_instrument.setdefault(assessment.instrument_version.instrument_id, []).append(assessment)
    summaries = []
    for rows in by_instrument.values():
        first, last = rows[0], rows[-1]
        assert first.total_score is not None and last.total_score is not None  # filtered above
        details = last.band_details() or {}
        latest = ScorePoint(
            assessment_id=last.pk,
            administered_at=last.administered_at,
            total=last.total_score,
            band=last.band,
            band_label=str(details.get("label", "")),
            prorated=last.prorated,
            change_since_baseline=last.total_score - first.total_score,
        )
        summaries.append(
            ScoreSummary(
                instrument=last.instrument_version.instrument,
                latest=latest,
                baseline_total=first.total_score,
                count=len(rows),
            )
        )
    return sorted(summaries, key=lambda summary: summary.instrument.name)
