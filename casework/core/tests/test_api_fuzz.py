"""Bad input never makes the API fail: arbitrary JSON gets a 2xx or a 4xx with a JSON error body.

Hypothesis throws values of every JSON type (NUL characters, huge numbers, impossible dates,
nested junk) at each writing endpoint and at the list filters, on SQLite and PostgreSQL.
"""

import datetime
import string

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.assessments import services
from casework.audit.verify import verify_chain

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        ["", " ", "\x00", "2024-02-30", "1980-02-03", "9999-12-31", "0001-01-01", "123-45-6789", "x" * 5000]
    ),
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=6,
)


def payloads(fields):
    """Objects whose keys are mostly the endpoint's own fields, with values of any type."""
    keys = st.one_of(st.sampled_from(fields), st.text(max_size=10))
    return st.dictionaries(keys, values, max_size=len(fields) + 1)


headers = st.fixed_dictionaries(
    {},
    optional={
        "If-Match": st.one_of(st.text(alphabet=string.printable, max_size=12), st.just('"1"'), st.just("*")),
        "Idempotency-Key": st.text(max_size=30),
    },
)

CLIENT_FIELDS = [
    "legal_first_name",
    "legal_last_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "postal_code",
    "ssn",
    "identifiers",
    "support_contacts",
    "version",
]
MATCH_FIELDS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "postal_code",
    "ssn_last4",
    "identifiers",
]
CASE_FIELDS = ["client_id", "program_id", "primary_worker_id", "status", "acuity", "reason_for_referral", "version"]
TRANSITION_FIELDS = ["to_status", "reason", "closure_reason", "version"]
TEAM_FIELDS = ["user_id", "role", "name", "organization", "phone", "email"]
NOTE_FIELDS = ["case_id", "format", "contact_type", "contact_date", "duration_minutes", "sections", "sign", "version"]
TASK_FIELDS = ["title", "client_id", "case_id", "due_date", "priority", "assignee_id", "detail"]
TASK_UPDATE_FIELDS = ["status", "assignee_id", "reason", "snooze_until", "snooze_reason"]
SNOOZE_FIELDS = ["kind", "object_id", "until", "reason"]
_NEW_PHQ9 = {"instrument": "phq9", "method": "phone"}
ASSESSMENT_FIELDS = ["instrument", "method", "administered_at", "answers", "instrument_version", "reason", "version"]


APPOINTMENT_FIELDS = [
    "client_id",
    "case_id",
    "kind",
    "starts_at",
    "ends_at",
    "title",
    "address",
    "video_link",
    "provider_name",
    "staff_ids",
    "external_member_ids",
    "allow_overlap",
    "version",
]
TRANSPORT_FIELDS = ["appointment_id", "pickup_address", "pickup_at", "mode", "provider", "status"]


def _check(response):
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body["detail"], str) and body["detail"]


def _send(http, method, url, payload, extra_headers):
    safe_headers = {k: v for k, v in extra_headers.items() if "\n" not in v and "\r" not in v}
    sender = getattr(http, method)
    return sender(url, payload, content_type="application/json", headers=safe_headers)


@FUZZ
@given(payload=payloads(CLIENT_FIELDS), extra=headers)
def test_client_writes_never_fail(as_worker, client_record, case, payload, extra):
    _check(_send(as_worker, "post", "/api/v1/clients", payload, extra))
    _check(_send(as_worker, "patch", f"/api/v1/clients/{client_record.pk}", payload, extra))


@FUZZ
@given(payload=payloads(MATCH_FIELDS), extra=headers)
def test_client_match_never_fails(as_worker, client_record, case, payload, extra):
    _check(_send(as_worker, "post", "/api/v1/clients/match", payload, extra))


