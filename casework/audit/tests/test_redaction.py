import datetime

from casework.audit.models import AuditEvent
from casework.clients.selectors import client_search
from casework.notes.services import note_add_addendum, note_create, note_sign, note_update
from casework.testing import ClientFactory


def test_note_text_is_not_copied_into_the_audit_log(worker, case):
    note = note_create(
        actor=worker,
        case=case,
        format="dap",
        contact_type="phone",
        contact_date=datetime.date.today(),
        duration_minutes=20,
        sections={"data": "Client disclosed relapse on Friday", "plan": "Call back"},
    )
    note = note_update(
        actor=worker,
        note=note,
        expected_version=note.version,
        data={"sections": {"data": "Client disclosed relapse on Friday", "plan": "Meet Monday"}},
    )
    note = note_sign(actor=worker, note=note)
    note_add_addendum(actor=worker, note=note, text="Spoke with sister about relapse")
    logged = " ".join(str(event.changes) for event in AuditEvent.objects.filter(client_id=case.client_id))
    assert "relapse" not in logged
    assert "Meet Monday" not in logged
    update = AuditEvent.objects.get(action="note.update", object_id=str(note.pk))
    assert update.changes["sections_changed"] == ["plan"]


def test_every_typed_name_must_match_something(worker, case, agency):
    ClientFactory(agency=agency, created_by=worker, legal_first_name="Bob", legal_last_name="Jones")
    names = [hit.client.legal_last_name for hit in client_search(user=worker, query="Robert Smith")]
    assert names == ["Smith"]
