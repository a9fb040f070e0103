"""Client pages: find, register, view, edit, support network, grants and emergency access.

Each view parses its input, calls a selector or a service, and renders. Every view that
touches a client goes through `client_get_for_user` (404 for a client the user has no
relationship with); refused writes never reach a service.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.cases import selectors as case_selectors
from casework.cases.models import CaseStatus
from casework.clients import matching, permissions
from casework.clients import selectors as client_selectors
from casework.clients import services as client_services
from casework.clients.forms import (
    AccessGrantForm,
    BreakGlassForm,
    ClientCreateForm,
    ClientEditForm,
    IdentifierAddForm,
    ReasonForm,
    SupportContactForm,
    add_domain_errors,
    grantable_colleagues,
    identifier_forms,
    identifiers_from,
)
from casework.clients.models import AccessGrant, Client, ClientIdentifier, SupportContact
from casework.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict
from casework.notes import selectors as note_selectors


class AuthenticatedRequest(HttpRequest):
    """A request behind `clinical_view`: a signed-in staff user and django-htmx details."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def clinical_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and a role that works with clients; auditors and administrators get 404.

    Client data pages are never cached (shared computers, the back button after sign-out).
    """

    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.is_clinical(request.user):
            raise NotFound()
        return view(request, *args, **kwargs)

    return wrapper


def _audit_view(user: User, client: Client) -> None:
    """Record a read of a client's page rendered by a view that was given the client for a write."""
    emergency = client_selectors.active_break_glass(user, client) if _by_break_glass(client) else None
    audit_record(
        actor=user,
        action="client.view",
        client_id=client.pk,
        obj=client,
        flagged=emergency is not None,
        reason=emergency.reason if emergency else "",
    )


def _by_break_glass(client: Client) -> bool:
    return bool(getattr(client, "accessed_by_break_glass", False))


# --- Find a client -----------------------------------------------------------------------


def _create_link(query: str) -> str:
    """The registration URL, carrying the name and date of birth typed in the search box."""
    parsed = client_selectors.parse_query(query)
    name_words = [word for word in query.replace(",", " , ").split() if not any(ch.isdigit() for ch in word)]
    name = " ".join(name_words).replace(" , ", ", ").strip(" ,")
    params = {}
    if name:
        params["name"] = name
    if parsed.dates:
        params["dob"] = parsed.dates[0].isoformat()
    url = reverse("clients:create")
    return f"{url}?{urlencode(params)}" if params else url


@clinical_view
def search(request: AuthenticatedRequest) -> HttpResponse:
    """Find a client before registering one; searches as the user types (htmx) or on submit."""
    # NUL characters cannot be stored (PostgreSQL refuses them) and never belong in a search.
    query = request.GET.get("q", "").replace("\x00", "").strip()[: client_selectors.MAX_QUERY_LENGTH]
    rows: list[dict[str, Any]] = []
    if query:
        hits = client_selectors.client_search(user=request.user, query=query)
        audit_record(
            actor=request.user,
            action="client.search",
            reason="",
            changes={"query": query, "results": [hit.client.pk for hit in hits]},
        )
        open_cases: dict[int, list[Any]] = {}
        cases = (
            case_selectors.cases_visible_to(request.user)
            .filter(client_id__in=[hit.client.pk for hit in hits])
            .exclude(status=CaseStatus.CLOSED)
            .select_related("program")
            .order_by("opened_at")
        )
        for case in cases:
            open_cases.setdefault(case.client_id, []).append(case)
        rows = [{"hit": hit, "open_cases": open_cases.get(hit.client.pk, [])} for hit in hits]
    context = {"nav": "clients", "query": query, "rows": rows, "create_url": _create_link(query) if query else ""}
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "clients/search.html#results" if partial else "clients/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Register a client -------------------------------------------------------------------


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """Initial values from the search box: `?name=Robert J Smith&dob=1980-02-03` or `Smith, Robert`."""
    initial: dict[str, Any] = {}
    name = request.GET.get("name", "").strip()[:200]
    if "," in name:
        last, _sep, first = name.partition(",")
        words = first.split()
        if words:
            initial["legal_first_name"] = words[0]
            initial["legal_middle_name"] = " ".join(words[1:])
        initial["legal_last_name"] = last.strip()
    elif name:
        words = name.split()
        initial["legal_first_name"] = words[0]
        if len(words) > 1:
            initial["legal_last_name"] = words[-1]
            initial["legal_middle_name"] = " ".join(words[1:-1])
    with contextlib.suppress(ValueError):
        initial["date_of_birth"] = datetime.date.fromisoformat(request.GET.get("dob", ""))
    return {key: value for key, value in initial.items() if value}


