import pytest
from django.db import DatabaseError, connection, transaction

from casework.audit.models import AppendOnlyError, AuditEvent
from casework.audit.services import audit_record
from casework.audit.verify import verify_chain


def test_events_are_chained_and_verify(worker, client_record):
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
    for sql in ("UPDATE audit_auditevent SET reason = 'tampered' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.reason == ""
