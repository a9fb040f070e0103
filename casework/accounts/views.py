"""Sign in and sign out; the signed-in user's own settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from casework.accounts import services
from casework.accounts.forms import LoginForm, MySettingsForm
from casework.accounts.models import User
from casework.clients.permissions import is_clinical


class LoginView(auth_views.LoginView):
    """E-mail and password sign-in; throttled per account and address by django-axes."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def lockout(request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """What a throttled sign-in sees: the same page, with a clear message and status 429."""
    form = LoginForm(request, data=request.POST or None)
    form.errors.clear()
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "lockout_message": _(
                "Too many failed sign-ins for this account from this address. Wait 15 minutes, "
                "or ask an administrator to unlock it."
            ),
        },
        status=429,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_settings(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own settings: the daily digest e-mail on or off (audited)."""
    user = request.user
    assert isinstance(user, User)
    gets_digest = is_clinical(user)
    if request.method == "POST" and gets_digest:
        form = MySettingsForm(request.POST)
        if form.is_valid():
            services.my_settings_update(actor=user, daily_digest=form.cleaned_data["daily_digest"])
            messages.success(
                request,
                _("Daily digest e-mail on.") if form.cleaned_data["daily_digest"] else _("Daily digest e-mail off."),
            )
            return redirect("accounts:settings")
    else:
        form = MySettingsForm(initial={"daily_digest": user.daily_digest})
    return render(request, "accounts/settings.html", {"nav": "settings", "form": form, "gets_digest": gets_digest})
