"""Care plans: a plan per case, its revisions (versions), and their needs, strengths, barriers, goals
and interventions; approvals, the client's acknowledgement, goal progress, program settings and templates.

A `Plan` belongs to a case. Its content lives in `PlanRevision`s: one may be open for editing (draft,
submitted for approval, or returned), one is active, older ones are superseded and stay readable.
Publishing copies nothing: a new draft copies the active revision's items, each copy keeping the
`key` of the item it came from, so versions can be compared and a goal's history followed across them.

Published revisions are never edited; only the tracking fields that progress moves (a goal's
lifecycle and achievement status, an intervention's status) change on the active revision, each
change recorded (GoalProgress, audit events).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.needs.models import NeedDomain


class PlanSettings(models.Model):
    """A program's care-plan rules: whether a supervisor approves plans, how often they are reviewed.

    A model of its own in this app (not fields on Program) so care-plan rules stay with care plans
    and the accounts app does not grow a migration for every plan feature; a program without a row
    uses the defaults (no approval, review every 90 days).
    """

    program = models.OneToOneField("accounts.Program", on_delete=models.CASCADE, related_name="plan_settings")
    approval_required = models.BooleanField(_("plan approval required"), default=False)
    review_interval_days = models.PositiveSmallIntegerField(
        _("review the plan every (days)"), default=90, validators=[MinValueValidator(7), MaxValueValidator(730)]
    )

    class Meta:
        verbose_name = _("care-plan settings")
        verbose_name_plural = _("care-plan settings")

    def __str__(self) -> str:
        return f"Plan settings of {self.program}"


DEFAULT_REVIEW_INTERVAL_DAYS = 90


class PlanKind(models.TextChoices):
    """What the plan is for; special plans come from templates."""

    CARE = "care", _("Care / service plan")
    DISCHARGE = "discharge", _("Discharge / transition plan")
    EMPLOYMENT = "employment", _("Individual Plan for Employment")
    RELAPSE_PREVENTION = "relapse_prevention", _("Relapse-prevention plan")


class PlanTemplate(models.Model):
    """A program's plan template: sections that prefill a new plan, and translations for the client copy.

    `sections` holds what a new plan starts with::

        {"summary": "...", "needs": [{"domain": "employment", "description": "..."}],
         "strengths": ["..."], "barriers": ["..."],
         "goals": [{"description": "...", "term": "long", "measurable_target": "...",
                    "interventions": [{"description": "...", "responsible_party": "client"}]}]}

    `translations` maps a language code ("es") to the client copy's fixed text in that language
    (keys of `CLIENT_COPY_TEXT` in `client_copy.py`), plus optional `name` and `summary`.
    """

    program = models.ForeignKey("accounts.Program", on_delete=models.PROTECT, related_name="plan_templates")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices, default=PlanKind.CARE)
    sections = models.JSONField(default=dict, blank=True)
    translations = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="plan_template_unique_name")]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """A client's care / service plan within a case; its content is in its revisions."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="plans")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices, default=PlanKind.CARE)
    title = models.CharField(_("title"), max_length=200)
    template = models.ForeignKey(PlanTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    active_revision = models.OneToOneField(
        "PlanRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    open_revision = models.OneToOneField(
        "PlanRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_due_date = models.DateField(_("review due"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped by every change to the plan or its open revision: one version for the whole draft, so
    # two people editing different parts of the same draft are told about each other's saves.
    version = models.PositiveIntegerField(default=1)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "created_at"], name="plan_case_created")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.active_revision_id is not None


