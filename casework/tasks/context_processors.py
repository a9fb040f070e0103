"""The unread-notification count for the header, on every page."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from casework.tasks.selectors import unread_notification_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """`unread_notification_count`, computed only when a template shows it, at most once per request.

    Partial (htmx) responses render no header, so they run no query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def count() -> int:
        return unread_notification_count(user=user)

    return {"unread_notification_count": count}
