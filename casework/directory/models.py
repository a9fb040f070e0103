"""The resource directory, shaped on Open Referral HSDS 3.0, and the benefit eligibility rules.

Every HSDS object keeps its HSDS id (a UUID) as primary key, so a re-import updates by id and an
export writes the same ids back. Field names follow HSDS 3.0 so the import/export mapping stays
one-to-one (`hsds.TABLES`). A few fields are ours (marked "Casework extension"): the open need
categories, the income limit and the insurance accepted; they travel in HSDS files as
`attribute` rows against our own taxonomy, so a round trip keeps them.

The directory is not client data: it is shared by all staff of the installation.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Insurance  # noqa: F401  (re-exported: what a service accepts)
from casework.needs.models import NeedDomain

# The namespace for the deterministic ids of our own taxonomy terms (need categories and the
# extension attributes), so that every installation exports the same term ids.
CASEWORK_TAXONOMY_NAMESPACE = uuid.UUID("6f1c1f3e-2b8a-4c1e-9a57-2f4f0e3b7d10")
CASEWORK_TAXONOMY_ID = uuid.uuid5(CASEWORK_TAXONOMY_NAMESPACE, "casework-open-need-categories")


class NeedCategory(models.Model):
    """One of our open need categories (no AIRS licence needed), mapped to a care-plan need domain."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    domain = models.CharField(_("need domain"), max_length=20, choices=NeedDomain.choices, db_index=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = _("need categories")

    def __str__(self) -> str:
        return self.name

    @property
    def term_id(self) -> uuid.UUID:
        """The HSDS taxonomy_term id this category is exported under (stable across installations)."""
        return uuid.uuid5(CASEWORK_TAXONOMY_NAMESPACE, f"need-category:{self.code}")


class Organization(models.Model):
    """HSDS organization: who provides services."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    website = models.CharField(_("website"), max_length=500, blank=True)
    tax_status = models.CharField(_("tax status"), max_length=200, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=200, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(_("year incorporated"), null=True, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=200, blank=True)
    logo = models.CharField(_("logo"), max_length=500, blank=True)
    uri = models.CharField(_("URI"), max_length=500, blank=True)
    # An id, not a foreign key: HSDS files often name parents they do not contain.
    parent_organization_id = models.UUIDField(_("parent organization"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """HSDS program: a group of services of one organization."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="programs")
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)

    def __str__(self) -> str:
        return self.name


class ServiceStatus(models.TextChoices):
    """HSDS 3.0 service status."""

    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


