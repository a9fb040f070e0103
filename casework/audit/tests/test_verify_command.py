"""`manage.py audit_verify`: quiet success on an intact chain, a named failure on tampering.

To tamper, the tests switch off the append-only triggers inside the test's transaction; the
rollback at the end of each test restores the triggers and the rows.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from casework.audit.models import AuditEvent
from casework.audit.services import audit_record


@pytest.fixture
def trail(worker, colleague, client_record):
    """A few events in two actors' chains."""
    return [
        audit_record(actor=user, action="client.view", client_id=client_record.pk, obj=client_record)
        for user in (worker, colleague, worker, worker, colleague)
    ]


def _tamper(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks pending in this transaction would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _run():
    out, err = StringIO(), StringIO()
    call_command("audit_verify", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_intact_chain_passes(trail):
    out, err = _run()
    assert "Audit chain intact: 5 events verified." in out
    assert err == ""


def test_an_empty_log_passes(db):
    out, _err = _run()
    assert "0 events verified" in out


def test_an_edited_event_is_detected_and_named(trail):
    edited = trail[2]
    _tamper("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE id = %s", [edited.pk])
    with pytest.raises(CommandError) as failure:
        _run()
    message = str(failure.value)
    assert f"event {edited.chain}.{edited.seq} (id {edited.pk})" in message
    assert "edited" in message


def test_an_edited_actor_is_detected(trail, supervisor):
    edited = trail[0]
    _tamper("UPDATE audit_auditevent SET actor_id = %s WHERE id = %s", [supervisor.pk, edited.pk])
    with pytest.raises(CommandError, match=f"id {edited.pk}"):
        _run()


def test_a_removed_last_event_is_detected_and_named(trail):
    last = trail[-1]
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError) as failure:
        _run()
    message = str(failure.value)
    assert f"event {last.chain}.{last.seq}" in message
    assert "removed" in message


def test_a_removed_event_in_the_middle_is_detected(trail):
    middle = trail[2]  # the worker's second event; the worker's chain goes on after it
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [middle.pk])
    with pytest.raises(CommandError) as failure:
        _run()
    assert f"expected event {middle.chain}.{middle.seq}" in str(failure.value)


def test_tampering_is_rolled_back_after_each_test(trail):
    assert AuditEvent.objects.count() == 5
    assert not AuditEvent.objects.exclude(reason="").exists()
    _run()
