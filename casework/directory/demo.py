"""The demo directory: a shipped HSDS 3.0 package of fictional services near the demo clients."""

from __future__ import annotations

from pathlib import Path

from casework.accounts.models import User
from casework.directory import hsds, services
from casework.directory.models import DirectoryImport

DEMO_PACKAGE = Path(__file__).resolve().parent / "data" / "demo-hsds"


def load_demo_directory(*, actor: User | None = None) -> DirectoryImport:
    """Import the demo package (idempotent); raises if it does not import cleanly."""
    run, result = services.directory_import(
        actor=actor, package=hsds.read_tabular(DEMO_PACKAGE, source_name="casework demo directory")
    )
    if not result.written or result.rejected or result.errors:
        raise RuntimeError(f"The demo directory did not import cleanly: {result.problems[:3]}")
    return run
