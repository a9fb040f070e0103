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
from casework.today.sources import CLIENT_COLUMNS, _case_columns, _late_reason, _Refs, url_for

# What a row shows of its client, case and program (loading whole rows costs more than the queries).
CLIENT_FIELDS = ["client__id", "client__preferred_name", "client__legal_first_name", "client__legal_last_name"]
CASE_FIELDS = ["id", "status", "acuity", "opened_at", "client_id", "program_id", "primary_worker_id"]
PROGRAM_FIELDS = ["program__id", "program__name", "program__contact_interval_days"]


def _prefixed(fields: list[str] | tuple[str, ...], prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in fields]


# A review shows this many days before it is due, so it can be planned with the client.
REVIEW_NOTICE_DAYS = 14


@register_source("plan_reviews", queries=1)
def plan_reviews_due(user: User, today: datetime.date) -> list[TodayItem]:
    """Active plans of the user's open cases whose review is due within two weeks or overdue."""
    rows = (
        Plan.objects.filter(
            case__primary_worker=user,
            case__status__in=OPEN_STATUSES,
            active_revision__isnull=False,
            review_due_date__lte=today + datetime.timedelta(days=REVIEW_NOTICE_DAYS),
        )
        .order_by("review_due_date", "id")
        .values_list("id", "title", "review_due_date", *CLIENT_COLUMNS, *_case_columns("case__"))
    )
    refs = _Refs()
    items = []
    for plan_id, title, due, preferred, first, last, client_id, *case in rows:
        lateness = (today - due).days
        case_ref = refs.case(*case)
        items.append(
            TodayItem(
                kind="plan_review",
                object_id=plan_id,
                title=_("Plan review: %(title)s") % {"title": title},
                reason=_late_reason(lateness, due),
                url=url_for("careplans:detail", plan_id),
                due_date=due,
                lateness_days=lateness,
                acuity=case_ref.acuity if case_ref else 2,
                client=refs.client(preferred, first, last, client_id),
                case=case_ref,
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
    rows = (
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
        .order_by("due_date", "id")
        .values_list(
            "id",
            "description",
            "due_date",
            "revision__plan_id",
            "revision__plan__title",
            *_prefixed(CLIENT_COLUMNS, "revision__plan__"),
            *_case_columns("revision__plan__case__"),
        )
    )
    refs = _Refs()
    items = []
    for step_id, description, due, plan_id, plan_title, preferred, first, last, client_id, *case in rows:
        lateness = (today - due).days
        case_ref = refs.case(*case)
        items.append(
            TodayItem(
                kind="plan_intervention",
                object_id=step_id,
                title=_("Action step: %(step)s") % {"step": description[:80]},
                reason=f"{_late_reason(lateness, due)} · {plan_title}",
                url=url_for("careplans:detail", plan_id) + f"#intervention-{step_id}",
                due_date=due,
                lateness_days=lateness,
                acuity=case_ref.acuity if case_ref else 2,
                client=refs.client(preferred, first, last, client_id),
                case=case_ref,
            )
        )
    return items
