"""Task and notification pages: my open tasks (complete one), my notifications (open, mark read)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from casework.audit.services import audit_record
from casework.cases.views import signed_in
from casework.clients.views import AuthenticatedRequest, clinical_view
from casework.core.errors import DomainError
from casework.tasks import selectors, services


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@clinical_view
@require_GET
def my_tasks(request: AuthenticatedRequest) -> HttpResponse:
    """The signed-in worker's open tasks, urgent first (the Today page will build on this)."""
    tasks = selectors.open_tasks_for_user(user=request.user)
    audit_record(actor=request.user, action="tasks.view", changes={"tasks": [task.pk for task in tasks]})
    return render(request, "tasks/mine.html", {"nav": "tasks", "tasks": tasks})


@clinical_view
@require_POST
def complete(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    """Mark a task done; back to where the button was."""
    task = selectors.task_get_for_user(user=request.user, task_id=task_id)
    try:
        services.task_complete(actor=request.user, task=task)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Task done: %(title)s") % {"title": task.title})
    return redirect(_safe_next(request, reverse("tasks:mine")))


@login_required
@never_cache
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notifications, newest first, unread ones marked."""
    user = signed_in(request)
    items = selectors.notifications_for_user(user=user)
    unread = sum(1 for item in items if not item.is_read)
    # The messages name clients: record which clients' alerts were shown.
    clients = sorted({item.client_id for item in items if item.client_id})
    audit_record(actor=user, action="notifications.view", changes={"clients": clients})
    return render(request, "tasks/notifications.html", {"nav": "notifications", "items": items, "unread": unread})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of my notifications read."""
    user = signed_in(request)
    notification = selectors.notification_get_for_user(user=user, notification_id=notification_id)
    services.notification_mark_read(actor=user, notification=notification)
    return redirect(reverse("tasks:notifications"))


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of my notifications read and go to the page it is about."""
    user = signed_in(request)
    notification = selectors.notification_get_for_user(user=user, notification_id=notification_id)
    services.notification_mark_read(actor=user, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("tasks:notifications")
    return redirect(target)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    """Mark all my notifications read."""
    count = services.notifications_mark_all_read(actor=signed_in(request))
    if count:
        messages.success(
            request,
            ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
            % {"count": count},
        )
    return redirect(reverse("tasks:notifications"))
