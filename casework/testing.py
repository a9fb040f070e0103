"""factory_boy factories and small helpers shared by every app's tests."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import factory
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.manager import BaseManager
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext

from casework.accounts.models import Agency, Program, Role, Team, User
from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseStatus
from casework.clients.models import Client
from casework.notes.models import ContactType, NoteFormat, ProgressNote

PASSWORD = "correct horse battery staple"


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    time_zone = "America/New_York"


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Worker {n}")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.CASE_MANAGER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()


class ProgramFactory(factory.django.DjangoModelFactory[Program]):
    class Meta:
        model = Program

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    contact_interval_days = 30


class ClientFactory(factory.django.DjangoModelFactory[Client]):
    class Meta:
        model = Client

    agency = factory.SubFactory(AgencyFactory)
    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
    phone = factory.Faker("numerify", text="555-###-####")
    created_by = factory.SubFactory(UserFactory, agency=factory.SelfAttribute("..agency"))

    @classmethod
    def _create(cls, model_class: type[Client], *args: Any, **kwargs: Any) -> Client:
        client = model_class(**kwargs)
        client.refresh_search_keys()
        client.save()
        return client


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    class Meta:
        model = Case

    client = factory.SubFactory(ClientFactory)
    program = factory.SubFactory(ProgramFactory, agency=factory.SelfAttribute("..client.agency"))
    primary_worker = factory.SubFactory(UserFactory, agency=factory.SelfAttribute("..client.agency"))
    team = factory.LazyAttribute(lambda case: case.primary_worker.team)
    status = CaseStatus.ACTIVE
    created_by = factory.LazyAttribute(lambda case: case.primary_worker)


class NoteFactory(factory.django.DjangoModelFactory[ProgressNote]):
    class Meta:
        model = ProgressNote

    case = factory.SubFactory(CaseFactory)
    client = factory.LazyAttribute(lambda note: note.case.client)
    author = factory.LazyAttribute(lambda note: note.case.primary_worker)
    format = NoteFormat.DAP
    contact_type = ContactType.PHONE
    contact_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=1))
    duration_minutes = 30
    sections = factory.LazyFunction(
        lambda: {"data": "Talked about housing.", "assessment": "Stable.", "plan": "Call Friday."}
    )


@contextmanager
def count_queries() -> Iterator[CaptureQueriesContext]:
    """Capture the SQL queries run inside the block (for query-count assertions)."""
    with CaptureQueriesContext(connection) as context:
        yield context


@contextmanager
def twin_request_unseen_until_insert(model: type[Model], key: str | None) -> Iterator[Callable[[], None]]:
    """Two requests with the same Idempotency-Key at once, made deterministic.

    The twin's row (stored under submission `key`) already exists. Inside the block every read
    of `model` misses it until this request starts inserting a `model` row: as if the twin
    committed between this request's "exists?" checks and its insert. The insert then fails
    on the unique submission key, as in the race. The block gets a function that makes the
    twin appear earlier (when this request would have waited on a row lock the twin held).
    """
    assert key, "The twin needs a submission key."
    unseen = [True]
    get_queryset = BaseManager.get_queryset

    def blinded(manager: BaseManager[Any]) -> QuerySet[Any]:
        queryset = get_queryset(manager)
        if unseen[0] and manager.model is model:
            return queryset.exclude(submission_key=key)
        return queryset

    def appear(**kwargs: Any) -> None:
        unseen[0] = False

    pre_save.connect(appear, sender=model, weak=False, dispatch_uid="twin_request_unseen_until_insert")
    try:
        with mock.patch.object(BaseManager, "get_queryset", blinded):
            yield appear
    finally:
        pre_save.disconnect(sender=model, dispatch_uid="twin_request_unseen_until_insert")
    assert not unseen[0], f"The twin {model.__name__} never appeared: the race was not reproduced."


def last_audit_id() -> int:
    """The id of the newest audit event (0 when there is none)."""
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def audited_writes_after(event_id: int) -> list[str]:
    """Actions audited after `event_id` other than reads (`*.view`): a repeated request writes none."""
    return list(
        AuditEvent.objects.filter(id__gt=event_id).exclude(action__endswith=".view").values_list("action", flat=True)
    )
