import pytest
from django.db import DatabaseError, connection, transaction

from casework.audit.models import AppendOnlyError, AuditEvent
from casework.audit.services import audit_record
from casework.audit.verify import verify_chain


def test_events_of_one_actor_are_chained_and_verify(worker, client_record):
    first = audit_record(actor=worker, action="client.view", client_id=client_record.pk, obj=client_record)
    second = audit_record(actor=worker, action="client.view", client_id=client_record.pk, obj=client_record)
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1
    assert verify_chain().ok


def test_model_refuses_update_and_delete(worker):
    event = audit_record(actor=worker, action="test.event")
    event.reason = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_database_refuses_raw_update_and_delete(worker):
    event = audit_record(actor=worker, action="test.event")
    for sql in (
        "UPDATE audit_auditevent SET reason = 'tampered' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.reason == ""


def test_actors_append_to_their_own_chain_and_all_chains_verify(worker, colleague, supervisor):
    events = [audit_record(actor=user, action="test.event") for user in (worker, colleague, supervisor, worker)]
    assert events[3].chain == events[0].chain
    assert events[3].prev_hash == events[0].hash
    assert len({event.chain for event in events}) >= 2 or worker.pk % 16 == colleague.pk % 16
    result = verify_chain()
    assert result.ok, result.problems
    assert result.checked == 4
