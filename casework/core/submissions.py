"""Repeated submissions of one form: the submission key stored on the record a create makes.

The HTML create forms carry a hidden `submission_key` and the API derives one from the
`Idempotency-Key`; a service that takes one returns the actor's earlier record under that key
instead of creating a second. `insert_once` closes the race that check leaves open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model

M = TypeVar("M", bound=Model)


def insert_once(record: M, *, key: str | None, earlier: Callable[[], M | None]) -> tuple[M, bool]:
    """Insert `record`, or answer with the earlier submission a twin request inserted meanwhile.

    Returns the record and whether this call inserted it. Two submits of one form at once both
    pass the service's "exists?" check; the second insert then fails on the unique submission
    key. The insert runs in a savepoint, so the caller's transaction survives that failure, and
    `earlier()` (the caller's own record under `key`, scoped as the service's check is) finds
    the twin's row: the caller returns it as for a sequential repeat, writing nothing more.
    An IntegrityError with no earlier submission to answer with is raised as it was.
    """
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        found = earlier() if key else None
        if found is None:
            raise
        return found, False
    return record, True
