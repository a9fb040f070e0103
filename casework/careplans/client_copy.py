"""The client's copy of a plan: plain language, in the client's language where the plan's template has it,
as a printable page and as a PDF (fpdf2, its built-in Helvetica: no font files, no system packages).

The fixed text of the copy (headings, labels, the names of statuses) comes from `CLIENT_COPY_TEXT`
in English; a template's `translations[<language code>]` replaces any of those keys, plus `name`
(the plan's title) and `summary`. What the worker and client wrote stays as written.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from casework.careplans import selectors
from casework.careplans.models import Plan, PlanRevision


def _english() -> dict[str, str]:
    return {
        "heading": _("My plan"),
        "intro": _(
            "This is the plan we made together. It lists what you want to work on, your goals, "
            "and who does what by when. Keep it, and bring it to our meetings."
        ),
        "prepared_for": _("Prepared for"),
        "version": _("Version"),
        "date": _("Date"),
        "case_manager": _("Your case manager"),
        "needs": _("What we are working on"),
        "strengths": _("Your strengths"),
        "barriers": _("What can get in the way"),
        "goals": _("Your goals"),
        "in_your_words": _("In your words"),
        "target": _("How we will know"),
        "target_date": _("Aim to reach it by"),
        "steps": _("Steps"),
        "who": _("Who"),
        "due": _("By"),
        "status": _("Status"),
        "next_review": _("We will review this plan by"),
        "signature": _("Signature"),
        "signed": _("Signed"),
        "refused": _("You chose not to sign."),
        "none": _("Nothing written yet."),
        "term.short": _("Short-term goal"),
        "term.long": _("Long-term goal"),
        "party.client": _("You"),
        "party.case_manager": _("Your case manager"),
        "party.team_member": _("Someone on your team"),
        "party.external_provider": _("A service provider"),
        "party.family_member": _("A family member"),
        "step.planned": _("To do"),
        "step.in_progress": _("Started"),
        "step.done": _("Done"),
        "step.not_done": _("Not done"),
        "step.cancelled": _("No longer needed"),
    }


# Spanish for the client copy, shipped as data for templates to use (see core/demo.py).
SPANISH: dict[str, str] = {
    "heading": "Mi plan",
    "intro": (
        "Este es el plan que hicimos juntos. Dice en qué quiere trabajar, sus metas y quién hace qué "
        "y para cuándo. Guárdelo y tráigalo a nuestras reuniones."
    ),
    "prepared_for": "Preparado para",
    "version": "Versión",
    "date": "Fecha",
    "case_manager": "Su administrador de casos",
    "needs": "En qué estamos trabajando",
    "strengths": "Sus fortalezas",
    "barriers": "Lo que puede ser un obstáculo",
    "goals": "Sus metas",
    "in_your_words": "En sus palabras",
    "target": "Cómo sabremos que lo logró",
    "target_date": "Lograrlo para",
    "steps": "Pasos",
    "who": "Quién",
    "due": "Para",
    "status": "Estado",
    "next_review": "Revisaremos este plan antes del",
    "signature": "Firma",
    "signed": "Firmado",
    "refused": "Usted decidió no firmar.",
    "none": "Todavía no hay nada escrito.",
    "term.short": "Meta a corto plazo",
    "term.long": "Meta a largo plazo",
    "party.client": "Usted",
    "party.case_manager": "Su administrador de casos",
    "party.team_member": "Alguien de su equipo",
    "party.external_provider": "Un proveedor de servicios",
    "party.family_member": "Un familiar",
    "step.planned": "Por hacer",
    "step.in_progress": "Empezado",
    "step.done": "Hecho",
    "step.not_done": "No se hizo",
    "step.cancelled": "Ya no hace falta",
}

# How a client's primary language (free text on the client record) maps to a translation code.
LANGUAGE_CODES = {
    "english": "en",
    "en": "en",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "es": "es",
}


def language_code(primary_language: str) -> str:
    return LANGUAGE_CODES.get((primary_language or "").strip().lower(), "")


@dataclass
class CopyStep:
    description: str
    who: str
    due: str
    status: str


@dataclass
class CopyGoal:
    term: str
    description: str
    client_words: str
    target: str
    target_date: str
    steps: list[CopyStep] = field(default_factory=list)


@dataclass
class ClientCopy:
    """Everything the client's copy says, already in the copy's language."""

    language: str
    text: dict[str, str]
    title: str
    summary: str
    client_name: str
    case_manager: str
    version: int
    date: str
    next_review: str
    needs: list[str]
    strengths: list[str]
    barriers: list[str]
    goals: list[CopyGoal]
    acknowledgement: Any = None


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def build(plan: Plan, revision: PlanRevision) -> ClientCopy:
    """The copy of one version (the caller authorised the plan)."""
    text = _english()
    language = "en"
    translations = (plan.template.translations if plan.template_id and plan.template else None) or {}
    code = language_code(plan.client.primary_language)
    translated = translations.get(code) if code and code != "en" else None
    title, summary = plan.title, revision.summary
    if isinstance(translated, dict):
        language = code
        text.update({k: str(v) for k, v in translated.items() if k in text})
        title = str(translated.get("name") or title)
        summary = summary or str(translated.get("summary", ""))
    content = selectors.revision_content(revision)
    goals = []
    for goal in content.goals:
        steps = [
            CopyStep(
                description=step.description,
                who=text.get(f"party.{step.responsible_party}", step.responsible_party)
                + (
                    f" ({step.team_member.display_name})"
                    if step.team_member_id and step.team_member
                    else (f" ({step.responsible_name})" if step.responsible_name else "")
                ),
                due=_date(step.due_date),
                status=text.get(f"step.{step.status}", step.status),
            )
            for step in goal.interventions.all()
        ]
        goals.append(
            CopyGoal(
                term=text.get(f"term.{goal.term}", goal.term),
                description=goal.description,
                client_words=goal.client_words,
                target=goal.measurable_target,
                target_date=_date(goal.target_date),
                steps=steps,
            )
        )
    published = revision.published_at or revision.created_at
    return ClientCopy(
        language=language,
        text=text,
        title=title,
        summary=summary,
        client_name=plan.client.display_name,
        case_manager=str(plan.case.primary_worker),
        version=revision.number,
        date=timezone.localtime(published).date().isoformat(),
        next_review=_date(plan.review_due_date) if revision.status == "active" else "",
        needs=[need.description for need in content.needs],
        strengths=[s.text for s in content.strengths],
        barriers=[b.text for b in content.barriers],
        goals=goals,
        acknowledgement=revision.acknowledgements.order_by("-recorded_at", "-id").first(),
    )


# --- PDF ------------------------------------------------------------------------------------------

_TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-"})


def pdf_text(value: str) -> str:
    """Text the PDF's built-in font can show (Latin-1): typographic marks simplified, other letters
    without their accents rather than dropped."""
    value = (value or "").translate(_TYPOGRAPHY)
    out = []
    for char in value:
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
            out.append(base or "?")
        else:
            out.append(char)
    return "".join(out)


def render_pdf(copy: ClientCopy) -> bytes:
    """The copy as a PDF (A4/Letter-neutral margins, large readable type)."""
    from fpdf import FPDF

    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 18, 18)
    pdf.set_title(pdf_text(copy.title))
    pdf.set_lang(copy.language)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    text = copy.text

    def heading(value: str, size: int = 14) -> None:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(width, 7, pdf_text(value), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)

    def paragraph(value: str) -> None:
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(width, 6, pdf_text(value), new_x="LMARGIN", new_y="NEXT")

    def items(values: list[str]) -> None:
        if not values:
            paragraph(text["none"])
        for value in values:
            paragraph(f"- {value}")

    heading(f"{text['heading']}: {copy.title}", 18)
    paragraph(f"{text['prepared_for']}: {copy.client_name}")
    paragraph(f"{text['version']} {copy.version} - {text['date']}: {copy.date}")
    paragraph(f"{text['case_manager']}: {copy.case_manager}")
    pdf.ln(2)
    paragraph(text["intro"])
    if copy.summary:
        pdf.ln(2)
        paragraph(copy.summary)
    heading(text["needs"])
    items(copy.needs)
    heading(text["strengths"])
    items(copy.strengths)
    heading(text["barriers"])
    items(copy.barriers)
    heading(text["goals"])
    if not copy.goals:
        paragraph(text["none"])
    for number, goal in enumerate(copy.goals, start=1):
        heading(f"{number}. {goal.description}", 12)
        paragraph(goal.term)
        if goal.client_words:
            paragraph(f'{text["in_your_words"]}: "{goal.client_words}"')
        if goal.target:
            paragraph(f"{text['target']}: {goal.target}")
        if goal.target_date:
            paragraph(f"{text['target_date']}: {goal.target_date}")
        if goal.steps:
            pdf.set_font("Helvetica", "B", 11)
            pdf.multi_cell(width, 6, pdf_text(text["steps"]), new_x="LMARGIN", new_y="NEXT")
            for step in goal.steps:
                due = f" - {text['due']} {step.due}" if step.due else ""
                paragraph(f"- {step.description} ({text['who']}: {step.who}{due}; {step.status})")
    if copy.next_review:
        heading(f"{text['next_review']} {copy.next_review}", 12)
    heading(text["signature"], 12)
    ack = copy.acknowledgement
    if ack is None:
        paragraph("_" * 40)
        paragraph(f"{text['date']}: ______________")
    elif ack.method == "refused":
        paragraph(f"{text['refused']} ({ack.signed_on.isoformat()})")
    else:
        paragraph(f"{text['signed']}: {ack.signature} - {ack.signed_on.isoformat()}")
    return bytes(pdf.output())