class Service(models.Model):
    """HSDS service: what an organization offers, with its eligibility and costs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="services")
    program = models.ForeignKey(Program, on_delete=models.SET_NULL, null=True, blank=True, related_name="services")
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    url = models.CharField(_("URL"), max_length=500, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    interpretation_services = models.TextField(_("interpretation services"), blank=True)
    application_process = models.TextField(_("application process"), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    wait_time = models.CharField(_("wait time"), max_length=300, blank=True)
    fees = models.TextField(_("fees (deprecated)"), blank=True)
    accreditations = models.TextField(_("accreditations"), blank=True)
    eligibility_description = models.TextField(_("eligibility"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    assured_date = models.DateField(_("assured on"), null=True, blank=True)
    assurer_email = models.CharField(_("assured by"), max_length=254, blank=True)
    licenses = models.TextField(_("licenses"), blank=True)
    alert = models.TextField(_("alert"), blank=True)
    last_modified = models.DateTimeField(_("last modified"), null=True, blank=True)

    # Casework extensions (exported as attributes of our taxonomy).
    need_categories = models.ManyToManyField(NeedCategory, blank=True, related_name="services")
    income_limit_percent_fpl = models.PositiveSmallIntegerField(
        _("income limit (% of federal poverty guideline)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    # Comma-separated `Insurance` values; empty means the service does not ask.
    insurance_accepted = models.CharField(_("insurance accepted"), max_length=100, blank=True)

    # Derived at import/save (services.service_refresh_derived), for search without joins.
    # Indexed for free text by migration 0007 (PostgreSQL trigram; SQLite FTS5 kept by triggers on
    # this table). A later migration that makes SQLite rebuild this table drops those triggers:
    # it must create them again and rebuild the FTS table (tests/test_search.py fails otherwise).
    search_text = models.TextField(blank=True, editable=False)
    # " es en " style: ISO 639-1 codes (or lower-cased names) of the service's languages.
    language_keys = models.CharField(max_length=300, blank=True, editable=False)
    is_free = models.BooleanField(_("free"), default=False, editable=False)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        # No index on status: almost every service is active, and without planner statistics
        # (SQLite as the application leaves it) such an index would make the database start a
        # match from every active service instead of the indexed bounding box of locations.
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="directory_service_age_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open_to_referrals(self) -> bool:
        """Only active services take referrals."""
        return self.status == ServiceStatus.ACTIVE

    @property
    def insurance_list(self) -> list[str]:
        return [item for item in self.insurance_accepted.split(",") if item]


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    POSTAL = "postal", _("Postal")
    VIRTUAL = "virtual", _("Virtual")


class Location(models.Model):
    """HSDS location: where services are delivered; latitude/longitude indexed for distance search."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="locations"
    )
    location_type = models.CharField(_("type"), max_length=10, choices=LocationType.choices)
    url = models.CharField(_("URL"), max_length=500, blank=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    transportation = models.TextField(_("transportation"), blank=True)
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    external_identifier = models.CharField(_("external identifier"), max_length=200, blank=True)
    external_identifier_type = models.CharField(_("external identifier type"), max_length=200, blank=True)

    class Meta:
        # The id as well, so that the bounding box of a search is read from the index alone:
        # no table lookup for each location in the latitude band (the band spans the country).
        indexes = [models.Index(fields=["latitude", "longitude", "id"], name="directory_location_lat_lon_id")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="directory_location_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="directory_location_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Address(models.Model):
    """HSDS address of a location."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(_("attention"), max_length=200, blank=True)
    address_1 = models.CharField(_("address"), max_length=300)
    address_2 = models.CharField(_("address line 2"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=200)
    region = models.CharField(_("region"), max_length=200, blank=True)
    state_province = models.CharField(_("state"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=20, db_index=True)
    country = models.CharField(_("country"), max_length=2)
    address_type = models.CharField(_("address type"), max_length=20)

    def __str__(self) -> str:
        return f"{self.address_1}, {self.city}, {self.state_province} {self.postal_code}"


class ServiceAtLocation(models.Model):
    """HSDS service_at_location: a service delivered at a location."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(_("description"), blank=True)

    def __str__(self) -> str:
        return f"{self.service_id} at {self.location_id}"


class Contact(models.Model):
    """HSDS contact: a named person or role to reach."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts")
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)

    def __str__(self) -> str:
        return self.name or self.title or str(self.id)


class Phone(models.Model):
    """HSDS phone number of a location, service, organization or contact."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="phones")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=60)
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    type = models.CharField(_("type"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)

    def __str__(self) -> str:
        return self.number


class Schedule(models.Model):
    """HSDS schedule: opening hours as iCalendar RRULE parts, opens_at/closes_at and a time zone.

    `timezone` holds an IANA name (America/Chicago, so daylight saving time is right) or, as
    the HSDS 3.0 schema has it, a UTC offset in hours ("-5"); empty means the installation's zone.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A schedule belongs to one of these three; each key is indexed only where it is set (see Meta).
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules", db_index=False
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules", db_index=False
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules", db_index=False
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    dtstart = models.DateField(_("starts"), null=True, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    wkst = models.CharField(_("week starts"), max_length=2, blank=True)
    freq = models.CharField(_("frequency"), max_length=10, blank=True)
    interval = models.PositiveIntegerField(_("interval"), null=True, blank=True)
    byday = models.CharField(_("days"), max_length=100, blank=True)
    byweekno = models.CharField(_("weeks"), max_length=200, blank=True)
    bymonthday = models.CharField(_("days of month"), max_length=200, blank=True)
    byyearday = models.CharField(_("days of year"), max_length=400, blank=True)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    schedule_link = models.CharField(_("schedule link"), max_length=500, blank=True)
    attending_type = models.CharField(_("attending type"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        # Partial indexes: most schedules have only one of the three keys, and a plain index
        # counts the NULLs of the others as one huge group, so that SQLite's statistics (after
        # ANALYZE) make it scan every schedule rather than look a page's schedules up.
        indexes = [
            models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"directory_sched_{short}")
            for name, short in (("service", "service"), ("location", "location"), ("service_at_location", "sal"))
        ]

    def __str__(self) -> str:
        return self.description or f"{self.byday} {self.opens_at}-{self.closes_at}"


class ServiceAreaKind(models.TextChoices):
    """How a service area is matched against a client's address (Casework extension)."""

    POSTAL_CODE = "postal_code", _("ZIP code")
    COUNTY = "county", _("County")
    STATE = "state", _("State")
    COUNTRY = "country", _("Country")
    OTHER = "other", _("Described only")


class ServiceArea(models.Model):
    """HSDS service_area. `kind`/`value` make it matchable: ZIP code, county ("cook, il"), state."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(_("name"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    extent = models.TextField(_("extent"), blank=True)
    extent_type = models.CharField(_("extent type"), max_length=20, blank=True)
    uri = models.CharField(_("URI"), max_length=500, blank=True)
    kind = models.CharField(max_length=12, choices=ServiceAreaKind.choices, default=ServiceAreaKind.OTHER)
    value = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"], name="directory_area_kind_value")]

    def __str__(self) -> str:
        return self.name or self.value


class Language(models.Model):
    """HSDS language spoken at a service, location or on a phone line."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True, related_name="languages")
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, null=True, blank=True, related_name="languages")
    name = models.CharField(_("name"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)

    def __str__(self) -> str:
        return self.name or self.code


class CostOption(models.Model):
    """HSDS cost_option: what a service costs, for whom."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    option = models.CharField(_("option"), max_length=500, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount_description = models.CharField(_("amount description"), max_length=500, blank=True)

    def __str__(self) -> str:
        return self.option or str(self.amount)


class RequiredDocument(models.Model):
    """HSDS required_document: what a client must bring."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="required_documents")
    document = models.TextField(_("document"))
    uri = models.CharField(_("URI"), max_length=500, blank=True)

    def __str__(self) -> str:
        return self.document[:80]


class Accessibility(models.Model):
    """HSDS accessibility of a location."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField(_("description"), blank=True)
    details = models.TextField(_("details"), blank=True)
    url = models.CharField(_("URL"), max_length=500, blank=True)

    class Meta:
        verbose_name_plural = _("accessibility")

    def __str__(self) -> str:
        return self.description[:80]


class Funding(models.Model):
    """HSDS funding of an organization or service."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="funding"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True, related_name="funding")
    source = models.TextField(_("source"), blank=True)

    def __str__(self) -> str:
        return self.source[:80]


class OrganizationIdentifier(models.Model):
    """HSDS organization_identifier (company number, EIN...)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="identifiers")
    identifier_scheme = models.CharField(_("scheme"), max_length=100, blank=True)
    identifier_type = models.CharField(_("type"), max_length=200)
    identifier = models.CharField(_("identifier"), max_length=200)

    def __str__(self) -> str:
        return f"{self.identifier_type} {self.identifier}"


class Taxonomy(models.Model):
    """HSDS taxonomy (a vocabulary of terms)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    uri = models.CharField(_("URI"), max_length=500, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)

    class Meta:
        verbose_name_plural = _("taxonomies")

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """HSDS taxonomy_term; parent and taxonomy are ids, as files often name ones they do not contain."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("code"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"))
    parent_id = models.UUIDField(null=True, blank=True)
    taxonomy = models.CharField(_("taxonomy name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    taxonomy_id = models.UUIDField(null=True, blank=True)
    term_uri = models.CharField(_("URI"), max_length=500, blank=True)

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """HSDS attribute: links a taxonomy term (with an optional value) to any directory object.

    Attributes of our own taxonomy are not stored here but as Service fields (need categories,
    income limit, insurance); the exporter writes them back as attributes.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    link_id = models.UUIDField(db_index=True)
    taxonomy_term_id = models.UUIDField()
    link_type = models.CharField(max_length=200, blank=True)
    link_entity = models.CharField(max_length=50)
    value = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.link_entity} {self.link_id}: {self.taxonomy_term_id}"


class DirectoryImport(models.Model):
    """One run of the HSDS importer: who, what file, and the report of rejected rows."""

    class Status(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        IMPORTED_WITH_REJECTIONS = "partial", _("Imported, some rows rejected")
        FAILED = "failed", _("Nothing imported")

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    source_name = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices)
    # {"organizations": {"created": 1, "updated": 0, "rejected": 0}, ...}
    counts = models.JSONField(default=dict)
    # [{"table": "locations", "line": 2, "id": "...", "field": "latitude", "message": "..."}]
    problems = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.status})"


