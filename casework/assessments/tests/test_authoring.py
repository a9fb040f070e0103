"""Administrators add instruments as data: services, the import command, and giving the new instrument."""

from __future__ import annotations

import copy
import datetime
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from casework.assessments import selectors, services
from casework.assessments.models import Instrument, InstrumentVersion
from casework.audit.models import AuditEvent
from casework.core.errors import PermissionDenied, ValidationFailed

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "instruments" / "example-housing-stability-check.json"
CODE = "example_housing_check"


def _example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict[str, Any], name: str = "instrument.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _import(path: str, *extra: str, actor: str = "admin@example.org") -> str:
    out = StringIO()
    call_command("import_instrument", path, "--actor", actor, *extra, stdout=out, stderr=StringIO())
    return out.getvalue()


def _create(admin_user) -> Instrument:
    data = _example()
    return services.instrument_create(
        actor=admin_user,
        code=data["code"],
        name=data["name"],
        kind=data["kind"],
        loinc_panel="",
        loinc_total="",
        sensitivity="",
    )


def _published(admin_user) -> InstrumentVersion:
    data = _example()
    instrument = _create(admin_user)
    draft = services.instrument_version_draft(
        actor=admin_user, instrument=instrument, definition=data["definition"], scoring=data["scoring"]
    )
    return services.instrument_version_publish(actor=admin_user, version=draft)


