"""The "Consent to share" and "Referrals" sections of the client and case pages."""

from __future__ import annotations

from typing import Any

from django import template

from casework.cases import permissions as case_permissions
from casework.clients import permissions as client_permissions
from casework.referrals import selectors

register = template.Library()


@register.inclusion_tag("referrals/_client_section.html", takes_context=True)
def client_referrals(context: template.Context, client: Any) -> dict[str, Any]:
    """A client's consents and referrals (the page authorised the client): three queries."""
    user = context["request"].user
    return {
        "client": client,
        "consents": list(selectors.consents_for_client(client=client)),
        "referrals": list(selectors.referrals_for_client(client=client)[:50]),
        "can_manage_consent": client_permissions.can_manage_consent(user, client),
        "request": context["request"],
    }


@register.inclusion_tag("referrals/_case_section.html", takes_context=True)
def case_referrals(context: template.Context, case: Any) -> dict[str, Any]:
    """A case's referrals and the "Refer to a service" button (the page authorised the case)."""
    user = context["request"].user
    return {
        "case": case,
        "referrals": list(selectors.referrals_for_case(case=case)[:50]),
        "can_refer": case.is_open and case_permissions.can_work_case(user, case),
    }
