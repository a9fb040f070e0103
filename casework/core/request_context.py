"""Where the current request came from, for audit events written deep inside services.

A context variable is per request (and per task), never shared between requests, so it is
safe with threads, async workers and many processes.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    """Origin of the current request: address, user agent and a request id."""

    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""


_current: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar(
    "casework_request",
    default=RequestInfo(),  # noqa: B039 (frozen dataclass: immutable)
)


def current_request_info() -> RequestInfo:
    """Return the origin of the request being served, or an empty one outside requests."""
    return _current.get()


def set_request_info(info: RequestInfo) -> contextvars.Token[RequestInfo]:
    """Set the origin for the current context; returns a token to reset it."""
    return _current.set(info)


def reset_request_info(token: contextvars.Token[RequestInfo]) -> None:
    """Restore the previous origin."""
    _current.reset(token)
