"""Plan templates in Django admin: administrators of the agency only, sections checked, saves audited."""

from __future__ import annotations

import json
from typing import Any

import pytest

from casework.audit.models import AuditEvent
from casework.careplans.admin import template_section_errors, translation_errors
from casework.careplans.models import PlanTemplate
from casework.careplans.starter_templates import STARTER_TEMPLATES

ADD = "/django-admin/careplans/plantemplate/add/"

SECTIONS = {
    "summary": "Housing first.",
    "needs": [{"domain": "housing", "description": "Needs a stable place to live"}],
    "strengths": ["Keeps appointments"],
    "barriers": [],
    "goals": [
        {
            "domain": "housing",
            "description": "Move into my own apartment",
            "term": "long",
            "interventions": [{"description": "Apply for a housing voucher", "responsible_party": "client"}],
        }
    ],
}


@pytest.fixture
def as_admin(login, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    return login(admin_user)


def _form(program: Any, sections: Any, **extra: Any) -> dict[str, Any]:
    return {
        "program": program.pk,
        "name": "Housing plan",
        "kind": "care",
        "sections": json.dumps(sections),
        "translations": json.dumps(extra.get("translations", {})),
        "is_active": "on",
    }


def test_every_starter_template_passes_the_checks():
    for template in STARTER_TEMPLATES:
        assert template_section_errors(template["sections"]) == [], template["name"]
        assert translation_errors(template["translations"]) == [], template["name"]


def test_the_checks_name_every_problem():
    errors = template_section_errors(
        {
            "needs": [{"domain": "rocketry", "description": "x"}, {"description": ""}],
            "goals": [{"description": "Go", "term": "forever", "interventions": [{"responsible_party": "cat"}]}],
            "colour": "blue",
        }
    )
    text = " | ".join(errors)
    assert "Unknown sections: colour" in text
    assert "need 1: domain must be one of" in text
    assert "need 2: a description is required" in text and "need 2: a domain is required" in text
    assert "goal 1: term must be one of" in text
    assert "goal 1, action step 1: a description is required" in text
    assert "goal 1, action step 1: responsible_party must be one of" in text
    assert template_section_errors([]) == ["Sections must be a JSON object."]
    assert translation_errors({"xx": {"name": 3}}) != []


def test_administrator_adds_a_checked_template_and_the_save_is_audited(as_admin, program, admin_user):
    response = as_admin.post(ADD, _form(program, SECTIONS))
    assert response.status_code == 302, response.content.decode()[:2000]
    template = PlanTemplate.objects.get(name="Housing plan")
    assert template.sections == SECTIONS and template.program == program
    event = AuditEvent.objects.get(action="careplan.template_save")
    assert event.actor == admin_user and event.object_id == str(template.pk)


def test_a_template_with_problems_is_refused_with_the_list_and_nothing_saved(as_admin, program):
    bad = {**SECTIONS, "goals": [{"description": "", "term": "someday"}]}
    response = as_admin.post(ADD, _form(program, bad))
    assert response.status_code == 200
    page = response.content.decode()
    assert "goal 1: a description is required" in page and "goal 1: term must be one of" in page
    assert not PlanTemplate.objects.exists()
    assert not AuditEvent.objects.filter(action="careplan.template_save").exists()


def test_only_administrators_reach_the_templates(login, supervisor, program):
    supervisor.is_staff = True
    supervisor.save()
    response = login(supervisor).post(ADD, _form(program, SECTIONS))
    assert response.status_code in (302, 403)
    assert not PlanTemplate.objects.exists()
    assert not AuditEvent.objects.filter(action="careplan.template_save").exists()
