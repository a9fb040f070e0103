"""Today pages: my ranked list and its row actions, new tasks, and the supervisor's team overview."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.cases.models import OPEN_STATUSES, Case
from casework.cases.selectors import case_get_for_user
from casework.clients.models import Client
from casework.clients.permissions import CLINICAL_ROLES
from casework.clients.selectors import client_get_for_user
from casework.clients.views import AuthenticatedRequest, clinical_view
from casework.core.errors import DomainError, NotFound
from casework.tasks import selectors as task_selectors
from casework.tasks import services as task_services
from casework.today import overview, services
from casework.today.forms import ReassignForm, SnoozeForm, TaskCreateForm
from casework.today.selectors import TodayItem, TodayList, today_for_user, today_item_for_user
from casework.today.sources import my_open_cases


def staff_for_tasks(user: User) -> QuerySet[User]:
    """Whom the forms offer to give a task to: the active clinical staff of the user's team and its
    supervisor, and the staff on the case teams of the user's cases (an agency can have hundreds of
    staff; the service checks that the one chosen can see the client)."""
    team = Q(team_id=user.team_id) | Q(supervised_teams=user.team_id) if user.team_id else Q(pk=user.pk)
    team |= Q(case_memberships__case__primary_worker=user, case_memberships__removed_at__isnull=True)
    return (
        User.objects.filter(team, agency_id=user.agency_id or 0, is_active=True, role__in=CLINICAL_ROLES)
        .distinct()
        .only("id", "full_name")
        .order_by("full_name")
    )


def _agency_staff(user: User) -> QuerySet[User]:
    return User.objects.filter(agency_id=user.agency_id or 0, is_active=True, role__in=CLINICAL_ROLES)


def audit_today_view(
    *, actor: User, found: TodayList, action: str = "today.view", worker: User | None = None, shown: int | None = None
) -> None:
    """The list names clients: record which ones were shown (and whose list it was)."""
    rows = (found.items if shown is None else found.items[:shown]) + found.snoozed
    changes: dict[str, Any] = {"clients": sorted({item.client.pk for item in rows if item.client is not None})}
    if worker is not None:
        changes["worker"] = worker.pk
    audit_record(actor=actor, action=action, changes=changes)


# The list shows the first items by rank; the rest are one click away ("show all").
LIST_LIMIT = 50


def _row_labels() -> dict[str, str]:
    """The words every row repeats, translated once per page (not once per row)."""
    return {
        "safety": _("Safety"),
        "high": _("High"),
        "done": _("Done"),
        "snooze": _("Snooze"),
        "reassign": _("Reassign"),
        "wake": _("Put back"),
        "open_snooze": _("Open the snooze form"),
        "open_reassign": _("Open the reassign form"),
        "mark_done": _("Mark “%(title)s” done"),
        "snoozed": _("Snoozed until %(until)s: %(reason)s"),
    }


def today_rows(items: list[TodayItem], labels: dict[str, str]) -> list[dict[str, Any]]:
    """What each row of the page shows, worked out in one pass: the template then reads plain
    values (a hundred rows of property lookups, filters and translations cost more than the list)."""
    late_labels: dict[int, str] = {}
    rows = []
    for item in items:
        classes = "today-item"
        if item.safety:
            classes += " today-safety"
            badge = ("badge-risk", labels["safety"])
        elif item.priority == "high":
            badge = ("badge-flag", labels["high"])
        else:
            badge = None
        late = ""
        if item.lateness_days > 0:
            classes += " today-late"
            late = late_labels.get(item.lateness_days, "")
            if not late:
                late = late_labels[item.lateness_days] = ngettext(
                    "%(days)d day late", "%(days)d days late", item.lateness_days
                ) % {"days": item.lateness_days}
        about = ""
        if item.client is not None:
            about = item.client.display_name
            if item.case is not None:
                about += f" · {item.program_name}"
        snooze = item.snooze
        rows.append(
            {
                "item": item,
                "dom_id": item.dom_id,
                "classes": classes,
                "url": item.url,
                "title": item.title,
                "badge": badge,
                "late": late,
                "about": about,
                "reason": item.reason,
                "snoozed": labels["snoozed"] % {"until": snooze.until.isoformat(), "reason": snooze.reason}
                if snooze
                else "",
                "wake_url": item.wake_url if snooze else "",
                "is_task": item.is_task and not snooze,
                "snoozable": item.snoozable and not snooze,
                "done_url": item.done_url,
                "done_label": labels["mark_done"] % {"title": item.title},
                "actions_url": item.actions_url,
            }
        )
    return rows


def _context(user: User, found: TodayList, *, show_all: bool = False, **extra: Any) -> dict[str, Any]:
    labels = _row_labels()
    shown = found.items if show_all else found.items[:LIST_LIMIT]
    return {
        "nav": "today",
        "found": found,
        "rows": today_rows(shown, labels),
        "snoozed_rows": today_rows(found.snoozed, labels),
        "hidden_count": 0 if show_all else max(len(found.items) - LIST_LIMIT, 0),
        "labels": labels,
        "read_only": False,
        **extra,
    }


@clinical_view
@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
    """The signed-in worker's Today list: safety first, then lateness weighted by acuity."""
    found = today_for_user(user=request.user)
    show_all = request.GET.get("all") == "1"
    audit_today_view(actor=request.user, found=found, shown=None if show_all else LIST_LIMIT)
    return render(request, "today/index.html", _context(request.user, found, show_all=show_all))


