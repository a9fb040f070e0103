"""Standing test world: an agency with two teams and the three users every endpoint is tested for.

- `worker`: the assigned case manager (team A) — primary worker of `case`, so sees `client`.
- `colleague`: a case manager on team B of the same agency, with no relationship to `client`.
- `outsider`: a case manager of another agency.
Plus `supervisor` (team A), `director` (program), `auditor` and `admin_user`.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client as HttpClient

from casework.accounts.models import Role
from casework.testing import (
    PASSWORD,
    AgencyFactory,
    CaseFactory,
    ClientFactory,
    NoteFactory,
    ProgramFactory,
    TeamFactory,
    UserFactory,
)


@pytest.fixture
def agency(db: Any) -> Any:
    return AgencyFactory(name="Riverside Community Services", time_zone="America/Chicago")


@pytest.fixture
def team_a(agency: Any) -> Any:
    return TeamFactory(agency=agency, name="North team")


@pytest.fixture
def team_b(agency: Any) -> Any:
    return TeamFactory(agency=agency, name="South team")


@pytest.fixture
def supervisor(agency: Any, team_a: Any) -> Any:
    user = UserFactory(
        agency=agency, team=team_a, role=Role.SUPERVISOR, email="sup@example.org", full_name="Sam Supervisor"
    )
    team_a.supervisor = user
    team_a.save()
    return user


@pytest.fixture
def supervisor_b(agency: Any, team_b: Any) -> Any:
    user = UserFactory(agency=agency, team=team_b, role=Role.SUPERVISOR, email="supb@example.org", full_name="Bea Boss")
    team_b.supervisor = user
    team_b.save()
    return user


@pytest.fixture
def director(agency: Any) -> Any:
    return UserFactory(agency=agency, role=Role.PROGRAM_DIRECTOR, email="dir@example.org", full_name="Dana Director")


@pytest.fixture
def program(agency: Any, director: Any) -> Any:
    return ProgramFactory(agency=agency, name="Adult Mental Health", director=director)


@pytest.fixture
def worker(agency: Any, team_a: Any, supervisor: Any) -> Any:
    return UserFactory(agency=agency, team=team_a, email="worker@example.org", full_name="Wanda Worker")


@pytest.fixture
def colleague(agency: Any, team_b: Any) -> Any:
    return UserFactory(agency=agency, team=team_b, email="colleague@example.org", full_name="Colin Colleague")


@pytest.fixture
def outsider(db: Any) -> Any:
    other = AgencyFactory(name="Other Agency")
    return UserFactory(
        agency=other, team=TeamFactory(agency=other), email="outsider@example.org", full_name="Otto Outsider"
    )


@pytest.fixture
def auditor(agency: Any) -> Any:
    return UserFactory(agency=agency, role=Role.AUDITOR, email="auditor@example.org", full_name="Audrey Auditor")


@pytest.fixture
def admin_user(agency: Any) -> Any:
    return UserFactory(agency=agency, role=Role.ADMINISTRATOR, email="admin@example.org", full_name="Ada Admin")


@pytest.fixture
def client_record(agency: Any, supervisor: Any) -> Any:
    """A client registered by the supervisor (so the worker sees it only through the case)."""
    return ClientFactory(
        agency=agency,
        created_by=supervisor,
        legal_first_name="Robert",
        legal_last_name="Smith",
        date_of_birth=datetime.date(1980, 2, 3),
        phone="555-201-3344",
    )


@pytest.fixture
def case(client_record: Any, program: Any, worker: Any) -> Any:
    return CaseFactory(
        client=client_record, program=program, primary_worker=worker, team=worker.team, created_by=worker
    )


@pytest.fixture
def note(case: Any) -> Any:
    return NoteFactory(case=case)


def _login(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user, backend="casework.accounts.backends.EmailBackend")
    return http


@pytest.fixture
def as_worker(worker: Any) -> HttpClient:
    return _login(worker)


@pytest.fixture
def as_colleague(colleague: Any) -> HttpClient:
    return _login(colleague)


@pytest.fixture
def as_outsider(outsider: Any) -> HttpClient:
    return _login(outsider)


@pytest.fixture
def as_supervisor(supervisor: Any) -> HttpClient:
    return _login(supervisor)


@pytest.fixture
def as_auditor(auditor: Any) -> HttpClient:
    return _login(auditor)


@pytest.fixture
def login() -> Any:
    """Log any user in: `login(user)` returns a test client with a session."""
    return _login


__all__ = ["PASSWORD"]
