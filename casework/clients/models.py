"""Clients (the people served), their identifiers, support network and access grants."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core import text


class Sex(models.TextChoices):
    """Sex as HMIS FY2026 element 4.21 records it."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    DOES_NOT_KNOW = "does_not_know", _("Client doesn't know")
    PREFERS_NOT_TO_ANSWER = "prefers_not", _("Client prefers not to answer")
    NOT_COLLECTED = "not_collected", _("Data not collected")


class Insurance(models.TextChoices):
    """Kinds of health coverage: what a client has, and what a directory service accepts."""

    NONE = "none", _("No insurance")
    MEDICAID = "medicaid", _("Medicaid")
    MEDICARE = "medicare", _("Medicare")
    PRIVATE = "private", _("Private insurance")
    VA = "va", _("VA / TRICARE")
    OTHER = "other", _("Other coverage")


phone_validator = RegexValidator(
    r"^[0-9+()\-. ext]{7,30}$", _("Enter a phone number: digits, spaces, + ( ) - . and an optional 'ext'.")
)


def validate_birth_date(value: datetime.date) -> None:
    """Refuse birth dates in the future or more than 125 years ago."""
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("Date of birth cannot be in the future."))
    try:
        oldest = today.replace(year=today.year - 125)
    except ValueError:  # the 29th of February has no twin 125 years back
        oldest = today.replace(year=today.year - 125, day=28)
    if value < oldest:
        raise ValidationError(_("Date of birth is more than 125 years ago; check the year."))


class Client(models.Model):
    """A person receiving services. Never deleted; everything about them hangs off this row."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="clients")
    legal_first_name = models.CharField(_("legal first name"), max_length=100)
    legal_middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    legal_last_name = models.CharField(_("legal last name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True, validators=[validate_birth_date])
    sex = models.CharField(_("sex"), max_length=20, choices=Sex.choices, default=Sex.NOT_COLLECTED)
    gender_identity = models.CharField(_("gender identity"), max_length=100, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=50, blank=True)
    primary_language = models.CharField(_("primary language"), max_length=60, blank=True, default="English")
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=50, blank=True)
    postal_code = models.CharField(
        _("ZIP code"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{5}(-\d{4})?$", _("Enter a 5-digit ZIP code (or ZIP+4)."))],
    )
    county = models.CharField(_("county"), max_length=100, blank=True)
    # For the eligibility screener and directory match: empty / null means not known yet.
    household_size = models.PositiveSmallIntegerField(
        _("household size"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("People in the household, the client included."),
    )
    annual_household_income = models.DecimalField(
        _("household income per year"),
        max_digits=10,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Gross (before tax), in dollars, for the whole household."),
    )
    insurance = models.CharField(_("health insurance"), max_length=12, choices=Insurance.choices, blank=True)
    # The full SSN is encrypted (see casework.core.crypto); the last four are kept for search.
    ssn_encrypted = models.TextField(blank=True)
    ssn_last4 = models.CharField(max_length=4, blank=True, db_index=True)

    # Search keys, kept in step by the client services (never edited by hand).
    first_name_key = models.CharField(max_length=100, blank=True, db_index=True)
    preferred_name_key = models.CharField(max_length=100, blank=True, db_index=True)
    last_name_key = models.CharField(max_length=100, blank=True, db_index=True)
    first_name_phonetic = models.CharField(max_length=12, blank=True, db_index=True)
    last_name_phonetic = models.CharField(max_length=12, blank=True, db_index=True)
    phone_digits = models.CharField(max_length=15, blank=True, db_index=True)
    email_key = models.CharField(max_length=254, blank=True, db_index=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registered_clients"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    # Double-click guard: the form's one-time token; a second submit finds the first record.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # Set when this record was merged into another (the survivor): this one is then an alias,
    # kept for its URLs (they redirect) and its history; search and matching skip it.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="aliases", editable=False
    )

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        indexes = [
            models.Index(fields=["date_of_birth"], name="client_dob"),
            models.Index(fields=["last_name_key", "first_name_key", "date_of_birth"], name="client_name_keys_dob"),
            # Blocking for matching: last and first name sound codes together (a common name with
            # the birth year, see matching.COMMON_BLOCK).
            models.Index(
                fields=["last_name_phonetic", "first_name_phonetic", "date_of_birth"], name="client_name_sounds_dob"
            ),
            models.Index(fields=["date_of_birth", "last_name_phonetic"], name="client_dob_name_sound"),
            models.Index(fields=["date_of_birth", "first_name_phonetic"], name="client_dob_first_sound"),
            models.Index(fields=["first_name_phonetic", "last_name_key"], name="client_first_sound_last"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """Preferred first name if given, then the legal last name."""
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}".strip()

    @property
    def legal_name(self) -> str:
        parts = [self.legal_first_name, self.legal_middle_name, self.legal_last_name]
        return " ".join(p for p in parts if p)

    @property
    def ssn_masked(self) -> str:
        return f"***-**-{self.ssn_last4}" if self.ssn_last4 else ""

    @property
    def age(self) -> int | None:
        if not self.date_of_birth:
            return None
        today = timezone.localdate()
        dob = self.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))

    def refresh_search_keys(self) -> None:
        """Recompute the stored search keys from the names and phone."""
        self.first_name_key = text.name_key(self.legal_first_name)[:100]
        self.preferred_name_key = text.name_key(self.preferred_name)[:100]
        self.last_name_key = text.name_key(self.legal_last_name)[:100]
        self.first_name_phonetic = text.phonetic(self.legal_first_name)
        self.last_name_phonetic = text.phonetic(self.legal_last_name)
        # The last ten digits (a US number without its country code), compared with "=".
        self.phone_digits = text.phone_digits(self.phone)[-10:]
        self.email_key = text.email_key(self.email)


class IdentifierType(models.TextChoices):
    """Kinds of identifier a client may carry besides the SSN."""

    MRN = "mrn", _("Medical record number")
    MEDICAID = "medicaid", _("Medicaid ID")
    MEDICARE = "medicare", _("Medicare number")
    HMIS = "hmis", _("HMIS personal ID")
    STATE_ID = "state_id", _("State ID / driver licence")
    OTHER = "other", _("Other")


class ClientIdentifier(models.Model):
    """An external identifier (MRN, Medicaid ID...) of a client."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="identifiers")
    kind = models.CharField(_("type"), max_length=20, choices=IdentifierType.choices)
    value = models.CharField(
        _("value"),
        max_length=40,
        validators=[
            RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9 \-./]{0,39}$", _("Use letters, digits, spaces, - . or /."))
        ],
    )
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    value_key = models.CharField(max_length=40, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "value_key"], name="identifier_unique_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Relationship(models.TextChoices):
    """How a support-network member relates to the client."""

    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SPOUSE = "spouse", _("Spouse / partner")
    SIBLING = "sibling", _("Sibling")
    OTHER_FAMILY = "family", _("Other family")
    CAREGIVER = "caregiver", _("Caregiver")
    GUARDIAN = "guardian", _("Legal guardian")
    FRIEND = "friend", _("Friend / neighbour")
    PROFESSIONAL = "professional", _("Professional")
    OTHER = "other", _("Other")


