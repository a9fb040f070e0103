"""Today pages: the list, done / snooze / reassign (htmx and plain forms), new tasks, the note follow-up.
Worker, colleague on another team and outsider for each; refused requests change nothing."""

from __future__ import annotations

import datetime
import html as html_lib

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import CaseTeamMember, TeamRole
from casework.notes.models import NoteStatus
from casework.safety.tests.helpers import flag_case
from casework.tasks import services as task_services
from casework.tasks.models import Task, TaskSource, TaskStatus
from casework.testing import NoteFactory, count_queries
from casework.today.models import Snooze


def _task(worker, case, title="Send the housing application", days=0):
    return task_services.task_create(
        actor=worker,
        client=case.client,
        case=case,
        title=title,
        assignee=worker,
        due_date=timezone.localdate() + datetime.timedelta(days=days),
    )


@pytest.fixture
def quiet_case(case):
    """A case contacted today: no contact rule is due."""
    NoteFactory(case=case, contact_date=timezone.localdate(), status=NoteStatus.SIGNED)
    return case


def test_home_sends_a_case_manager_to_today_and_a_supervisor_to_the_caseload(as_worker, as_supervisor):
    assert as_worker.get("/").url == reverse("today:index")
    assert as_supervisor.get("/").url == reverse("cases:caseload")


