"""Referral pages for the worker, a colleague on another team, an outsider and partner users."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.clients.models import Consent
from casework.referrals.models import Referral, ReferralStatus
from casework.referrals.tests.conftest import login

S = ReferralStatus
pytestmark = pytest.mark.django_db


def _staff_pages(client_record, case, referral, consent):
    return [
        ("get", reverse("referrals:consent_new", args=[client_record.pk])),
        ("get", reverse("referrals:consent_revoke", args=[consent.pk])),
        ("get", reverse("referrals:new", args=[case.pk])),
        ("get", reverse("referrals:detail", args=[referral.pk])),
        ("post", reverse("referrals:edit", args=[referral.pk])),
        ("post", reverse("referrals:send", args=[referral.pk])),
        ("post", reverse("referrals:status", args=[referral.pk])),
    ]


@pytest.mark.parametrize("who", ["as_colleague", "as_outsider", "as_partner"])
def test_others_get_404_on_every_staff_page_and_nothing_changes(request, who, client_record, case, draft, consent):
    http = request.getfixturevalue(who)
    events = AuditEvent.objects.count()
    for method, url in _staff_pages(client_record, case, draft, consent):
        response = getattr(http, method)(url, {"status": "cancelled", "reason": "x", "version": 1})
        assert response.status_code == 404, url
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.version == 1
    assert AuditEvent.objects.count() == events


def test_the_worker_refers_with_consent_and_the_client_timeline_shows_it(
    as_worker, case, client_record, food_service, consent
):
    url = reverse("referrals:new", args=[case.pk])
    chooser = as_worker.get(url)  # no service yet: the directory's "Find services" for the case
    assert chooser.status_code == 302 and chooser["Location"] == reverse("directory:match", args=[case.pk])
    form = as_worker.get(url, {"service": str(food_service.pk)})
    assert form.status_code == 200 and "Refer to Weekly groceries" in form.content.decode()
    response = as_worker.post(
        url,
        {
            "service": str(food_service.pk),
            "reason": "Nothing to eat this week.",
            "urgency": "urgent",
            "shared_information": ["name", "phone"],
            "consent": consent.pk,
            "action": "send",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.status == S.REQUESTED
    detail = as_worker.get(response["Location"]).content.decode()
    assert "Referral sent to Eastside Food Pantry." in detail and "Requested" in detail
    page = as_worker.get(reverse("clients:detail", args=[client_record.pk])).content.decode()
    assert "Referral to Weekly groceries (Eastside Food Pantry)" in page
    assert "Consent to share" in page and "Referral for food assistance" in page


def test_sending_without_consent_keeps_the_draft_and_says_why(as_worker, case, food_service):
    response = as_worker.post(
        reverse("referrals:new", args=[case.pk]),
        {
            "service": str(food_service.pk),
            "reason": "Food",
            "urgency": "routine",
            "shared_information": ["name"],
            "action": "send",
        },
        follow=True,
    )
    referral = Referral.objects.get()
    assert referral.status == S.DRAFT
    assert "Saved as a draft, not sent: Record the client&#x27;s consent" in response.content.decode()


def test_bad_input_re_renders_with_the_input_kept(as_worker, case, food_service):
    response = as_worker.post(
        reverse("referrals:new", args=[case.pk]),
        {"service": str(food_service.pk), "reason": "Kept text", "urgency": "routine", "action": "send"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Kept text" in body and "This field is required." in body
    assert not Referral.objects.exists()


def test_recording_and_revoking_consent_on_the_client_page(as_worker, client_record, case, pantry):
    response = as_worker.post(
        reverse("referrals:consent_new", args=[client_record.pk]),
        {
            "recipient": str(pantry.pk),
            "purpose": "Food help",
            "information": ["name", "phone"],
            "given_on": timezone.localdate().isoformat(),
            "method": "verbal",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    response = as_worker.post(
        reverse("referrals:consent_revoke", args=[consent.pk]), {"reason": "Client asked", "version": 1}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_on == timezone.localdate()


def test_a_consent_in_the_future_is_refused_with_the_input_kept(as_worker, client_record, case):
    response = as_worker.post(
        reverse("referrals:consent_new", args=[client_record.pk]),
        {
            "purpose": "Keep me",
            "information": ["name"],
            "given_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
            "method": "written",
        },
    )
    assert response.status_code == 422
    assert "Consent cannot be given in the future." in response.content.decode()
    assert "Keep me" in response.content.decode()
    assert not Consent.objects.exists()


# --- Partner inbox ----------------------------------------------------------------------------


def test_the_partner_sees_exactly_what_was_shared(as_partner, sent, client_record):
    inbox = as_partner.get(reverse("partner:inbox"))
    assert inbox.status_code == 200 and "Robert Smith" in inbox.content.decode()
    page = as_partner.get(reverse("partner:detail", args=[sent.pk])).content.decode()
    assert "Robert Smith" in page and "555-201-3344" in page
    assert "1980-02-03" not in page  # the date of birth was not ticked
    assert AuditEvent.objects.filter(action="referral.partner_view", client_id=client_record.pk).exists()


def test_the_partner_accepts_then_completes(as_partner, sent):
    url = reverse("partner:status", args=[sent.pk])
    assert as_partner.post(url, {"status": "accepted", "version": sent.version}).status_code == 302
    sent.refresh_from_db()
    response = as_partner.post(url, {"status": "completed", "outcome": "Groceries given", "version": sent.version})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == S.COMPLETED and sent.outcome == "Groceries given"


def test_accepting_twice_shows_a_clear_message(as_partner, sent):
    url = reverse("partner:status", args=[sent.pk])
    as_partner.post(url, {"status": "accepted", "version": sent.version})
    response = as_partner.post(url, {"status": "accepted", "version": sent.version + 1})
    assert response.status_code == 422 and "already accepted" in response.content.decode()


def test_a_partner_of_another_organization_sees_none_of_it(other_partner, sent):
    http = login(other_partner)
    inbox = http.get(reverse("partner:inbox"))
    assert inbox.status_code == 200 and "Robert Smith" not in inbox.content.decode()
    assert http.get(reverse("partner:detail", args=[sent.pk])).status_code == 404
    assert http.post(reverse("partner:status", args=[sent.pk]), {"status": "accepted", "version": 2}).status_code == 404
    sent.refresh_from_db()
    assert sent.status == S.REQUESTED


@pytest.mark.parametrize("who", ["worker", "colleague", "outsider"])
def test_nobody_else_opens_the_partner_pages(request, who, sent):
    http = login(request.getfixturevalue(who))
    assert http.get(reverse("partner:inbox")).status_code == 404
    assert http.get(reverse("partner:detail", args=[sent.pk])).status_code == 404
    assert http.post(reverse("partner:status", args=[sent.pk]), {"status": "accepted", "version": 2}).status_code == 404
    sent.refresh_from_db()
    assert sent.status == S.REQUESTED


def test_a_partner_starts_on_the_inbox(as_partner):
    response = as_partner.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("partner:inbox")


def test_the_inbox_runs_a_fixed_number_of_queries(as_partner, sent, case, food_service, worker, consent):
    from casework.referrals import services
    from casework.testing import count_queries

    as_partner.get(reverse("partner:inbox"))  # the first request after sign-in also saves the session
    with count_queries() as one:
        as_partner.get(reverse("partner:inbox"))
    for index in range(5):
        extra = services.referral_create(
            actor=worker,
            case=case,
            service=food_service,
            reason=f"r{index}",
            shared_information=["name"],
            consent=consent,
        )
        services.referral_send(actor=worker, referral=extra)
    with count_queries() as six:
        response = as_partner.get(reverse("partner:inbox"))
    assert response.content.decode().count("Weekly groceries") == 6
    assert len(one.captured_queries) == len(six.captured_queries) <= 12
