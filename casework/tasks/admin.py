"""Reassessment rules are program configuration: administrators manage them in Django admin.

Tasks and notifications are about clients and stay out of the admin (see accounts/admin.py).
"""

from __future__ import annotations

from django.contrib import admin

from casework.tasks.models import ReassessmentRule


@admin.register(ReassessmentRule)
class ReassessmentRuleAdmin(admin.ModelAdmin):
    list_display = ["program", "instrument", "due_at_intake", "interval_days", "active"]
    list_filter = ["program__agency", "program", "active"]
    list_select_related = ["program", "instrument"]
