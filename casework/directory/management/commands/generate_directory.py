"""Fill the directory with synthetic services for benchmarks (never on a production database)."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from casework.directory.synthetic import generate_directory


class Command(BaseCommand):
    help = "Add N synthetic directory services at real ZIP centroids, for benchmarks. Refuses unless DEBUG is on."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--services", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=6)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--yes-i-know", action="store_true", help="Run with DEBUG off (benchmark databases).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["yes_i_know"]:
            raise CommandError("generate_directory is for benchmarks: run with CASEWORK_DEBUG=1 or --yes-i-know.")
        if options["services"] < 1:
            raise CommandError("--services must be at least 1.")
        with tqdm(total=options["services"], unit="services", disable=options["no_progress"], file=sys.stderr) as bar:
            made = generate_directory(
                services=options["services"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                progress=bar.update,
            )
        self.stdout.write(f"Generated {made:,} directory services.")
