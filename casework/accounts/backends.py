"""Sign-in by e-mail address; demo accounts only while DEBUG is on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from casework.accounts.models import User


class EmailBackend(ModelBackend):
    """Authenticate with e-mail (case-insensitive) and password."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        email = (username or kwargs.get("email") or "").strip().lower()
        if not email or password is None:
            return None
        user = User.objects.filter(email=email).select_related("agency").first()
        if user is None:
            # Spend the same time hashing as for a real user, so timing does not tell who exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo_account", False) and not settings.DEMO_MODE:
            return False
        return bool(super().user_can_authenticate(user))