class SupportContact(models.Model):
    """A member of the client's support network: family, caregiver or another professional."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="support_contacts")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    is_emergency_contact = models.BooleanField(_("emergency contact"), default=False)
    is_active = models.BooleanField(default=True, help_text=_("Removed contacts are kept, inactive."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_emergency_contact", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


class AccessGrant(models.Model):
    """Explicit permission for a user to see a client, optionally until a date."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="client_grants")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "client"], name="grant_user_client")]

    def __str__(self) -> str:
        return f"{self.user} → client {self.client_id}"


class BreakGlassAccess(models.Model):
    """Emergency access outside a user's relationships: typed reason, time-limited, flagged."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="break_glass_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_accesses")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "client", "expires_at"], name="breakglass_user_client")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} broke the glass for client {self.client_id}"


class MatchSettings(models.Model):
    """An agency's thresholds for duplicate matching, tuned by an administrator.

    A candidate whose match probability reaches `certain_threshold` is "certain" (registering
    the person again asks for a reason); from `possible_threshold` it is "possible"; below,
    "unlikely". Agencies without a row use the defaults.
    """

    DEFAULT_CERTAIN = 0.98
    DEFAULT_POSSIBLE = 0.5

    agency = models.OneToOneField("accounts.Agency", on_delete=models.CASCADE, related_name="match_settings")
    certain_threshold = models.FloatField(
        _("certain from"),
        default=DEFAULT_CERTAIN,
        help_text=_("Match probability (0 to 1) from which a candidate is the same person."),
    )
    possible_threshold = models.FloatField(
        _("possible from"),
        default=DEFAULT_POSSIBLE,
        help_text=_("Match probability (0 to 1) from which a candidate is shown as a possible match."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")

    def __str__(self) -> str:
        return f"Matching settings of {self.agency}"

    def clean(self) -> None:
        for name in ("certain_threshold", "possible_threshold"):
            value = getattr(self, name)
            if value is None or not 0 < value < 1:
                raise ValidationError({name: _("Enter a probability between 0 and 1 (not 0 or 1).")})
        if self.possible_threshold >= self.certain_threshold:
            raise ValidationError(
                {"possible_threshold": _("The “possible” threshold must be below the “certain” threshold.")}
            )


class NameCount(models.Model):
    """How many of an agency's clients carry a name: the name-frequency weights of matching.

    Kept by `manage.py refresh_name_counts` (the duplicate scan refreshes it too), so a lookup
    reads the typed names' frequencies with one indexed query instead of counting them. `key`
    says what is counted: "first:<first name key>", "last:<last name key>", "sounds:<last name
    sound> <first name sound>" and "lastsound:<last name sound>" (only the common ones: they
    decide which name-sound blocks are narrowed by the birth year) and "population" (the
    agency's clients at the refresh). Counts are capped like a lookup's (NAME_COUNT_CAP).
    """

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    count = models.PositiveIntegerField()
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "key"], name="name_count_once")]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class PairStatus(models.TextChoices):
    """Where a possible duplicate pair stands in the review queue."""

    OPEN = "open", _("Waiting for review")
    DISMISSED = "dismissed", _("Not the same person")
    MERGED = "merged", _("Merged")


class PairSource(models.TextChoices):
    """What proposed a pair: the agency-wide scan or a worker registering over a match."""

    SCAN = "scan", _("Duplicate scan")
    INTAKE = "intake", _("Registered over a match")


class DuplicatePair(models.Model):
    """Two clients of one agency that may be the same person, scored once (lower id first).

    The scan updates open pairs in place; a pair dismissed as "not the same person" stays
    dismissed, whatever later scans find. `levels` are the matching engine's agreement levels
    (the plain-language reasons are worked out from them in the reader's language).
    """

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="duplicate_pairs")
    client_a = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    client_b = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    band = models.CharField(max_length=10)
    levels = models.JSONField(default=dict)
    swapped_names = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=PairSource.choices, default=PairSource.SCAN)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    scored_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_a", "client_b"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=models.Q(client_a__lt=models.F("client_b")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "-score"], name="duplicate_queue")]

    def __str__(self) -> str:
        return f"Possible duplicate {self.client_a_id} / {self.client_b_id} ({self.status})"


class MergeRecord(models.Model):
    """One merge of a client (the alias) into another (the survivor), with what moved, so it can be undone.

    `moved` lists, per model ("cases.Case"), the ids of the rows that moved from the alias to
    the survivor; `fields` the survivor's values the reviewer replaced with the alias's
    ({"phone": [survivor's before, alias's value]}). Undoing moves exactly those rows back
    (rows written on the survivor since stay there) and restores a field only if it still
    holds the value the merge put there.
    """

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="merges")
    survivor = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges_received")
    alias = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges_as_alias")
    pair = models.ForeignKey(DuplicatePair, on_delete=models.PROTECT, null=True, blank=True, related_name="merges")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    moved = models.JSONField(default=dict)
    fields = models.JSONField(default=dict)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"Client {self.alias_id} merged into {self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class ConsentMethod(models.TextChoices):
    """How the client gave consent to share information outside the agency."""

    WRITTEN = "written", _("Written (signed form)")
    VERBAL = "verbal", _("Verbal")
    ELECTRONIC = "electronic", _("Electronic")


class SharedInformation(models.TextChoices):
    """The pieces of a client's record that may leave the agency (minimum necessary, chosen each time)."""

    NAME = "name", _("Name")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    PHONE = "phone", _("Phone")
    ADDRESS = "address", _("Address")
    NEEDS = "needs", _("Needs")
    SUMMARY = "summary", _("A summary written for the receiver")


def validate_shared_information(value: object) -> None:
    """A list of known pieces of information, at least one, no repeats."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Tick at least one piece of information."))
    unknown = [item for item in value if item not in SharedInformation.values]
    if unknown or len(set(value)) != len(value):
        raise ValidationError(_("Choose the information from the list."))


class ConsentStatus(models.TextChoices):
    """Where a consent stands today (computed, never stored: it depends on the date)."""

    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Consent(models.Model):
    """A client's consent to share information outside the agency, with one organization or any.

    Never deleted or edited in substance: a consent that no longer holds is revoked (with the
    date and the client's reason) and a new one is recorded. 42 CFR Part 2 / HIPAA anchors:
    who receives, what, why, until when, how it was given, and the right to revoke.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    # Empty means the client agreed to share with any organization (for this purpose).
    recipient_organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    information = models.JSONField(
        _("information that may be shared"), default=list, validators=[validate_shared_information]
    )
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how it was given"), max_length=12, choices=ConsentMethod.choices)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.TextField(_("why it was revoked"), blank=True, max_length=2000)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["client", "revoked_on"], name="consent_client_revoked")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("given_on")),
                name="consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_on__isnull=True) | ~models.Q(revocation_reason=""),
                name="consent_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        organization = self.recipient_organization
        recipient = organization.name if organization is not None else _("any organization")
        return f"{recipient}: {self.purpose}"

    def clean(self) -> None:
        if self.given_on and self.given_on > timezone.localdate():
            raise ValidationError({"given_on": _("Consent cannot be given in the future.")})
        if self.expires_on and self.given_on and self.expires_on < self.given_on:
            raise ValidationError({"expires_on": _("The consent cannot expire before it was given.")})

    def status_on(self, day: datetime.date) -> str:
        if self.revoked_on is not None and self.revoked_on <= day:
            return ConsentStatus.REVOKED
        if self.expires_on is not None and self.expires_on < day:
            return ConsentStatus.EXPIRED
        return ConsentStatus.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return str(ConsentStatus(self.status).label)

    @property
    def information_labels(self) -> list[str]:
        return [str(SharedInformation(item).label) for item in self.information if item in SharedInformation.values]

    def covers(self, *, organization_id: object, information: list[str], on: datetime.date) -> bool:
        """Valid on the day, for that organization (or any), and for every piece of information."""
        if self.status_on(on) != ConsentStatus.ACTIVE or self.given_on > on:
            return False
        if self.recipient_organization_id is not None and self.recipient_organization_id != organization_id:
            return False
        return set(information) <= set(self.information)
