"""Human labels for audit actions, shown to auditors."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, str | Promise] = {
    "client.view": _("Viewed the client's record"),
    "client.list": _("Listed clients"),
    "client.search": _("Searched for clients"),
    "client.create": _("Registered the client"),
    "client.update": _("Changed the client's details"),
    "client.reveal_ssn": _("Revealed the full SSN"),
    "client.identifier_add": _("Added an identifier"),
    "client.identifier_remove": _("Removed an identifier"),
    "client.contact_add": _("Added a support contact"),
    "client.contact_update": _("Changed a support contact"),
    "client.contact_remove": _("Removed a support contact"),
    "client.access_grant": _("Granted access to a colleague"),
    "client.break_glass": _("Emergency access (break the glass)"),
    "client.break_glass_review": _("Reviewed an emergency access"),
    "case.open": _("Opened a case"),
    "case.view": _("Viewed a case"),
    "case.list": _("Listed cases"),
    "case.update": _("Changed a case"),
    "case.transition": _("Changed a case's status"),
    "case.team_add": _("Added a case team member"),
    "case.team_remove": _("Removed a case team member"),
    "case.team_view": _("Viewed a case team"),
    "case.reassign": _("Reassigned a case"),
    "caseload.reassign": _("Reassigned a caseload"),
    "caseload.view": _("Viewed a caseload"),
    "note.create": _("Wrote a progress note"),
    "note.view": _("Viewed a progress note"),
    "note.list": _("Listed progress notes"),
    "note.update": _("Edited a draft note"),
    "note.sign": _("Signed a progress note"),
    "note.addendum": _("Added an addendum"),
    "note.void": _("Voided a progress note"),
    "risk_flag.raise": _("Flagged the client at risk"),
    "risk_flag.view": _("Viewed a risk flag"),
    "risk_flag.resolve": _("Resolved a risk flag"),
    "task.create": _("Created a task"),
    "task.complete": _("Completed a task"),
    "tasks.view": _("Viewed their open tasks"),
    "notification.create": _("Sent a notification"),
    "notification.read": _("Read a notification"),
    "notification.read_all": _("Marked all notifications read"),
    "notifications.view": _("Viewed their notifications"),
    "suggested_need.create": _("Suggested a need from a screen"),
    "suggested_need.view": _("Viewed a suggested need"),
    "suggested_need.dismiss": _("Dismissed a suggested need"),
    "today.view": _("Viewed their Today list"),
    "today.view_worker": _("Viewed a worker's Today list"),
    "today.snooze": _("Snoozed an item of their Today list"),
    "today.wake": _("Put a snoozed item back on their Today list"),
    "task.reassign": _("Reassigned a task"),
    "task.view": _("Viewed a task"),
    "team.overview": _("Viewed the team overview"),
    "audit.view": _("Read the audit trail"),
    "audit.verify": _("Verified the audit chain"),
}


def action_label(action: str) -> str:
    """The label of an action; the code itself for actions without one."""
    return str(ACTION_LABELS.get(action, action))
