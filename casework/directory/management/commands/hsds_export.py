"""Export the directory as Open Referral HSDS 3.0: a tabular data package (zip or directory) or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from casework.directory import hsds


class Command(BaseCommand):
    help = "Export the directory as HSDS 3.0: PATH.zip (tabular package), PATH.json, or a directory of CSVs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if path.suffix.lower() == ".json":
            path.write_text(json.dumps(hsds.export_json(), indent=2, ensure_ascii=False), encoding="utf-8")
        elif path.suffix.lower() == ".zip":
            path.write_bytes(hsds.export_zip())
        else:
            path.mkdir(parents=True, exist_ok=True)
            for name, content in hsds.export_tabular().items():
                (path / name).write_bytes(content)
        self.stdout.write(f"Exported to {path}.")
