"""Background tasks (django-tasks, database backend): run by `manage.py db_worker`."""

from __future__ import annotations

from django_tasks import task

from casework.appointments.reminders import send_due_reminders_now


@task()
def send_appointment_reminders() -> int:
    """Send the appointment reminders that are due (safe to run as often as you like)."""
    return send_due_reminders_now()
