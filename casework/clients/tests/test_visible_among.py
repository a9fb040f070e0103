"""The visibility of a lookup's candidates, worked out once: the same answer as the access rules."""

import datetime
from typing import Any, cast

from django.utils import timezone

from casework.cases.models import Case, CaseTeamMember, TeamRole
from casework.clients import services
from casework.clients.models import AccessGrant, Client
from casework.clients.selectors import break_glass_q, relationship_q, visible_among
from casework.testing import CaseFactory, ClientFactory


def make_client(**fields: Any) -> Client:
    return cast(Client, ClientFactory(**fields))


def _by_the_rules(user, ids):
    return set(
        Client.objects.filter(pk__in=ids)
        .filter(relationship_q(user) | break_glass_q(user))
        .values_list("pk", flat=True)
    )


def test_the_same_clients_as_the_access_rules(
    agency, case, client_record, worker, colleague, supervisor, supervisor_b, director, outsider, auditor
):
    registered = make_client(agency=agency, created_by=colleague)
    granted = make_client(agency=agency, created_by=supervisor)
    expired = make_client(agency=agency, created_by=supervisor)
    stranger = make_client(agency=agency, created_by=supervisor)
    member_of = make_client(agency=agency, created_by=supervisor)
    member_case = cast(Case, CaseFactory(client=member_of, program=case.program, primary_worker=worker, team=case.team))
    CaseTeamMember.objects.create(case=member_case, user=colleague, role=TeamRole.NURSE, added_by=worker)
    services.access_grant_create(actor=supervisor, client=granted, user=colleague, reason="Covering")
    old = services.access_grant_create(actor=supervisor, client=expired, user=colleague, reason="Covering")
    AccessGrant.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    services.break_glass_open(actor=supervisor_b, client_id=stranger.pk, reason="Client in crisis at ER")
    ids = [client.pk for client in (client_record, registered, granted, expired, stranger, member_of)]
    for user in (worker, colleague, supervisor, supervisor_b, director, outsider, auditor):
        assert visible_among(user, ids) == _by_the_rules(user, ids), user
    assert visible_among(colleague, ids) == {registered.pk, granted.pk, member_of.pk}
    assert visible_among(supervisor_b, ids) == {stranger.pk}
    assert visible_among(worker, []) == set()
