"""Case pages: my caseload, a case, opening a case, and the supervisor's team page."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from casework.accounts.models import Program, Role, Team, User
from casework.audit.services import audit_record
from casework.cases import permissions
from casework.cases.forms import (
    CaseEditForm,
    CaseloadFilterForm,
    CaseloadReassignForm,
    CaseOpenForm,
    CaseReassignForm,
    CaseTransitionForm,
    TeamMemberForm,
    TeamMemberRemoveForm,
    new_submission_key,
)
from casework.cases.models import OPEN_STATUSES, Case, CaseStatus, CaseTeamMember
from casework.cases.selectors import (
    assignable_workers,
    case_get_for_user,
    caseload_for_user,
    caseload_rows,
    team_cases,
    team_workloads,
    teams_supervised_by,
)
from casework.cases.services import (
    allowed_transitions,
    case_open,
    case_reassign,
    case_team_member_add,
    case_team_member_remove,
    case_transition,
    case_update,
    caseload_reassign,
)
from casework.clients.models import BreakGlassAccess
from casework.clients.permissions import CLINICAL_ROLES
from casework.clients.selectors import client_get_for_user
from casework.clients.services import break_glass_review
from casework.core.errors import DomainError, NotFound, VersionConflict
from casework.notes.selectors import notes_for_case

# Caseload columns in display order; those with a sort key sort the table.
CASELOAD_SORTS = ("name", "program", "status", None, "last_contact", "due", None)


def signed_in(request: HttpRequest) -> User:
    """The signed-in user (the views are behind login_required)."""
    return cast(User, request.user)


def agency_of(user: User) -> int:
    """The user's agency id; a user outside any agency sees no client data (404)."""
    if user.agency_id is None:
        raise NotFound()
    return user.agency_id


def add_domain_error(form: forms.Form, exc: DomainError, *, field_map: dict[str, str] | None = None) -> int:
    """Show a service's refusal next to the field it names (or above the form); return its HTTP status."""
    field_map = field_map or {}
    errors = exc.errors or {"": [exc.message]}
    for field, field_messages in errors.items():
        target = field_map.get(field, field)
        for message in field_messages:
            form.add_error(target if target in form.fields else None, message)
    return exc.status_code


def describe_changes(changes: list[dict[str, Any]], model: type[Model] | None = None) -> list[dict[str, Any]]:
    """What others changed since a stale form was opened, ready to show (fields by their label)."""
    described = []
    for change in changes:
        field = change.get("field", "")
        if model is not None:
            with contextlib.suppress(FieldDoesNotExist):
                change = {**change, "field": str(model._meta.get_field(field).verbose_name)}  # type: ignore[union-attr]
        at = change.get("at")
        try:
            when = datetime.datetime.fromisoformat(at) if isinstance(at, str) else at
        except ValueError:
            when = None
        described.append({**change, "old": _as_text(change.get("old")), "new": _as_text(change.get("new")), "at": when})
    return described


def _as_text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_as_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_as_text(item) for item in value)
    return str(value)


FormT = TypeVar("FormT", bound=forms.Form)


def _rebound_with_version(form_class: type[FormT], data: QueryDict, version: int, **kwargs: Any) -> FormT:
    """The user's input kept, with the current version, so saving again is a deliberate overwrite."""
    fresh = data.copy()
    fresh["version"] = str(version)
    form = form_class(fresh, **kwargs)
    form.is_valid()
    return form


# --- My caseload -----------------------------------------------------------------------------------


def _caseload_headers(request: HttpRequest, sort: str, descending: bool) -> list[dict[str, Any]]:
    """Column headings; a sortable one links to its sort (the current one to the reverse order)."""
    labels = [_("Client"), _("Program"), _("Status"), _("Acuity"), _("Last contact"), _("Due next"), _("Draft notes")]
    headers = []
    for key, label in zip(CASELOAD_SORTS, labels, strict=True):
        header: dict[str, Any] = {"label": label, "url": "", "aria_sort": ""}
        if key:
            current = key == sort
            query = request.GET.copy()
            query["sort"] = key
            query["dir"] = "asc" if current and descending else ("desc" if current else "asc")
            header["url"] = f"?{query.urlencode()}"
            if current:
                header["aria_sort"] = "descending" if descending else "ascending"
        headers.append(header)
    return headers


