"""Duplicate review pages: the queue, comparing a pair, dismissing, merging and undoing a merge.

For supervisors, program directors and (data) administrators; everyone else gets 404. The
pages show who each person is (names, dates, contact details, masked SSN, identifiers) and how
many records hang off each, never clinical content.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casework.audit.services import audit_record
from casework.clients import matching, merging, permissions
from casework.clients import selectors as client_selectors
from casework.clients.forms import add_domain_errors
from casework.clients.models import Client, ClientIdentifier, DuplicatePair, PairStatus
from casework.clients.views import AuthenticatedRequest
from casework.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict

PAGE_SIZE = 25


def reviewer_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in as a duplicate reviewer; anyone else gets 404. Never cached."""

    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.can_review_duplicates(request.user):
            raise NotFound()
        return view(request, *args, **kwargs)

    return wrapper


class DismissForm(forms.Form):
    """Not the same person: the reason is kept with the decision."""

    reason = forms.CharField(
        label=gettext_lazy("How do you know these are two different people?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class UndoForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why undo this merge?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


SIDES = [("a", gettext_lazy("Record A")), ("b", gettext_lazy("Record B"))]


class MergeForm(forms.Form):
    """Which record stays, and per differing field whose value it keeps."""

    survivor = forms.ChoiceField(
        label=gettext_lazy("Keep this record"), choices=SIDES, widget=forms.RadioSelect, initial="a"
    )
    reason = forms.CharField(
        label=gettext_lazy("Note (optional)"), max_length=1000, required=False, widget=forms.TextInput
    )
    version_a = forms.IntegerField(widget=forms.HiddenInput)
    version_b = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, differing: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.differing = differing
        for name in differing:
            # Not required: a field left unpicked keeps the kept record's own value.
            self.fields[f"field_{name}"] = forms.ChoiceField(
                label=_field_label(name), choices=SIDES, widget=forms.RadioSelect, required=False
            )


# --- Showing a client side by side -------------------------------------------------------------


def _field_label(name: str) -> str:
    if name == "ssn":
        return _("SSN")
    field = Client._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def _shown_value(client: Client, name: str) -> str:
    """A field as the reviewer sees it (the SSN masked; the income in whole dollars, as on the client page)."""
    if name == "ssn":
        return client.ssn_masked
    value = getattr(client, name)
    if name == "date_of_birth":
        return value.isoformat() if value else ""
    if name in ("sex", "insurance"):
        return str(getattr(client, f"get_{name}_display")()) if value else ""
    if name == "annual_household_income":
        return _("$%(amount)s a year") % {"amount": f"{value:,.0f}"} if value is not None else ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value or "")


def _comparison_rows(pair: DuplicatePair, form: MergeForm | None = None) -> list[dict[str, Any]]:
    rows = []
    for name in merging.MERGEABLE_FIELDS:
        a, b = _shown_value(pair.client_a, name), _shown_value(pair.client_b, name)
        if not a and not b:
            continue
        rows.append(
            {
                "name": name,
                "label": _field_label(name),
                "a": a,
                "b": b,
                "differs": a != b,
                "field": form[f"field_{name}"] if form is not None and f"field_{name}" in form.fields else None,
            }
        )
    return rows


def _differing(pair: DuplicatePair) -> list[str]:
    return [
        name
        for name in merging.MERGEABLE_FIELDS
        if _shown_value(pair.client_a, name) != _shown_value(pair.client_b, name)
    ]


def pair_reasons(pair: DuplicatePair) -> list[str]:
    """The engine's plain-language reasons for a stored pair, in the reader's language."""
    levels = {name: level for name, level in (pair.levels or {}).items() if level in matching.WEIGHTS.get(name, {})}
    return matching.Comparison(levels=levels, swapped_names=pair.swapped_names).reasons()


# --- The queue -----------------------------------------------------------------------------------


@reviewer_view
def queue(request: AuthenticatedRequest) -> HttpResponse:
    """Likely duplicate pairs of the agency, most likely first (a page at a time)."""
    status = request.GET.get("status", PairStatus.OPEN)
    if status not in PairStatus.values:
        status = PairStatus.OPEN
    pairs = client_selectors.duplicate_queue(user=request.user, status=status)
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"pair": pair, "reasons": pair_reasons(pair)} for pair in page.object_list]
    audit_record(
        actor=request.user,
        action="duplicates.list",
        object_type="clients.duplicatepair",
        changes={
            "status": status,
            "page": page.number,
            "client_ids": sorted({pk for row in rows for pk in (row["pair"].client_a_id, row["pair"].client_b_id)}),
        },
    )
    return render(
        request,
        "clients/duplicates.html",
        {"nav": "duplicates", "rows": rows, "page": page, "status": status, "statuses": PairStatus.choices},
    )