class RevisionStatus(models.TextChoices):
    """draft → (submitted → approved) active → superseded; a submitted revision can be returned."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for approval")
    RETURNED = "returned", _("Returned for changes")
    ACTIVE = "active", _("Active")
    SUPERSEDED = "superseded", _("Superseded")


OPEN_REVISION_STATUSES = [RevisionStatus.DRAFT, RevisionStatus.SUBMITTED, RevisionStatus.RETURNED]
EDITABLE_REVISION_STATUSES = [RevisionStatus.DRAFT, RevisionStatus.RETURNED]
PUBLISHED_REVISION_STATUSES = [RevisionStatus.ACTIVE, RevisionStatus.SUPERSEDED]


class PlanRevision(models.Model):
    """One version of a plan's content; published versions are never edited."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=RevisionStatus.choices, default=RevisionStatus.DRAFT)
    summary = models.TextField(_("summary in plain language"), blank=True, max_length=4000)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_revision_unique_number"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="plan_one_open_revision",
            ),
            models.UniqueConstraint(fields=["plan"], condition=Q(status="active"), name="plan_one_active_revision"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "returned"], published_at__isnull=True)
                | Q(status__in=["active", "superseded"], published_at__isnull=False),
                name="plan_revision_published_at_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="plan_revision_status")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_REVISION_STATUSES

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_REVISION_STATUSES


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")


class RevisionDecision(models.Model):
    """A supervisor's approval of a submitted revision, or its return with comments."""

    revision = models.ForeignKey(PlanRevision, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comments"), blank=True, max_length=4000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(decision="returned") | ~Q(comment=""), name="plan_return_has_comment")
        ]

    def __str__(self) -> str:
        return f"{self.revision}: {self.decision}"


def new_key() -> uuid.UUID:
    return uuid.uuid4()


class PlanNeed(models.Model):
    """A need or problem in one revision, by domain; may come from a suggested need."""

    revision = models.ForeignKey(PlanRevision, on_delete=models.PROTECT, related_name="needs")
    key = models.UUIDField(default=new_key, editable=False)
    domain = models.CharField(_("domain"), max_length=20, choices=NeedDomain.choices)
    description = models.TextField(_("description"), max_length=2000)
    suggested_need = models.ForeignKey(
        "needs.SuggestedNeed", on_delete=models.PROTECT, null=True, blank=True, related_name="plan_needs"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["revision", "key"], name="plan_need_key_once")]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.description[:40]}"


class StatementKind(models.TextChoices):
    STRENGTH = "strength", _("Strength")
    BARRIER = "barrier", _("Barrier")


class PlanStatement(models.Model):
    """A strength or a barrier in one revision."""

    revision = models.ForeignKey(PlanRevision, on_delete=models.PROTECT, related_name="statements")
    key = models.UUIDField(default=new_key, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=StatementKind.choices)
    text = models.TextField(_("text"), max_length=2000)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["revision", "key"], name="plan_statement_key_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


class GoalTerm(models.TextChoices):
    SHORT = "short", _("Short term")
    LONG = "long", _("Long term")


class GoalLifecycle(models.TextChoices):
    """FHIR Goal.lifecycleStatus values the plan uses (REFERENCE.md)."""

    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on-hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class GoalAchievement(models.TextChoices):
    """FHIR Goal.achievementStatus values the plan uses (REFERENCE.md)."""

    IN_PROGRESS = "in-progress", _("In progress")
    IMPROVING = "improving", _("Improving")
    WORSENING = "worsening", _("Worsening")
    NO_CHANGE = "no-change", _("No change")
    ACHIEVED = "achieved", _("Achieved")
    NOT_ACHIEVED = "not-achieved", _("Not achieved")


class Goal(models.Model):
    """A goal in one revision: the client's words, a measurable target and a target date."""

    revision = models.ForeignKey(PlanRevision, on_delete=models.PROTECT, related_name="goals")
    key = models.UUIDField(default=new_key, editable=False)
    need = models.ForeignKey(PlanNeed, on_delete=models.PROTECT, null=True, blank=True, related_name="goals")
    term = models.CharField(_("term"), max_length=5, choices=GoalTerm.choices, default=GoalTerm.SHORT)
    description = models.TextField(_("goal"), max_length=2000)
    client_words = models.TextField(_("in the client's words"), blank=True, max_length=2000)
    measurable_target = models.CharField(_("measurable target"), max_length=500, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    lifecycle_status = models.CharField(
        _("status"), max_length=12, choices=GoalLifecycle.choices, default=GoalLifecycle.PROPOSED
    )
    achievement_status = models.CharField(
        _("achievement"), max_length=14, choices=GoalAchievement.choices, default=GoalAchievement.IN_PROGRESS
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["revision", "key"], name="plan_goal_key_once")]
        indexes = [models.Index(fields=["key"], name="plan_goal_key")]

    def __str__(self) -> str:
        return self.description[:60]


