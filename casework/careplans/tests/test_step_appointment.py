"""An appointment scheduled from a care-plan action step is recorded on the step (and its next version)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from casework.appointments.models import Appointment
from casework.appointments.tests.factories import at, make_appointment
from casework.audit.models import AuditEvent
from casework.careplans import services
from casework.careplans.tests.helpers import fresh, published_plan
from casework.core.errors import ValidationFailed
from casework.testing import CaseFactory

pytestmark = pytest.mark.django_db

FORM = {"kind": "office", "date": "2027-03-02", "start_time": "10:00", "end_time": "11:00"}


def test_the_worker_schedules_from_a_step_and_the_plan_shows_the_appointment(as_worker, worker, case):
    plan = published_plan(worker, case)
    step = plan.active_revision.interventions.get()
    page = as_worker.get(reverse("careplans:detail", args=[plan.pk])).content.decode()
    url = reverse("appointments:schedule", args=[case.client_id]) + f"?case={case.pk}&amp;step={step.pk}"
    assert url in page and "Schedule an appointment for this step" in page

    form = as_worker.get(reverse("appointments:schedule", args=[case.client_id]), {"case": case.pk, "step": step.pk})
    assert f'name="step" value="{step.pk}"' in form.content.decode()
    response = as_worker.post(
        reverse("appointments:schedule", args=[case.client_id]), {**FORM, "case": case.pk, "step": step.pk}
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.appointment_id == appointment.pk
    event = AuditEvent.objects.get(action="careplan.intervention_link")
    assert event.changes["appointment"] == [None, appointment.pk]
    assert fresh(plan).version == plan.version + 1

    page = as_worker.get(reverse("careplans:detail", args=[plan.pk])).content.decode()
    assert reverse("appointments:detail", args=[appointment.pk]) in page and "Office visit on 2027-03-02" in page

    # A new version keeps the link on its copy of the step.
    services.revision_start(actor=worker, plan=plan, expected_version=fresh(plan).version)
    draft_step = fresh(plan).open_revision.interventions.get()
    assert draft_step.key == step.key and draft_step.appointment_id == appointment.pk


def test_an_appointment_of_another_case_is_refused_and_a_foreign_step_is_ignored(as_worker, worker, case, program):
    plan = published_plan(worker, case)
    step = plan.active_revision.interventions.get()
    other_case: Any = CaseFactory(
        client=case.client, program=program, primary_worker=worker, team=worker.team, created_by=worker
    )
    other = make_appointment(actor=worker, client=case.client, case=other_case, starts_at=at(2027, 3, 1, 9))
    with pytest.raises(ValidationFailed):
        services.intervention_link_appointment(actor=worker, intervention=step, appointment=other)
    step.refresh_from_db()
    assert step.appointment_id is None
    # Scheduling for another case with this case's step: the step is not taken.
    response = as_worker.post(
        reverse("appointments:schedule", args=[case.client_id]), {**FORM, "case": other_case.pk, "step": step.pk}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.appointment_id is None
    assert not AuditEvent.objects.filter(action="careplan.intervention_link").exists()
