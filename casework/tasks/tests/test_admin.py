"""Reassessment rules in Django admin: listed and added by administrators; tasks stay out of the admin."""

from __future__ import annotations

from casework.assessments.models import Instrument
from casework.tasks.models import ReassessmentRule


def test_administrator_adds_a_reassessment_rule(login, admin_user, program):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    http = login(admin_user)
    phq9 = Instrument.objects.get(code="phq9")

    assert http.get("/django-admin/tasks/reassessmentrule/").status_code == 200
    refused = http.post(
        "/django-admin/tasks/reassessmentrule/add/",
        {"program": program.pk, "instrument": phq9.pk, "interval_days": "", "active": "on"},
    )
    assert refused.status_code == 200 and not ReassessmentRule.objects.exists()
    response = http.post(
        "/django-admin/tasks/reassessmentrule/add/",
        {"program": program.pk, "instrument": phq9.pk, "due_at_intake": "on", "interval_days": "90", "active": "on"},
    )

    assert response.status_code == 302
    rule = ReassessmentRule.objects.get()
    assert (rule.due_at_intake, rule.interval_days) == (True, 90)


def test_tasks_and_notifications_are_not_in_the_admin(login, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    http = login(admin_user)

    assert http.get("/django-admin/tasks/task/").status_code == 404
    assert http.get("/django-admin/tasks/notification/").status_code == 404
    assert http.get("/django-admin/safety/riskflag/").status_code == 404
