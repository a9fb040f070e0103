"""Sections other apps' pages include: a case's assessments, a client's scores.

Inclusion tags keep those pages' views untouched: the case and client views have authorised
the case or client already, and each section costs one query whatever its length.
"""

from __future__ import annotations

from typing import Any

from django import template

from casework.assessments.forms import AssessmentStartForm
from casework.assessments.models import AssessmentStatus, Sensitivity
from casework.assessments.selectors import assessments_for_case, instruments_available, score_summaries_for_client
from casework.cases import permissions as case_permissions
from casework.cases.forms import new_submission_key
from casework.cases.models import Case
from casework.clients.models import Client

register = template.Library()


@register.inclusion_tag("assessments/includes/case_section.html", takes_context=True)
def case_assessments(context: template.Context, case: Case) -> dict[str, Any]:
    """The case page's "Assessments" section: every administration, and the form to give one."""
    user = context["request"].user
    rows = []
    for assessment in assessments_for_case(case=case):
        band = assessment.band_details() or {}
        rows.append(
            {
                "assessment": assessment,
                "band_label": band.get("label", ""),
                "is_sensitive": assessment.instrument_version.instrument.sensitivity == Sensitivity.SUBSTANCE_USE,
                "is_draft": assessment.status == AssessmentStatus.DRAFT,
                "mine": assessment.administered_by_id == user.pk,
            }
        )
    can_administer = case_permissions.can_document_case(user, case) and case.is_open
    form = None
    if can_administer:
        form = AssessmentStartForm(
            initial={"submission_key": new_submission_key()},
            instruments=list(instruments_available()),
            auto_id="id_assessment_%s",
        )
    return {
        "case": case,
        "rows": rows,
        "can_administer": can_administer,
        "start_form": form,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("assessments/includes/client_scores.html")
def client_scores(client: Client) -> dict[str, Any]:
    """The client page's "Scores" section: latest score and band per instrument, change since baseline."""
    return {
        "client": client,
        "summaries": score_summaries_for_client(client=client),
        "substance_use": Sensitivity.SUBSTANCE_USE,
    }
