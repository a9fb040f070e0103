"""Send the daily digest e-mails of the Today list now, or put the job on the background queue (--enqueue)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--day must be a date as YYYY-MM-DD, not {value!r}.") from exc


class Command(BaseCommand):
    help = (
        "E-mail each clinical user with items on their Today list a digest (counts and a link, no client "
        "names), once per user and day. Run it once a day, e.g. 07:00 agency time (cron/timer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the job for `manage.py db_worker` instead of running it here."
        )
        parser.add_argument(
            "--day", help="The day of the digest, YYYY-MM-DD (default: today in each user's agency time zone)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from casework.today.tasks import send_daily_digest

        day = _day(options["day"]).isoformat() if options["day"] else None
        if options["enqueue"]:
            result = send_daily_digest.enqueue(day)
            self.stdout.write(f"Queued digest job {result.id}.")
            return
        sent = send_daily_digest.call(day)
        self.stdout.write(f"Sent {sent} digests.")