MIN_DUPLICATE_REASON = 10


def _panel_query(data: Any) -> matching.MatchQuery | None:
    """A lookup from the registration form as typed so far (unvalidated, forgiving), or None.

    Nothing is looked up until there is enough to tell people apart: a last name, a first
    name with a date of birth, or a phone, SSN or identifier.
    """

    def value(name: str, limit: int) -> str:
        raw = data.get(name, "")
        return raw.replace("\x00", "").strip()[:limit] if isinstance(raw, str) else ""

    dob = None
    with contextlib.suppress(ValueError):
        dob = datetime.date.fromisoformat(value("date_of_birth", 10))
    if dob is not None and (dob > timezone.localdate() or dob.year < 1890):
        dob = None
    identifiers = [value(f"identifier-{index}-value", matching.MAX_IDENTIFIER_LENGTH) for index in range(3)]
    query = matching.query_from_client_data(
        {
            "legal_first_name": value("legal_first_name", matching.MAX_NAME_LENGTH),
            "legal_last_name": value("legal_last_name", matching.MAX_NAME_LENGTH),
            "date_of_birth": dob,
            "sex": value("sex", 20),
            "phone": value("phone", 30),
            "email": value("email", matching.MAX_EMAIL_LENGTH),
            "postal_code": value("postal_code", 10),
        },
        ssn=value("ssn", 20),
        identifiers=identifiers,
    )
    enough = (
        query.last_key
        or (query.first_key and query.date_of_birth)
        or query.phone_key
        or query.ssn_last4
        or query.identifier_keys
        or query.email_key
    )
    return query if enough else None


def _lookup(user: User, query: matching.MatchQuery, *, source: str) -> list[matching.MatchCandidate]:
    """Matches the user may learn about; the lookup is audited like a search (fields, not values)."""
    found = matching.matches_for_user(user=user, query=query)
    audit_record(
        actor=user,
        action="client.match",
        object_type="clients.client",
        changes={
            "source": source,
            "fields": query.fields_given,
            "client_ids": [candidate.client.pk for candidate in found if candidate.accessible],
            "inaccessible_client_ids": [candidate.client.pk for candidate in found if not candidate.accessible],
        },
    )
    return found


@clinical_view
@require_POST
def create_matches(request: AuthenticatedRequest) -> HttpResponse:
    """The "possible matches" panel of the registration form, as the worker types (htmx)."""
    query = _panel_query(request.POST)
    matches = _lookup(request.user, query, source="intake panel") if query is not None else []
    return render(
        request,
        "clients/form.html#matches",
        {"matches": matches, "looked_up": query is not None, "creating": True},
    )


