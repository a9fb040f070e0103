"""The directory, benefit programs and rules in Django admin, for administrators; HSDS upload.

Benefit thresholds are data: an administrator adds next year's rule with its effective date.
Directory rows are edited here too (they are not client records); an upload goes through the
importer, which validates row by row and imports all or nothing when the package is malformed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from casework.directory import derived, hsds, models, services
from casework.directory.permissions import can_manage_directory

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class AdministratorsOnly:
    """Only staff with the administrator role see or change the directory in the admin."""

    def _allowed(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff and can_manage_directory(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


class RuleInline(AdministratorsOnly, admin.TabularInline):
    model = models.BenefitRule
    extra = 1
    fields = ["effective_from", "income_limit_percent_fpl", "minimum_age", "maximum_age", "other_condition", "source"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a past rule explains past screens: add a newer one instead


@admin.register(models.BenefitProgram)
class BenefitProgramAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["name", "code", "need_domain", "need_category", "is_active"]
    list_filter = ["is_active", "need_domain"]
    inlines = [RuleInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.PovertyGuideline)
class PovertyGuidelineAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["year", "region", "effective_from", "first_person", "each_additional_person"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.NeedCategory)
class NeedCategoryAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["name", "code", "domain", "sort_order"]
    list_filter = ["domain"]


class ServiceForm(forms.ModelForm):
    insurance_accepted = forms.MultipleChoiceField(
        label=_("insurance accepted"),
        choices=models.Insurance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked if the service does not ask."),
    )

    class Meta:
        model = models.Service
        fields = [
            "organization",
            "program",
            "name",
            "alternate_name",
            "description",
            "status",
            "need_categories",
            "url",
            "email",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "income_limit_percent_fpl",
            "insurance_accepted",
            "fees_description",
            "application_process",
            "interpretation_services",
            "wait_time",
            "accreditations",
            "licenses",
            "alert",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["insurance_accepted"] = self.instance.insurance_list

    def clean_insurance_accepted(self) -> str:
        return ",".join(self.cleaned_data.get("insurance_accepted") or [])


@admin.register(models.Service)
class ServiceAdmin(AdministratorsOnly, admin.ModelAdmin):
    form = ServiceForm
    list_display = ["name", "organization", "status"]
    list_filter = ["status", "need_categories__domain"]
    search_fields = ["name", "organization__name"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "program"]
    filter_horizontal = ["need_categories"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        derived.refresh_services([form.instance.pk])


@admin.register(models.Organization)
class OrganizationAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["name", "email", "website"]
    search_fields = ["name"]


@admin.register(models.Location)
class LocationAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["name", "location_type", "latitude", "longitude"]
    search_fields = ["name"]
    raw_id_fields = ["organization"]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("HSDS file"),
        help_text=_("A zip of a tabular data package (datapackage.json and CSV files), or HSDS JSON."),
    )
    strict = forms.BooleanField(label=_("Import nothing if any row is rejected"), required=False, initial=False)


@admin.register(models.DirectoryImport)
class DirectoryImportAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["started_at", "source_name", "status", "actor"]
    readonly_fields = ["started_at", "finished_at", "actor", "source_name", "status", "counts_table", "report"]
    fields = ("started_at", "finished_at", "actor", "source_name", "status", "counts_table", "report")
    change_list_template = "directory/admin/import_changelist.html"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("rows"))
    def counts_table(self, run: models.DirectoryImport) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (table, counts.get("created", 0), counts.get("updated", 0), counts.get("rejected", 0))
                for table, counts in run.counts.items()
            ),
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("table"),
            _("created"),
            _("updated"),
            _("rejected"),
        )
        return format_html("<table>{}{}</table>", head, rows)

    @admin.display(description=_("problems"))
    def report(self, run: models.DirectoryImport) -> str:
        if not run.problems:
            return str(_("None."))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((p.get("severity", ""), p.get("where", ""), p.get("message", "")) for p in run.problems[:1000]),
        )
        return format_html("<table>{}</table>", rows)

    def get_urls(self) -> list[Any]:
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="directory_directoryimport_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self._allowed(request):
            return redirect("admin:index")
        form = UploadForm(request.POST or None, request.FILES or None)
        run = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_UPLOAD_BYTES:
                form.add_error("file", _("The file is larger than 200 MB; use the hsds_import command."))
            else:
                content = upload.read()
                name = upload.name or "upload"
                if name.lower().endswith(".json") or content[:1] in (b"{", b"["):
                    package = hsds.read_json(content, source_name=name)
                else:
                    package = hsds.read_tabular(content, source_name=name)
                run, result = services.directory_import(
                    actor=request.user,  # type: ignore[arg-type]
                    package=package,
                    strict=form.cleaned_data["strict"],
                )
                level = messages.SUCCESS if result.written and not result.rejected else messages.WARNING
                if not result.written:
                    level = messages.ERROR
                messages.add_message(request, level, run.get_status_display())
                return redirect(reverse("admin:directory_directoryimport_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import HSDS 3.0 data"),
            "form": form,
            "opts": self.model._meta,
            "run": run,
        }
        return TemplateResponse(request, "directory/admin/upload.html", context)
