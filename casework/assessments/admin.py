"""The instrument catalogue in Django admin, for administrators.

Every save goes through the services (so it is checked and audited); a published version is
read-only here as in the services. Assessments are client records and stay out of the admin.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from casework.assessments import services
from casework.assessments.definitions.validation import definition_errors
from casework.assessments.models import Instrument, InstrumentVersion
from casework.assessments.permissions import can_author_instruments
from casework.core.errors import DomainError


class AdministratorsOnly:
    """Only staff with the administrator role see or change the catalogue."""

    def _allowed(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff and can_author_instruments(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Assessments point at versions: nothing in the catalogue is deleted, it is deactivated.
        return False


class VersionInline(AdministratorsOnly, admin.TabularInline):
    model = InstrumentVersion
    fields = ["version", "published_at", "item_count"]
    readonly_fields = ["version", "published_at", "item_count"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("items"))
    def item_count(self, version: InstrumentVersion) -> int:
        return len(version.items)


@admin.register(Instrument)
class InstrumentAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "is_active", "current_version_number"]
    list_filter = ["is_active", "kind"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "kind", "loinc_panel", "loinc_total", "sensitivity", "is_active"]
    inlines = [VersionInline]
    actions = ["activate", "deactivate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Instrument | None = None) -> list[str]:
        # Answer keys and scoring depend on the kind; the code names the instrument in URLs and files.
        return ["code", "kind"] if obj is not None else []

    @admin.display(description=_("current version"))
    def current_version_number(self, instrument: Instrument) -> str:
        version = instrument.current_version()
        return f"v{version.version}" if version is not None else "—"

    def save_model(self, request: HttpRequest, obj: Instrument, form: forms.ModelForm, change: bool) -> None:
        actor: Any = request.user
        details = {name: form.cleaned_data[name] for name in services.INSTRUMENT_DETAIL_FIELDS}
        if not change:
            created = services.instrument_create(actor=actor, code=obj.code, kind=obj.kind, **details)
            if not form.cleaned_data["is_active"]:
                services.instrument_set_active(actor=actor, instrument=created, is_active=False)
            obj.pk = created.pk
            return
        services.instrument_update(actor=actor, instrument=obj, **details)
        services.instrument_set_active(actor=actor, instrument=obj, is_active=form.cleaned_data["is_active"])

    def _set_active(self, request: HttpRequest, queryset: QuerySet[Instrument], is_active: bool) -> None:
        for instrument in queryset:
            services.instrument_set_active(actor=request.user, instrument=instrument, is_active=is_active)  # type: ignore[arg-type]
        self.message_user(request, _("%(count)s instrument(s) changed.") % {"count": queryset.count()})

    @admin.action(description=_("Offer for new assessments (activate)"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Instrument]) -> None:
        self._set_active(request, queryset, True)

    @admin.action(description=_("Stop offering for new assessments (deactivate)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Instrument]) -> None:
        self._set_active(request, queryset, False)


class PrettyJSONField(forms.JSONField):
    """A JSON textarea that shows the stored JSON indented, one key a line."""

    widget = forms.Textarea(attrs={"rows": 30, "cols": 100, "class": "vLargeTextField"})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class InstrumentVersionForm(forms.ModelForm):
    definition = PrettyJSONField(label=_("Definition (items)"))
    scoring = PrettyJSONField(label=_("Scoring rules (bands, flags, positive screens)"))

    class Meta:
        model = InstrumentVersion
        fields = ["instrument", "definition", "scoring"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        instrument = cleaned.get("instrument") or getattr(self.instance, "instrument", None)
        if self.instance.pk is not None and self.instance.published_at is not None:
            raise forms.ValidationError(_("This version is published and cannot be changed: copy it as a new draft."))
        if self.instance.pk is None and instrument is not None:
            draft = instrument.versions.filter(published_at__isnull=True).first()
            if draft is not None:
                raise forms.ValidationError(
                    _("Version %(n)s of this instrument is still a draft: change or publish it first.")
                    % {"n": draft.version}
                )
        if "definition" in cleaned and "scoring" in cleaned and instrument is not None:
            definition = cleaned["definition"]
            if isinstance(definition, dict):
                definition = {**definition, "kind": instrument.kind}
            errors = definition_errors(definition, cleaned["scoring"])
            if errors:
                raise forms.ValidationError([forms.ValidationError(message) for message in errors])
        return cleaned


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(AdministratorsOnly, admin.ModelAdmin):
    form = InstrumentVersionForm
    list_display = ["instrument", "version", "status", "published_at"]
    list_filter = ["instrument"]
    actions = ["publish", "copy_as_new_draft"]

    @admin.display(description=_("status"))
    def status(self, version: InstrumentVersion) -> str:
        return str(_("Published") if version.published_at else _("Draft"))

    def get_fields(self, request: HttpRequest, obj: InstrumentVersion | None = None) -> Any:
        if obj is None:
            return ["instrument", "definition", "scoring"]
        return ["instrument", "version", "published_at", "definition", "scoring"]

    def get_readonly_fields(self, request: HttpRequest, obj: InstrumentVersion | None = None) -> list[str]:
        if obj is None:
            return []
        if obj.published_at is not None:
            return ["instrument", "version", "published_at", "definition", "scoring"]
        return ["instrument", "version", "published_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Published versions open read-only; the service refuses a change in any case.
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: InstrumentVersion, form: forms.ModelForm, change: bool) -> None:
        actor: Any = request.user
        data = form.cleaned_data
        if not change:
            created = services.instrument_version_draft(
                actor=actor, instrument=data["instrument"], definition=data["definition"], scoring=data["scoring"]
            )
            obj.pk, obj.version = created.pk, created.version
            return
        services.instrument_version_update(
            actor=actor, version=obj, definition=data["definition"], scoring=data["scoring"]
        )

    @admin.action(description=_("Publish (new assessments use this version)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        for version in queryset.select_related("instrument"):
            try:
                services.instrument_version_publish(actor=request.user, version=version)  # type: ignore[arg-type]
            except DomainError as exc:
                for message in [m for ms in exc.errors.values() for m in ms] or [exc.message]:
                    self.message_user(request, f"{version}: {message}", messages.ERROR)
            else:
                self.message_user(request, _("%(version)s published.") % {"version": version})

    @admin.action(description=_("Copy as new draft version"))
    def copy_as_new_draft(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        for version in queryset.select_related("instrument"):
            try:
                draft = services.instrument_version_draft(
                    actor=request.user,  # type: ignore[arg-type]
                    instrument=version.instrument,
                    definition=version.definition,
                    scoring=version.scoring,
                )
            except DomainError as exc:
                self.message_user(request, f"{version}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request, _("%(draft)s created as a draft from %(version)s.") % {"draft": draft, "version": version}
                )
