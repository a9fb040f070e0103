"""Shared pieces of the JSON API: input schemas, error bodies, pagination, versions and idempotency keys.

The routers in each app's `api.py` use these so that every endpoint reads `limit`/`offset`,
`If-Match` and `Idempotency-Key` the same way and reports errors in one shape.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, Generic, Protocol, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_save
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import AuthenticationError
from pydantic import BeforeValidator, ConfigDict, field_validator

from casework.accounts.models import Role, User
from casework.core.errors import DomainError, NotFound, ValidationFailed, VersionConflict

M = TypeVar("M", bound=Model)

MAX_OFFSET = 1_000_000_000
# The largest id a database column holds (64-bit); bigger numbers are refused as bad input
# instead of overflowing the database driver in a foreign-key lookup.
MAX_ID = 2**63 - 1
MAX_IDEMPOTENCY_KEY_LENGTH = 200
_PRINTABLE_ASCII = re.compile(r"^[\x21-\x7e]+$")
# One entity tag as the API sends it: "3" (a weak W/"3" is accepted too).
_ENTITY_TAG = re.compile(r'^(?:W/)?"(\d{1,9})"$')


# --- Errors ---------------------------------------------------------------------------------


class PreconditionFailed(VersionConflict):
    """An `If-Match` version is stale (412): the same body as a 409 conflict."""

    status_code = 412


class PreconditionRequired(DomainError):
    """An edit came without the version it was made against (428)."""

    status_code = 428


class ErrorOut(Schema):
    """Every error the API returns: a message and, for bad input, messages per field."""

    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class ConflictOut(ErrorOut):
    """A refused save over a newer version: the current version and what changed meanwhile."""

    current_version: int
    changes: list[dict[str, Any]]


# Error responses most endpoints can give, for the OpenAPI document.
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}
EDIT_ERRORS: dict[int, type[Schema]] = {**WRITE_ERRORS, 409: ConflictOut, 412: ConflictOut, 428: ErrorOut}


# --- Input ----------------------------------------------------------------------------------


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class InputSchema(Schema):
    """A request body: unknown fields are refused, enums arrive as their values, no NUL characters.

    PostgreSQL cannot store a NUL character in text, so it is refused here as bad input
    rather than failing in the database.
    """

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul_characters(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("Text cannot contain NUL characters.")
        return value


def _iso_date(value: Any) -> Any:
    """Dates arrive as ISO strings ("2024-05-01"); numbers are not read as timestamps."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("Enter a date as YYYY-MM-DD.")
    return value.strip()


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


def refuse_nul(value: str, *, field: str) -> str:
    """A query-string value without NUL characters (PostgreSQL cannot compare them)."""
    if "\x00" in value:
        raise ValidationFailed(_("Text cannot contain NUL characters."), field=field)
    return value


# --- Who is asking ----------------------------------------------------------------------------


def request_user(request: HttpRequest, *, partner: bool = False) -> User:
    """The user the request authenticated as (bearer token or session).

    Staff endpoints refuse partner users (staff of a receiving organization) as not found, and
    the partner endpoints (`partner=True`) refuse everybody else: a partner sees their inbox only.
    """
    user = getattr(request, "auth", None)
    if not isinstance(user, User) or not user.is_active:
        raise AuthenticationError()
    if (user.role == Role.PARTNER) != partner:
        raise NotFound()
    return user


# The partner endpoints (casework/referrals/api.py), the only ones a partner user may call.
PARTNER_API_PREFIX = "/api/v1/partner/"


def refuse_partner_outside_inbox(request: HttpRequest, user: Any) -> None:
    """404 for a partner user on any endpoint but theirs, before the body is even read.

    Called by the authentication classes, so a partner learns nothing from validation errors
    of staff endpoints either.
    """
    if getattr(user, "role", "") == Role.PARTNER and not request.path.startswith(PARTNER_API_PREFIX):
        raise NotFound()


# --- Pagination -------------------------------------------------------------------------------


class PageParams(Schema):
    """`limit` (1 to API_PAGE_SIZE_MAX, default 25) and `offset` of a list endpoint."""

    limit: int = Field(25, ge=1, le=settings.API_PAGE_SIZE_MAX)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def paginate(queryset: QuerySet[M], page: PageParams) -> dict[str, Any]:
    """One page of a queryset: `{"count", "limit", "offset", "items"}` (two queries)."""
    count = queryset.count()
    items = list(queryset[page.offset : page.offset + page.limit]) if page.offset < count else []
    return {"count": count, "limit": page.limit, "offset": page.offset, "items": items}


# --- Versions (ETag / If-Match) ---------------------------------------------------------------


def etag(version: int) -> str:
    """The entity tag of a record's version, as sent in ETag and expected in If-Match."""
    return f'"{version}"'


class Versioned(Protocol):
    version: int


VersionedRecord = TypeVar("VersionedRecord", bound=Versioned)


