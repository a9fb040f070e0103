"""Suggested needs on the client and case pages; dismissing; colleagues and outsiders get 404."""

from __future__ import annotations

from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.needs.models import SuggestedNeed, SuggestedNeedStatus


def _need(case, domain="food", reason="Food insecurity"):
    return SuggestedNeed.objects.create(client_id=case.client_id, case=case, domain=domain, reason=reason)


def test_client_and_case_pages_show_suggested_needs(as_worker, case):
    need = _need(case)

    for url in (reverse("clients:detail", args=[case.client_id]), reverse("cases:detail", args=[case.pk])):
        html = as_worker.get(url).content.decode()
        assert 'id="suggested-needs"' in html
        assert "Food insecurity" in html
        assert reverse("needs:dismiss", args=[need.pk]) in html


def test_worker_dismisses_with_a_reason_and_returns_to_the_page(as_worker, worker, case):
    need = _need(case)
    page = reverse("cases:detail", args=[case.pk])

    response = as_worker.post(
        reverse("needs:dismiss", args=[need.pk]), {"reason": "Gets meals on wheels.", "next": page}
    )

    assert response.status_code == 302 and response["Location"] == page
    need.refresh_from_db()
    assert (need.status, need.decided_by) == (SuggestedNeedStatus.DISMISSED, worker)
    assert "Food insecurity" not in as_worker.get(page).content.decode()


def test_dismissing_without_a_reason_shows_the_error_and_changes_nothing(as_worker, case):
    need = _need(case)

    response = as_worker.post(reverse("needs:dismiss", args=[need.pk]), {"reason": ""})

    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    need.refresh_from_db()
    assert need.status == SuggestedNeedStatus.SUGGESTED


def test_colleague_and_outsider_get_404_and_change_nothing(as_colleague, as_outsider, case):
    need = _need(case)

    for http in (as_colleague, as_outsider):
        assert http.get(reverse("needs:dismiss", args=[need.pk])).status_code == 404
        assert http.post(reverse("needs:dismiss", args=[need.pk]), {"reason": "No."}).status_code == 404

    need.refresh_from_db()
    assert need.status == SuggestedNeedStatus.SUGGESTED
    assert not AuditEvent.objects.filter(action__startswith="suggested_need").exists()


def test_next_outside_the_site_is_ignored(as_worker, case):
    need = _need(case)

    response = as_worker.post(
        reverse("needs:dismiss", args=[need.pk]), {"reason": "Resolved.", "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("clients:detail", args=[case.client_id]) + "#suggested-needs"