@clinical_view
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedRequest) -> HttpResponse:
    """Register a client with their identifiers; a double click registers one client.

    A "certain" match with an existing client asks for a reason before registering anyway.
    """
    certain: list[matching.MatchCandidate] = []
    possible: list[matching.MatchCandidate] = []
    if request.method == "POST":
        form = ClientCreateForm(request.POST)
        id_forms = identifier_forms(request.POST)
        forms_valid = form.is_valid()
        identifiers_valid = all([id_form.is_valid() for id_form in id_forms])
        identifiers = identifiers_from(id_forms) if identifiers_valid else []
        if forms_valid and identifiers_valid and not any(f.errors for f in id_forms):
            key = form.cleaned_data["submission_key"]
            repeated = Client.objects.filter(submission_key=key, created_by=request.user).exists()
            reason = form.cleaned_data["duplicate_reason"].strip()
            if not repeated and permissions.can_register_clients(request.user):
                query = matching.query_from_client_data(
                    form.client_data(),
                    ssn=form.cleaned_data["ssn"],
                    identifiers=[identifier["value"] for identifier in identifiers],
                )
                found = _lookup(request.user, query, source="registration")
                certain = [candidate for candidate in found if candidate.band == matching.CERTAIN]
                possible = [candidate for candidate in found if candidate.band == matching.POSSIBLE]
            if certain and len(reason) < MIN_DUPLICATE_REASON:
                form.add_error(
                    "duplicate_reason",
                    _("This person matches an existing client. Open that record, or say why this is someone else.")
                    if not reason
                    else _("Say a little more (at least %(count)d characters).") % {"count": MIN_DUPLICATE_REASON},
                )
            else:
                try:
                    client = client_services.client_create(
                        actor=request.user,
                        data=form.client_data(),
                        ssn=form.cleaned_data["ssn"] or None,
                        identifiers=identifiers,
                        submission_key=key,
                        duplicate_reason=reason if certain else "",
                        certain_match_ids=[candidate.client.pk for candidate in certain],
                        possible_match_ids=[candidate.client.pk for candidate in possible],
                    )
                except ValidationFailed as exc:
                    # Errors about identifiers name no field of this form: they show above it.
                    add_domain_errors(form, exc)
                except PermissionDenied as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, _("%(name)s is registered.") % {"name": client.display_name})
                    return redirect("clients:detail", client_id=client.pk)
    else:
        form = ClientCreateForm(initial=_prefill(request))
        id_forms = identifier_forms()
    return render(
        request,
        "clients/form.html",
        {
            "nav": "clients",
            "form": form,
            "identifier_forms": id_forms,
            "creating": True,
            "certain_matches": certain,
            "matches": certain,
            "looked_up": bool(certain),
        },
    )


# --- The client page -----------------------------------------------------------------------


def _detail_context(request: AuthenticatedRequest, client: Client, **extra: Any) -> dict[str, Any]:
    """Everything the client page shows, in a fixed number of queries."""
    user = request.user
    cases = list(
        case_selectors.cases_visible_to(user)
        .filter(client=client)
        .select_related("program", "primary_worker", "team")
        .order_by("-opened_at")
    )
    cases.sort(key=lambda case: case.status == CaseStatus.CLOSED)
    can_grant = permissions.can_grant_access(user)
    grants: list[AccessGrant] = []
    if can_grant:
        now = timezone.now()
        grants = [
            grant
            for grant in client.access_grants.filter(revoked_at__isnull=True)
            .select_related("user", "granted_by")
            .order_by("-created_at")
            if grant.expires_at is None or grant.expires_at > now
        ]
    context: dict[str, Any] = {
        "nav": "clients",
        "client": client,
        "emergency": client_selectors.active_break_glass(user, client) if _by_break_glass(client) else None,
        "identifiers": list(client.identifiers.order_by("kind", "value")),
        "contacts": list(client.support_contacts.filter(is_active=True)),
        "cases": cases,
        "timeline": note_selectors.client_timeline(client=client),
        "can_edit": permissions.can_edit_client(user),
        "can_grant": can_grant,
        "grants": grants,
        "ssn_form": ReasonForm(prefix="ssn"),
        "identifier_form": IdentifierAddForm(prefix="identifier"),
        "identifier_remove_form": ReasonForm(prefix="remove"),
        "identifier_remove_id": None,
        "contact_form": SupportContactForm(prefix="contact"),
        "grant_form": (
            AccessGrantForm(
                prefix="grant", colleagues=grantable_colleagues(agency_id=client.agency_id, exclude_user_id=user.pk)
            )
            if can_grant
            else None
        ),
        "revealed_ssn": "",
        **_safety_context(user, client),
    }
    context.update(extra)
    return context


