"""Reading risk flags: a client's open flags, one flag for a user, and the caseload's at-risk mark."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from casework.accounts.models import User
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.errors import NotFound
from casework.safety.models import RiskFlag


def open_flags_for_client(*, client: Client) -> QuerySet[RiskFlag]:
    """A client's open flags, newest first, with their assessment and who raised them (the caller
    authorised the client)."""
    return (
        RiskFlag.objects.filter(client=client, resolved_at__isnull=True)
        .select_related("assessment__instrument_version__instrument", "raised_by", "case__program")
        .order_by("-raised_at", "-id")
    )


def open_flags_for_user(*, user: User, client_id: int) -> QuerySet[RiskFlag]:
    """A client's open flags, for a user who may see the client; NotFound otherwise."""
    from casework.clients.selectors import client_get_for_user

    client = client_get_for_user(user=user, client_id=client_id, audit=False)
    return open_flags_for_client(client=client)


def risk_flag_get_for_user(*, user: User, flag_id: int) -> RiskFlag:
    """A flag of a client the user may see (authorised through the client, not audited); NotFound otherwise."""
    from casework.clients.selectors import client_get_for_user

    flag = (
        RiskFlag.objects.filter(pk=flag_id)
        .select_related("assessment__instrument_version__instrument", "raised_by", "case__program", "case__team")
        .first()
    )
    if flag is None:
        raise NotFound()
    flag.client = client_get_for_user(user=user, client_id=flag.client_id, audit=False)
    return flag


def with_risk_flag(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate `at_risk`: the case's client has an open risk flag (one EXISTS per row, no extra query)."""
    return cases.annotate(
        at_risk=Exists(RiskFlag.objects.filter(client_id=OuterRef("client_id"), resolved_at__isnull=True))
    )
