"""The API as a whole: the OpenAPI document, the docs page, and the shared request helpers."""

import pytest
from django.test import Client as HttpClient

from casework.accounts.models import Agency
from casework.core.api import (
    IdempotentCreate,
    PreconditionFailed,
    PreconditionRequired,
    expected_version,
    precondition,
    submission_key,
)
from casework.core.errors import PermissionDenied, ValidationFailed, VersionConflict

EXPECTED = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/auth/tokens": {"get"},
    "/api/v1/clients": {"get", "post"},
    "/api/v1/clients/search": {"get"},
    "/api/v1/clients/{client_id}": {"get", "patch"},
    "/api/v1/cases": {"get", "post"},
    "/api/v1/cases/{case_id}": {"get", "patch"},
    "/api/v1/cases/{case_id}/transition": {"post"},
    "/api/v1/cases/{case_id}/team": {"get", "post"},
    "/api/v1/notes": {"get", "post"},
    "/api/v1/notes/{note_id}": {"get", "patch"},
    "/api/v1/notes/{note_id}/sign": {"post"},
    "/api/v1/notes/{note_id}/addenda": {"get", "post"},
    "/api/v1/notes/{note_id}/void": {"post"},
    "/api/v1/audit": {"get"},
}


def test_openapi_document_lists_every_endpoint(db):
    response = HttpClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Casework API"
    for path, methods in EXPECTED.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
    security = schema["components"]["securitySchemes"]
    assert any(scheme.get("scheme") == "bearer" for scheme in security.values())
    patch = schema["paths"]["/api/v1/clients/{client_id}"]["patch"]
    assert {"409", "412", "428"} <= set(patch["responses"])
    create = schema["components"]["schemas"]["ClientCreate"]
    assert "ssn" in create["properties"] and "identifiers" in create["properties"]
    read = schema["components"]["schemas"]["ClientRead"]
    assert "ssn_masked" in read["properties"] and "ssn" not in read["properties"]


def test_docs_page_renders(db):
    response = HttpClient().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
    # Served from our own static files: no CDN at run time, nothing the CSP would block.
    assert b"cdn." not in response.content
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content


def test_unknown_api_paths_are_404(db):
    assert HttpClient().get("/api/v1/nothing-here").status_code == 404


@pytest.mark.parametrize(
    ("if_match", "version", "expected"),
    [
        ('"3"', None, (3, True)),
        ('W/"3"', None, (3, True)),
        ('"2", "5"', None, (5, True)),
        ("*", None, (5, True)),
        (None, 4, (4, False)),
        ("", 4, (4, False)),
        ('"1"', 4, (1, True)),
    ],
)
def test_expected_version_reads_if_match_before_the_version_field(if_match, version, expected):
    assert expected_version(if_match=if_match, version=version, current=5) == expected


def test_expected_version_needs_one_or_the_other():
    with pytest.raises(PreconditionRequired) as info:
        expected_version(if_match=None, version=None, current=5)
    assert info.value.status_code == 428
    for malformed in ["3", ",", " , ", '"3" junk', '"1", 2', "**"]:
        with pytest.raises(ValidationFailed):
            expected_version(if_match=malformed, version=None, current=5)


def test_precondition_turns_a_conflict_into_412_only_for_if_match():
    conflict = VersionConflict("stale", current_version=2, changes=[{"field": "city"}])
    with pytest.raises(PreconditionFailed) as info, precondition(True):
        raise conflict
    assert (info.value.status_code, info.value.current_version, info.value.changes) == (412, 2, [{"field": "city"}])
    with pytest.raises(VersionConflict) as plain, precondition(False):
        raise conflict
    assert plain.value.status_code == 409


def test_idempotency_keys_are_private_to_the_user_and_fit_the_column(worker, colleague):
    mine = submission_key(worker, "abc")
    assert mine == submission_key(worker, " abc ")
    assert mine != submission_key(colleague, "abc")
    assert mine is not None and len(mine) == 64
    assert submission_key(worker, None) is None
    for bad in ["x" * 201, "white space", "naïve"]:
        with pytest.raises(ValidationFailed):
            submission_key(worker, bad)


# --- IdempotentCreate -------------------------------------------------------------------------


def test_idempotent_create_tells_a_new_record_from_one_a_service_found(db):
    once: IdempotentCreate[Agency] = IdempotentCreate(key="k", find=lambda: None, failure="Could not save.")
    made, created = once.create(lambda: Agency.objects.create(name="New agency"))
    assert created
    found, created = once.create(lambda: Agency.objects.get(pk=made.pk))
    assert (found, created) == (made, False)


def test_idempotent_create_refuses_another_integrity_error_and_the_request_goes_on(db):
    Agency.objects.create(name="Taken")
    once: IdempotentCreate[Agency] = IdempotentCreate(key="k", find=lambda: None, failure="Could not save.")
    with pytest.raises(ValidationFailed, match=r"Could not save\."):
        once.create(lambda: Agency.objects.create(name="Taken"))
    # The savepoint kept the transaction usable (PostgreSQL refuses every query after an error otherwise).
    assert Agency.objects.filter(name="Taken").count() == 1


def test_idempotent_create_passes_a_refusal_on_when_there_is_no_earlier_submission(db):
    def refuse() -> Agency:
        Agency.objects.create(name="Half done")
        raise PermissionDenied("No.")

    once: IdempotentCreate[Agency] = IdempotentCreate(key="k", find=lambda: None, failure="Could not save.")
    with pytest.raises(PermissionDenied):
        once.create(refuse)
    assert not Agency.objects.filter(name="Half done").exists()


def test_idempotent_create_without_a_key_never_looks_for_an_earlier_submission(db):
    looked: list[bool] = []
    once: IdempotentCreate[Agency] = IdempotentCreate(
        key=None, find=lambda: looked.append(True), failure="Could not save."
    )
    assert once.earlier() is None
    assert looked == []