def test_today_lists_safety_first_with_why_and_where(as_worker, worker, quiet_case):
    _task(worker, quiet_case, days=-3)
    flag_case(quiet_case)

    response = as_worker.get(reverse("today:index"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Complete a safety assessment") < html.index("Send the housing application")
    assert "3 days overdue" in html and "Robert Smith" in html
    assert reverse("cases:detail", args=[quiet_case.pk]) in html
    assert AuditEvent.objects.filter(action="today.view", actor=worker).exists()


def test_colleague_and_outsider_see_an_empty_today(as_colleague, as_outsider, worker, quiet_case):
    _task(worker, quiet_case)
    for http in (as_colleague, as_outsider):
        html = http.get(reverse("today:index")).content.decode()
        assert "Send the housing application" not in html and "Robert Smith" not in html
        assert "Nothing needs attention today." in html


def test_auditor_gets_404(as_auditor):
    assert as_auditor.get(reverse("today:index")).status_code == 404


def test_today_page_query_count_does_not_grow_with_the_list(as_worker, worker, quiet_case):
    _task(worker, quiet_case, "one")
    as_worker.get(reverse("today:index"))  # the first request of a session warms caches
    with count_queries() as few:
        as_worker.get(reverse("today:index"))
    for index in range(6):
        _task(worker, quiet_case, f"more {index}")
    with count_queries() as many:
        as_worker.get(reverse("today:index"))
    assert len(few.captured_queries) == len(many.captured_queries)


def test_done_with_htmx_replaces_the_row(as_worker, worker, quiet_case):
    task = _task(worker, quiet_case)

    response = as_worker.post(reverse("today:task_done", args=[task.pk]), HTTP_HX_REQUEST="true")

    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert "Done: Send the housing application" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_done_without_javascript_redirects_to_today(as_worker, worker, quiet_case):
    task = _task(worker, quiet_case)
    response = as_worker.post(reverse("today:task_done", args=[task.pk]))
    assert response.status_code == 302 and response.url == reverse("today:index")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_colleague_and_outsider_cannot_complete_the_task(as_colleague, as_outsider, worker, quiet_case):
    task = _task(worker, quiet_case)
    for http in (as_colleague, as_outsider):
        assert http.post(reverse("today:task_done", args=[task.pk])).status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_snooze_with_a_reason_hides_the_item_and_is_audited(as_worker, worker, quiet_case):
    task = _task(worker, quiet_case)
    until = timezone.localdate() + datetime.timedelta(days=3)

    response = as_worker.post(
        reverse("today:snooze", args=["task", task.pk]),
        {"until": until.isoformat(), "reason": "Client in hospital"},
        HTTP_HX_REQUEST="true",
    )

    assert "Snoozed until" in response.content.decode()
    snooze = Snooze.objects.get(user=worker, kind="task", object_id=task.pk)
    assert snooze.until == until and snooze.reason == "Client in hospital"
    event = AuditEvent.objects.get(action="today.snooze")
    assert event.client_id == quiet_case.client_id and event.reason == "Client in hospital"
    html = as_worker.get(reverse("today:index")).content.decode()
    assert "Snoozed until" in html and "Client in hospital" in html


def test_snooze_needs_a_reason_and_a_future_day(as_worker, worker, quiet_case):
    task = _task(worker, quiet_case)
    url = reverse("today:snooze", args=["task", task.pk])

    no_reason = as_worker.post(
        url, {"until": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()}, HTTP_HX_REQUEST="true"
    )
    past = as_worker.post(url, {"until": timezone.localdate().isoformat(), "reason": "x"}, HTTP_HX_REQUEST="true")

    assert "This field is required." in no_reason.content.decode()
    assert "Snooze until a day after today." in past.content.decode()
    assert not Snooze.objects.exists()


def test_a_computed_item_can_be_snoozed_but_not_a_safety_one(as_worker, worker, case):
    case.opened_at = timezone.now() - datetime.timedelta(days=40)
    case.save()
    flag = flag_case(case)
    task = Task.objects.get(source_kind=TaskSource.RISK_FLAG, source_id=flag.pk)
    until = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()

    contact = as_worker.post(reverse("today:snooze", args=["no_contact", case.pk]), {"until": until, "reason": "Away"})
    safety = as_worker.post(reverse("today:snooze", args=["task", task.pk]), {"until": until, "reason": "Later"})

    assert contact.status_code == 302
    assert Snooze.objects.filter(kind="no_contact", object_id=case.pk).exists()
    assert safety.status_code == 302
    assert not Snooze.objects.filter(kind="task").exists()


def test_colleague_cannot_snooze_an_item_of_someone_elses_list(as_colleague, worker, quiet_case):
    task = _task(worker, quiet_case)
    response = as_colleague.post(
        reverse("today:snooze", args=["task", task.pk]),
        {"until": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(), "reason": "x"},
    )
    assert response.status_code == 404 and not Snooze.objects.exists()


def test_reassign_to_a_case_team_member_is_audited(as_worker, worker, colleague, quiet_case):
    CaseTeamMember.objects.create(case=quiet_case, user=colleague, role=TeamRole.SECONDARY_WORKER, added_by=worker)
    task = _task(worker, quiet_case)

    response = as_worker.post(
        reverse("today:task_reassign", args=[task.pk]),
        {"assignee": colleague.pk, "reason": "Covering"},
        HTTP_HX_REQUEST="true",
    )

    task.refresh_from_db()
    assert task.assignee == colleague
    assert "now belongs to Colin Colleague" in response.content.decode()
    assert AuditEvent.objects.filter(action="task.reassign", reason="Covering").exists()


def test_reassign_to_someone_outside_the_case_team_is_refused(as_worker, worker, colleague, quiet_case):
    task = _task(worker, quiet_case)

    response = as_worker.post(
        reverse("today:task_reassign", args=[task.pk]), {"assignee": colleague.pk}, HTTP_HX_REQUEST="true"
    )

    task.refresh_from_db()
    assert task.assignee == worker
    assert "Colin Colleague is not on this client's case team" in html_lib.unescape(response.content.decode())
    assert not AuditEvent.objects.filter(action="task.reassign").exists()


def test_outsider_cannot_reassign(as_outsider, worker, outsider, quiet_case):
    task = _task(worker, quiet_case)
    assert (
        as_outsider.post(reverse("today:task_reassign", args=[task.pk]), {"assignee": outsider.pk}).status_code == 404
    )
    task.refresh_from_db()
    assert task.assignee == worker


def test_new_task_from_a_case_page(as_worker, worker, quiet_case):
    url = reverse("today:task_new") + f"?for_case={quiet_case.pk}"
    assert as_worker.get(url).status_code == 200

    response = as_worker.post(
        reverse("today:task_new"),
        {
            "for_case": quiet_case.pk,
            "case": quiet_case.pk,
            "title": "Book the dentist",
            "due_date": "2030-01-05",
            "priority": "high",
            "assignee": worker.pk,
        },
    )

    assert response.status_code == 302
    task = Task.objects.get(title="Book the dentist")
    assert task.case == quiet_case and task.created_by == worker and task.priority == "high"


def test_new_task_for_someone_who_cannot_see_the_client_is_refused(as_worker, colleague, quiet_case):
    response = as_worker.post(
        reverse("today:task_new"),
        {
            "case": quiet_case.pk,
            "title": "Book the dentist",
            "due_date": "2030-01-05",
            "priority": "normal",
            "assignee": colleague.pk,
        },
    )
    assert response.status_code == 422
    assert "cannot see their record" in response.content.decode()
    assert not Task.objects.filter(title="Book the dentist").exists()


def test_new_task_about_a_case_the_user_cannot_see_is_404(as_colleague, as_outsider, quiet_case):
    for http in (as_colleague, as_outsider):
        assert http.get(reverse("today:task_new") + f"?for_case={quiet_case.pk}").status_code == 404
        assert http.get(reverse("today:task_new") + f"?client={quiet_case.client_id}").status_code == 404
    assert not Task.objects.exists()


def test_a_note_with_a_follow_up_creates_a_task_and_the_next_contact_closes_it(as_worker, worker, case):
    def write(day: datetime.date, **extra):
        data = {
            "format": "dap",
            "contact_type": "phone",
            "contact_date": day.isoformat(),
            "duration_minutes": 15,
            "dap_data": "Called.",
            "submission_key": f"k-{day}-{len(extra)}",
            "action": "sign",
            **extra,
        }
        return as_worker.post(reverse("notes:create", args=[case.pk]), data)

    today = timezone.localdate()
    assert (
        write(
            today,
            follow_up_date=(today + datetime.timedelta(days=7)).isoformat(),
            follow_up_what="Check the benefits letter",
        ).status_code
        == 302
    )
    task = Task.objects.get(source_kind=TaskSource.NOTE_FOLLOW_UP)
    assert task.assignee == worker and task.title == "Check the benefits letter"

    refused = write(today, follow_up_what="No date given")
    assert refused.status_code == 422 and "Say by when to follow up." in refused.content.decode()

    write(today)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_a_long_list_shows_the_first_fifty_and_the_rest_on_request(as_worker, worker, quiet_case):
    for index in range(53):
        _task(worker, quiet_case, f"Task number {index:02d}", days=index)

    first = as_worker.get(reverse("today:index")).content.decode()
    everything = as_worker.get(reverse("today:index") + "?all=1").content.decode()

    assert "Show 3 more items" in first and "Task number 52" not in first
    assert "Task number 52" in everything and "Show 3 more" not in everything


def test_row_forms_are_fetched_when_opened_not_sent_with_the_list(as_worker, worker, colleague, quiet_case):
    CaseTeamMember.objects.create(case=quiet_case, user=colleague, role=TeamRole.SECONDARY_WORKER, added_by=worker)
    task = _task(worker, quiet_case)
    actions = reverse("today:actions", args=["task", task.pk])

    page = as_worker.get(reverse("today:index")).content.decode()
    reassign = as_worker.get(actions + "?form=reassign", HTTP_HX_REQUEST="true").content.decode()
    snooze_page = as_worker.get(actions + "?form=snooze")

    assert 'name="assignee"' not in page and 'name="until"' not in page
    assert f'hx-get="{actions}?form=snooze"' in page and f'href="{actions}?form=reassign"' in page
    assert "<html" not in reassign and f'<option value="{colleague.pk}"' in reassign
    assert f'<option value="{worker.pk}"' not in reassign  # not to the one who has it already
    assert snooze_page.status_code == 200
    assert "<html" in snooze_page.content.decode() and 'name="until"' in snooze_page.content.decode()


def test_row_forms_only_for_the_owner_and_the_items_that_offer_them(as_worker, as_colleague, as_outsider, worker, case):
    case.opened_at = timezone.now() - datetime.timedelta(days=40)
    case.save()
    task = _task(worker, case)
    flag_case(case)
    safety_task = Task.objects.get(source_kind=TaskSource.RISK_FLAG)

    def get(http, kind, object_id, form):
        return http.get(reverse("today:actions", args=[kind, object_id]) + f"?form={form}").status_code

    assert get(as_worker, "task", task.pk, "reassign") == 200
    assert get(as_worker, "no_contact", case.pk, "snooze") == 200
    assert get(as_worker, "no_contact", case.pk, "reassign") == 404  # not a task
    assert get(as_worker, "task", safety_task.pk, "snooze") == 404  # safety items are not snoozed
    assert get(as_worker, "task", task.pk, "delete") == 404
    for http in (as_colleague, as_outsider):
        assert get(http, "task", task.pk, "snooze") == 404 and get(http, "task", task.pk, "reassign") == 404


def test_a_failed_snooze_comes_back_with_the_form_open_and_the_input_kept(as_worker, worker, quiet_case):
    task = _task(worker, quiet_case)
    url = reverse("today:snooze", args=["task", task.pk])
    data = {"until": timezone.localdate().isoformat(), "reason": "Client in hospital"}

    row = as_worker.post(url, data, HTTP_HX_REQUEST="true")
    page = as_worker.post(url, data)

    html = row.content.decode()
    assert row.status_code == 200 and "<html" not in html  # htmx swaps only successful responses
    assert "Snooze until a day after today." in html and "<details open>" in html
    assert 'value="Client in hospital"' in html and f'value="{data["until"]}"' in html
    assert page.status_code == 422 and 'value="Client in hospital"' in page.content.decode()
    assert not Snooze.objects.exists()
