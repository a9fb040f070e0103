"""Care-plan templates in Django admin, for administrators: a program's starter sections, checked.

A template prefills a new plan's draft (`services._prefill`), which quietly skips what it cannot
use; here every problem is listed before anything is saved, so an administrator never publishes
a template that prefills less than they wrote. Templates are deactivated, never deleted (plans
remember which template they came from). Every save is audited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.accounts.models import Program
from casework.assessments.permissions import can_author_instruments
from casework.audit.services import audit_record
from casework.careplans.models import GoalTerm, PlanTemplate, ResponsibleParty
from casework.needs.models import NeedDomain

SECTION_KEYS = {"summary", "needs", "strengths", "barriers", "goals"}


def _text_list_errors(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        return [_("%(where)s: a list of non-empty texts.") % {"where": where}]
    return []


def _row_errors(row: Any, where: str, *, choices: dict[str, list[str]]) -> list[str]:
    """One need, goal or action step: an object with a description and known choice values."""
    if not isinstance(row, dict):
        return [_("%(where)s: an object with a description.") % {"where": where}]
    errors = []
    description = row.get("description")
    if not isinstance(description, str) or not description.strip():
        errors.append(_("%(where)s: a description is required.") % {"where": where})
    for key, allowed in choices.items():
        if key in row and row[key] not in allowed:
            errors.append(
                _("%(where)s: %(key)s must be one of %(allowed)s.")
                % {"where": where, "key": key, "allowed": ", ".join(allowed)}
            )
    return errors


def template_section_errors(sections: Any) -> list[str]:
    """Every problem with a template's sections (empty when `_prefill` will use all of it)."""
    if not isinstance(sections, dict):
        return [_("Sections must be a JSON object.")]
    errors = []
    unknown = sorted(set(sections) - SECTION_KEYS)
    if unknown:
        errors.append(
            _("Unknown sections: %(unknown)s (use %(known)s).")
            % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(SECTION_KEYS))}
        )
    if "summary" in sections and not isinstance(sections["summary"], str):
        errors.append(_("summary: a text."))
    for kind in ("strengths", "barriers"):
        if kind in sections:
            errors += _text_list_errors(sections[kind], kind)
    domains = list(NeedDomain.values)
    needs = sections.get("needs", [])
    if not isinstance(needs, list):
        errors.append(_("needs: a list."))
    else:
        for number, need in enumerate(needs, start=1):
            where = _("need %(n)s") % {"n": number}
            errors += _row_errors(need, where, choices={"domain": domains})
            if isinstance(need, dict) and "domain" not in need:
                errors.append(_("%(where)s: a domain is required.") % {"where": where})
    goals = sections.get("goals", [])
    if not isinstance(goals, list):
        errors.append(_("goals: a list."))
        goals = []
    for number, goal in enumerate(goals, start=1):
        where = _("goal %(n)s") % {"n": number}
        errors += _row_errors(goal, where, choices={"term": list(GoalTerm.values), "domain": domains})
        steps = goal.get("interventions", []) if isinstance(goal, dict) else []
        if not isinstance(steps, list):
            errors.append(_("%(where)s: interventions must be a list.") % {"where": where})
            continue
        for step_number, step in enumerate(steps, start=1):
            errors += _row_errors(
                step,
                _("goal %(n)s, action step %(m)s") % {"n": number, "m": step_number},
                choices={"responsible_party": list(ResponsibleParty.values)},
            )
    return errors


def translation_errors(translations: Any) -> list[str]:
    """Translations: {"es": {"name": "...", ...}} for languages the site offers, texts only."""
    if not isinstance(translations, dict):
        return [_("Translations must be a JSON object keyed by language code.")]
    languages = {code for code, _name in settings.LANGUAGES}
    errors = []
    for code, texts in translations.items():
        if code not in languages:
            errors.append(
                _("Unknown language %(code)s (use %(known)s).") % {"code": code, "known": ", ".join(sorted(languages))}
            )
        if not isinstance(texts, dict) or not all(isinstance(value, str) for value in texts.values()):
            errors.append(_("%(code)s: an object of texts.") % {"code": code})
    return errors


class PlanTemplateForm(forms.ModelForm):
    class Meta:
        model = PlanTemplate
        fields = ["program", "name", "kind", "sections", "translations", "is_active"]

    def clean_sections(self) -> Any:
        sections = self.cleaned_data.get("sections")
        errors = template_section_errors(sections)
        if errors:
            raise forms.ValidationError(errors)
        return sections

    def clean_translations(self) -> Any:
        translations = self.cleaned_data.get("translations")
        errors = translation_errors(translations)
        if errors:
            raise forms.ValidationError(errors)
        return translations


@admin.register(PlanTemplate)
class PlanTemplateAdmin(admin.ModelAdmin):
    form = PlanTemplateForm
    list_display = ["name", "program", "kind", "is_active"]
    list_filter = ["is_active", "kind"]
    search_fields = ["name"]
    actions = ["deactivate"]

    def _allowed(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff and can_author_instruments(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # plans keep the template they came from: deactivate instead

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanTemplate]:
        # An administrator manages their own agency's programs only.
        return super().get_queryset(request).filter(program__agency_id=getattr(request.user, "agency_id", None))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "program":
            agency_id = getattr(request.user, "agency_id", None)
            kwargs["queryset"] = Program.objects.filter(agency_id=agency_id) if agency_id else Program.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: PlanTemplate, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action="careplan.template_save",
                obj=obj,
                changes={"fields": sorted(form.changed_data)} if change else {"created": True},
            )

    @admin.action(description=gettext_lazy("Deactivate (no longer offered for new plans)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[PlanTemplate]) -> None:
        with transaction.atomic():
            for template in queryset.filter(is_active=True):
                template.is_active = False
                template.save(update_fields=["is_active"])
                audit_record(
                    actor=request.user, action="careplan.template_save", obj=template, changes={"is_active": False}
                )


__all__ = ["PlanTemplateAdmin", "template_section_errors", "translation_errors"]