def _safety_context(user: User, client: Client) -> dict[str, Any]:
    """Open risk flags (the banner), open tasks and suggested needs: a few queries, not per row."""
    from casework.cases import permissions as case_permissions
    from casework.needs.selectors import suggested_needs_for_client
    from casework.safety.selectors import open_flags_for_client
    from casework.tasks.selectors import open_tasks_for_client

    needs = list(suggested_needs_for_client(client=client))
    for need in needs:
        need.can_dismiss = case_permissions.can_work_case(user, need.case)  # type: ignore[attr-defined]
    return {
        "risk_flags": list(open_flags_for_client(client=client)),
        "can_resolve_flags": permissions.is_clinical(user),
        "open_tasks": open_tasks_for_client(client=client),
        "suggested_needs": needs,
    }


def _render_detail(request: AuthenticatedRequest, client: Client, *, audit: bool = True, **extra: Any) -> HttpResponse:
    """The client page, e.g. again after a refused form (with the errors next to the fields)."""
    if audit:
        _audit_view(request.user, client)
    return render(request, "clients/detail.html", _detail_context(request, client, **extra))


@clinical_view
def detail(request: AuthenticatedRequest, client_id: int) -> HttpResponse:
    """The client's record: demographics, identifiers, support network, cases and timeline.

    A merged record's page redirects to the record it was merged into (if the user may see it).
    """
    try:
        client = client_selectors.client_get_for_user(user=request.user, client_id=client_id)
    except NotFound:
        target = client_selectors.alias_target(user=request.user, client_id=client_id)
        if target is None:
            raise
        return redirect("clients:detail", client_id=target)
    return _render_detail(request, client, audit=False)


def _client_for_write(request: AuthenticatedRequest, client_id: int) -> Client:
    """The client, authorised but not audited as a read: the write that follows is audited."""
    return client_selectors.client_get_for_user(user=request.user, client_id=client_id, audit=False)


