"""Installing shipped definitions: idempotent, and a published version is never rewritten."""

from __future__ import annotations

import copy
from io import StringIO

from django.core.management import call_command

from casework.assessments.definitions import INSTRUMENTS, shipped
from casework.assessments.definitions.loader import install_definitions
from casework.assessments.models import Instrument, InstrumentVersion


def test_loading_again_changes_nothing(db):
    out = StringIO()
    call_command("load_instruments", stdout=out)
    assert out.getvalue().count("up to date") == len(INSTRUMENTS)
    assert InstrumentVersion.objects.count() == len(INSTRUMENTS)


def test_a_changed_definition_does_not_overwrite_the_published_version(db):
    changed = copy.deepcopy(shipped("phq2"))
    changed["definition"]["items"][0]["text"] = "Reworded"
    report = install_definitions(Instrument, InstrumentVersion, [changed])
    assert "differs" in report[0]
    stored = InstrumentVersion.objects.get(instrument__code="phq2", version=1)
    assert stored.definition["items"][0]["text"] == "Little interest or pleasure in doing things"


def test_a_new_version_is_installed_beside_the_old_one(db):
    newer = copy.deepcopy(shipped("phq2"))
    newer["version"] = 2
    install_definitions(Instrument, InstrumentVersion, [newer])
    instrument = Instrument.objects.get(code="phq2")
    assert list(instrument.versions.values_list("version", flat=True)) == [2, 1]
    current = instrument.current_version()
    assert current is not None and current.version == 2