@FUZZ
@given(payload=payloads(CASE_FIELDS), transition=payloads(TRANSITION_FIELDS), team=payloads(TEAM_FIELDS), extra=headers)
def test_case_writes_never_fail(as_worker, case, payload, transition, team, extra):
    _check(_send(as_worker, "post", "/api/v1/cases", payload, extra))
    _check(_send(as_worker, "patch", f"/api/v1/cases/{case.pk}", payload, extra))
    _check(_send(as_worker, "post", f"/api/v1/cases/{case.pk}/transition", transition, extra))
    _check(_send(as_worker, "post", f"/api/v1/cases/{case.pk}/team", team, extra))


@FUZZ
@given(payload=payloads(NOTE_FIELDS), other=payloads(["text", "reason"]), extra=headers)
def test_note_writes_never_fail(as_worker, note, payload, other, extra):
    _check(_send(as_worker, "post", "/api/v1/notes", payload, extra))
    _check(_send(as_worker, "patch", f"/api/v1/notes/{note.pk}", payload, extra))
    _check(_send(as_worker, "post", f"/api/v1/notes/{note.pk}/addenda", other, extra))
    _check(_send(as_worker, "post", f"/api/v1/notes/{note.pk}/void", other, extra))


def _appointment(worker, case):
    from casework.appointments.services import appointment_create

    start = timezone.now() + datetime.timedelta(days=1)
    return appointment_create(
        actor=worker,
        client=case.client,
        case=case,
        kind="office",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        allow_overlap=True,
    )


@FUZZ
@given(payload=payloads(APPOINTMENT_FIELDS), transport=payloads(TRANSPORT_FIELDS), extra=headers)
def test_appointment_writes_never_fail(as_worker, worker, case, payload, transport, extra):
    appointment = _appointment(worker, case)
    _check(_send(as_worker, "post", "/api/v1/appointments", payload, extra))
    _check(_send(as_worker, "patch", f"/api/v1/appointments/{appointment.pk}", payload, extra))
    _check(_send(as_worker, "post", f"/api/v1/appointments/{appointment.pk}/reschedule", payload, extra))
    _check(_send(as_worker, "post", f"/api/v1/appointments/{appointment.pk}/outcome", {**payload, **transport}, extra))
    _check(_send(as_worker, "post", "/api/v1/transport-requests", transport, extra))


@FUZZ
@given(
    payload=payloads(TASK_FIELDS),
    update=payloads(TASK_UPDATE_FIELDS),
    snooze=payloads(SNOOZE_FIELDS),
    extra=headers,
)
def test_task_and_today_writes_never_fail(as_worker, worker, case, payload, update, snooze, extra):
    from casework.tasks.services import task_create

    task = task_create(
        actor=worker, client=case.client, case=case, title="Call", assignee=worker, due_date=datetime.date(2030, 1, 1)
    )
    _check(_send(as_worker, "post", "/api/v1/tasks", payload, extra))
    _check(_send(as_worker, "patch", f"/api/v1/tasks/{task.pk}", update, extra))
    _check(_send(as_worker, "post", "/api/v1/today/snoozes", snooze, extra))


def _phq9_assessment(worker, case, *, complete):
    assessment = services.assessment_start(
        actor=worker, case=case, instrument_code="phq9", method="in_person", administered_at=timezone.now()
    )
    answers = {f"phq9_{n}": 1 for n in range(1, 10)}
    assessment = services.assessment_answer(actor=worker, assessment=assessment, answers=answers, expected_version=1)
    return services.assessment_complete(actor=worker, assessment=assessment) if complete else assessment


@FUZZ
@given(payload=payloads(ASSESSMENT_FIELDS), extra=headers)
def test_assessment_writes_never_fail(as_worker, worker, case, payload, extra):
    draft = _phq9_assessment(worker, case, complete=False)
    completed = _phq9_assessment(worker, case, complete=True)
    _check(_send(as_worker, "post", f"/api/v1/cases/{case.pk}/assessments", payload, extra))
    _check(_send(as_worker, "patch", f"/api/v1/assessments/{draft.pk}", payload, extra))
    _check(_send(as_worker, "post", f"/api/v1/assessments/{completed.pk}/amend", payload, extra))
    _check(_send(as_worker, "post", f"/api/v1/assessments/{draft.pk}/complete", payload, extra))