# --- Eligibility screener ---------------------------------------------------------------------


class PovertyGuideline(models.Model):
    """HHS federal poverty guideline by year and region: first person plus each additional person."""

    class Region(models.TextChoices):
        CONTIGUOUS = "contiguous", _("48 states and DC")
        ALASKA = "alaska", _("Alaska")
        HAWAII = "hawaii", _("Hawaii")

    year = models.PositiveSmallIntegerField(_("year"))
    region = models.CharField(_("region"), max_length=12, choices=Region.choices, default=Region.CONTIGUOUS)
    effective_from = models.DateField(_("in use from"))
    first_person = models.DecimalField(_("one person"), max_digits=10, decimal_places=2)
    each_additional_person = models.DecimalField(_("each additional person"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["-effective_from"]
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="poverty_guideline_year_region")]

    def __str__(self) -> str:
        return f"{self.year} ({self.get_region_display()})"

    def amount_for(self, household_size: int) -> Decimal:
        """The guideline for a household of that size (a year's income)."""
        return self.first_person + self.each_additional_person * max(household_size - 1, 0)


class BenefitProgram(models.Model):
    """A benefit the screener checks (SNAP, Medicaid expansion, ...); administrators add more."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The need a likely-eligible result suggests for the care plan.
    need_domain = models.CharField(_("need domain"), max_length=20, choices=NeedDomain.choices)
    # The directory category of services that help with it ("Find a service for this").
    need_category = models.ForeignKey(
        NeedCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="benefit_programs",
        verbose_name=_("need category"),
    )
    how_to_apply = models.TextField(_("how to apply"), blank=True)
    is_active = models.BooleanField(_("screened"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BenefitRule(models.Model):
    """A program's income test in force from a date: income ≤ limit % of the poverty guideline.

    Optional age band (Medicaid expansion: 19 to 64) and a condition the screener cannot know
    from the record (WIC: pregnant, postpartum or a child under 5), which turns an income pass
    into "needs more information".
    """

    program = models.ForeignKey(BenefitProgram, on_delete=models.CASCADE, related_name="rules")
    effective_from = models.DateField(_("in force from"))
    income_limit_percent_fpl = models.PositiveSmallIntegerField(
        _("income limit (% of poverty guideline)"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    other_condition = models.CharField(
        _("other condition to confirm"),
        max_length=300,
        blank=True,
        help_text=_("Something the record does not hold, e.g. 'pregnant, postpartum or a child under 5'."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["program", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["program", "effective_from"], name="benefit_rule_program_effective"),
        ]

    def __str__(self) -> str:
        return f"{self.program}: ≤ {self.income_limit_percent_fpl}% FPL from {self.effective_from}"

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day
