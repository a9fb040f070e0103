"""HSDS import/export from the command line and the admin upload; the client's household fields."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from casework.audit.models import AuditEvent
from casework.directory import models as m
from casework.directory.demo import DEMO_PACKAGE
from casework.directory.tests.test_hsds_import import EXAMPLES

pytestmark = pytest.mark.django_db


def test_import_command_reports_rejected_rows_and_counts(capsys):
    call_command("hsds_import", str(EXAMPLES / "csv"), "--no-progress")
    out = capsys.readouterr().out
    assert "rejected locations.csv line 2: latitude: Ensure this value is less than or equal to 90." in out
    assert "Imported, some rows rejected" in out
    run = m.DirectoryImport.objects.get()
    assert run.status == "partial" and any(p["column"] == "latitude" for p in run.problems)
    assert AuditEvent.objects.filter(action="directory.import").exists()


def test_import_command_strict_imports_nothing_and_fails(capsys):
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("hsds_import", str(EXAMPLES / "csv"), "--no-progress", "--strict")
    assert not m.Organization.objects.exists()


def test_export_command_writes_a_package_that_imports_back(tmp_path, capsys):
    call_command("hsds_import", str(DEMO_PACKAGE), "--no-progress")
    call_command("hsds_export", str(tmp_path / "out.zip"))
    call_command("hsds_export", str(tmp_path / "out.json"))
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert "datapackage.json" in archive.namelist() and "services.csv" in archive.namelist()
    document = json.loads((tmp_path / "out.json").read_text())
    assert document["total_items"] == m.Organization.objects.count()
    services = m.Service.objects.count()
    call_command("hsds_import", str(tmp_path / "out.zip"), "--no-progress")
    assert m.Service.objects.count() == services


def _upload(http, content: bytes, name: str, **extra):
    upload = io.BytesIO(content)
    upload.name = name
    return http.post("/django-admin/directory/directoryimport/upload/", {"file": upload, **extra})


@pytest.fixture
def as_admin(admin_user, login):
    admin_user.is_staff = True
    admin_user.save()
    return login(admin_user)


def test_admin_uploads_a_zip_package_and_sees_the_report(as_admin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in (EXAMPLES / "csv").iterdir():
            archive.write(path, path.name)
    response = _upload(as_admin, buffer.getvalue(), "example.zip")
    run = m.DirectoryImport.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/directoryimport/{run.pk}/change/")
    assert run.status == "partial" and m.Service.objects.count() == 1
    page = as_admin.get(response.url)
    assert page.status_code == 200 and "latitude" in page.content.decode()


def test_admin_upload_of_a_broken_file_imports_nothing(as_admin):
    response = _upload(as_admin, b"{broken json", "broken.json")
    assert response.status_code == 302
    assert m.DirectoryImport.objects.get().status == "failed" and not m.Organization.objects.exists()


def test_case_managers_cannot_reach_the_upload(as_worker):
    response = _upload(as_worker, b"{}", "x.json")
    assert response.status_code in (302, 404)
    assert not m.DirectoryImport.objects.exists()


def test_client_edit_form_saves_household_income_and_insurance_with_audit(as_worker, case, client_record):
    form = as_worker.get(f"/clients/{client_record.pk}/edit/")
    assert form.status_code == 200 and "Household size" in form.content.decode()
    data = {
        "legal_first_name": client_record.legal_first_name,
        "legal_last_name": client_record.legal_last_name,
        "date_of_birth": "1980-02-03",
        "sex": client_record.sex,
        "primary_language": "English",
        "phone": client_record.phone,
        "household_size": "4",
        "annual_household_income": "31000",
        "insurance": "medicaid",
        "county": "Cook County",
        "version": client_record.version,
    }
    response = as_worker.post(f"/clients/{client_record.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client_record.refresh_from_db()
    assert client_record.household_size == 4 and client_record.annual_household_income == Decimal("31000")
    event = AuditEvent.objects.filter(action="client.update").latest("occurred_at")
    assert event.changes["household_size"] == [None, 4] and event.changes["insurance"] == ["", "medicaid"]
    bad = as_worker.post(f"/clients/{client_record.pk}/edit/", {**data, "household_size": "0", "version": 2})
    assert bad.status_code in (200, 422) and "household_size" in bad.content.decode()
    client_record.refresh_from_db()
    assert client_record.household_size == 4
