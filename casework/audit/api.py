"""The audit trail in the JSON API: auditors read who saw or changed a client's record."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from casework.audit.schemas import AuditPage
from casework.audit.selectors import audit_events_for_client
from casework.audit.services import audit_record
from casework.core.api import MAX_ID, READ_ERRORS, PageParams, paginate, request_user

router = Router(tags=["audit"])


@router.get("", response={200: AuditPage, **READ_ERRORS}, summary="Who viewed or changed a client's record")
def client_audit_trail(
    request: HttpRequest,
    page: Query[PageParams],
    client_id: int = Query(..., ge=1, le=MAX_ID),
) -> dict[str, Any]:
    """Events about one client, newest first. Auditors only (anyone else gets 404); the read is audited too."""
    user = request_user(request)
    events = audit_events_for_client(user=user, client_id=client_id)
    audit_record(
        actor=user, action="audit.view", client_id=client_id, object_type="clients.client", object_id=client_id
    )
    return paginate(events, page)
