"""Referral fixtures: a food pantry in the directory, its partner user, the client's consent."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from casework.accounts.models import Role
from casework.clients.models import Consent, ConsentMethod
from casework.directory.models import Organization, Service, ServiceStatus
from casework.referrals.models import PartnerAccount
from casework.testing import UserFactory


@pytest.fixture
def pantry(db: Any) -> Organization:
    return Organization.objects.create(name="Eastside Food Pantry", description="Groceries every week.")


@pytest.fixture
def food_service(pantry: Organization) -> Service:
    return Service.objects.create(organization=pantry, name="Weekly groceries", status=ServiceStatus.ACTIVE)


@pytest.fixture
def other_org(db: Any) -> Organization:
    return Organization.objects.create(name="Westside Legal Aid", description="Free legal advice.")


@pytest.fixture
def other_service(other_org: Organization) -> Service:
    return Service.objects.create(organization=other_org, name="Tenant advice", status=ServiceStatus.ACTIVE)


def make_partner(organization: Organization, email: str) -> Any:
    user = UserFactory(agency=None, team=None, role=Role.PARTNER, email=email, full_name=f"Partner {email}")
    PartnerAccount.objects.create(user=user, organization=organization)  # type: ignore[misc]
    return user


@pytest.fixture
def partner(pantry: Organization) -> Any:
    return make_partner(pantry, "pantry@example.org")


@pytest.fixture
def other_partner(other_org: Organization) -> Any:
    return make_partner(other_org, "legal@example.org")


@pytest.fixture
def consent(client_record: Any, case: Any, pantry: Organization, worker: Any) -> Consent:
    return Consent.objects.create(
        client=client_record,
        recipient_organization=pantry,
        purpose="Referral for food assistance",
        information=["name", "date_of_birth", "phone", "address", "needs", "summary"],
        given_on=timezone.localdate() - datetime.timedelta(days=1),
        method=ConsentMethod.WRITTEN,
        recorded_by=worker,
    )


def login(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user, backend="casework.accounts.backends.EmailBackend")
    return http


@pytest.fixture
def as_partner(partner: Any) -> HttpClient:
    return login(partner)


@pytest.fixture
def draft(case: Any, food_service: Service, worker: Any, consent: Consent) -> Any:
    from casework.referrals import services

    return services.referral_create(
        actor=worker,
        case=case,
        service=food_service,
        reason="No food at home since Friday.",
        shared_information=["name", "phone"],
        consent=consent,
        need_domain="food",
    )


@pytest.fixture
def sent(draft: Any, worker: Any) -> Any:
    from casework.referrals import services

    return services.referral_send(actor=worker, referral=draft)
