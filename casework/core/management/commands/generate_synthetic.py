"""`manage.py generate_synthetic --clients N`: bulk synthetic data for benchmarks (never production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.core.synthetic import AGENCY_NAME, generate_synthetic


class Command(BaseCommand):
    help = (
        "Bulk-insert N synthetic clients with cases and progress notes into a dedicated synthetic agency, "
        "for benchmarks. Writes no audit events. Refuses to run unless DEBUG is on or --yes-i-know is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, required=True, help="How many clients to create.")
        parser.add_argument("--notes-per-case", type=int, default=3, help="Progress notes per case (default 3).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Clients per transaction (default 2000).")
        parser.add_argument(
            "--yes-i-know",
            action="store_true",
            help="Run even though DEBUG is off (benchmark databases only, never production).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["yes_i_know"]:
            raise CommandError(
                "generate_synthetic fills the database with fake clients and must never run against production. "
                "Run it with CASEWORK_DEBUG=1, or pass --yes-i-know on a database made for benchmarks."
            )
        if options["clients"] < 1:
            raise CommandError("--clients must be at least 1.")
        if options["notes_per_case"] < 0 or options["batch_size"] < 1:
            raise CommandError("--notes-per-case cannot be negative and --batch-size must be at least 1.")
        result = generate_synthetic(
            clients=options["clients"],
            notes_per_case=options["notes_per_case"],
            seed=options["seed"],
            batch_size=options["batch_size"],
            progress=self.stdout.write,
        )
        rate = result.clients / result.seconds if result.seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"{AGENCY_NAME}: {result.clients:,} clients, {result.cases:,} cases, {result.notes:,} notes "
                f"in {result.seconds:.1f} s ({rate:,.0f} clients/s). No audit events were written."
            )
        )
