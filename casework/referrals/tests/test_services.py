"""Referral services: consent checks before sending, the Gravity workflow per side, follow-up tasks."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.clients import services as client_services
from casework.clients.models import Consent, ConsentMethod
from casework.core.errors import NotFound, PermissionDenied, ValidationFailed, VersionConflict
from casework.directory.models import ServiceStatus
from casework.referrals import services
from casework.referrals.models import TRANSITIONS, Referral, ReferralStatus, ServiceLevel, Side
from casework.tasks.models import Task, TaskSource, TaskStatus
from casework.testing import audited_writes_after, last_audit_id, twin_request_unseen_until_insert

S = ReferralStatus
pytestmark = pytest.mark.django_db


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- Consent ----------------------------------------------------------------------------------


def test_the_case_team_records_and_revokes_consent_with_audit(worker, client_record, case, pantry):
    consent = client_services.consent_record(
        actor=worker,
        client=client_record,
        recipient_organization=pantry,
        purpose="Food referral",
        information=["name", "phone"],
        given_on=timezone.localdate(),
        method=ConsentMethod.VERBAL,
    )
    assert consent.status == "active"
    revoked = client_services.consent_revoke(
        actor=worker, consent=consent, reason="Client changed their mind.", expected_version=1
    )
    assert revoked.status == "revoked" and revoked.version == 2
    assert Consent.objects.filter(pk=consent.pk).exists()  # kept, never deleted
    assert _events("consent.record") == 1 and _events("consent.revoke") == 1


def test_a_colleague_outside_the_case_team_cannot_record_consent(colleague, client_record, case, pantry):
    with pytest.raises(PermissionDenied):
        client_services.consent_record(
            actor=colleague,
            client=client_record,
            recipient_organization=pantry,
            purpose="Food",
            information=["name"],
            given_on=timezone.localdate(),
            method=ConsentMethod.WRITTEN,
        )
    assert not Consent.objects.exists() and _events("consent.record") == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"information": []}, "information"),
        ({"information": ["ssn"]}, "information"),
        ({"method": "telepathy"}, "method"),
        ({"purpose": "  "}, "purpose"),
        ({"given_on": "tomorrow"}, "given_on"),
        ({"expires_on": "before"}, "expires_on"),
    ],
)
def test_bad_consent_input_is_refused_and_nothing_saved(worker, client_record, case, pantry, changes, field):
    today = timezone.localdate()
    values: dict[str, Any] = {
        "purpose": "Food",
        "information": ["name"],
        "given_on": today,
        "method": ConsentMethod.WRITTEN,
        "expires_on": None,
    }
    if changes.get("given_on") == "tomorrow":
        changes = {"given_on": today + datetime.timedelta(days=1)}
    if changes.get("expires_on") == "before":
        changes = {"expires_on": today - datetime.timedelta(days=3)}
    values.update(changes)
    with pytest.raises(ValidationFailed) as error:
        client_services.consent_record(actor=worker, client=client_record, recipient_organization=pantry, **values)
    assert field in error.value.errors
    assert not Consent.objects.exists()


def test_revoking_twice_or_against_a_stale_version_is_refused(worker, consent):
    client_services.consent_revoke(actor=worker, consent=consent, reason="No longer", expected_version=1)
    with pytest.raises(VersionConflict):
        client_services.consent_revoke(actor=worker, consent=consent, reason="Again", expected_version=1)
    with pytest.raises(ValidationFailed, match="already revoked"):
        client_services.consent_revoke(actor=worker, consent=consent, reason="Again", expected_version=2)


# --- Sending: consent required ------------------------------------------------------------------


def test_sending_copies_only_the_ticked_information_and_audits_the_disclosure(sent, client_record):
    assert sent.status == S.REQUESTED and sent.sent_at is not None
    assert sent.shared_data == {"name": "Robert Smith", "phone": "555-201-3344"}
    event = AuditEvent.objects.get(action="referral.send")
    assert event.client_id == client_record.pk
    assert event.changes["disclosed"] == [None, ["name", "phone"]]
    assert "Eastside Food Pantry" in event.changes["recipient"][1]
    assert list(sent.status_changes.values_list("to_status", flat=True)) == [S.DRAFT, S.REQUESTED]


def _refused_send(referral: Referral, worker: Any, match: str) -> None:
    with pytest.raises(ValidationFailed, match=match):
        services.referral_send(actor=worker, referral=referral)
    referral.refresh_from_db()
    assert referral.status == S.DRAFT and referral.sent_at is None and referral.shared_data == {}
    assert _events("referral.send") == 0


def test_without_consent_the_referral_stays_a_draft(case, food_service, worker):
    referral = services.referral_create(
        actor=worker, case=case, service=food_service, reason="Food", shared_information=["name"]
    )
    _refused_send(referral, worker, "Record the client's consent to share with Eastside Food Pantry")


def test_an_expired_consent_does_not_cover_the_referral(draft, worker, consent):
    Consent.objects.filter(pk=consent.pk).update(
        given_on=timezone.localdate() - datetime.timedelta(days=30),
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    _refused_send(draft, worker, "expired on")


def test_a_revoked_consent_does_not_cover_the_referral(draft, worker, consent):
    client_services.consent_revoke(actor=worker, consent=consent, reason="Withdrawn", expected_version=1)
    _refused_send(draft, worker, "revoked this consent")


def test_a_consent_for_another_organization_does_not_cover_it(draft, worker, consent, other_org):
    Consent.objects.filter(pk=consent.pk).update(recipient_organization=other_org)
    _refused_send(draft, worker, "for another organization")


def test_a_consent_for_any_organization_covers_it(draft, worker, consent):
    Consent.objects.filter(pk=consent.pk).update(recipient_organization=None)
    assert services.referral_send(actor=worker, referral=draft).status == S.REQUESTED


def test_sharing_more_than_the_consent_allows_is_refused(draft, worker, consent):
    Consent.objects.filter(pk=consent.pk).update(information=["name"])
    _refused_send(draft, worker, "does not cover sharing: phone")


def test_a_closed_service_takes_no_referrals(draft, worker, food_service, case):
    food_service.status = ServiceStatus.TEMPORARILY_CLOSED
    food_service.save()
    _refused_send(draft, worker, "temporarily closed")
    with pytest.raises(ValidationFailed, match="takes no referrals"):
        services.referral_create(actor=worker, case=case, service=food_service, reason="x", shared_information=["name"])


def test_a_colleague_on_another_team_cannot_refer_or_send(colleague, case, food_service, draft):
    with pytest.raises(PermissionDenied):
        services.referral_create(
            actor=colleague, case=case, service=food_service, reason="x", shared_information=["name"]
        )
    with pytest.raises(PermissionDenied):
        services.referral_send(actor=colleague, referral=draft)
    assert Referral.objects.count() == 1


# --- The workflow ----------------------------------------------------------------------------


ALL_MOVES = [(old, new) for old in S.values for new in S.values if old != new]


def _at(referral: Referral, status: str) -> Referral:
    Referral.objects.filter(pk=referral.pk).update(status=status)
    referral.refresh_from_db()
    return referral


@pytest.mark.parametrize(("old", "new"), [move for move in ALL_MOVES if move[0] != S.DRAFT])
def test_the_receiver_makes_only_its_own_allowed_moves(sent, partner, old, new):
    referral = _at(sent, old)
    allowed = Side.RECEIVER in TRANSITIONS[old].get(new, frozenset())
    if allowed:
        moved = services.referral_transition(
            actor=partner, referral=referral, to_status=new, reason="Because", outcome="Groceries given"
        )
        assert moved.status == new
        last = moved.status_changes.last()
        assert last is not None and last.side == Side.RECEIVER
    else:
        with pytest.raises((ValidationFailed, PermissionDenied)):
            services.referral_transition(
                actor=partner, referral=referral, to_status=new, reason="Because", outcome="Groceries given"
            )
        referral.refresh_from_db()
        assert referral.status == old


@pytest.mark.parametrize(("old", "new"), [move for move in ALL_MOVES if move[0] != S.DRAFT])
def test_the_sender_makes_only_its_own_allowed_moves(sent, worker, old, new):
    referral = _at(sent, old)
    allowed = Side.SENDER in TRANSITIONS[old].get(new, frozenset())
    if allowed:
        assert services.referral_transition(actor=worker, referral=referral, to_status=new, reason="x").status == new
    else:
        with pytest.raises((ValidationFailed, PermissionDenied)):
            services.referral_transition(actor=worker, referral=referral, to_status=new, reason="x", outcome="y")
        referral.refresh_from_db()
        assert referral.status == old


def test_accepting_twice_says_so_and_changes_nothing(sent, partner):
    services.referral_accept(actor=partner, referral=sent)
    with pytest.raises(ValidationFailed, match="already accepted"):
        services.referral_accept(actor=partner, referral=sent)
    assert sent.status_changes.count() == 3


def test_declining_needs_a_reason_and_completing_an_outcome(sent, partner):
    with pytest.raises(ValidationFailed, match="Give a reason"):
        services.referral_decline(actor=partner, referral=sent, reason=" ")
    services.referral_accept(actor=partner, referral=sent)
    with pytest.raises(ValidationFailed, match="Report the outcome"):
        services.referral_complete(actor=partner, referral=sent, outcome="")
    done = services.referral_complete(actor=partner, referral=sent, outcome="Two weeks of groceries.")
    assert done.status == S.COMPLETED and done.closed_at is not None and done.answered_at is not None


def test_a_partner_of_another_organization_cannot_act_on_the_referral(sent, other_partner):
    with pytest.raises(NotFound):
        services.referral_accept(actor=other_partner, referral=sent)
    sent.refresh_from_db()
    assert sent.status == S.REQUESTED and _events("referral.transition") == 0


def test_partners_never_see_drafts(draft, partner):
    with pytest.raises(NotFound):
        services.referral_accept(actor=partner, referral=draft)


def test_a_stale_version_is_refused(sent, partner):
    with pytest.raises(VersionConflict):
        services.referral_accept(actor=partner, referral=sent, expected_version=sent.version - 1)


def test_only_drafts_can_be_edited(draft, sent, worker):
    with pytest.raises(ValidationFailed, match="Only a draft"):
        services.referral_update(actor=worker, referral=sent, data={"reason": "x"}, expected_version=sent.version)


# --- Follow-up (frozen clock: the day is given) --------------------------------------------------


def _sent_on(referral: Referral, day: datetime.date) -> Referral:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    Referral.objects.filter(pk=referral.pk).update(sent_at=moment)
    referral.refresh_from_db()
    return referral


def test_business_days_skip_weekends():
    friday = datetime.date(2026, 11, 20)
    assert services.add_business_days(friday, 2) == datetime.date(2026, 11, 24)
    assert services.add_business_days(datetime.date(2026, 11, 16), 2) == datetime.date(2026, 11, 18)


def test_an_unanswered_referral_gets_one_task_after_the_service_level(sent, worker, case):
    friday = datetime.date(2026, 11, 20)
    _sent_on(sent, friday)
    # Two business days after a Friday: Tuesday is the last day to answer.
    assert services.referrals_follow_up(today=datetime.date(2026, 11, 24)) == []
    created = services.referrals_follow_up(today=datetime.date(2026, 11, 25))
    assert len(created) == 1
    task = created[0]
    assert task.assignee == worker and task.source_kind == TaskSource.REFERRAL_NO_ANSWER and task.case == case
    assert "Eastside Food Pantry" in task.title
    assert services.referrals_follow_up(today=datetime.date(2026, 11, 26)) == []  # once only


def test_the_programs_service_level_is_data(sent, case):
    ServiceLevel.objects.create(program=case.program, answer_within_business_days=5)
    _sent_on(sent, datetime.date(2026, 11, 20))
    assert services.referrals_follow_up(today=datetime.date(2026, 11, 25)) == []
    assert len(services.referrals_follow_up(today=datetime.date(2026, 11, 30))) == 1


def test_the_answer_completes_the_follow_up_task(sent, partner):
    _sent_on(sent, datetime.date(2026, 11, 2))
    [task] = services.referrals_follow_up(today=datetime.date(2026, 11, 20))
    services.referral_accept(actor=partner, referral=sent)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_an_accepted_referral_past_its_due_date_gets_a_task(sent, partner):
    services.referral_accept(actor=partner, referral=sent)
    Referral.objects.filter(pk=sent.pk).update(due_date=datetime.date(2026, 11, 10))
    created = services.referrals_follow_up(today=datetime.date(2026, 11, 11))
    assert [task.source_kind for task in created] == [TaskSource.REFERRAL_OVERDUE]
    services.referral_complete(actor=partner, referral=sent, outcome="Done late.")
    assert Task.objects.get(pk=created[0].pk).status == TaskStatus.DONE


def test_the_command_runs_the_background_job_and_creates_the_task_once(sent):
    from io import StringIO

    from django.core.management import call_command

    _sent_on(sent, timezone.localdate() - datetime.timedelta(days=10))
    out = StringIO()
    call_command("referral_follow_up", stdout=out)
    assert "Created 1 follow-up tasks." in out.getvalue()
    call_command("referral_follow_up", stdout=out)
    assert Task.objects.filter(source_kind=TaskSource.REFERRAL_NO_ANSWER, source_id=sent.pk).count() == 1


# --- Two submits of one form at once ---------------------------------------------------------


def test_two_consent_records_with_one_key_at_once_record_one(worker, client_record, case, pantry):
    """The second misses the first one's consent until its own insert fails on the key: it gets the first."""

    def record() -> Consent:
        return client_services.consent_record(
            actor=worker,
            client=client_record,
            recipient_organization=pantry,
            purpose="Food referral",
            information=["name"],
            given_on=timezone.localdate(),
            method=ConsentMethod.VERBAL,
            submission_key="consent-twin",
        )

    first = record()
    last = last_audit_id()
    with twin_request_unseen_until_insert(Consent, "consent-twin"):
        second = record()
    assert second.pk == first.pk
    assert Consent.objects.filter(client=client_record).count() == 1
    assert audited_writes_after(last) == []


def test_two_referrals_with_one_key_at_once_create_one(worker, case, food_service):
    """The second misses the first one's referral until its own insert fails on the key: it gets the first."""

    def create() -> Referral:
        return services.referral_create(
            actor=worker,
            case=case,
            service=food_service,
            reason="Food",
            shared_information=["name"],
            submission_key="referral-twin",
        )

    first = create()
    last = last_audit_id()
    with twin_request_unseen_until_insert(Referral, "referral-twin"):
        second = create()
    assert second.pk == first.pk
    assert Referral.objects.filter(case=case).count() == 1
    assert first.status_changes.count() == 1
    assert audited_writes_after(last) == []
