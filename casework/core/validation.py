"""Turning Django validation into the domain's error type."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models

from casework.core.errors import ValidationFailed


def clean_or_raise(instance: models.Model, *, exclude: Iterable[str] | None = None) -> None:
    """Run full_clean(); raise ValidationFailed with per-field messages when it fails."""
    try:
        instance.full_clean(exclude=list(exclude) if exclude else None)
    except ValidationError as exc:
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        first = next(iter(errors.values()))[0] if errors else str(exc)
        raise ValidationFailed(first, errors=errors) from exc


def require_text(value: str | None, *, field: str, message: str, max_length: int = 4000) -> str:
    """A required free-text value, stripped; refuse empty or oversized text."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationFailed(message, field=field)
    if len(cleaned) > max_length:
        raise ValidationFailed(f"Keep this under {max_length} characters.", field=field)
    return cleaned
