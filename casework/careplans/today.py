"""Care-plan work on the Today list: plan reviews due, plans waiting for approval, overdue action steps.

Registered by the app config; each source runs one query whatever the caseload.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from casework.accounts.models import Role, User
from casework.careplans.models import (
    OPEN_INTERVENTION_STATUSES,
    Intervention,
    Plan,
    PlanRevision,
    ResponsibleParty,
    RevisionStatus,
)
from casework.cases.models import OPEN_STATUSES
from casework.today.selectors import TodayItem, register_source
from casework.today.sources import _late_reason, url_for

# What a row shows of its client, case and program (loading whole rows costs more than the queries).
CLIENT_FIELDS = ["client__id", "client__preferred_name", "client__legal_first_name", "client__legal_last_name"]
CASE_FIELDS = ["id", "status", "acuity", "opened_at", "client_id", "program_id", "primary_worker_id"]
PROGRAM_FIELDS = ["program__id", "program__name", "program__contact_interval_days"]


def _prefixed(fields: list[str], prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in fields]


# A review shows this many days before it is due, so it can be planned with the client.
REVIEW_NOTICE_DAYS = 14


@register_source("plan_reviews", queries=1)
def plan_reviews_due(user: User, today: datetime.date) -> list[TodayItem]:
    """Active plans of the user's open cases whose review is due within two weeks or overdue."""
    plans = (
        Plan.objects.filter(
            case__primary_worker=user,
            case__status__in=OPEN_STATUSES,
            active_revision__isnull=False,
            review_due_date__lte=today + datetime.timedelta(days=REVIEW_NOTICE_DAYS),
        )
        .select_related("client", "case__program")
        .only(
            "id",
            "title",
            "review_due_date",
            "client_id",
            "case_id",
            "active_revision_id",
            *CLIENT_FIELDS,
            *_prefixed(CASE_FIELDS, "case__"),
            *_prefixed(PROGRAM_FIELDS, "case__"),
        )
        .order_by("review_due_date", "id")
    )
    items = []
    for plan in plans:
        due = plan.review_due_date
        assert due is not None  # filtered above
        lateness = (today - due).days
        items.append(
            TodayItem(
                kind="plan_review",
                object_id=plan.pk,
                title=_("Plan review: %(title)s") % {"title": plan.title},
                reason=_late_reason(lateness, due),
                url=url_for("careplans:detail", plan.pk),
                due_date=due,
                lateness_days=lateness,
                acuity=plan.case.acuity,
                client=plan.client,
                case=plan.case,
            )
        )
    return items


@register_source("plan_approvals", queries=1)
def plans_waiting_for_approval(user: User, today: datetime.date) -> list[TodayItem]:
    """Plan versions submitted for the approval of this supervisor or director (not their own)."""
    if user.role not in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR):
        return []
    revisions = (
        PlanRevision.objects.filter(status=RevisionStatus.SUBMITTED)
        .filter(Q(plan__case__team__supervisor=user) | Q(plan__case__program__director=user))
        .exclude(created_by=user)
        .exclude(submitted_by=user)
        .select_related("plan__client", "plan__case__program", "submitted_by")
        .only(
            "id",
            "number",
            "submitted_at",
            "plan_id",
            "submitted_by_id",
            "submitted_by__id",
            "submitted_by__full_name",
            "plan__id",
            "plan__title",
            "plan__client_id",
            "plan__case_id",
            *_prefixed(CLIENT_FIELDS, "plan__"),
            *_prefixed(CASE_FIELDS, "plan__case__"),
            *_prefixed(PROGRAM_FIELDS, "plan__case__"),
        )
        .order_by("submitted_at", "id")
    )
    items = []
    for revision in revisions:
        submitted = revision.submitted_at.date() if revision.submitted_at else today
        items.append(
            TodayItem(
                kind="plan_approval",
                object_id=revision.pk,
                title=_("Approve plan: %(title)s (version %(n)s)")
                % {"title": revision.plan.title, "n": revision.number},
                reason=_("Submitted by %(who)s on %(date)s")
                % {"who": revision.submitted_by, "date": submitted.isoformat()},
                url=url_for("careplans:detail", revision.plan_id) + "#approval",
                due_date=submitted,
                lateness_days=(today - submitted).days,
                acuity=revision.plan.case.acuity,
                client=revision.plan.client,
                case=revision.plan.case,
            )
        )
    return items


@register_source("plan_interventions", queries=1)
def overdue_interventions(user: User, today: datetime.date) -> list[TodayItem]:
    """Overdue action steps of active plans that the user carries (as the case manager or by name)."""
    steps = (
        Intervention.objects.filter(
            revision__status=RevisionStatus.ACTIVE,
            status__in=OPEN_INTERVENTION_STATUSES,
            due_date__lt=today,
            revision__plan__case__status__in=OPEN_STATUSES,
        )
        .filter(
            Q(responsible_party=ResponsibleParty.CASE_MANAGER, revision__plan__case__primary_worker=user)
            | Q(team_member__user=user, team_member__removed_at__isnull=True)
        )
        .select_related("revision__plan__client", "revision__plan__case__program")
        .only(
            "id",
            "description",
            "due_date",
            "revision_id",
            "revision__id",
            "revision__plan_id",
            "revision__plan__id",
            "revision__plan__title",
            "revision__plan__client_id",
            "revision__plan__case_id",
            *_prefixed(CLIENT_FIELDS, "revision__plan__"),
            *_prefixed(CASE_FIELDS, "revision__plan__case__"),
            *_prefixed(PROGRAM_FIELDS, "revision__plan__case__"),
        )
        .order_by("due_date", "id")
    )
    items = []
    for step in steps:
        due = step.due_date
        assert due is not None  # filtered above
        plan = step.revision.plan
        lateness = (today - due).days
        items.append(
            TodayItem(
                kind="plan_intervention",
                object_id=step.pk,
                title=_("Action step: %(step)s") % {"step": step.description[:80]},
                reason=f"{_late_reason(lateness, due)} · {plan.title}",
                url=url_for("careplans:detail", plan.pk) + f"#intervention-{step.pk}",
                due_date=due,
                lateness_days=lateness,
                acuity=plan.case.acuity,
                client=plan.client,
                case=plan.case,
            )
        )
    return items