class ResponsibleParty(models.TextChoices):
    """Who carries out an intervention."""

    CLIENT = "client", _("Client")
    CASE_MANAGER = "case_manager", _("Case manager")
    TEAM_MEMBER = "team_member", _("Case-team member")
    EXTERNAL_PROVIDER = "external_provider", _("External provider")
    FAMILY_MEMBER = "family_member", _("Family member")


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_INTERVENTION_STATUSES = [InterventionStatus.PLANNED, InterventionStatus.IN_PROGRESS]


class Intervention(models.Model):
    """An action step under a goal: what, who is responsible, by when, and how it stands."""

    revision = models.ForeignKey(PlanRevision, on_delete=models.PROTECT, related_name="interventions")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="interventions")
    key = models.UUIDField(default=new_key, editable=False)
    description = models.TextField(_("action step"), max_length=2000)
    responsible_party = models.CharField(_("responsible"), max_length=20, choices=ResponsibleParty.choices)
    # A case-team member (staff or an outside professional on the team) when one is named.
    team_member = models.ForeignKey(
        "cases.CaseTeamMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A family member's or an outside provider's name when they are not on the case team.
    responsible_name = models.CharField(_("name"), max_length=200, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=InterventionStatus.choices, default=InterventionStatus.PLANNED
    )
    # Later linked to the appointment that carries it out (referrals: when that app exists).
    appointment = models.ForeignKey(
        "appointments.Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["revision", "key"], name="plan_intervention_key_once")]
        indexes = [models.Index(fields=["status", "due_date"], name="plan_intervention_due")]

    def __str__(self) -> str:
        return self.description[:60]


class GoalProgress(models.Model):
    """One entry in a goal's history: its status then, a comment, by whom, when, from which note."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="progress")
    # The goal across revisions (Goal.key): the history follows the goal into new versions.
    goal_key = models.UUIDField(db_index=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="goal_progress")
    lifecycle_status = models.CharField(_("status"), max_length=12, choices=GoalLifecycle.choices)
    achievement_status = models.CharField(_("achievement"), max_length=14, choices=GoalAchievement.choices)
    previous_lifecycle_status = models.CharField(max_length=12, choices=GoalLifecycle.choices)
    previous_achievement_status = models.CharField(max_length=14, choices=GoalAchievement.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    note = models.ForeignKey(
        "notes.ProgressNote", on_delete=models.PROTECT, null=True, blank=True, related_name="goal_progress"
    )
    recorded_on = models.DateField(_("date"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["note", "goal_key"], condition=Q(note__isnull=False), name="goal_progress_once_per_note"
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal_key}: {self.lifecycle_status}/{self.achievement_status} on {self.recorded_on}"

    @property
    def status_changed(self) -> bool:
        return (self.lifecycle_status, self.achievement_status) != (
            self.previous_lifecycle_status,
            self.previous_achievement_status,
        )


class AcknowledgementMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    REFUSED = "refused", _("Client refused to sign")


class PlanAcknowledgement(models.Model):
    """The client's acknowledgement of a published revision: typed signature, date and method."""

    revision = models.ForeignKey(PlanRevision, on_delete=models.PROTECT, related_name="acknowledgements")
    method = models.CharField(_("how"), max_length=10, choices=AcknowledgementMethod.choices)
    signature = models.CharField(_("typed signature"), max_length=200, blank=True)
    signed_on = models.DateField(_("date"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method="refused") | ~Q(signature=""), name="plan_acknowledgement_signed_unless_refused"
            )
        ]

    def __str__(self) -> str:
        return f"{self.revision}: {self.method} on {self.signed_on}"
