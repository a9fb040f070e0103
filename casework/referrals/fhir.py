"""A referral as FHIR R4 (Gravity SDOH Clinical Care): a Bundle of a ServiceRequest and its fulfilment Task.

Plain dictionaries (no FHIR library at run time); the tests validate them with `fhir.resources.R4B`.
Task.intent is `order`, its code `fulfill`, its focus the ServiceRequest; the Task status is the
referral's status (hyphenated), the ServiceRequest's follows it (REFERENCE.md).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils import timezone

from casework.referrals.models import Referral, ReferralStatus

S = ReferralStatus
TASK_CODE_SYSTEM = "http://hl7.org/fhir/CodeSystem/task-code"
URI_IDENTIFIER = "urn:ietf:rfc:3986"
HSDS_SERVICE = "https://docs.openreferral.org/en/latest/hsds/schema_reference.html#service"
_NAMESPACE = uuid.UUID("0b8f7f3e-9d0c-4a63-8e2f-5c1b7a9d4e21")

# Referral status -> Task.status: the Gravity statuses, with hyphens.
TASK_STATUS = {
    S.DRAFT: "draft",
    S.REQUESTED: "requested",
    S.ACCEPTED: "accepted",
    S.REJECTED: "rejected",
    S.IN_PROGRESS: "in-progress",
    S.ON_HOLD: "on-hold",
    S.COMPLETED: "completed",
    S.FAILED: "failed",
    S.CANCELLED: "cancelled",
}
# Referral status -> ServiceRequest.status: active while the receiver may still act on it;
# revoked once declined, failed or cancelled (the sender refers elsewhere).
SERVICE_REQUEST_STATUS = {
    S.DRAFT: "draft",
    S.REQUESTED: "active",
    S.ACCEPTED: "active",
    S.IN_PROGRESS: "active",
    S.ON_HOLD: "on-hold",
    S.COMPLETED: "completed",
    S.REJECTED: "revoked",
    S.FAILED: "revoked",
    S.CANCELLED: "revoked",
}


def _uuid(referral: Referral, resource: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"referral:{referral.pk}:{resource}"))


def _datetime(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds")


def _organization(referral: Referral) -> dict[str, Any]:
    return {
        "identifier": {"system": URI_IDENTIFIER, "value": f"urn:uuid:{referral.organization_id}"},
        "display": referral.organization.name,
    }


def service_request(referral: Referral) -> dict[str, Any]:
    """What is asked for: the service, why, how urgently, by when, under which consent."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": _uuid(referral, "service-request"),
        "identifier": [{"system": URI_IDENTIFIER, "value": f"urn:uuid:{_uuid(referral, 'service-request')}"}],
        "status": SERVICE_REQUEST_STATUS[S(referral.status)],
        "intent": "order",
        "priority": referral.urgency,
        "code": {
            "coding": [{"system": HSDS_SERVICE, "code": str(referral.service_id), "display": referral.service.name}],
            "text": referral.service.name,
        },
        "subject": {"reference": f"Patient/{referral.client_id}"},
        "authoredOn": _datetime(referral.sent_at or referral.created_at),
        "requester": {
            "reference": f"Practitioner/{referral.referred_by_id}",
            "display": referral.referred_by.full_name,
        },
        "performer": [_organization(referral)],
        "reasonCode": [{"text": referral.reason}],
    }
    if referral.need_domain:
        resource["category"] = [{"text": referral.get_need_domain_display()}]
    if referral.due_date:
        resource["occurrencePeriod"] = {"end": referral.due_date.isoformat()}
    if referral.consent_id:
        resource["supportingInfo"] = [{"reference": f"Consent/{referral.consent_id}", "display": "Consent to share"}]
    return resource


def task(referral: Referral, *, focus: str) -> dict[str, Any]:
    """The fulfilment Task: its status, why it changed, and the outcome the receiver reported."""
    modified = referral.updated_at
    resource: dict[str, Any] = {
        "resourceType": "Task",
        "id": _uuid(referral, "task"),
        "identifier": [{"system": URI_IDENTIFIER, "value": f"urn:uuid:{_uuid(referral, 'task')}"}],
        "basedOn": [{"reference": focus}],
        "status": TASK_STATUS[S(referral.status)],
        "intent": "order",
        "priority": referral.urgency,
        "code": {"coding": [{"system": TASK_CODE_SYSTEM, "code": "fulfill"}]},
        "focus": {"reference": focus},
        "for": {"reference": f"Patient/{referral.client_id}"},
        "authoredOn": _datetime(referral.sent_at or referral.created_at),
        "lastModified": _datetime(modified),
        "requester": {
            "reference": f"Practitioner/{referral.referred_by_id}",
            "display": referral.referred_by.full_name,
        },
        "owner": _organization(referral),
    }
    if referral.status_reason and referral.status in (S.REJECTED, S.CANCELLED, S.FAILED, S.ON_HOLD):
        resource["statusReason"] = {"text": referral.status_reason}
    if referral.due_date:
        resource["restriction"] = {"period": {"end": referral.due_date.isoformat()}}
    if referral.status == S.COMPLETED and referral.outcome:
        resource["output"] = [{"type": {"text": "outcome"}, "valueString": referral.outcome}]
    return resource


def referral_bundle(referral: Referral) -> dict[str, Any]:
    """A collection Bundle: the ServiceRequest and the Task that fulfils it."""
    request = service_request(referral)
    request_url = f"urn:uuid:{request['id']}"
    fulfilment = task(referral, focus=request_url)
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": _datetime(timezone.now()),
        "entry": [
            {"fullUrl": request_url, "resource": request},
            {"fullUrl": f"urn:uuid:{fulfilment['id']}", "resource": fulfilment},
        ],
    }
