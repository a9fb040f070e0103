"""Task and notification pages: my tasks, completing, notifications, the header count; others get 404."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.safety.tests.helpers import flag_case
from casework.tasks import services
from casework.tasks.models import Notification, TaskStatus
from casework.testing import count_queries


def _task(worker, case, title="Send the housing application"):
    return services.task_create(
        actor=worker,
        client=case.client,
        case=case,
        title=title,
        assignee=worker,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
    )


def _notify(user, case, message="Robert Smith flagged at risk"):
    return services.notification_create(
        actor=None, recipient=user, client=case.client, message=message, url=f"/clients/{case.client_id}/"
    )


def test_my_tasks_lists_open_tasks_urgent_first(as_worker, worker, case):
    _task(worker, case)
    flag_case(case)

    response = as_worker.get(reverse("tasks:mine"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Complete a safety assessment") < html.index("Send the housing application")
    assert "Robert Smith" in html
    assert "Done when the risk flag is resolved." in html


def test_colleague_sees_none_of_the_workers_tasks(as_colleague, worker, case):
    _task(worker, case)

    html = as_colleague.get(reverse("tasks:mine")).content.decode()

    assert "Send the housing application" not in html
    assert "You have no open tasks." in html


def test_worker_completes_a_task_from_the_list(as_worker, worker, case):
    task = _task(worker, case)

    response = as_worker.post(reverse("tasks:complete", args=[task.pk]), {"next": reverse("tasks:mine")})

    assert response.status_code == 302 and response["Location"] == reverse("tasks:mine")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_completing_redirects_only_inside_the_site(as_worker, worker, case):
    task = _task(worker, case)

    response = as_worker.post(reverse("tasks:complete", args=[task.pk]), {"next": "https://evil.example/"})

    assert response["Location"] == reverse("tasks:mine")


def test_colleague_and_outsider_cannot_complete_and_get_404(as_colleague, as_outsider, worker, case):
    task = _task(worker, case)

    for http in (as_colleague, as_outsider):
        assert http.post(reverse("tasks:complete", args=[task.pk])).status_code == 404

    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert not AuditEvent.objects.filter(action="task.complete").exists()


def test_client_page_lists_open_tasks(as_worker, worker, case):
    _task(worker, case)

    html = as_worker.get(reverse("clients:detail", args=[case.client_id])).content.decode()

    assert 'id="open-tasks"' in html and "Send the housing application" in html


def test_header_shows_the_unread_count_and_notifications_page_lists_them(as_worker, worker, case):
    _notify(worker, case)
    _notify(worker, case, "Second message")

    caseload = as_worker.get(reverse("cases:caseload")).content.decode()
    page = as_worker.get(reverse("tasks:notifications")).content.decode()

    assert '<span class="count">2</span>' in caseload
    assert "Robert Smith flagged at risk" in page and "Second message" in page
    assert "2 unread" in page
    event = AuditEvent.objects.filter(action="notifications.view", actor=worker).get()
    assert event.changes["clients"] == [case.client_id]


def test_header_count_costs_one_query_and_none_on_htmx_partials(as_worker, worker, case):
    url = reverse("cases:caseload")
    as_worker.get(url)
    with count_queries() as without:
        as_worker.get(url)
    _notify(worker, case)
    with count_queries() as with_one:
        html = as_worker.get(url).content.decode()
    with count_queries() as partial:
        as_worker.get(url, headers={"HX-Request": "true", "HX-Target": "caseload-table"})

    assert '<span class="count">1</span>' in html
    assert len(with_one.captured_queries) == len(without.captured_queries)
    assert not [q for q in partial.captured_queries if "tasks_notification" in q["sql"]]
    assert len([q for q in with_one.captured_queries if "tasks_notification" in q["sql"]]) == 1


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(as_worker, worker, case):
    notification = _notify(worker, case)

    response = as_worker.post(reverse("tasks:notification_open", args=[notification.pk]))

    assert response["Location"] == f"/clients/{case.client_id}/"
    notification.refresh_from_db()
    assert notification.is_read


def test_mark_read_and_mark_all_read(as_worker, worker, case):
    first, *_others = [_notify(worker, case) for _ in range(3)]

    as_worker.post(reverse("tasks:notification_read", args=[first.pk]))
    first.refresh_from_db()
    assert first.is_read and Notification.objects.filter(read_at__isnull=True).count() == 2

    as_worker.post(reverse("tasks:notifications_read_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert '<span class="count">' not in as_worker.get(reverse("cases:caseload")).content.decode()


def test_others_cannot_see_or_mark_my_notifications(as_colleague, as_outsider, worker, case):
    notification = _notify(worker, case)

    for http in (as_colleague, as_outsider):
        assert "Robert Smith" not in http.get(reverse("tasks:notifications")).content.decode()
        assert http.post(reverse("tasks:notification_read", args=[notification.pk])).status_code == 404
        assert http.post(reverse("tasks:notification_open", args=[notification.pk])).status_code == 404
        http.post(reverse("tasks:notifications_read_all"))

    notification.refresh_from_db()
    assert not notification.is_read


def test_pages_need_sign_in(client, db):
    for name in ("tasks:mine", "tasks:notifications"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