@clinical_view
@require_POST
def reveal_ssn(request: AuthenticatedRequest, client_id: int) -> HttpResponse:
    """Show the full SSN to a user who says why; the reason goes into the audit log."""
    client = _client_for_write(request, client_id)
    form = ReasonForm(request.POST, prefix="ssn")
    revealed = ""
    if not client.ssn_last4:
        form.add_error(None, _("No SSN is on file."))
    elif form.is_valid():
        try:
            revealed = client_services.client_reveal_ssn(
                actor=request.user, client=client, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
    if revealed:
        revealed = f"{revealed[:3]}-{revealed[3:5]}-{revealed[5:]}"
    if request.htmx:
        return render(
            request, "clients/detail.html#ssn", {"client": client, "ssn_form": form, "revealed_ssn": revealed}
        )
    return _render_detail(request, client, audit=not revealed, ssn_form=form, revealed_ssn=revealed)


@clinical_view
@require_POST
def identifier_add(request: AuthenticatedRequest, client_id: int) -> HttpResponse:
    """Add an identifier (MRN, Medicaid ID...) to the client."""
    client = _client_for_write(request, client_id)
    form = IdentifierAddForm(request.POST, prefix="identifier")
    if form.is_valid():
        try:
            identifier = client_services.identifier_add(
                actor=request.user,
                client=client,
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
                issuer=form.cleaned_data["issuer"],
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Identifier %(identifier)s added.") % {"identifier": identifier})
            return redirect("clients:detail", client_id=client.pk)
    return _render_detail(request, client, identifier_form=form)


@clinical_view
@require_POST
def identifier_remove(request: AuthenticatedRequest, client_id: int, identifier_id: int) -> HttpResponse:
    """Remove a wrong identifier, with a reason (the audit log keeps what it was)."""
    client = _client_for_write(request, client_id)
    identifier = get_object_or_404(ClientIdentifier, pk=identifier_id, client=client)
    form = ReasonForm(request.POST, prefix="remove")
    if form.is_valid():
        try:
            client_services.identifier_remove(
                actor=request.user, identifier=identifier, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Identifier %(identifier)s removed.") % {"identifier": identifier})
            return redirect("clients:detail", client_id=client.pk)
    return _render_detail(request, client, identifier_remove_form=form, identifier_remove_id=identifier.pk)


@clinical_view
@require_POST
def contact_add(request: AuthenticatedRequest, client_id: int) -> HttpResponse:
    """Add someone to the client's support network."""
    client = _client_for_write(request, client_id)
    form = SupportContactForm(request.POST, prefix="contact")
    if form.is_valid():
        try:
            contact = client_services.support_contact_add(actor=request.user, client=client, data=form.cleaned_data)
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added to the support network.") % {"name": contact.name})
            return redirect("clients:detail", client_id=client.pk)
    return _render_detail(request, client, contact_form=form)


@clinical_view
@require_http_methods(["GET", "POST"])
def contact_edit(request: AuthenticatedRequest, client_id: int, contact_id: int) -> HttpResponse:
    """Correct a support-network member's details, or take them out of the network."""
    if request.method == "GET":
        client = client_selectors.client_get_for_user(user=request.user, client_id=client_id)
    else:
        client = _client_for_write(request, client_id)
    contact = get_object_or_404(SupportContact, pk=contact_id, client=client, is_active=True)
    form = SupportContactForm(request.POST or None, instance=copy.copy(contact), prefix="contact")
    if request.method == "POST":
        if "remove" in request.POST:
            client_services.support_contact_remove(actor=request.user, contact=contact)
            messages.success(request, _("%(name)s removed from the support network.") % {"name": contact.name})
            return redirect("clients:detail", client_id=client.pk)
        if form.is_valid():
            try:
                client_services.support_contact_update(actor=request.user, contact=contact, data=form.cleaned_data)
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Support contact saved."))
                return redirect("clients:detail", client_id=client.pk)
        _audit_view(request.user, client)
    return render(
        request, "clients/contact_form.html", {"nav": "clients", "client": client, "contact": contact, "form": form}
    )


@clinical_view
@require_POST
def grant_access(request: AuthenticatedRequest, client_id: int) -> HttpResponse:
    """A supervisor or program director lets a colleague see this client."""
    client = _client_for_write(request, client_id)
    if not permissions.can_grant_access(request.user):
        raise DjangoPermissionDenied
    form = AccessGrantForm(
        request.POST,
        prefix="grant",
        colleagues=grantable_colleagues(agency_id=client.agency_id, exclude_user_id=request.user.pk),
    )
    if form.is_valid():
        try:
            grant = client_services.access_grant_create(
                actor=request.user,
                client=client,
                user=form.cleaned_data["user"],
                reason=form.cleaned_data["reason"],
                expires_at=form.expires_at(),
            )
        except ValidationFailed as exc:
            add_domain_errors(form, exc, field_map={"expires_at": "until"})
        else:
            messages.success(request, _("%(user)s can now see this client.") % {"user": grant.user})
            return redirect("clients:detail", client_id=client.pk)
    return _render_detail(request, client, grant_form=form)


# --- Edit a client --------------------------------------------------------------------------


def _display_value(field_name: str, value: Any) -> str:
    """A value from an audit event's `changes`, as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    try:
        field = Client._meta.get_field(field_name)
    except FieldDoesNotExist:  # the SSN: recorded masked, shown as recorded
        return str(value)
    choices = dict(getattr(field, "choices", None) or [])
    if choices:
        return str(choices.get(value, value))
    if field_name == "date_of_birth":
        try:
            return str(formats.date_format(datetime.date.fromisoformat(str(value))))
        except ValueError:
            return str(value)
    return str(value)


def _field_label(field_name: str) -> str:
    if field_name == "ssn":
        return _("Social Security number")
    try:
        field = Client._meta.get_field(field_name)
    except FieldDoesNotExist:
        return field_name
    return str(getattr(field, "verbose_name", field_name)).capitalize()


def _conflict_rows(exc: VersionConflict, form: ClientEditForm) -> list[dict[str, Any]]:
    """What others changed meanwhile, with what this user typed for the same field."""
    rows = []
    for change in exc.changes:
        name = change.get("field", "")
        at = change.get("at")
        try:
            when = timezone.localtime(datetime.datetime.fromisoformat(at)) if at else None
        except ValueError:
            when = None
        yours: Any = ""
        if name in form.fields and name != "ssn":
            yours = _display_value(name, form.cleaned_data.get(name))
        rows.append(
            {
                "label": _field_label(name),
                "old": _display_value(name, change.get("old")),
                "new": _display_value(name, change.get("new")),
                "by": change.get("by") or _("someone"),
                "at": when,
                "yours": yours,
            }
        )
    return rows


@clinical_view
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedRequest, client_id: int) -> HttpResponse:
    """Edit a client's details; a save over a newer version shows what changed, keeping the input."""
    if request.method == "GET":
        client = client_selectors.client_get_for_user(user=request.user, client_id=client_id)
        form = ClientEditForm(instance=client)
        return render(request, "clients/form.html", {"nav": "clients", "form": form, "client": client})

    client = _client_for_write(request, client_id)
    # A copy: validating a ModelForm writes the input into its instance, and the page may need
    # to show the values that are saved now.
    form = ClientEditForm(request.POST, instance=copy.copy(client))
    conflict: list[dict[str, Any]] | None = None
    conflict_message = ""
    if form.is_valid():
        ssn: Any = client_services.UNSET
        if form.cleaned_data["remove_ssn"]:
            ssn = None
        elif form.cleaned_data["ssn"]:
            ssn = form.cleaned_data["ssn"]
        try:
            updated = client_services.client_update(
                actor=request.user,
                client=client,
                expected_version=form.cleaned_data["version"],
                data=form.client_data(),
                ssn=ssn,
            )
        except VersionConflict as exc:
            conflict = _conflict_rows(exc, form)
            conflict_message = exc.message
            # Keep the user's input; a new save now knowingly replaces the version they have seen.
            data = request.POST.copy()
            data["version"] = str(exc.current_version)
            form = ClientEditForm(data, instance=copy.copy(client))
            form.is_valid()
        except ValidationFailed as exc:
            add_domain_errors(form, exc)
        else:
            if updated.version == form.cleaned_data["version"]:
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(request, _("Client details saved."))
            return redirect("clients:detail", client_id=client.pk)
    _audit_view(request.user, client)
    return render(
        request,
        "clients/form.html",
        {
            "nav": "clients",
            "form": form,
            "client": client,
            "conflict": conflict,
            "conflict_message": conflict_message,
        },
        status=409 if conflict is not None else 200,
    )


# --- Emergency access ----------------------------------------------------------------------


@clinical_view
@require_http_methods(["GET", "POST"])
def break_glass(request: AuthenticatedRequest) -> HttpResponse:
    """Open a client's record outside one's relationships: a typed reason, time-limited, flagged."""
    if request.method == "POST":
        form = BreakGlassForm(request.POST)
        if form.is_valid():
            client_id = form.cleaned_data["client_id"]
            try:
                access = client_services.break_glass_open(
                    actor=request.user, client_id=client_id, reason=form.cleaned_data["reason"]
                )
            except NotFound as exc:
                form.add_error("client_id", exc.message)
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                return redirect("clients:detail", client_id=access.client_id)
    else:
        client_param = request.GET.get("client", "")
        form = BreakGlassForm(initial={"client_id": client_param} if client_param.isdigit() else None)
    return render(
        request,
        "clients/break_glass.html",
        {"nav": "clients", "form": form, "minutes": settings.BREAK_GLASS_MINUTES},
    )
