"""Service levels and partner accounts are configuration: administrators manage them in Django admin.

Referrals and consents are about clients and stay out of the admin (see accounts/admin.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.utils.translation import gettext_lazy as _

from casework.accounts.models import Role
from casework.referrals.models import PartnerAccount, ServiceLevel


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = ["program", "answer_within_business_days"]
    list_select_related = ["program"]


class PartnerAccountForm(ModelForm):  # type: ignore[type-arg]
    def clean_user(self) -> Any:
        user = self.cleaned_data["user"]
        if user.role != Role.PARTNER or user.agency_id is not None:
            raise ValidationError(_("Link a user with the role “Partner organization staff” and no agency."))
        return user


@admin.register(PartnerAccount)
class PartnerAccountAdmin(admin.ModelAdmin):
    form = PartnerAccountForm
    list_display = ["user", "organization", "created_at"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["user"]
