"""Background tasks of the clients app (django-tasks, database backend): run by `manage.py db_worker`."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from casework.accounts.models import Agency, User


@task()
def scan_duplicates(agency_id: int, actor_id: int | None = None, batch_size: int = 5000) -> dict[str, Any]:
    """Scan one agency for possible duplicate clients (see casework.clients.duplicates)."""
    from casework.clients.duplicates import scan_agency

    agency = Agency.objects.get(pk=agency_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return scan_agency(agency=agency, batch_size=batch_size, actor=actor).as_dict()