@FUZZ
@given(payload=st.dictionaries(st.sampled_from(["phq9_1", "phq9_9", "phq9_difficulty", "x"]), values, max_size=4))
def test_assessment_answers_of_any_type_never_fail(as_worker, worker, case, payload):
    draft = _phq9_assessment(worker, case, complete=False)
    completed = _phq9_assessment(worker, case, complete=True)
    answers = {"answers": payload, "version": draft.version, "reason": "fuzz"}
    _check(_send(as_worker, "post", f"/api/v1/cases/{case.pk}/assessments", {**_NEW_PHQ9, "answers": payload}, {}))
    _check(_send(as_worker, "patch", f"/api/v1/assessments/{draft.pk}", answers, {}))
    _check(_send(as_worker, "post", f"/api/v1/assessments/{completed.pk}/amend", answers, {}))


query_values = st.one_of(st.text(max_size=40), st.integers(min_value=-(2**70), max_value=2**70).map(str))


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["q", "limit", "offset", "client_id", "case_id", "status", "mine", "instrument", "start", "end"]
        ),
        query_values,
        max_size=4,
    )
)
def test_list_filters_never_fail(as_worker, as_auditor, note, params):
    for url in [
        "/api/v1/clients",
        "/api/v1/clients/search",
        "/api/v1/cases",
        "/api/v1/notes",
        "/api/v1/appointments",
        "/api/v1/transport-requests",
        "/api/v1/tasks",
    ]:
        _check(as_worker.get(url, params))
    _check(as_worker.get(f"/api/v1/cases/{note.case_id}/assessments", params))
    _check(as_auditor.get("/api/v1/audit", params))


def test_the_audit_chain_still_verifies_after_fuzzing(as_worker, client_record, case):
    _check(_send(as_worker, "patch", f"/api/v1/clients/{client_record.pk}", {"ssn": "\x00", "version": 1}, {}))
    _check(_send(as_worker, "post", "/api/v1/notes", {"case_id": 2**70}, {}))
    assert verify_chain().ok


@FUZZ
@given(record_id=st.one_of(st.integers(min_value=0, max_value=2**70), st.sampled_from([2**63 - 1, 2**63, 2**64])))
def test_any_id_in_a_path_is_found_or_404(as_worker, note, record_id):
    for url in [
        f"/api/v1/clients/{record_id}",
        f"/api/v1/cases/{record_id}",
        f"/api/v1/cases/{record_id}/team",
        f"/api/v1/notes/{record_id}",
        f"/api/v1/notes/{record_id}/addenda",
        f"/api/v1/cases/{record_id}/assessments",
        f"/api/v1/assessments/{record_id}",
        f"/api/v1/assessments/{record_id}/fhir",
        f"/api/v1/clients/{record_id}/scores?instrument=phq9",
        f"/api/v1/appointments/{record_id}",
        f"/api/v1/tasks/{record_id}",
        f"/api/v1/teams/{record_id}/overview",
    ]:
        _check(as_worker.get(url))
    _check(as_worker.delete(f"/api/v1/cases/{note.case_id}/team/{record_id}"))
    _check(as_worker.delete(f"/api/v1/auth/tokens/{record_id}"))
    _check(_send(as_worker, "post", f"/api/v1/notes/{record_id}/sign", {}, {}))
    _check(_send(as_worker, "post", f"/api/v1/assessments/{record_id}/complete", {}, {}))
    _check(_send(as_worker, "post", f"/api/v1/appointments/{record_id}/outcome", {"outcome": "no_show"}, {}))
    _check(_send(as_worker, "patch", f"/api/v1/transport-requests/{record_id}", {"status": "booked"}, {}))
