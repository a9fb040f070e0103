"""Create follow-up tasks for late referrals now, or put the job on the background queue (--enqueue)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Create a task for the referring worker for each referral not answered within its program's service "
        "level or not completed by its due date (once each). Run it every hour (cron/timer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the job for `manage.py db_worker` instead of running it here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from casework.referrals.tasks import referral_follow_up

        if options["enqueue"]:
            result = referral_follow_up.enqueue()
            self.stdout.write(f"Queued referral follow-up job {result.id}.")
            return
        created = referral_follow_up.call()
        self.stdout.write(f"Created {created} follow-up tasks.")
