"""Reading suggested needs: a client's or a case's waiting suggestions, one for a user."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.accounts.models import User
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.errors import NotFound
from casework.needs.models import SuggestedNeed, SuggestedNeedStatus


def suggested_needs_for_client(*, client: Client, case: Case | None = None) -> QuerySet[SuggestedNeed]:
    """Needs waiting for a decision, oldest first (the caller authorised the client)."""
    needs = SuggestedNeed.objects.filter(client=client, status=SuggestedNeedStatus.SUGGESTED)
    if case is not None:
        needs = needs.filter(case=case)
    return needs.select_related("source_assessment__instrument_version__instrument", "case__program").order_by(
        "created_at", "id"
    )


def suggested_need_get_for_user(*, user: User, need_id: int) -> SuggestedNeed:
    """A suggested need of a client the user may see (not audited); NotFound otherwise."""
    from casework.clients.selectors import client_get_for_user

    need = SuggestedNeed.objects.filter(pk=need_id).select_related("case__program", "case__team").first()
    if need is None:
        raise NotFound()
    need.client = client_get_for_user(user=user, client_id=need.client_id, audit=False)
    return need