@login_required
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    """The signed-in worker's cases, sortable and filterable; the home page."""
    user = signed_in(request)
    programs = list(Program.objects.filter(agency_id=agency_of(user)).order_by("name"))
    filter_form = CaseloadFilterForm(request.GET, programs=programs)
    filters = filter_form.filters()
    rows = caseload_rows(cases=caseload_for_user(user=user), **filters)
    audit_record(actor=user, action="caseload.view", changes={"cases": [row.case.pk for row in rows]})
    context = {
        "nav": "caseload",
        "filter_form": filter_form,
        "rows": rows,
        "headers": _caseload_headers(request, filters["sort"], filters["descending"]),
        "filtered": bool(filters["q"] or filters["program_id"] or filters["status"] != "open"),
    }
    template = "cases/caseload.html"
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request and htmx.target == "caseload-table":
        template = "cases/caseload.html#caseload-table"
        # Sorting by a column heading (not the form) updates the form's sort fields out of band;
        # the form's own requests leave its fields alone so keyboard focus stays put.
        context["sort_out_of_band"] = htmx.trigger != "caseload-filters"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


# --- A case ----------------------------------------------------------------------------------------


def _staff_choices(case: Case) -> QuerySet[User]:
    return User.objects.filter(agency_id=case.program.agency_id, is_active=True, role__in=CLINICAL_ROLES).order_by(
        "full_name"
    )


def _render_detail(
    request: HttpRequest,
    case: Case,
    *,
    transition_form: CaseTransitionForm | None = None,
    edit_form: CaseEditForm | None = None,
    member_form: TeamMemberForm | None = None,
    conflict: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in(request)
    if transition_form is None:
        transition_form = _transition_form(case, initial={"version": case.version})
    selected_status = transition_form.data.get("to_status", "") if transition_form.is_bound else ""
    context = {
        "nav": "caseload",
        "case": case,
        "client": case.client,
        "status_changes": case.status_changes.select_related("changed_by").order_by("-changed_at", "-id"),
        "members": case.team_members.filter(removed_at__isnull=True).select_related("user"),
        "notes": notes_for_case(case=case),
        "can_work": permissions.can_work_case(user, case),
        "can_document": permissions.can_document_case(user, case) and case.is_open,
        "transition_form": transition_form,
        "show_closure": selected_status in ("", CaseStatus.CLOSED),
        "edit_form": edit_form
        or CaseEditForm(
            initial={"acuity": case.acuity, "reason_for_referral": case.reason_for_referral, "version": case.version}
        ),
        "member_form": member_form or TeamMemberForm(staff=_staff_choices(case)),
        "conflict": conflict,
        **_safety_context(user, case),
    }
    return render(request, "cases/detail.html", context, status=status)


def _safety_context(user: User, case: Case) -> dict[str, Any]:
    """The client's open risk flags, the case's due reassessments and suggested needs (fixed queries)."""
    from casework.needs.selectors import suggested_needs_for_client
    from casework.safety.selectors import open_flags_for_client
    from casework.tasks.selectors import reassessments_due

    needs = list(suggested_needs_for_client(client=case.client, case=case))
    can_work = permissions.can_work_case(user, case)
    for need in needs:
        need.can_dismiss = can_work  # type: ignore[attr-defined]
    return {
        "risk_flags": list(open_flags_for_client(client=case.client)),
        "can_resolve_flags": permissions.can_document_case(user, case),
        "reassessments": reassessments_due(cases=[case], today=timezone.localdate()).get(case.pk, []),
        "suggested_needs": needs,
    }


def _case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _transition_form(case: Case, data: QueryDict | None = None, **kwargs: Any) -> CaseTransitionForm:
    """The status form; choosing a status re-renders it (htmx) to show the closure reason only when closing."""
    form = CaseTransitionForm(data, statuses=allowed_transitions(case), **kwargs)
    form.fields["to_status"].widget.attrs.update(
        {
            "hx-get": reverse("cases:transition", args=[case.pk]),
            "hx-trigger": "change",
            "hx-target": "#case-transition",
            "hx-swap": "outerHTML",
            "hx-include": "#case-transition [name=reason], #case-transition [name=closure_reason], "
            "#case-transition [name=version]",
        }
    )
    return form


def _case_for_post(request: HttpRequest, case_id: int) -> Case:
    # The write's own audit event records the action; the page re-rendered on error audits a view.
    return case_get_for_user(user=signed_in(request), case_id=case_id, audit=False)


def _audit_view(request: HttpRequest, case: Case) -> None:
    audit_record(
        actor=request.user,
        action="case.view",
        client_id=case.client_id,
        obj=case,
        flagged=getattr(case.client, "accessed_by_break_glass", False),
    )


@login_required
@require_GET
def detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """A case: status and its history, case team, notes; forms to move it along."""
    case = case_get_for_user(user=signed_in(request), case_id=case_id)
    return _render_detail(request, case)


@login_required
def transition(request: HttpRequest, case_id: int) -> HttpResponse:
    """Move a case to another status (POST); GET re-renders the form for the chosen status (htmx)."""
    if request.method == "GET":
        case = case_get_for_user(user=signed_in(request), case_id=case_id, audit=False)
        if not getattr(request, "htmx", None):
            return redirect(_case_url(case))
        form = _transition_form(case, initial=request.GET.dict())
        return render(
            request,
            "cases/detail.html#transition-form",
            {
                "case": case,
                "transition_form": form,
                "show_closure": request.GET.get("to_status") == CaseStatus.CLOSED,
                "can_work": permissions.can_work_case(signed_in(request), case),
            },
        )
    if request.method != "POST":
        return HttpResponse(status=405)
    case = _case_for_post(request, case_id)
    form = _transition_form(case, request.POST)
    conflict = None
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            updated = case_transition(
                actor=signed_in(request),
                case=case,
                to_status=data["to_status"],
                reason=data["reason"],
                closure_reason=data["closure_reason"],
                expected_version=data["version"],
            )
        except VersionConflict as exc:
            status = 409
            conflict = describe_changes(exc.changes, Case)
            fresh = request.POST.copy()
            fresh["version"] = str(exc.current_version)
            form = _transition_form(case, fresh)
            form.is_valid()
            form.add_error(None, exc.message)
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, _("The case is now %(status)s.") % {"status": updated.get_status_display()})
            return redirect(_case_url(updated))
    _audit_view(request, case)
    return _render_detail(request, case, transition_form=form, conflict=conflict, status=status)


