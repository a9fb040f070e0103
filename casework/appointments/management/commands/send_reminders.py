"""Send due appointment reminders now, or put the job on the background queue (--enqueue)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Send due appointment reminders (e-mail and in-app), each only once. Run it every hour (cron/timer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the job for `manage.py db_worker` instead of running it here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from casework.appointments.tasks import send_appointment_reminders

        if options["enqueue"]:
            result = send_appointment_reminders.enqueue()
            self.stdout.write(f"Queued reminder job {result.id}.")
            return
        sent = send_appointment_reminders.call()
        self.stdout.write(f"Sent {sent} reminders.")