def with_etag(record: VersionedRecord, response: HttpResponse) -> VersionedRecord:
    """Set the response's ETag to the record's version and return the record (a handler's result)."""
    response["ETag"] = etag(record.version)
    return record


def expected_version(*, if_match: str | None, version: int | None, current: int) -> tuple[int, bool]:
    """The version an edit was made against, and whether it came from If-Match.

    If-Match wins over a `version` field; neither is a 428. `*` means "whatever is there now".
    """
    if if_match is not None and if_match.strip():
        tags = [tag.strip() for tag in if_match.split(",") if tag.strip()]
        if tags == ["*"]:
            return current, True
        matches = [_ENTITY_TAG.match(tag) for tag in tags]
        if not matches or None in matches:
            raise ValidationFailed(_('If-Match must hold the ETag you were given, like "3".'), field="If-Match")
        versions = [int(match.group(1)) for match in matches if match is not None]
        return (current if current in versions else versions[0]), True
    if version is not None:
        return version, False
    raise PreconditionRequired(
        _("Say which version you edited: send the ETag in If-Match, or a `version` field."),
        field="version",
    )


@contextmanager
def precondition(used_if_match: bool) -> Iterator[None]:
    """Report a stale If-Match as 412 Precondition Failed; a stale `version` stays a 409."""
    try:
        yield
    except VersionConflict as exc:
        if used_if_match and not isinstance(exc, PreconditionFailed):
            raise PreconditionFailed(exc.message, current_version=exc.current_version, changes=exc.changes) from exc
        raise


# --- Idempotency-Key ---------------------------------------------------------------------------


def submission_key(user: User, key: str | None, *, scope: str = "") -> str | None:
    """The stored submission key for a client's Idempotency-Key header, private to the user.

    Hashing the user in keeps two users' keys apart, and always fits the 64-character column.
    `scope` keeps one key apart on different parents where the submission is "add to this one":
    an addendum's key is scoped by its note, so the same key on another note is another addendum.
    """
    if key is None:
        return None
    key = key.strip()
    if not key:
        return None
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not _PRINTABLE_ASCII.match(key):
        raise ValidationFailed(
            _("Idempotency-Key must be 1 to %(n)s printable ASCII characters.") % {"n": MAX_IDEMPOTENCY_KEY_LENGTH},
            field="Idempotency-Key",
        )
    scoped = f"{scope}:{key}" if scope else key
    return hashlib.sha256(f"api:{user.pk}:{scoped}".encode()).hexdigest()


# The rows inserted while an IdempotentCreate runs its create function, as (model label, pk).
_inserted: ContextVar[set[tuple[str, Any]] | None] = ContextVar("casework_api_inserted", default=None)


def _remember_insert(sender: Any, instance: Model, created: bool = False, **kwargs: Any) -> None:
    inserted = _inserted.get()
    if created and inserted is not None:
        inserted.add((instance._meta.label_lower, instance.pk))


post_save.connect(_remember_insert, dispatch_uid="casework.core.api.remember_insert")


class IdempotentCreate(Generic[M]):
    """A create endpoint's Idempotency-Key: the caller's earlier submission, or one new record.

    `find` returns the caller's record stored under the key (None when there is none), scoped as
    the endpoint needs. Use: `earlier()` first (answer 200 with it), then `create(function)`.

    Two requests with the same key at once both pass the `earlier()` check; the second then
    fails on the unique submission key (or, waiting on a row lock the first held, is refused:
    an amended assessment cannot be amended again). `create` runs in a savepoint, so the
    request's transaction survives that failure, and answers with the first request's record.
    A service that finds the earlier submission itself and returns it counts as not created.
    """

    def __init__(self, *, key: str | None, find: Callable[[], M | None], failure: str) -> None:
        self.key = key
        self._find = find
        self._failure = failure

    def earlier(self) -> M | None:
        """The record an earlier request with this key created, if any (never without a key)."""
        return self._find() if self.key else None

    @staticmethod
    def inserted_now(record: Model) -> bool:
        """Inside `create`: whether this request inserted `record` (False: a twin's, returned by the service)."""
        inserted = _inserted.get()
        return inserted is not None and (record._meta.label_lower, record.pk) in inserted

    def create(self, create: Callable[[], M]) -> tuple[M, bool]:
        """The record and whether this request created it (False: the earlier submission's).

        An IntegrityError without an earlier submission to answer with (another constraint) is
        refused with the endpoint's `failure` message (422), having saved nothing.
        """
        inserted: set[tuple[str, Any]] = set()
        token = _inserted.set(inserted)
        try:
            with transaction.atomic():
                record = create()
        except (IntegrityError, DomainError) as exc:
            earlier = self.earlier()
            if earlier is not None:
                return earlier, False
            if isinstance(exc, IntegrityError):
                raise ValidationFailed(self._failure) from exc
            raise
        finally:
            _inserted.reset(token)
        return record, (record._meta.label_lower, record.pk) in inserted