@reviewer_view
@require_POST
def scan(request: AuthenticatedRequest) -> HttpResponse:
    """Put an agency-wide scan on the background queue."""
    from casework.clients.tasks import scan_duplicates

    assert request.user.agency_id is not None  # a reviewer belongs to an agency (reviewer_view)
    scan_duplicates.enqueue(request.user.agency_id, request.user.pk)
    messages.success(request, _("The duplicate scan has started. New pairs appear here when it finishes."))
    return redirect("clients:duplicates")


# --- One pair ------------------------------------------------------------------------------------


def _pair_context(request: AuthenticatedRequest, pair: DuplicatePair, **extra: Any) -> dict[str, Any]:
    a, b = pair.client_a, pair.client_b
    counts = client_selectors.linked_record_counts(client_ids=[a.pk, b.pk])
    identifiers: dict[int, list[ClientIdentifier]] = {a.pk: [], b.pk: []}
    for identifier in ClientIdentifier.objects.filter(client_id__in=[a.pk, b.pk]).order_by("kind", "value"):
        identifiers[identifier.client_id].append(identifier)
    merge_form = extra.pop("merge_form", None)
    if merge_form is None and pair.status == PairStatus.OPEN:
        merge_form = MergeForm(differing=_differing(pair), initial={"version_a": a.version, "version_b": b.version})
    context = {
        "nav": "duplicates",
        "pair": pair,
        "reasons": pair_reasons(pair),
        "rows": _comparison_rows(pair, merge_form),
        "counts_a": sorted(counts[a.pk].items()),
        "counts_b": sorted(counts[b.pk].items()),
        "identifiers_a": identifiers[a.pk],
        "identifiers_b": identifiers[b.pk],
        "merge_form": merge_form,
        "dismiss_form": extra.pop("dismiss_form", None) or DismissForm(initial={"version": pair.version}),
        "merged": a.merged_into_id is not None or b.merged_into_id is not None,
        "merges": list(client_selectors.merges_of_client(client_ids=[a.pk, b.pk]).filter(alias_id__in=[a.pk, b.pk])),
    }
    context.update(extra)
    return context


def _audit_pair_view(request: AuthenticatedRequest, pair: DuplicatePair) -> None:
    for client_id in (pair.client_a_id, pair.client_b_id):
        audit_record(actor=request.user, action="duplicates.review", client_id=client_id, obj=pair)


@reviewer_view
def pair_detail(request: AuthenticatedRequest, pair_id: int) -> HttpResponse:
    """Both records side by side, with the reasons, and the two decisions."""
    pair = client_selectors.duplicate_pair_get_for_user(user=request.user, pair_id=pair_id)
    _audit_pair_view(request, pair)
    return render(request, "clients/duplicate_pair.html", _pair_context(request, pair))


