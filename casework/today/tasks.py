"""Background tasks (django-tasks, database backend): run by `manage.py db_worker`."""

from __future__ import annotations

import datetime

from django_tasks import task

from casework.today.digest import send_daily_digests_now


@task()
def send_daily_digest(day: str | None = None) -> int:
    """Send the daily digests of `day` (ISO date; each user's local today by default), each only once."""
    return send_daily_digests_now(datetime.date.fromisoformat(day) if day else None)
