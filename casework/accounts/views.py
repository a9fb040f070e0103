"""Sign in and sign out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from casework.accounts.forms import LoginForm


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
