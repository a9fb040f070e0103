"""Count each agency's client names again for the matching engine's name-frequency weights."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.accounts.models import Agency


class Command(BaseCommand):
    help = (
        "Count how many clients carry each first and last name, per agency, and store the counts for the "
        "matching engine (a lookup then reads them instead of counting). The duplicate scan runs this too; "
        "run it after a large import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="Agency id or exact name (default: every agency).")

    def handle(self, *args: Any, **options: Any) -> None:
        from casework.clients.duplicates import refresh_name_counts

        agencies = Agency.objects.order_by("pk")
        if options["agency"]:
            value = options["agency"]
            agencies = agencies.filter(pk=int(value)) if value.isdigit() else agencies.filter(name=value)
            if not agencies.exists():
                raise CommandError(f"No agency {value!r}.")
        for agency in agencies:
            names = refresh_name_counts(agency=agency)
            self.stdout.write(
                f"{agency.name}: {names.population:,} clients, {len(names.first):,} first names, "
                f"{len(names.last):,} last names counted."
            )
