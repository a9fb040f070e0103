"""HSDS 3.0 import: the official example package and JSON, defects reported, idempotent re-import."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from casework.directory import hsds
from casework.directory import models as m
from casework.directory.importer import run_import

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[4] / "shared" / "data" / "hsds-3.0-examples"
if not EXAMPLES.exists():  # a worktree beside the main checkout
    EXAMPLES = Path("/work/shared/data/hsds-3.0-examples")

COUNSELLING = uuid.UUID("ac148810-d857-441c-9679-408f346de14b")
CIVIC_CENTER = uuid.UUID("3a19ff88-4620-4d17-9830-ac1d859eb5d5")


def _messages(result, severity):
    return [(p.table, p.column, p.message) for p in result.problems if p.severity == severity]


def test_official_csv_example_imports_and_reports_latitude_100():
    result = run_import(hsds.read_tabular(EXAMPLES / "csv"))
    assert result.written
    assert not result.errors
    rejected = _messages(result, "rejected")
    assert ("locations", "latitude", "latitude: Ensure this value is less than or equal to 90.") in rejected
    service = m.Service.objects.get(pk=COUNSELLING)
    assert service.name == "Community Counselling"
    assert (service.minimum_age, service.maximum_age) == (12, 100)
    assert service.organization.name == "Example Organization Inc."
    # The rejected location takes what needs it along, and nothing points at it.
    assert not m.Location.objects.filter(pk=CIVIC_CENTER).exists()
    assert not m.ServiceAtLocation.objects.exists()
    assert not m.Address.objects.exists()
    assert m.Phone.objects.get().location_id is None
    assert m.Schedule.objects.get().service_id == COUNSELLING
    assert m.Language.objects.get().name == "Urdu"
    assert "urdu" in service.language_keys and " ur " in service.language_keys
    assert m.CostOption.objects.get().amount == 35
    assert m.RequiredDocument.objects.count() == 1


def test_reimporting_the_same_package_updates_instead_of_duplicating():
    run_import(hsds.read_tabular(EXAMPLES / "csv"))
    counts = {model: model.objects.count() for model in (m.Organization, m.Service, m.Phone, m.Schedule)}
    m.Service.objects.filter(pk=COUNSELLING).update(name="Renamed by hand")
    second = run_import(hsds.read_tabular(EXAMPLES / "csv"))
    assert {model: model.objects.count() for model in counts} == counts
    assert second.counts["services"]["updated"] == 1 and second.counts["services"]["created"] == 0
    assert m.Service.objects.get(pk=COUNSELLING).name == "Community Counselling"


def test_official_json_example_imports_with_the_same_defects_reported():
    result = run_import(hsds.read_json((EXAMPLES / "service_full.json").read_bytes()))
    assert result.written
    assert any(p.column == "latitude" for p in result.rejected)
    service = m.Service.objects.get(pk=COUNSELLING)
    assert service.organization.name == "Example Organization Inc."
    assert service.program is not None and service.program.organization_id == service.organization_id
    assert m.Phone.objects.filter(service=service).exists()


def test_example_list_page_and_tabular_json_import(tmp_path):
    for name in ("service_list.json", "organization_full.json", "tabular.json"):
        result = run_import(hsds.read_json((EXAMPLES / name).read_bytes()))
        assert not result.errors, (name, result.errors)
    assert m.Service.objects.filter(pk=COUNSELLING).exists()


def _export_bytes() -> dict[str, bytes]:
    return hsds.export_tabular()


def _wipe() -> None:
    m.Organization.objects.all().delete()
    for model in (m.Location, m.Taxonomy, m.TaxonomyTerm, m.Attribute):
        model.objects.all().delete()


def test_round_trip_csv_export_then_import_gives_the_same_directory(tmp_path):
    run_import(hsds.read_tabular(EXAMPLES / "csv"))
    service = m.Service.objects.get(pk=COUNSELLING)
    service.need_categories.set(m.NeedCategory.objects.filter(code__in=["counseling", "crisis-support"]))
    m.Service.objects.filter(pk=COUNSELLING).update(income_limit_percent_fpl=200, insurance_accepted="medicaid,none")
    first = _export_bytes()
    for name, content in first.items():
        (tmp_path / name).write_bytes(content)
    _wipe()
    assert not m.Service.objects.exists()
    result = run_import(hsds.read_tabular(tmp_path))
    assert not result.problems, result.problems
    assert _export_bytes() == first
    service = m.Service.objects.get(pk=COUNSELLING)
    assert sorted(service.need_categories.values_list("code", flat=True)) == ["counseling", "crisis-support"]
    assert (service.income_limit_percent_fpl, service.insurance_accepted) == (200, "medicaid,none")


def test_round_trip_json_export_then_import_gives_the_same_directory():
    run_import(hsds.read_tabular(EXAMPLES / "csv"))
    m.Service.objects.get(pk=COUNSELLING).need_categories.set(m.NeedCategory.objects.filter(code="counseling"))
    # The example's attribute describes nothing in the file: JSON has no place for it.
    m.Attribute.objects.all().delete()
    before = _export_bytes()
    document = hsds.export_json()
    _wipe()
    result = run_import(hsds.read_json(__import__("json").dumps(document)))
    assert not result.errors and not result.rejected, result.problems
    assert _export_bytes() == before


def _package(tmp_path: Path, **files: str) -> Path:
    shutil.copytree(EXAMPLES / "csv", tmp_path / "pkg")
    for name, content in files.items():
        (tmp_path / "pkg" / f"{name}.csv").write_text(content)
    return tmp_path / "pkg"


def test_malformed_package_is_reported_line_by_line_and_imports_nothing(tmp_path):
    header = (EXAMPLES / "csv" / "services.csv").read_text().splitlines()[0]
    broken = _package(
        tmp_path,
        phones='id,number\n"0f4e7b1a-2a6f-4a36-8f4e-8a3f3c1f0a01,"unclosed\n',
        organizations="id,name,description\n5b2f6a36-0c1e-4d7b-9d87-3d4f4d0a2b11,One,Two,Three\n",
        services=header + "\n",
    )
    result = run_import(hsds.read_tabular(broken))
    assert not result.written
    where = {p.where for p in result.errors}
    assert "organizations.csv line 2" in where
    assert any(w.startswith("phones.csv line") for w in where)
    assert m.Organization.objects.count() == 0 and m.Service.objects.count() == 0


def test_broken_ids_and_coordinates_are_rejected_with_reasons_rest_kept(tmp_path):
    package = _package(
        tmp_path,
        organizations=(
            "id,name,description\n"
            "not-a-uuid,Broken,Has a broken id\n"
            "5b2f6a36-0c1e-4d7b-9d87-3d4f4d0a2b11,Kept,A good row\n"
            "5b2f6a36-0c1e-4d7b-9d87-3d4f4d0a2b11,Twice,The same id again\n"
            "6c2f6a36-0c1e-4d7b-9d87-3d4f4d0a2b11,,No name\n"
        ),
    )
    result = run_import(hsds.read_tabular(package))
    assert result.written
    rejected = {(p.where, p.message) for p in result.rejected}
    assert ("organizations.csv line 2", "id 'not-a-uuid' is not a UUID.") in rejected
    assert any(w == "organizations.csv line 4" and "appears twice" in msg for w, msg in rejected)
    assert ("organizations.csv line 5", "name is required.") in rejected
    assert list(m.Organization.objects.values_list("name", flat=True)) == ["Kept"]
    # The example's service belonged to an organization that is no longer in the file.
    assert any(p.table == "services" and "organization_id" in p.message for p in result.rejected)
    assert not m.Service.objects.exists()


def test_strict_import_imports_nothing_when_a_row_is_rejected():
    result = run_import(hsds.read_tabular(EXAMPLES / "csv"), strict=True)
    assert result.rejected and not result.written
    assert not m.Organization.objects.exists()


def test_a_file_that_is_not_json_or_not_a_zip_is_an_error():
    assert run_import(hsds.read_json(b"{not json")).errors
    assert run_import(hsds.read_tabular(b"not a zip")).errors
    assert not m.Organization.objects.exists()


def test_the_shipped_demo_directory_imports_cleanly_with_food_pantries_near_riverside():
    from casework.directory.demo import load_demo_directory
    from casework.directory.selectors import SearchCriteria, origin_for_zip, search

    run = load_demo_directory()
    assert run.status == "imported" and not run.problems
    assert m.Service.objects.count() >= 20
    pantries = search(SearchCriteria(category="food-pantry", origin=origin_for_zip("60546"), radius_miles=5))
    assert len(pantries) >= 3 and pantries[0].service.name == "Riverside Township Food Pantry"
    again = load_demo_directory()
    assert again.counts["services"]["created"] == 0