def _row_response(
    request: AuthenticatedRequest,
    *,
    item: TodayItem | None,
    message: str,
    error: bool,
    form: Any = None,
    open_form: str = "",
) -> HttpResponse:
    """htmx: the row again (with an error, and the form that failed open with its input) or a short
    note in its place; without htmx: the form's own page again on an error, else back to the list."""
    context: dict[str, Any] = {"item": item, "row_message": message, "row_error": error}
    if open_form:
        context.update(_form_context(request.user, form=form, open_form=open_form))
    if request.htmx:
        # 200 even on an error: htmx swaps only successful responses, and the row carries the message.
        context["labels"] = labels = _row_labels()
        context["row"] = today_rows([item], labels)[0] if item is not None else None
        return render(request, "today/index.html#row", context)
    if error and item is not None and _offers(item, open_form):
        return render(request, "today/item_form.html", {"nav": "today", **context}, status=422)
    (messages.error if error else messages.success)(request, message)
    return redirect(reverse("today:index"))


def _offers(item: TodayItem, form_name: str) -> bool:
    """Whether the row offers this form: snooze (not for safety items), reassign (tasks only)."""
    if item.snooze is not None:
        return False
    return item.snoozable if form_name == "snooze" else form_name == "reassign" and item.is_task


def _form_context(user: User, *, form: Any, open_form: str) -> dict[str, Any]:
    context: dict[str, Any] = {"form": form, "open_form": open_form, "today": timezone.localdate()}
    if open_form == "reassign":
        context["staff"] = staff_for_tasks(user)
    return context


def _item_or_404(request: AuthenticatedRequest, kind: str, object_id: int) -> TodayItem:
    item = today_item_for_user(user=request.user, key=f"{kind}:{object_id}")
    if item is None:
        raise NotFound()
    return item


@clinical_view
@require_POST
def snooze(request: AuthenticatedRequest, kind: str, object_id: int) -> HttpResponse:
    """Put an item of my list aside until a day, with a reason (audited)."""
    item = _item_or_404(request, kind, object_id)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _row_response(request, item=item, message=message, error=True, form=form, open_form="snooze")
    try:
        services.today_item_snooze(
            actor=request.user,
            item=item,
            until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"],
            today=timezone.localdate(),
        )
    except DomainError as exc:
        return _row_response(request, item=item, message=exc.message, error=True, form=form, open_form="snooze")
    message = _("Snoozed until %(until)s: %(title)s") % {"until": form.cleaned_data["until"], "title": item.title}
    return _row_response(request, item=None, message=message, error=False)


@clinical_view
@require_POST
def wake(request: AuthenticatedRequest, kind: str, object_id: int) -> HttpResponse:
    """Put a snoozed item back on my list."""
    services.today_item_wake(actor=request.user, kind=kind, object_id=object_id)
    messages.success(request, _("Back on your list."))
    return redirect(reverse("today:index"))


@clinical_view
@require_GET
def item_actions(request: AuthenticatedRequest, kind: str, object_id: int) -> HttpResponse:
    """The snooze or reassign form of one item of my list: fetched by htmx when the row's disclosure
    opens (the list does not carry a form per row), or its own small page without JavaScript."""
    item = _item_or_404(request, kind, object_id)
    open_form = request.GET.get("form", "snooze")
    if not _offers(item, open_form):
        raise NotFound()
    form = SnoozeForm() if open_form == "snooze" else ReassignForm(staff=_agency_staff(request.user))
    context = {"nav": "today", "item": item, **_form_context(request.user, form=form, open_form=open_form)}
    if request.htmx:
        return render(request, f"today/index.html#{open_form}-form", context)
    return render(request, "today/item_form.html", context)


