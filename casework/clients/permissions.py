"""Plain predicates about what a user may do with a client they can already see."""

from __future__ import annotations

from casework.accounts.models import Role, User

CLINICAL_ROLES = {Role.INTAKE_WORKER, Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAM_DIRECTOR}


def is_clinical(user: User) -> bool:
    """Staff who document care (not administrators or auditors, who see no clinical content)."""
    return bool(user.is_active and user.role in CLINICAL_ROLES)


def can_register_clients(user: User) -> bool:
    return is_clinical(user) and user.agency_id is not None


def can_edit_client(user: User) -> bool:
    """Any clinical user who can see the client may correct their demographics."""
    return is_clinical(user)


def can_grant_access(user: User) -> bool:
    """Supervisors and program directors may grant a colleague access to a client."""
    return bool(user.is_active and user.role in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR))


def can_break_glass(user: User) -> bool:
    """Clinical staff may open a record in an emergency, with a reason."""
    return is_clinical(user) and user.agency_id is not None


DUPLICATE_REVIEW_ROLES = {Role.SUPERVISOR, Role.PROGRAM_DIRECTOR, Role.ADMINISTRATOR}


def can_review_duplicates(user: User) -> bool:
    """Supervisors, program directors and (data) administrators review possible duplicates and merge them.

    The review shows who the person is (names, dates, contact details, identifiers) and how many
    records hang off each, never clinical content: an administrator may do it too.
    """
    return bool(user.is_active and user.role in DUPLICATE_REVIEW_ROLES and user.agency_id is not None)


def can_manage_consent(user: User, client: object) -> bool:
    """Record or revoke a client's consent to share: the case team of one of the client's cases
    (primary worker, staff member) and those who oversee it (team supervisor, program director)."""
    from casework.cases.models import Case
    from casework.cases.selectors import case_access_q

    client_id = getattr(client, "pk", None)
    if client_id is None:
        return False
    return is_clinical(user) and Case.objects.filter(client_id=client_id).filter(case_access_q(user)).exists()
