"""Referrals made from a care-plan action step: linked, shown under the step in every later version,
and refused for a step of another case (page, service and API)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.careplans import services as plan_services
from casework.careplans.tests.helpers import fresh, published_plan
from casework.core.errors import ValidationFailed
from casework.referrals import services
from casework.referrals.models import Referral
from casework.testing import CaseFactory

pytestmark = pytest.mark.django_db


def _step(plan):
    return plan.active_revision.interventions.get()


def test_the_worker_refers_from_an_action_step_and_the_plan_shows_it_in_later_versions(
    as_worker, worker, case, food_service, consent
):
    plan = published_plan(worker, case)
    step = _step(plan)
    page = as_worker.get(reverse("careplans:detail", args=[plan.pk])).content.decode()
    match_url = reverse("directory:match", args=[case.pk]) + f"?step={step.pk}&amp;domains=food"
    assert match_url in page and "Refer to a service for this step" in page

    found = as_worker.get(reverse("directory:match", args=[case.pk]), {"step": step.pk, "domains": "food"})
    text = found.content.decode()
    assert "Referring for the care-plan action step “Apply for SNAP”" in text
    assert f'name="step" value="{step.pk}"' in text  # kept when the search is changed; each Refer carries it

    url = reverse("referrals:new", args=[case.pk])
    form = as_worker.get(url, {"service": str(food_service.pk), "step": step.pk}).content.decode()
    assert f'name="step" value="{step.pk}"' in form
    response = as_worker.post(
        url,
        {
            "service": str(food_service.pk),
            "step": step.pk,
            "reason": "Help with groceries while SNAP is pending.",
            "urgency": "routine",
            "shared_information": ["name", "phone"],
            "consent": consent.pk,
            "action": "send",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and referral.intervention_id == step.pk
    detail = as_worker.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Care-plan action step" in detail and "Apply for SNAP" in detail
    event = AuditEvent.objects.filter(action="referral.create").get()
    assert event.changes["intervention"] == [None, step.pk]

    # A new version copies the step (same key): the referral still shows under it.
    plan_services.revision_start(actor=worker, plan=plan, expected_version=fresh(plan).version)
    plan = fresh(plan)
    plan_services.plan_submit(actor=worker, plan=plan, expected_version=plan.version)
    plan = fresh(plan)
    new_step = _step(plan)
    assert new_step.pk != step.pk and new_step.key == step.key
    page = as_worker.get(reverse("careplans:detail", args=[plan.pk])).content.decode()
    assert "Referral to Weekly groceries" in page and f"?step={new_step.pk}" in page


def test_a_step_of_another_case_is_refused_by_the_service_and_ignored_by_the_page(
    worker, case, program, food_service, consent, as_worker
):
    other_case = CaseFactory(
        client=case.client, program=program, primary_worker=worker, team=worker.team, created_by=worker
    )
    other_step = _step(published_plan(worker, other_case))
    with pytest.raises(ValidationFailed):
        services.referral_create(
            actor=worker,
            case=case,
            service=food_service,
            reason="Groceries.",
            shared_information=["name"],
            intervention=other_step,
        )
    assert not Referral.objects.exists()
    # The page does not carry a step that is not this case's.
    text = as_worker.get(
        reverse("referrals:new", args=[case.pk]), {"service": str(food_service.pk), "step": other_step.pk}
    ).content.decode()
    assert 'name="step"' not in text


def test_the_api_links_a_step_and_refuses_one_of_another_case(as_worker, worker, case, program, food_service, consent):
    step = _step(published_plan(worker, case))
    url = f"/api/v1/cases/{case.pk}/referrals"
    body = {
        "service": str(food_service.pk),
        "reason": "Groceries while SNAP is pending.",
        "shared_information": ["name"],
        "consent": consent.pk,
    }
    refused = as_worker.post(url, json.dumps({**body, "intervention": 999999}), content_type="application/json")
    assert refused.status_code == 422 and "intervention" in refused.json()["errors"]
    assert not Referral.objects.exists()
    created = as_worker.post(url, json.dumps({**body, "intervention": step.pk}), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["intervention_id"] == step.pk
