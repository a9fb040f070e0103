"""Scan the clients of one agency (or all) for possible duplicates and fill the review queue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.accounts.models import Agency


class Command(BaseCommand):
    help = (
        "Find pairs of clients that may be one person, score each pair once with the matching engine and "
        "store those reaching 'possible' in the duplicate review queue. Re-runs update open pairs; pairs "
        "dismissed as 'not the same person' stay dismissed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="Agency id or exact name (default: every agency).")
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows fetched per batch (default 5000).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for logs).")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the scan for `manage.py db_worker` instead of running it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from casework.clients.duplicates import scan_agency
        from casework.clients.tasks import scan_duplicates

        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        agencies = Agency.objects.order_by("pk")
        if options["agency"]:
            value = options["agency"]
            agencies = agencies.filter(pk=int(value)) if value.isdigit() else agencies.filter(name=value)
            if not agencies.exists():
                raise CommandError(f"No agency {value!r}.")
        for agency in agencies:
            if options["enqueue"]:
                queued = scan_duplicates.enqueue(agency.pk, None, options["batch_size"])
                self.stdout.write(f"Queued the duplicate scan of {agency.name} as job {queued.id}.")
                continue
            progress = None
            if not options["no_progress"]:
                from tqdm import tqdm

                def progress(total: int, name: str = agency.name) -> Any:
                    return tqdm(total=total, unit=" rows", unit_scale=True, desc=name[:30], file=self.stderr._out)

            result = scan_agency(agency=agency, batch_size=options["batch_size"], progress=progress)
            self.stdout.write(
                f"{agency.name}: {result.clients:,} clients, {result.pairs_scored:,} pairs scored, "
                f"{result.pairs_found:,} possible duplicates ({result.created:,} new, {result.updated:,} updated, "
                f"{result.closed:,} no longer found), {result.skipped_blocks:,} oversized blocks skipped, "
                f"{result.seconds:.1f} s."
            )