@login_required
@require_POST
def edit(request: HttpRequest, case_id: int) -> HttpResponse:
    """Change acuity or the reason for referral; a stale version shows what changed."""
    case = _case_for_post(request, case_id)
    form = CaseEditForm(request.POST)
    conflict = None
    status = 422
    if form.is_valid():
        try:
            case_update(
                actor=signed_in(request),
                case=case,
                expected_version=form.cleaned_data["version"],
                data={key: form.cleaned_data[key] for key in ("acuity", "reason_for_referral")},
            )
        except VersionConflict as exc:
            status = 409
            conflict = describe_changes(exc.changes, Case)
            form = _rebound_with_version(CaseEditForm, request.POST, exc.current_version)
            form.add_error(None, exc.message)
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, _("Case saved."))
            return redirect(_case_url(case))
    _audit_view(request, case)
    return _render_detail(request, case, edit_form=form, conflict=conflict, status=status)


@login_required
@require_POST
def team_member_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add a member of staff or an outside professional to the case team."""
    case = _case_for_post(request, case_id)
    form = TeamMemberForm(request.POST, staff=_staff_choices(case))
    status = 422
    if form.is_valid():
        data = dict(form.cleaned_data)
        if data["user"] is not None:
            data["name"] = ""
        try:
            member = case_team_member_add(actor=signed_in(request), case=case, data=data)
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s added to the case team.") % {"name": member.display_name})
            return redirect(_case_url(case) + "#case-team")
    _audit_view(request, case)
    return _render_detail(request, case, member_form=form, status=status)


@login_required
@require_POST
def team_member_remove(request: HttpRequest, case_id: int, member_id: int) -> HttpResponse:
    """Take someone off the case team (the membership is kept with its end date)."""
    case = _case_for_post(request, case_id)
    member = CaseTeamMember.objects.filter(pk=member_id, case=case).select_related("user", "case__program").first()
    if member is None:
        raise NotFound()
    form = TeamMemberRemoveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        case_team_member_remove(actor=signed_in(request), member=member, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
        _audit_view(request, case)
        return _render_detail(request, case, status=exc.status_code)
    messages.success(request, _("%(name)s is no longer on the case team.") % {"name": member.display_name})
    return redirect(_case_url(case) + "#case-team")


# --- Open a case -----------------------------------------------------------------------------------


@login_required
def open_case(request: HttpRequest) -> HttpResponse:
    """Open a case (episode of care) for a client the user can see."""
    user = signed_in(request)
    try:
        client_id = int(request.GET.get("client", ""))
    except ValueError:
        raise NotFound() from None
    # Reading the form audits the view of the client; the POST's own event records the opening.
    client = client_get_for_user(user=user, client_id=client_id, audit=request.method != "POST")
    programs = Program.objects.filter(agency_id=client.agency_id, is_active=True).order_by("name")
    workers = assignable_workers(agency_id=client.agency_id).order_by("full_name")
    suggestion = None
    if request.method == "GET":
        from casework.today.overview import suggest_worker, teams_for_suggestion

        suggestion = suggest_worker(teams=teams_for_suggestion(user))
    status = 200
    if request.method == "POST":
        form = CaseOpenForm(request.POST, programs=programs, workers=workers)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = case_open(
                    actor=user,
                    client=client,
                    program=data["program"],
                    primary_worker=data["primary_worker"],
                    status=data["status"],
                    acuity=data["acuity"],
                    reason_for_referral=data["reason_for_referral"],
                    submission_key=data["submission_key"],
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, _("Case opened in %(program)s.") % {"program": case.program})
                return redirect(_case_url(case))
    else:
        initial: dict[str, Any] = {"submission_key": new_submission_key(), "status": CaseStatus.INTAKE}
        if user.can_carry_cases and user.agency_id == client.agency_id:
            initial["primary_worker"] = user.pk
        if suggestion is not None and user.role in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR):
            # Supervisors assign: the suggestion is chosen, and they can override it.
            initial["primary_worker"] = suggestion.worker.pk
        form = CaseOpenForm(initial=initial, programs=programs, workers=workers)
    context = {"nav": "caseload", "client": client, "form": form, "suggestion": suggestion}
    return render(request, "cases/open.html", context, status=status)


# --- Team (supervisors and program directors) ------------------------------------------------------


def _supervision(user: User) -> tuple[list[tuple[Team, QuerySet[Case]]], QuerySet[Case]]:
    """The teams the user oversees with the cases shown for each, and all those cases; 404 for others."""
    if not user.is_active or user.agency_id is None:
        raise NotFound()
    if user.role == Role.SUPERVISOR:
        teams = list(teams_supervised_by(user))
        return [(team, team_cases(team=team)) for team in teams], Case.objects.filter(team__in=teams)
    if user.role == Role.PROGRAM_DIRECTOR:
        # A director supervises no team directly: every team carrying cases in their programs.
        mine = Q(program__director=user, program__agency_id=user.agency_id)
        teams = list(Team.objects.filter(agency_id=user.agency_id, cases__in=Case.objects.filter(mine)).distinct())
        teams.sort(key=lambda team: team.name)
        return [(team, team_cases(team=team).filter(mine)) for team in teams], Case.objects.filter(mine)
    raise NotFound()


def _render_team(
    request: HttpRequest,
    *,
    reassign_form: CaseReassignForm | None = None,
    caseload_form: CaseloadReassignForm | None = None,
    caseload_team_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in(request)
    scope, all_cases = _supervision(user)
    workers = list(assignable_workers(agency_id=agency_of(user)).order_by("full_name"))
    teams: list[dict[str, Any]] = []
    shown_case_ids: list[int] = []
    for team, cases in scope:
        loads = team_workloads(team=team)
        rows = caseload_rows(cases=cases)
        shown_case_ids += [row.case.pk for row in rows]
        member_ids = {load.worker.pk for load in loads}
        # A worker who left the team (or was deactivated) may still hold open cases here.
        holders = {row.case.primary_worker.pk: row.case.primary_worker for row in rows}
        from_workers = [load.worker for load in loads] + [
            worker for pk, worker in sorted(holders.items(), key=lambda item: str(item[1])) if pk not in member_ids
        ]
        teams.append(
            {
                "team": team,
                "loads": loads,
                "rows": rows,
                "from_workers": from_workers,
                "caseload_form": caseload_form if caseload_team_id == team.pk else None,
            }
        )
    if caseload_form is not None and caseload_team_id not in [team.pk for team, _cases in scope]:
        for error in caseload_form.errors.values():
            messages.error(request, " ".join(str(message) for message in error))
    failed_case_id = None
    if reassign_form is not None:
        try:
            failed_case_id = int(reassign_form.data.get("case", ""))
        except ValueError:
            failed_case_id = None
        if failed_case_id not in shown_case_ids:
            for error in reassign_form.errors.values():
                messages.error(request, " ".join(str(message) for message in error))
    break_glass = list(
        BreakGlassAccess.objects.filter(client_id__in=all_cases.values("client_id"))
        .select_related("user", "client", "reviewed_by")
        .order_by("-created_at")[:50]
    )
    audit_record(actor=user, action="team.view", changes={"cases": shown_case_ids})
    context = {
        "nav": "team",
        "teams": teams,
        "workers": workers,
        "reassign_form": reassign_form,
        "failed_case_id": failed_case_id,
        "break_glass": break_glass,
        "now": timezone.now(),
    }
    return render(request, "cases/team.html", context, status=status)


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """Supervisors' and directors' view: workloads, team cases, reassignment, emergency accesses."""
    return _render_team(request)


@login_required
@require_POST
def reassign(request: HttpRequest) -> HttpResponse:
    """Give one case a new primary worker, with a reason."""
    user = signed_in(request)
    _supervision(user)
    form = CaseReassignForm(request.POST, workers=assignable_workers(agency_id=agency_of(user)))
    status = 422
    if form.is_valid():
        case = case_get_for_user(user=user, case_id=form.cleaned_data["case"], audit=False)
        try:
            updated = case_reassign(
                actor=user, case=case, to_worker=form.cleaned_data["to_worker"], reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(client)s's case now belongs to %(worker)s.")
                % {"client": case.client.display_name, "worker": updated.primary_worker},
            )
            return redirect("cases:team")
    return _render_team(request, reassign_form=form, status=status)


@login_required
@require_POST
def reassign_caseload(request: HttpRequest) -> HttpResponse:
    """Move every open case of one worker to another (a worker leaving), after confirming the count."""
    user = signed_in(request)
    _supervision(user)
    form = CaseloadReassignForm(
        request.POST,
        from_workers=User.objects.filter(agency_id=agency_of(user)),
        to_workers=assignable_workers(agency_id=agency_of(user)),
    )
    try:
        team_id = int(request.POST.get("team", ""))
    except ValueError:
        team_id = None
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        count = Case.objects.filter(primary_worker=data["from_worker"], status__in=OPEN_STATUSES).count()
        # Confirming moves exactly the number the user saw; if it changed meanwhile, ask again.
        count_changed = data["confirm"] and request.POST.get("expected_count") != str(count)
        if data["from_worker"] == data["to_worker"]:
            form.add_error("to_worker", _("Choose a different worker to take the caseload."))
        elif not data["confirm"] or count_changed:
            return render(
                request,
                "cases/reassign_caseload_confirm.html",
                {"nav": "team", "count": count, "count_changed": count_changed, "team_id": team_id, **data},
            )
        else:
            try:
                moved = caseload_reassign(
                    actor=user, from_worker=data["from_worker"], to_worker=data["to_worker"], reason=data["reason"]
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d case moved from %(from)s to %(to)s.",
                        "%(count)d cases moved from %(from)s to %(to)s.",
                        moved,
                    )
                    % {"count": moved, "from": data["from_worker"], "to": data["to_worker"]},
                )
                return redirect("cases:team")
    return _render_team(request, caseload_form=form, caseload_team_id=team_id, status=status)


@login_required
@require_POST
def break_glass_reviewed(request: HttpRequest, access_id: int) -> HttpResponse:
    """Mark an emergency access to one of the team's clients as reviewed."""
    user = signed_in(request)
    _scope, all_cases = _supervision(user)
    access = BreakGlassAccess.objects.filter(pk=access_id, client_id__in=all_cases.values("client_id")).first()
    if access is None:
        raise NotFound()
    try:
        break_glass_review(actor=user, access=access)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Emergency access marked as reviewed."))
    return redirect(reverse("cases:team") + "#break-glass")
