"""Background tasks (django-tasks, database backend): run by `manage.py db_worker`."""

from __future__ import annotations

from django_tasks import task

from casework.referrals.services import referrals_follow_up


@task()
def referral_follow_up() -> int:
    """Create follow-up tasks for late referrals (safe to run as often as you like: once per referral and kind)."""
    return len(referrals_follow_up())
