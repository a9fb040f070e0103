"""The instrument catalogue in Django admin: administrators only, checked JSON, published versions read-only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from casework.assessments import services
from casework.assessments.models import Instrument, InstrumentVersion
from casework.audit.models import AuditEvent

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "instruments" / "example-housing-stability-check.json"
VERSIONS = "/django-admin/assessments/instrumentversion/"
INSTRUMENTS = "/django-admin/assessments/instrument/"


def _example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def as_admin(login, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    return login(admin_user)


@pytest.fixture
def example_instrument(admin_user) -> Instrument:
    data = _example()
    return services.instrument_create(actor=admin_user, code=data["code"], name=data["name"], kind=data["kind"])


def _version_form(instrument: Instrument, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "instrument": instrument.pk,
        "definition": json.dumps(data["definition"]),
        "scoring": json.dumps(data["scoring"]),
    }


@pytest.mark.parametrize("who", ["worker", "supervisor"])
def test_staff_without_the_administrator_role_are_refused(request, login, who, example_instrument):
    user = request.getfixturevalue(who)
    user.is_staff = True
    user.save()
    http = login(user)
    for url in [
        INSTRUMENTS,
        f"{INSTRUMENTS}add/",
        VERSIONS,
        f"{VERSIONS}add/",
        f"{INSTRUMENTS}{example_instrument.pk}/change/",
    ]:
        assert http.get(url).status_code == 403, url
    before = InstrumentVersion.objects.count()
    assert http.post(f"{VERSIONS}add/", _version_form(example_instrument, _example())).status_code == 403
    assert InstrumentVersion.objects.count() == before
    assert "Instruments" not in http.get("/django-admin/").content.decode()


def test_non_staff_cannot_open_the_admin(login, admin_user, worker):
    for user in (admin_user, worker):  # admin_user is not staff in the fixture
        response = login(user).get(INSTRUMENTS)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_administrator_adds_an_instrument_through_the_service(as_admin, admin_user):
    response = as_admin.post(
        f"{INSTRUMENTS}add/",
        {
            "code": "agency_check",
            "name": "Agency check",
            "kind": "scored",
            "loinc_panel": "",
            "loinc_total": "",
            "sensitivity": "",
            "is_active": "on",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    instrument = Instrument.objects.get(code="agency_check")
    assert instrument.is_active and instrument.current_version() is None
    event = AuditEvent.objects.filter(action="instrument.create").latest("id")
    assert event.actor == admin_user and event.object_id == str(instrument.pk)


def test_a_new_version_is_a_draft_and_bad_json_shows_each_error(as_admin, example_instrument):
    data = _example()
    data["definition"]["items"][1]["options"][1]["value"] = 0
    del data["scoring"]["bands"][2]
    response = as_admin.post(f"{VERSIONS}add/", _version_form(example_instrument, data))
    page = response.content.decode()
    assert response.status_code == 200
    assert "the option value 0 is used twice" in page
    assert "no band covers totals 2 to" in page
    assert not InstrumentVersion.objects.filter(instrument=example_instrument).exists()

    response = as_admin.post(f"{VERSIONS}add/", {**_version_form(example_instrument, _example()), "scoring": "{oops"})
    assert response.status_code == 200 and "Enter a valid JSON" in response.content.decode()

    response = as_admin.post(f"{VERSIONS}add/", _version_form(example_instrument, _example()))
    assert response.status_code == 302
    version = InstrumentVersion.objects.get(instrument=example_instrument)
    assert version.version == 1 and version.published_at is None
    assert AuditEvent.objects.filter(action="instrument_version.draft", object_id=str(version.pk)).exists()
    page = as_admin.get(f"{VERSIONS}{version.pk}/change/").content.decode()
    assert "&quot;items&quot;: [\n" in page  # pretty-printed for editing

    response = as_admin.post(f"{VERSIONS}add/", _version_form(example_instrument, _example()))
    assert response.status_code == 200 and "Version 1 of this instrument is still a draft" in response.content.decode()
    assert InstrumentVersion.objects.filter(instrument=example_instrument).count() == 1


def test_publish_and_copy_actions(as_admin, admin_user, example_instrument):
    data = _example()
    draft = services.instrument_version_draft(
        actor=admin_user, instrument=example_instrument, definition=data["definition"], scoring=data["scoring"]
    )
    response = as_admin.post(VERSIONS, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert "published." in response.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is not None and example_instrument.current_version() == draft

    as_admin.post(VERSIONS, {"action": "copy_as_new_draft", "_selected_action": [draft.pk]})
    copy = InstrumentVersion.objects.get(instrument=example_instrument, version=2)
    assert copy.published_at is None and copy.definition == draft.definition and copy.scoring == draft.scoring
    assert example_instrument.current_version() == draft  # the copy is not offered until published


def test_a_published_version_is_read_only_in_the_admin(as_admin, admin_user, example_instrument):
    data = _example()
    version = services.instrument_version_publish(
        actor=admin_user,
        version=services.instrument_version_draft(
            actor=admin_user, instrument=example_instrument, definition=data["definition"], scoring=data["scoring"]
        ),
    )
    page = as_admin.get(f"{VERSIONS}{version.pk}/change/").content.decode()
    assert 'name="definition"' not in page and 'name="_save"' not in page
    changed = _example()
    changed["definition"]["items"][0]["text"] = "Rewritten"
    response = as_admin.post(f"{VERSIONS}{version.pk}/change/", _version_form(example_instrument, changed))
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.items[0]["text"] == data["definition"]["items"][0]["text"]


def test_deactivate_action_goes_through_the_service(as_admin, example_instrument):
    as_admin.post(INSTRUMENTS, {"action": "deactivate", "_selected_action": [example_instrument.pk]})
    example_instrument.refresh_from_db()
    assert not example_instrument.is_active
    assert AuditEvent.objects.filter(action="instrument.deactivate", object_id=str(example_instrument.pk)).exists()
    page = as_admin.get(f"{INSTRUMENTS}{example_instrument.pk}/change/").content.decode()
    assert "example_housing_check" in page


def test_a_draft_is_edited_in_the_admin_through_the_service(as_admin, admin_user, example_instrument):
    data = _example()
    draft = services.instrument_version_draft(
        actor=admin_user, instrument=example_instrument, definition=data["definition"], scoring=data["scoring"]
    )
    data["definition"]["items"][0]["text"] = "Have you paid rent late?"
    response = as_admin.post(f"{VERSIONS}{draft.pk}/change/", _version_form(example_instrument, data))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.items[0]["text"] == "Have you paid rent late?" and draft.published_at is None
    event = AuditEvent.objects.filter(action="instrument_version.update", object_id=str(draft.pk)).latest("id")
    assert event.actor == admin_user