@reviewer_view
@require_POST
def pair_dismiss(request: AuthenticatedRequest, pair_id: int) -> HttpResponse:
    """Not the same person: remembered, the pair leaves the queue for good."""
    pair = client_selectors.duplicate_pair_get_for_user(user=request.user, pair_id=pair_id)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            merging.pair_dismiss(
                actor=request.user,
                pair=pair,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except (ValidationFailed, VersionConflict, PermissionDenied) as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Marked as two different people. The pair will not be proposed again."))
            return redirect("clients:duplicates")
    _audit_pair_view(request, pair)
    return render(request, "clients/duplicate_pair.html", _pair_context(request, pair, dismiss_form=form), status=400)


@reviewer_view
@require_POST
def pair_merge(request: AuthenticatedRequest, pair_id: int) -> HttpResponse:
    """Merge the pair: the chosen record stays, the other becomes an alias of it."""
    pair = client_selectors.duplicate_pair_get_for_user(user=request.user, pair_id=pair_id)
    form = MergeForm(request.POST, differing=_differing(pair))
    status = 400
    if pair.status != PairStatus.OPEN:
        form.add_error(None, _("This pair has already been decided."))
    elif form.is_valid():
        keep_a = form.cleaned_data["survivor"] == "a"
        survivor, alias = (pair.client_a, pair.client_b) if keep_a else (pair.client_b, pair.client_a)
        alias_side = "b" if keep_a else "a"
        take = [name for name in form.differing if form.cleaned_data.get(f"field_{name}") == alias_side]
        try:
            record = merging.client_merge(
                actor=request.user,
                survivor=survivor,
                alias=alias,
                survivor_version=form.cleaned_data["version_a" if keep_a else "version_b"],
                alias_version=form.cleaned_data["version_b" if keep_a else "version_a"],
                take_from_alias=take,
                reason=form.cleaned_data["reason"],
                pair=pair,
            )
        except VersionConflict as exc:
            form.add_error(None, exc.message)
            status = 409
        except (ValidationFailed, PermissionDenied) as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(
                request,
                _("Record %(alias)s is merged into record %(survivor)s.")
                % {"alias": alias.pk, "survivor": survivor.pk},
            )
            return redirect("clients:merge_detail", merge_id=record.pk)
    pair.refresh_from_db()
    _audit_pair_view(request, pair)
    return render(request, "clients/duplicate_pair.html", _pair_context(request, pair, merge_form=form), status=status)


# --- A merge -------------------------------------------------------------------------------------


def _merge_context(record: Any, form: UndoForm) -> dict[str, Any]:
    labels = {name: str(model._meta.verbose_name_plural) for name, model, _field in merging.client_relations()}
    moved = sorted((labels.get(name, name), len(ids)) for name, ids in record.moved.items())
    fields = [
        {
            "label": _field_label(name),
            "before": merging.shown_value(name, before),
            "after": merging.shown_value(name, after),
        }
        for name, (before, after) in record.fields.items()
    ]
    return {"nav": "duplicates", "record": record, "moved": moved, "fields": fields, "form": form}


@reviewer_view
@require_http_methods(["GET"])
def merge_detail(request: AuthenticatedRequest, merge_id: int) -> HttpResponse:
    """What a merge moved and which values it took, with the undo form."""
    record = client_selectors.merge_get_for_user(user=request.user, merge_id=merge_id)
    audit_record(actor=request.user, action="duplicates.review", client_id=record.survivor_id, obj=record)
    return render(request, "clients/merge.html", _merge_context(record, UndoForm()))


@reviewer_view
@require_POST
def merge_undo(request: AuthenticatedRequest, merge_id: int) -> HttpResponse:
    """Undo a merge: what moved goes back to the alias, what was written since stays."""
    record = client_selectors.merge_get_for_user(user=request.user, merge_id=merge_id)
    form = UndoForm(request.POST)
    if form.is_valid():
        try:
            merging.merge_undo(actor=request.user, record=record, reason=form.cleaned_data["reason"])
        except (ValidationFailed, PermissionDenied) as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(
                request,
                _("The merge is undone: record %(alias)s is its own record again.") % {"alias": record.alias_id},
            )
            return redirect("clients:merge_detail", merge_id=record.pk)
    record.refresh_from_db()
    return render(request, "clients/merge.html", _merge_context(record, form), status=400)
