"""The one domain error type of Casework, turned into a message by views and the API."""

from __future__ import annotations

from typing import Any

from django.http import Http404


class DomainError(Exception):
    """A rule of the domain refused an action; `message` is safe to show to the user."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})


class ValidationFailed(DomainError):
    """Input failed validation; `errors` maps field names to messages."""

    status_code = 422


class NotFound(DomainError, Http404):
    """The object does not exist or the user may not know that it exists (a 404 in pages too)."""

    status_code = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class PermissionDenied(DomainError):
    """The user may see the object but may not do this to it."""

    status_code = 403


class VersionConflict(DomainError):
    """Somebody saved a newer version since the user loaded the object."""

    status_code = 409

    def __init__(self, message: str, *, current_version: int, changes: list[dict[str, Any]]):
        super().__init__(message)
        self.current_version = current_version
        self.changes = changes