@clinical_view
@require_POST
def task_done(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    """Mark a task of my list done."""
    task = task_selectors.task_get_for_user(user=request.user, task_id=task_id)
    item = today_item_for_user(user=request.user, key=f"task:{task.pk}")
    try:
        task_services.task_complete(actor=request.user, task=task)
    except DomainError as exc:
        return _row_response(request, item=item, message=exc.message, error=True)
    return _row_response(request, item=None, message=_("Done: %(title)s") % {"title": task.title}, error=False)


@clinical_view
@require_POST
def task_reassign(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    """Give a task of my list to a colleague who can see the client."""
    task = task_selectors.task_get_for_user(user=request.user, task_id=task_id)
    item = today_item_for_user(user=request.user, key=f"task:{task.pk}")
    form = ReassignForm(request.POST, staff=_agency_staff(request.user))
    if not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _row_response(request, item=item, message=message, error=True, form=form, open_form="reassign")
    try:
        updated = task_services.task_reassign(
            actor=request.user, task=task, assignee=form.cleaned_data["assignee"], reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        return _row_response(request, item=item, message=exc.message, error=True, form=form, open_form="reassign")
    message = _("“%(title)s” now belongs to %(who)s.") % {"title": task.title, "who": updated.assignee}
    return _row_response(request, item=None, message=message, error=False)


@clinical_view
def task_new(request: AuthenticatedRequest) -> HttpResponse:
    """Create a task by hand, about one of my cases, or a given client or case (?client= / ?case=)."""
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    client: Client | None = None
    case_required = True
    try:
        case_id = int(source.get("for_case", "") or 0)
        client_id = int(source.get("client", "") or 0)
    except ValueError:
        raise NotFound() from None
    if case_id:
        fixed = case_get_for_user(user=user, case_id=case_id, audit=False)
        client = fixed.client
        cases: QuerySet[Case] = Case.objects.filter(pk=fixed.pk).select_related("client", "program")
    elif client_id:
        client = client_get_for_user(user=user, client_id=client_id, audit=False)
        cases = Case.objects.filter(client=client, status__in=OPEN_STATUSES).select_related("client", "program")
        case_required = False
    else:
        cases = my_open_cases(user).order_by("client__last_name_key", "client__first_name_key")
    staff = _agency_staff(user)
    status = 200
    if request.method == "POST":
        form = TaskCreateForm(request.POST, cases=cases, staff=staff, case_required=case_required)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            case = data["case"]
            about = case.client if case else client
            if about is None:
                raise NotFound()
            try:
                task = task_services.task_create(
                    actor=user,
                    client=about,
                    case=case,
                    title=data["title"],
                    assignee=data["assignee"],
                    due_date=data["due_date"],
                    priority=data["priority"],
                    detail=data["detail"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Task created: %(title)s") % {"title": task.title})
                return redirect(reverse("today:index"))
    else:
        initial: dict[str, Any] = {"assignee": user.pk, "due_date": timezone.localdate()}
        if case_id:
            initial["case"] = case_id
        form = TaskCreateForm(initial=initial, cases=cases, staff=staff, case_required=case_required)
    if client is not None:
        audit_record(actor=user, action="client.view", client_id=client.pk, obj=client)
    context = {"nav": "today", "form": form, "client": client, "case_id": case_id, "client_id": client_id}
    return render(request, "today/task_new.html", context, status=status)


@clinical_view
@require_GET
def team_overview(request: AuthenticatedRequest) -> HttpResponse:
    """Supervisor overview: per worker of each team I supervise, load, overdue, at-risk, unsigned."""
    teams = overview.teams_overseen(request.user)
    if not teams:
        raise NotFound()
    found = overview.teams_overview(teams=teams, today=timezone.localdate())
    audit_record(actor=request.user, action="team.overview", changes={"teams": [team.pk for team in teams]})
    return render(request, "today/overview.html", {"nav": "team", "overviews": found})


@clinical_view
@require_GET
def worker_today(request: AuthenticatedRequest, worker_id: int) -> HttpResponse:
    """A worker's Today list, read-only, for the supervisor of their team (audited)."""
    worker = overview.worker_get_for_supervisor(user=request.user, worker_id=worker_id)
    found = today_for_user(user=worker)
    show_all = request.GET.get("all") == "1"
    audit_today_view(
        actor=request.user,
        found=found,
        action="today.view_worker",
        worker=worker,
        shown=None if show_all else LIST_LIMIT,
    )
    context = _context(request.user, found, show_all=show_all, read_only=True, worker=worker, nav="team")
    return render(request, "today/index.html", context)
