"""Matching settings in the Django admin (client records themselves are not in the admin)."""

from __future__ import annotations

from django.contrib import admin

from casework.clients.models import MatchSettings


@admin.register(MatchSettings)
class MatchSettingsAdmin(admin.ModelAdmin):
    list_display = ["agency", "certain_threshold", "possible_threshold", "updated_at"]
    readonly_fields = ["updated_at"]