def _give(worker, case, answers: dict[str, int]):
    assessment = services.assessment_start(
        actor=worker,
        case=case,
        instrument_code=CODE,
        method="in_person",
        administered_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assessment = services.assessment_answer(actor=worker, assessment=assessment, answers=answers, expected_version=1)
    return services.assessment_complete(actor=worker, assessment=assessment)


def _snapshot() -> tuple[int, int, int]:
    return Instrument.objects.count(), InstrumentVersion.objects.count(), AuditEvent.objects.count()


# --- Who may author -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["worker", "supervisor", "director", "auditor"])
def test_only_administrators_may_change_the_catalogue(request, who, admin_user):
    user = request.getfixturevalue(who)
    version = _published(admin_user)
    instrument = version.instrument
    before = _snapshot()
    data = _example()
    calls = [
        lambda: services.instrument_create(actor=user, code="other", name="Other", kind="scored"),
        lambda: services.instrument_update(
            actor=user, instrument=instrument, name="Renamed", loinc_panel="", loinc_total="", sensitivity=""
        ),
        lambda: services.instrument_set_active(actor=user, instrument=instrument, is_active=False),
        lambda: services.instrument_version_draft(
            actor=user, instrument=instrument, definition=data["definition"], scoring=data["scoring"]
        ),
        lambda: services.instrument_import(actor=user, data=data, publish=True),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert _snapshot() == before
    instrument.refresh_from_db()
    assert instrument.name == data["name"] and instrument.is_active


def test_an_inactive_administrator_is_refused(admin_user):
    admin_user.is_active = False
    admin_user.save()
    with pytest.raises(PermissionDenied):
        _create(admin_user)


# --- Drafts, publishing, versions -----------------------------------------------------------


def test_a_draft_is_never_offered_and_publishing_offers_it(admin_user, worker, case):
    data = _example()
    instrument = _create(admin_user)
    draft = services.instrument_version_draft(
        actor=admin_user, instrument=instrument, definition=data["definition"], scoring=data["scoring"]
    )
    assert draft.version == 1 and draft.published_at is None
    assert instrument.current_version() is None
    assert CODE not in set(selectors.instruments_available().values_list("code", flat=True))
    with pytest.raises(ValidationFailed, match="Choose an instrument"):
        _give(worker, case, {})
    services.instrument_version_publish(actor=admin_user, version=draft)
    assert CODE in set(selectors.instruments_available().values_list("code", flat=True))
    assert instrument.current_version() == draft
    event = AuditEvent.objects.filter(action="instrument_version.publish").latest("id")
    assert event.actor == admin_user and event.object_id == str(draft.pk)


def test_a_draft_can_be_changed_until_it_is_published(admin_user):
    data = _example()
    instrument = _create(admin_user)
    draft = services.instrument_version_draft(
        actor=admin_user, instrument=instrument, definition=data["definition"], scoring=data["scoring"]
    )
    data["definition"]["items"][0]["text"] = "Have you paid rent late?"
    draft = services.instrument_version_update(
        actor=admin_user, version=draft, definition=data["definition"], scoring=data["scoring"]
    )
    assert draft.items[0]["text"] == "Have you paid rent late?"
    assert AuditEvent.objects.filter(action="instrument_version.update", object_id=str(draft.pk)).exists()
    services.instrument_version_publish(actor=admin_user, version=draft)
    data["definition"]["items"][0]["text"] = "Changed after publishing"
    with pytest.raises(ValidationFailed, match="published and cannot be changed"):
        services.instrument_version_update(
            actor=admin_user, version=draft, definition=data["definition"], scoring=data["scoring"]
        )
    draft.refresh_from_db()
    assert draft.items[0]["text"] == "Have you paid rent late?"
    with pytest.raises(ValidationFailed, match="published already"):
        services.instrument_version_publish(actor=admin_user, version=draft)


def test_only_one_draft_at_a_time(admin_user):
    data = _example()
    version = _published(admin_user)
    services.instrument_version_draft(
        actor=admin_user, instrument=version.instrument, definition=data["definition"], scoring=data["scoring"]
    )
    with pytest.raises(ValidationFailed, match="still a draft"):
        services.instrument_version_draft(
            actor=admin_user, instrument=version.instrument, definition=data["definition"], scoring=data["scoring"]
        )
    assert version.instrument.versions.count() == 2


def test_an_invalid_definition_changes_nothing(admin_user):
    instrument = _create(admin_user)
    data = _example()
    del data["scoring"]["bands"][1]  # total 1 is in no band
    before = _snapshot()
    with pytest.raises(ValidationFailed) as raised:
        services.instrument_version_draft(
            actor=admin_user, instrument=instrument, definition=data["definition"], scoring=data["scoring"]
        )
    assert "no band covers totals 1 to 1" in raised.value.errors["definition"][0]
    assert _snapshot() == before


def test_publishing_v2_leaves_assessments_given_with_v1_on_v1(admin_user, worker, case, as_worker):
    v1 = _published(admin_user)
    old = _give(worker, case, {"example_housing_rent": 1, "example_housing_moves": 0, "example_housing_notice": 0})
    assert (old.total_score, old.band, old.positive_screens) == (1, "at_risk", [])

    data = _example()
    data["definition"]["items"][0]["text"] = "In the last month, have you been behind on rent?"
    data["scoring"]["bands"] = [
        {"key": "stable", "min": 0, "max": 1, "label": "Mostly stable", "explanation": "At most one concern."},
        {"key": "unstable", "min": 2, "max": 3, "label": "Unstable", "explanation": "Two or more concerns."},
    ]
    services.instrument_import(actor=admin_user, data=data, publish=True)
    v2 = v1.instrument.current_version()
    assert v2 is not None and v2.version == 2

    new = _give(worker, case, {"example_housing_rent": 1, "example_housing_moves": 0, "example_housing_notice": 0})
    assert new.instrument_version == v2 and (new.total_score, new.band) == (1, "stable")
    old.refresh_from_db()
    assert old.instrument_version == v1 and old.band == "at_risk"
    old_details = old.band_details()
    assert old_details is not None and old_details["label"] == "At risk"

    page = as_worker.get(reverse("assessments:detail", args=[old.pk])).content.decode()
    assert "Have you been behind on rent or mortgage payments?" in page
    assert "In the last month" not in page
    assert "At risk" in page
    new_page = as_worker.get(reverse("assessments:detail", args=[new.pk])).content.decode()
    assert "In the last month, have you been behind on rent?" in new_page and "Mostly stable" in new_page


def test_a_deactivated_instrument_is_not_offered(admin_user):
    version = _published(admin_user)
    services.instrument_set_active(actor=admin_user, instrument=version.instrument, is_active=False)
    assert CODE not in set(selectors.instruments_available().values_list("code", flat=True))
    assert AuditEvent.objects.filter(action="instrument.deactivate").exists()


# --- The import command ---------------------------------------------------------------------


def test_importing_the_example_then_giving_it_scores_with_its_bands_and_screens(admin_user, worker, case, tmp_path):
    output = _import(str(EXAMPLE), "--publish")
    assert f"{CODE}: instrument added" in output
    assert f"{CODE} v1: new draft version" in output and f"{CODE} v1 published" in output
    assessment = _give(
        worker, case, {"example_housing_rent": 0, "example_housing_moves": 0, "example_housing_notice": 1}
    )
    assert (assessment.total_score, assessment.band, assessment.positive_screens) == (1, "at_risk", ["housing"])
    unstable = _give(worker, case, {"example_housing_rent": 1, "example_housing_moves": 1, "example_housing_notice": 0})
    assert (unstable.total_score, unstable.band, unstable.positive_screens) == (2, "unstable", ["housing"])


def test_importing_the_same_file_twice_is_up_to_date(admin_user, tmp_path):
    _import(str(EXAMPLE), "--publish")
    before = _snapshot()
    output = _import(str(EXAMPLE), "--publish")
    assert output.strip() == f"{CODE} v1 up to date (published)"
    assert _snapshot() == before


def test_a_changed_file_becomes_a_new_draft_and_never_overwrites(admin_user, tmp_path):
    _import(str(EXAMPLE), "--publish")
    data = _example()
    data["definition"]["items"][2]["text"] = "Have you been asked to leave your home?"
    path = _write(tmp_path, data)
    assert _import(path).strip() == f"{CODE} v2: new draft version"
    data["definition"]["items"][2]["text"] = "Have you been asked to leave your home recently?"
    path = _write(tmp_path, data)
    assert _import(path).strip() == f"{CODE} v2: draft updated"
    versions = {v.version: v for v in InstrumentVersion.objects.filter(instrument__code=CODE)}
    assert versions[1].items[2]["text"] == _example()["definition"]["items"][2]["text"]
    assert versions[1].published_at is not None and versions[2].published_at is None
    assert versions[2].items[2]["text"] == "Have you been asked to leave your home recently?"
    assert Instrument.objects.get(code=CODE).current_version() == versions[1]


def test_a_bad_file_exits_with_every_error_and_changes_nothing(admin_user, tmp_path):
    data = _example()
    data["definition"]["items"][1]["key"] = "example_housing_rent"
    data["scoring"]["positive_screens"][0]["when"] = {"item": "example_housing_nope", "eq": 1}
    path = _write(tmp_path, data)
    before = _snapshot()
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_instrument", path, "--actor", admin_user.email, "--publish", stdout=StringIO(), stderr=err)
    assert 'Item "example_housing_rent": the key is used by more than one item' in err.getvalue()
    assert "example_housing_nope" in err.getvalue()
    assert _snapshot() == before
    assert not Instrument.objects.filter(code=CODE).exists()


def test_unreadable_or_incomplete_files_and_unknown_actors_are_refused(admin_user, worker, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        _import(str(broken))
    with pytest.raises(CommandError, match="Cannot read"):
        _import(str(tmp_path / "missing.json"))
    incomplete = {key: value for key, value in _example().items() if key != "scoring"}
    with pytest.raises(CommandError, match="Nothing imported"):
        _import(_write(tmp_path, incomplete))
    with pytest.raises(CommandError, match="No active user"):
        _import(str(EXAMPLE), actor="nobody@example.org")
    with pytest.raises(CommandError, match="Nothing imported"):
        _import(str(EXAMPLE), actor=worker.email)
    assert not Instrument.objects.filter(code=CODE).exists()


def test_the_kind_of_an_instrument_cannot_change_on_import(admin_user):
    _import(str(EXAMPLE), "--publish")
    data = copy.deepcopy(_example())
    data["kind"] = "narrative"
    before = _snapshot()
    with pytest.raises(ValidationFailed, match="kind cannot change"):
        services.instrument_import(actor=admin_user, data=data)
    assert _snapshot() == before


# --- Alerts and needs from instruments added as data ---------------------------------------


def test_an_imported_instruments_screen_suggests_its_need_domain(admin_user, worker, case):
    from casework.needs.models import SuggestedNeed

    _import(str(EXAMPLE), "--publish")
    assessment = _give(
        worker, case, {"example_housing_rent": 0, "example_housing_moves": 0, "example_housing_notice": 1}
    )
    need = SuggestedNeed.objects.get(source_assessment=assessment)
    assert (need.domain, need.reason, need.client_id) == ("housing", "Housing instability", case.client_id)


def test_a_flag_marked_risk_alert_flags_the_client_with_a_task_and_alerts(
    admin_user, worker, supervisor, case, tmp_path
):
    from casework.safety.models import RiskFlag
    from casework.tasks.models import Notification, Task

    data = _example()
    data["scoring"]["flags"] = [
        {
            "key": "eviction_notice",
            "label": "Eviction notice: call the housing crisis line today",
            "when": {"item": "example_housing_notice", "eq": 1},
            "risk_alert": True,
        },
        {"key": "behind_on_rent", "label": "Behind on rent", "when": {"item": "example_housing_rent", "eq": 1}},
    ]
    _import(_write(tmp_path, data), "--publish")

    # A flag without risk_alert is scored and shown, but raises no alert.
    quiet = _give(worker, case, {"example_housing_rent": 1, "example_housing_moves": 0, "example_housing_notice": 0})
    assert quiet.flags == ["behind_on_rent"]
    assert not RiskFlag.objects.exists() and not Task.objects.exists()

    alerting = _give(worker, case, {"example_housing_rent": 1, "example_housing_moves": 0, "example_housing_notice": 1})
    flag = RiskFlag.objects.get()
    assert (flag.assessment, flag.kind, flag.summary) == (
        alerting,
        "assessment_risk",
        "Eviction notice: call the housing crisis line today",
    )
    task = Task.objects.get(source_id=flag.pk)
    assert (task.assignee, task.priority) == (worker, "urgent")
    assert set(Notification.objects.values_list("recipient", flat=True)) == {worker.pk, supervisor.pk}


def test_risk_alert_and_need_domain_are_checked(admin_user, tmp_path):
    data = _example()
    data["scoring"]["flags"] = [
        {"key": "notice", "label": "Notice", "when": {"item": "example_housing_notice", "eq": 1}, "risk_alert": "yes"}
    ]
    data["scoring"]["positive_screens"][0]["need_domain"] = "somewhere"
    before = _snapshot()
    with pytest.raises(CommandError):
        _import(_write(tmp_path, data), "--publish")
    assert _snapshot() == before
    from casework.assessments.definitions.validation import definition_errors

    errors = definition_errors(data["definition"], data["scoring"])
    assert any("risk_alert must be true or false" in error for error in errors)
    assert any("need_domain must be one of" in error for error in errors)
