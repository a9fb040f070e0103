"""Import Open Referral HSDS 3.0 data: a package directory, a .zip, or a .json file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from casework.directory import hsds, services
from casework.directory.importer import Importer


class Command(BaseCommand):
    help = "Import HSDS 3.0 data (tabular data package directory or zip, or JSON); reports rejected rows."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="Directory with datapackage.json and CSVs, a .zip of one, or a .json file.")
        parser.add_argument("--strict", action="store_true", help="Import nothing if any row is rejected.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, CI).")
        parser.add_argument("--show", type=int, default=50, help="How many problems to print (default 50).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        if path.is_file() and path.suffix.lower() == ".json":
            package = hsds.read_json(path.read_bytes(), source_name=str(path))
        else:
            package = hsds.read_tabular(path, source_name=str(path))
        total = Importer(package).total_rows()
        with tqdm(total=total, unit="rows", disable=options["no_progress"], file=sys.stderr) as bar:
            run, result = services.directory_import(
                actor=None, package=package, strict=options["strict"], progress=bar.update
            )
        for problem in result.problems[: options["show"]]:
            self.stdout.write(f"{problem.severity:8} {problem.where}: {problem.message}")
        if len(result.problems) > options["show"]:
            self.stdout.write(f"... and {len(result.problems) - options['show']} more (see the import report).")
        for table, counts in result.counts.items():
            created, updated, rejected = counts["created"], counts["updated"], counts["rejected"]
            self.stdout.write(f"{table:26} created {created:7}  updated {updated:7}  rejected {rejected:5}")
        self.stdout.write(f"Import #{run.pk}: {run.get_status_display()}.")
        if not result.written:
            raise CommandError("Nothing was imported.")
