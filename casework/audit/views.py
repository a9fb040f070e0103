"""The auditor's page: find a client, read who viewed or changed their record, verify the chain.

Auditors (and superusers) only; everyone else gets 404. Auditors see identifying fields of a
client (name, date of birth, record number) and the audit trail, never clinical content, and
their own reading of the trail is audited too ("audit.view").
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from casework.accounts.models import User
from casework.audit import selectors
from casework.audit.forms import AuditFilterForm, ClientLookupForm
from casework.audit.labels import action_label
from casework.audit.models import AuditEvent
from casework.audit.services import audit_record
from casework.audit.verify import VerifyResult, verify_chain
from casework.core.errors import NotFound

EVENTS_PER_PAGE = 50
# Changes whose values are clinical content; the auditor sees that they changed, not what they say.
CLINICAL_FIELDS = {"sections", "text", "reason_for_referral", "narrative"}


def _auditor(request: HttpRequest) -> User:
    """The signed-in auditor; NotFound (404) for anyone else."""
    user = request.user
    if not isinstance(user, User) or not selectors.can_read_audit_log(user):
        raise NotFound()
    return user


def _client_id(raw: str | None) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise NotFound()
    return int(raw)


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of a day in the active (agency) time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _shown(value: Any) -> str:
    """A recorded value as text; nothing (None or empty) shows as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    return str(value)


def _change_rows(changes: Any) -> list[tuple[str, str | None, str]]:
    """(field, old, new) for each recorded change; old is None for values recorded without a before.

    Clinical text (note sections, addenda, referral reasons) is named but not shown to auditors.
    """
    if not isinstance(changes, dict):
        return []
    rows: list[tuple[str, str | None, str]] = []
    for field, values in changes.items():
        if field in CLINICAL_FIELDS:
            rows.append((field, None, _("(clinical text, not shown)")))
            continue
        if isinstance(values, list) and len(values) == 2:
            rows.append((field, _shown(values[0]), _shown(values[1])))
        else:
            rows.append((field, None, _shown(values)))
    return rows


def _event_rows(events: list[AuditEvent]) -> list[dict[str, Any]]:
    return [
        {
            "event": event,
            "actor": event.actor.full_name if event.actor else "",
            "label": action_label(event.action),
            "changes": _change_rows(event.changes),
        }
        for event in events
    ]


def _chain_context(result: VerifyResult | None = None) -> dict[str, Any]:
    return {
        "last_event": selectors.last_audit_event(),
        "verify_result": result,
        "verify_problems": result.problems[:20] if result else [],
    }


@login_required
@never_cache
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Find a client, then list every audit event about them, newest first, filtered and paginated."""
    user = _auditor(request)
    lookup = ClientLookupForm(request.GET or None)
    query = lookup.cleaned_data["q"] if lookup.is_valid() else ""
    matches = selectors.clients_for_audit_lookup(user=user, query=query) if query else []

    context: dict[str, Any] = {"nav": "audit", "lookup": lookup, "query": query, "matches": matches}
    client_id = _client_id(request.GET.get("client"))
    if client_id is not None:
        events = selectors.audit_events_for_client(user=user, client_id=client_id)
        client = next(iter(selectors.clients_for_audit_lookup(user=user, query=str(client_id))), None)
        if client is None:
            raise NotFound()
        filters = AuditFilterForm(request.GET)
        if filters.is_valid():
            data = filters.cleaned_data
            events = selectors.filter_audit_events(
                events,
                action=data["action"],
                actor=data["actor"],
                since=_day_start(data["date_from"]) if data["date_from"] else None,
                until=_day_start(data["date_to"] + datetime.timedelta(days=1)) if data["date_to"] else None,
            )
        # The auditor's reading is itself part of the client's trail.
        audit_record(
            actor=user, action="audit.view", client_id=client_id, object_type="clients.client", object_id=client_id
        )
        page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
        context.update({"client": client, "filters": filters, "page": page, "rows": _event_rows(list(page))})
    context.update(_chain_context())
    return render(request, "audit/index.html", context)


@login_required
@never_cache
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    """Walk the hash chains now and say whether the log is intact."""
    user = _auditor(request)
    result = verify_chain()
    audit_record(
        actor=user, action="audit.verify", changes={"checked": result.checked, "problems": len(result.problems)}
    )
    if getattr(request, "htmx", False):
        return render(request, "audit/index.html#chain-status", _chain_context(result))
    if result.ok:
        messages.success(request, _("Audit chain intact: %(n)s events verified.") % {"n": result.checked})
    else:
        messages.error(
            request,
            _("Audit chain broken: %(n)s problem(s). First: %(problem)s")
            % {"n": len(result.problems), "problem": result.problems[0]},
        )
    url = reverse("audit:index")
    client_id = request.POST.get("client", "")
    return redirect(f"{url}?client={client_id}" if client_id.isdigit() else url)
