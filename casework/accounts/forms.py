"""Sign-in form."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """E-mail and password; the field is called username for django-axes."""

    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    error_messages = {
        "invalid_login": _("E-mail or password is wrong."),
        "inactive": _("This account is not active."),
    }


class MySettingsForm(forms.Form):
    """A user's own settings."""

    daily_digest = forms.BooleanField(
        label=_("Send me the daily digest e-mail"),
        required=False,
        help_text=_(
            "Each morning, how many items your Today list has and how many are late, with a link. "
            "It never names a client."
        ),
    )
