"""Install the shipped instrument definitions (used by a data migration and `load_instruments`)."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from casework.assessments.definitions import INSTRUMENTS

INSTRUMENT_FIELDS = ("name", "kind", "loinc_panel", "loinc_total", "sensitivity")


def _as_json(value: Any) -> Any:
    # Lazy strings and tuples become plain JSON so the stored definition is exactly what is diffed.
    return json.loads(json.dumps(value))


def install_definitions(
    instrument_model: Any, version_model: Any, entries: list[dict[str, Any]] | None = None
) -> list[str]:
    """Create missing instruments and versions; never change a published version.

    Takes the model classes so a migration can pass its historical models. Returns what it
    did, one line per instrument version ("phq9 v1 installed", "phq9 v1 differs: kept").
    """
    report: list[str] = []
    for entry in entries if entries is not None else INSTRUMENTS:
        instrument, _created = instrument_model.objects.update_or_create(
            code=entry["code"], defaults={field: entry[field] for field in INSTRUMENT_FIELDS}
        )
        definition = _as_json({**entry["definition"], "kind": entry["kind"]})
        scoring = _as_json(entry["scoring"])
        existing = version_model.objects.filter(instrument=instrument, version=entry["version"]).first()
        label = f"{entry['code']} v{entry['version']}"
        if existing is None:
            version_model.objects.create(
                instrument=instrument,
                version=entry["version"],
                definition=definition,
                scoring=scoring,
                published_at=timezone.now(),
            )
            report.append(f"{label} installed")
        elif existing.definition != definition or existing.scoring != scoring:
            # Assessments were given with the stored text; a change needs a new version number.
            report.append(f"{label} differs from the shipped definition: kept the stored one (publish a new version)")
        else:
            report.append(f"{label} up to date")
    return report
