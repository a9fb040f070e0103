"""Open Referral HSDS 3.0: the table layout, reading (tabular package or JSON) and writing.

Reading turns any accepted shape into the same thing, `RawPackage`: rows per HSDS table, each
with where it came from (file and line, or JSON path), so the importer (`importer.py`) validates
and reports every row the same way whatever the format.

Accepted shapes:
- a tabular data package: a directory or a .zip with `datapackage.json` and one CSV per table;
- JSON: a list or a page (`{"contents": [...]}`) of `service_full` or `organization_full`
  objects, one such object, our own export, or the tabular layout as JSON (`{"services.csv": [...]}`).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from casework.directory import models as m

# HSDS 3.0 tables in dependency order, with their columns as the official example files have
# them (the order is the export's column order).
TABLES: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "organizations": (
        m.Organization,
        (
            "id",
            "name",
            "alternate_name",
            "description",
            "email",
            "website",
            "tax_status",
            "tax_id",
            "year_incorporated",
            "legal_status",
            "logo",
            "uri",
            "parent_organization_id",
        ),
    ),
    "programs": (m.Program, ("id", "organization_id", "name", "alternate_name", "description")),
    "taxonomies": (m.Taxonomy, ("id", "name", "description", "uri", "version")),
    "taxonomy_terms": (
        m.TaxonomyTerm,
        ("id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri"),
    ),
    "services": (
        m.Service,
        (
            "id",
            "organization_id",
            "program_id",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "interpretation_services",
            "application_process",
            "fees_description",
            "wait_time",
            "fees",
            "accreditations",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "assurer_email",
            "licenses",
            "alert",
            "last_modified",
        ),
    ),
    "locations": (
        m.Location,
        (
            "id",
            "location_type",
            "url",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ),
    ),
    "addresses": (
        m.Address,
        (
            "id",
            "location_id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
    ),
    "service_at_location": (m.ServiceAtLocation, ("id", "service_id", "location_id", "description")),
    "contacts": (
        m.Contact,
        (
            "id",
            "organization_id",
            "service_id",
            "service_at_location_id",
            "location_id",
            "name",
            "title",
            "department",
            "email",
        ),
    ),
    "phones": (
        m.Phone,
        (
            "id",
            "location_id",
            "service_id",
            "organization_id",
            "contact_id",
            "service_at_location_id",
            "number",
            "extension",
            "type",
            "description",
        ),
    ),
    "languages": (m.Language, ("id", "service_id", "location_id", "phone_id", "name", "code", "note")),
    "schedules": (
        m.Schedule,
        (
            "id",
            "service_id",
            "location_id",
            "service_at_location_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "timezone",
            "until",
            "count",
            "wkst",
            "freq",
            "interval",
            "byday",
            "byweekno",
            "bymonthday",
            "byyearday",
            "description",
            "opens_at",
            "closes_at",
            "schedule_link",
            "attending_type",
            "notes",
        ),
    ),
    "service_areas": (m.ServiceArea, ("id", "service_id", "name", "description", "extent", "extent_type", "uri")),
    "cost_options": (
        m.CostOption,
        ("id", "service_id", "valid_from", "valid_to", "option", "currency", "amount", "amount_description"),
    ),
    "required_documents": (m.RequiredDocument, ("id", "service_id", "document", "uri")),
    "accessibility": (m.Accessibility, ("id", "location_id", "description", "details", "url")),
    "funding": (m.Funding, ("id", "organization_id", "service_id", "source")),
    "organization_identifiers": (
        m.OrganizationIdentifier,
        ("id", "organization_id", "identifier_scheme", "identifier_type", "identifier"),
    ),
    "attributes": (m.Attribute, ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value")),
}

# HSDS tables we read but do not keep: change history and table descriptions.
IGNORED_TABLES = {"metadata", "meta_table_descriptions"}

TABLE_OF_MODEL: dict[type[models.Model], str] = {model: name for name, (model, _cols) in TABLES.items()}

# Our extension attributes (besides need categories), as taxonomy terms of our taxonomy.
INCOME_LIMIT_TERM_ID = uuid.uuid5(m.CASEWORK_TAXONOMY_NAMESPACE, "attribute:income-limit-percent-fpl")
INSURANCE_TERM_ID = uuid.uuid5(m.CASEWORK_TAXONOMY_NAMESPACE, "attribute:insurance-accepted")
CASEWORK_TAXONOMY_NAME = "casework-need-categories"


@dataclass
class RawRow:
    """One row as read, before validation: its values by HSDS column and where it came from."""

    table: str
    values: dict[str, Any]
    where: str  # "services.csv line 3" or "contents[0].phones[1]"
    line: int | None = None


@dataclass
class Problem:
    """Something wrong in the input: an `error` stops the whole import, a `rejected` row is left out."""

    severity: str  # "error" | "rejected" | "warning"
    where: str
    message: str
    table: str = ""
    row_id: str = ""
    column: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "where": self.where,
            "table": self.table,
            "id": self.row_id,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class RawPackage:
    """Everything read from the input, by table, plus structural problems found while reading."""

    rows: dict[str, list[RawRow]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    source_name: str = ""

    def add(self, row: RawRow) -> None:
        self.rows.setdefault(row.table, []).append(row)

    def error(self, where: str, message: str, **extra: str) -> None:
        self.problems.append(Problem("error", where, message, **extra))

    def warn(self, where: str, message: str, **extra: str) -> None:
        self.problems.append(Problem("warning", where, message, **extra))


# --- reading the tabular package -----------------------------------------------------------


class _Files:
    """The files of a package, in a directory or a zip (optionally inside one top folder)."""

    def __init__(self, names: dict[str, Any], reader: Any) -> None:
        self.names = names
        self.reader = reader

    def read(self, name: str) -> bytes | None:
        key = self.names.get(name)
        return None if key is None else self.reader(key)


def _files_of(source: Path | bytes) -> _Files:
    if isinstance(source, bytes) or (isinstance(source, Path) and source.suffix.lower() == ".zip"):
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        names = {Path(info.filename).name: info.filename for info in archive.infolist() if not info.is_dir()}
        return _Files(names, archive.read)
    return _Files({path.name: path for path in source.iterdir() if path.is_file()}, lambda path: path.read_bytes())


def read_tabular(source: Path | bytes, *, source_name: str = "") -> RawPackage:
    """Read a tabular data package (directory or zip bytes/path) into rows, with structural problems."""
    package = RawPackage(source_name=source_name or str(source if isinstance(source, Path) else "upload.zip"))
    try:
        files = _files_of(source)
    except zipfile.BadZipFile:
        package.error("upload", "The file is not a zip archive of a data package (datapackage.json and CSV files).")
        return package
    paths = {f"{name}.csv": name for name in [*TABLES, *IGNORED_TABLES]}
    descriptor_bytes = files.read("datapackage.json")
    if descriptor_bytes is None:
        package.error("datapackage.json", "The package has no datapackage.json.")
        return package
    try:
        descriptor = json.loads(descriptor_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        descriptor = None
    if isinstance(descriptor, dict) and isinstance(descriptor.get("resources"), list):
        for resource in descriptor["resources"]:
            if isinstance(resource, dict) and isinstance(resource.get("path"), str):
                name = str(resource.get("name") or Path(resource["path"]).stem)
                paths[Path(resource["path"]).name] = name
    else:
        # The official example ships datapackage.json as a link to a file outside the folder.
        package.warn(
            "datapackage.json",
            "datapackage.json is not a data package descriptor; the CSV files were read by their HSDS names.",
        )
    known = set(paths)
    for filename in sorted(files.names):
        if filename.lower().endswith(".csv") and filename not in known:
            package.warn(filename, f"{filename} is not an HSDS 3.0 table and was not read.")
    for filename, table in paths.items():
        if table not in TABLES and table not in IGNORED_TABLES:
            package.warn(filename, f"Resource '{table}' is not an HSDS 3.0 table and was not read.")
            continue
        data = files.read(filename)
        if data is None:
            continue
        if table in IGNORED_TABLES:
            package.warn(filename, f"{filename}: change history and table descriptions are not imported.")
            continue
        _read_csv(package, table, filename, data)
    return package


def _read_csv(package: RawPackage, table: str, filename: str, data: bytes) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        package.error(filename, f"{filename} is not UTF-8 text (byte {exc.start}).", table=table)
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        package.error(f"{filename} line 1", f"The header cannot be read: {exc}.", table=table)
        return
    if not header:
        package.warn(filename, f"{filename} is empty.", table=table)
        return
    header = [name.strip() for name in header]
    columns = TABLES[table][1]
    if "id" not in header:
        package.error(f"{filename} line 1", f"{filename} has no 'id' column.", table=table)
        return
    duplicates = {name for name in header if header.count(name) > 1}
    if duplicates:
        package.error(f"{filename} line 1", f"Column(s) {', '.join(sorted(duplicates))} appear twice.", table=table)
        return
    unknown = [name for name in header if name not in columns]
    if unknown:
        package.warn(f"{filename} line 1", f"Column(s) not in HSDS 3.0, ignored: {', '.join(unknown)}.", table=table)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            package.error(f"{filename} line {reader.line_num}", f"Broken CSV: {exc}.", table=table)
            return
        if not any(cell.strip() for cell in record):
            continue
        line = reader.line_num
        if len(record) != len(header):
            package.error(
                f"{filename} line {line}",
                f"Line has {len(record)} fields, the header has {len(header)}.",
                table=table,
            )
            continue
        values = {name: value for name, value in zip(header, record, strict=True) if name in columns}
        package.add(RawRow(table, values, f"{filename} line {line}", line))


# --- reading JSON ------------------------------------------------------------------------------

# Nested lists: (object kind, key) -> (table of the items, their kind, column set to the parent's id).
_CHILDREN: dict[tuple[str, str], tuple[str, str, str]] = {
    ("organization", "services"): ("services", "service", "organization_id"),
    ("organization", "programs"): ("programs", "program", "organization_id"),
    ("organization", "locations"): ("locations", "location", "organization_id"),
    ("organization", "phones"): ("phones", "phone", "organization_id"),
    ("organization", "contacts"): ("contacts", "contact", "organization_id"),
    ("organization", "funding"): ("funding", "funding", "organization_id"),
    ("organization", "organization_identifiers"): ("organization_identifiers", "identifier", "organization_id"),
    ("organization", "attributes"): ("attributes", "attribute", "link_id"),
    ("program", "services"): ("services", "service", "program_id"),
    ("service", "phones"): ("phones", "phone", "service_id"),
    ("service", "schedules"): ("schedules", "schedule", "service_id"),
    ("service", "service_areas"): ("service_areas", "service_area", "service_id"),
    ("service", "service_at_locations"): ("service_at_location", "service_at_location", "service_id"),
    ("service", "languages"): ("languages", "language", "service_id"),
    ("service", "funding"): ("funding", "funding", "service_id"),
    ("service", "cost_options"): ("cost_options", "cost_option", "service_id"),
    ("service", "required_documents"): ("required_documents", "required_document", "service_id"),
    ("service", "contacts"): ("contacts", "contact", "service_id"),
    ("service", "attributes"): ("attributes", "attribute", "link_id"),
    ("service_at_location", "phones"): ("phones", "phone", "service_at_location_id"),
    ("service_at_location", "schedules"): ("schedules", "schedule", "service_at_location_id"),
    ("service_at_location", "contacts"): ("contacts", "contact", "service_at_location_id"),
    ("location", "addresses"): ("addresses", "address", "location_id"),
    ("location", "phones"): ("phones", "phone", "location_id"),
    ("location", "schedules"): ("schedules", "schedule", "location_id"),
    ("location", "languages"): ("languages", "language", "location_id"),
    ("location", "accessibility"): ("accessibility", "accessibility", "location_id"),
    ("location", "contacts"): ("contacts", "contact", "location_id"),
    ("location", "attributes"): ("attributes", "attribute", "link_id"),
    ("contact", "phones"): ("phones", "phone", "contact_id"),
    ("phone", "languages"): ("languages", "language", "phone_id"),
}
# Nested single objects: (kind, key) -> (table, kind, column of *this* object holding its id).
_PARENTS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("service", "organization"): ("organizations", "organization", "organization_id"),
    ("service", "program"): ("programs", "program", "program_id"),
    ("service_at_location", "location"): ("locations", "location", "location_id"),
    ("service_at_location", "service"): ("services", "service", "service_id"),
    ("attribute", "taxonomy_term"): ("taxonomy_terms", "taxonomy_term", "taxonomy_term_id"),
    ("taxonomy_term", "taxonomy_detail"): ("taxonomies", "taxonomy", "taxonomy_id"),
}
_LINK_ENTITY = {"organization": "organization", "service": "service", "location": "location"}
_KIND_OF_TABLE = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "service_at_location": "service_at_location",
    "taxonomy_terms": "taxonomy_term",
    "taxonomies": "taxonomy",
}


class _JsonReader:
    def __init__(self, package: RawPackage) -> None:
        self.package = package
        # (table, id) -> row: the same object nested in several places is one row.
        self.seen: dict[tuple[str, str], RawRow] = {}

    def walk(self, obj: Any, table: str, kind: str, where: str, inherited: dict[str, Any]) -> str | None:
        if not isinstance(obj, dict):
            self.package.error(where, "Expected an object.", table=table)
            return None
        columns = TABLES[table][1]
        values: dict[str, Any] = {key: obj[key] for key in columns if key in obj}
        values.update(inherited)
        unknown = [
            key
            for key in obj
            if key not in columns and (kind, key) not in _CHILDREN and (kind, key) not in _PARENTS
            if key != "metadata"
        ]
        if unknown:
            self.package.warn(where, f"Field(s) not in HSDS 3.0, ignored: {', '.join(sorted(unknown))}.", table=table)
        for (owner_kind, nested), (parent_table, parent_kind, column) in _PARENTS.items():
            if owner_kind == kind and isinstance(obj.get(nested), dict):
                parent_id = self.walk(obj[nested], parent_table, parent_kind, f"{where}.{nested}", {})
                if parent_id is not None:
                    values.setdefault(column, parent_id)
        # A program nested in a service belongs to the service's organization.
        if kind == "service" and isinstance(obj.get("program"), dict) and values.get("organization_id"):
            program_row = self.seen.get(("programs", str(obj["program"].get("id"))))
            if program_row is not None:
                program_row.values.setdefault("organization_id", values["organization_id"])
        row_id = self._merge(RawRow(table, values, where))
        for (parent_kind, key), (child_table, child_kind, column) in _CHILDREN.items():
            if parent_kind != kind or key not in obj or obj[key] is None:
                continue
            items = obj[key]
            if not isinstance(items, list):
                self.package.error(f"{where}.{key}", "Expected a list.", table=child_table)
                continue
            extra: dict[str, Any] = {column: obj.get("id")}
            if child_table == "attributes":
                extra["link_entity"] = _LINK_ENTITY[kind]
            for index, item in enumerate(items):
                self.walk(item, child_table, child_kind, f"{where}.{key}[{index}]", extra)
        return row_id

    def _merge(self, row: RawRow) -> str | None:
        row_id = row.values.get("id")
        key = (row.table, str(row_id))
        if row_id in (None, ""):
            self.package.add(row)
            return None
        existing = self.seen.get(key)
        if existing is None:
            self.seen[key] = row
            self.package.add(row)
        else:
            for column, value in row.values.items():
                if existing.values.get(column) in (None, ""):
                    existing.values[column] = value
        return str(row_id)


def read_json(data: bytes | str | Any, *, source_name: str = "upload.json") -> RawPackage:
    """Read HSDS JSON (see the module docstring for the shapes accepted) into rows."""
    package = RawPackage(source_name=source_name)
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            package.error(f"line {line}" if line else "upload", f"The file is not valid JSON: {exc}.")
            return package
    reader = _JsonReader(package)
    if isinstance(data, dict) and any(str(key).endswith(".csv") for key in data):
        # The tabular layout as JSON (the specification's tabular.json).
        for key, rows in data.items():
            table = str(key).removesuffix(".csv")
            if table in IGNORED_TABLES:
                continue
            if table not in TABLES or not isinstance(rows, list):
                package.warn(str(key), f"{key} is not an HSDS 3.0 table and was not read.")
                continue
            for index, values in enumerate(rows):
                if not isinstance(values, dict):
                    package.error(f"{key}[{index}]", "Expected an object.", table=table)
                    continue
                columns = TABLES[table][1]
                package.add(RawRow(table, {c: values[c] for c in columns if c in values}, f"{key}[{index}]", index + 1))
        return package
    if isinstance(data, dict):
        for table in ("taxonomies", "taxonomy_terms"):
            for index, values in enumerate(data.get(table) or []):
                if isinstance(values, dict):
                    reader.walk(values, table, _KIND_OF_TABLE[table], f"{table}[{index}]", {})
    items: Any = data
    prefix = ""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        items, prefix = data["contents"], "contents"
    elif isinstance(data, dict):
        items = [data]
    if not isinstance(items, list):
        package.error("upload", "Expected HSDS objects (a list, a page with 'contents', or one object).")
        return package
    for index, obj in enumerate(items):
        where = f"{prefix}[{index}]"
        if not isinstance(obj, dict):
            package.error(where, "Expected an object.")
            continue
        kind, table = _kind_of(obj)
        if kind is None:
            package.error(where, "Not an HSDS organization, service, location or service_at_location object.")
            continue
        reader.walk(obj, table, kind, where, {})
    return package


def _kind_of(obj: dict[str, Any]) -> tuple[str | None, str]:
    if "services" in obj or "organization_identifiers" in obj or "year_incorporated" in obj:
        return "organization", "organizations"
    if "organization" in obj or "service_at_locations" in obj or "status" in obj:
        return "service", "services"
    if "location" in obj and "service" in obj:
        return "service_at_location", "service_at_location"
    if "location_type" in obj:
        return "location", "locations"
    return None, ""


def iter_rows(package: RawPackage) -> Iterator[RawRow]:
    """Rows of every table in dependency order."""
    for table in TABLES:
        yield from package.rows.get(table, [])


# --- writing ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.replace("+00:00", "Z")
    return str(value)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    return _text(value)


def datapackage_descriptor() -> dict[str, Any]:
    """A Frictionless tabular data package descriptor for our export."""
    types = {
        models.IntegerField: "integer",
        models.PositiveIntegerField: "integer",
        models.PositiveSmallIntegerField: "integer",
        models.FloatField: "number",
        models.DecimalField: "number",
        models.DateField: "date",
        models.DateTimeField: "datetime",
        models.TimeField: "time",
    }
    resources = []
    for table, (model, columns) in TABLES.items():
        fields = []
        for column in columns:
            model_field = column_field(model, column)
            fields.append({"name": column, "type": types.get(type(model_field), "string")})
        resources.append(
            {
                "name": table,
                "path": f"{table}.csv",
                "profile": "tabular-data-resource",
                "schema": {"fields": fields, "primaryKey": "id"},
            }
        )
    return {
        "name": "casework-directory",
        "title": "Casework resource directory (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package",
        "resources": resources,
    }


def export_rows(*, batch_size: int = 2000) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every directory row as (table, {column: value}), our extension fields as attributes."""
    for table, (model, columns) in TABLES.items():
        attnames = [_attname(model, column) for column in columns]
        if table == "taxonomies":
            yield table, _casework_taxonomy()
        if table == "taxonomy_terms":
            yield from ((table, row) for row in _casework_terms())
        queryset = model._default_manager.order_by("pk").values_list(*attnames)
        for values in queryset.iterator(chunk_size=batch_size):
            yield table, dict(zip(columns, values, strict=True))
        if table == "attributes":
            yield from ((table, row) for row in _extension_attributes())


def column_field(model: type[models.Model], column: str) -> Any:
    """The model field behind an HSDS column ("organization_id" -> the organization foreign key)."""
    try:
        return model._meta.get_field(column)
    except FieldDoesNotExist:
        return model._meta.get_field(column.removesuffix("_id"))


def _attname(model: type[models.Model], column: str) -> str:
    return str(column_field(model, column).attname)


def _casework_taxonomy() -> dict[str, Any]:
    return {
        "id": m.CASEWORK_TAXONOMY_ID,
        "name": CASEWORK_TAXONOMY_NAME,
        "description": "Casework's open need categories and eligibility attributes.",
        "uri": "",
        "version": "1",
    }


def _casework_terms() -> Iterator[dict[str, Any]]:
    base = {"parent_id": None, "taxonomy": CASEWORK_TAXONOMY_NAME, "language": "en", "term_uri": ""}
    for category in m.NeedCategory.objects.order_by("sort_order", "code"):
        yield {
            "id": category.term_id,
            "code": category.code,
            "name": category.name,
            "description": category.description or category.name,
            "taxonomy_id": m.CASEWORK_TAXONOMY_ID,
            **base,
        }
    yield {
        "id": INCOME_LIMIT_TERM_ID,
        "code": "income-limit-percent-fpl",
        "name": "Income limit",
        "description": "Household income limit as a percentage of the federal poverty guideline (value).",
        "taxonomy_id": m.CASEWORK_TAXONOMY_ID,
        **base,
    }
    yield {
        "id": INSURANCE_TERM_ID,
        "code": "insurance-accepted",
        "name": "Insurance accepted",
        "description": "Comma-separated kinds of coverage accepted: none, medicaid, medicare, private, va, other.",
        "taxonomy_id": m.CASEWORK_TAXONOMY_ID,
        **base,
    }


def casework_term_ids() -> dict[uuid.UUID, str]:
    """Our taxonomy terms' ids -> need category code, or the extension attribute's code."""
    ids = {category.term_id: category.code for category in m.NeedCategory.objects.all()}
    ids[INCOME_LIMIT_TERM_ID] = "income-limit-percent-fpl"
    ids[INSURANCE_TERM_ID] = "insurance-accepted"
    return ids


def _extension_attributes() -> Iterator[dict[str, Any]]:
    def attribute(service_id: uuid.UUID, term_id: uuid.UUID, value: str) -> dict[str, Any]:
        return {
            "id": uuid.uuid5(m.CASEWORK_TAXONOMY_NAMESPACE, f"{service_id}:{term_id}"),
            "link_id": service_id,
            "taxonomy_term_id": term_id,
            "link_type": "",
            "link_entity": "service",
            "value": value,
        }

    codes = dict(m.NeedCategory.objects.values_list("pk", "code"))
    through = m.Service.need_categories.through.objects.order_by("service_id", "needcategory_id")
    for service_id, category_id in through.values_list("service_id", "needcategory_id").iterator(chunk_size=5000):
        term_id = uuid.uuid5(m.CASEWORK_TAXONOMY_NAMESPACE, f"need-category:{codes[category_id]}")
        yield attribute(service_id, term_id, "")
    extended = (
        m.Service.objects.exclude(income_limit_percent_fpl__isnull=True, insurance_accepted="")
        .order_by("pk")
        .values_list("pk", "income_limit_percent_fpl", "insurance_accepted")
    )
    for service_id, income_limit, insurance in extended.iterator(chunk_size=5000):
        if income_limit is not None:
            yield attribute(service_id, INCOME_LIMIT_TERM_ID, str(income_limit))
        if insurance:
            yield attribute(service_id, INSURANCE_TERM_ID, insurance)


def export_tabular() -> dict[str, bytes]:
    """The directory as a tabular data package: {filename: content}, datapackage.json included."""
    buffers: dict[str, io.StringIO] = {}
    writers: dict[str, Any] = {}
    for table, (_model, columns) in TABLES.items():
        buffers[table] = io.StringIO(newline="")
        writers[table] = csv.writer(buffers[table], lineterminator="\r\n")
        writers[table].writerow(columns)
    for table, row in export_rows():
        writers[table].writerow([_text(row[column]) for column in TABLES[table][1]])
    files = {f"{table}.csv": buffer.getvalue().encode("utf-8") for table, buffer in buffers.items()}
    files["datapackage.json"] = json.dumps(datapackage_descriptor(), indent=2).encode("utf-8")
    return files


def export_zip() -> bytes:
    """The tabular data package as a zip archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in export_tabular().items():
            archive.writestr(name, content)
    return out.getvalue()


def export_json() -> dict[str, Any]:
    """The directory as HSDS JSON: a page of organization_full objects with their services nested.

    Taxonomies and terms are listed beside the page; an attribute whose link_id names no
    organization, service or location has nowhere to go in JSON and is left out.
    """
    tables: dict[str, list[dict[str, Any]]] = {}
    for table, row in export_rows():
        tables.setdefault(table, []).append({key: _json_value(value) for key, value in row.items()})

    def by(table: str, column: str) -> dict[Any, list[dict[str, Any]]]:
        index: dict[Any, list[dict[str, Any]]] = {}
        for row in tables.get(table, []):
            if row.get(column) is not None:
                index.setdefault(row[column], []).append(row)
        return index

    def strip(row: dict[str, Any], *columns: str) -> dict[str, Any]:
        return {key: value for key, value in row.items() if key not in columns}

    fk_columns = (
        "organization_id",
        "service_id",
        "location_id",
        "service_at_location_id",
        "contact_id",
        "phone_id",
        "program_id",
    )
    terms = {row["id"]: row for row in tables.get("taxonomy_terms", [])}
    taxonomies = {row["id"]: row for row in tables.get("taxonomies", [])}
    languages_by_phone = by("languages", "phone_id")
    phones_of = {column: by("phones", column) for column in fk_columns}
    contacts_of = {column: by("contacts", column) for column in fk_columns}

    def phone_json(row: dict[str, Any]) -> dict[str, Any]:
        return {
            **strip(row, *fk_columns),
            "languages": [strip(lang, *fk_columns) for lang in languages_by_phone.get(row["id"], [])],
        }

    def contact_json(row: dict[str, Any]) -> dict[str, Any]:
        return {
            **strip(row, *fk_columns),
            "phones": [phone_json(p) for p in phones_of["contact_id"].get(row["id"], [])],
        }

    def attribute_json(row: dict[str, Any]) -> dict[str, Any]:
        term = dict(terms.get(row["taxonomy_term_id"], {"id": row["taxonomy_term_id"]}))
        if term.get("taxonomy_id") in taxonomies:
            term["taxonomy_detail"] = taxonomies[term["taxonomy_id"]]
        return {**strip(row, "link_id", "taxonomy_term_id"), "taxonomy_term": term}

    attributes_of = by("attributes", "link_id")
    addresses = by("addresses", "location_id")
    accessibility = by("accessibility", "location_id")
    schedules_of = {column: by("schedules", column) for column in fk_columns}
    languages_of = {column: by("languages", column) for column in fk_columns}

    def location_json(row: dict[str, Any]) -> dict[str, Any]:
        key = row["id"]
        return {
            **strip(row, "organization_id"),
            "addresses": [strip(a, "location_id") for a in addresses.get(key, [])],
            "phones": [phone_json(p) for p in phones_of["location_id"].get(key, [])],
            "schedules": [strip(s, *fk_columns) for s in schedules_of["location_id"].get(key, [])],
            "languages": [strip(lang, *fk_columns) for lang in languages_of["location_id"].get(key, [])],
            "accessibility": [strip(a, "location_id") for a in accessibility.get(key, [])],
            "contacts": [contact_json(c) for c in contacts_of["location_id"].get(key, [])],
            "attributes": [attribute_json(a) for a in attributes_of.get(key, [])],
        }

    locations = {row["id"]: row for row in tables.get("locations", [])}
    programs = {row["id"]: row for row in tables.get("programs", [])}
    sal_by_service = by("service_at_location", "service_id")
    simple_children = {
        key: by(key, "service_id") for key in ("service_areas", "cost_options", "required_documents", "funding")
    }

    def service_json(row: dict[str, Any]) -> dict[str, Any]:
        key = row["id"]
        program = programs.get(row.get("program_id"))
        return {
            **strip(row, "organization_id", "program_id"),
            "program": strip(program, "organization_id") if program else None,
            "phones": [phone_json(p) for p in phones_of["service_id"].get(key, [])],
            "schedules": [strip(s, *fk_columns) for s in schedules_of["service_id"].get(key, [])],
            "languages": [strip(lang, *fk_columns) for lang in languages_of["service_id"].get(key, [])],
            "contacts": [contact_json(c) for c in contacts_of["service_id"].get(key, [])],
            "attributes": [attribute_json(a) for a in attributes_of.get(key, [])],
            **{
                name: [strip(child, *fk_columns) for child in index.get(key, [])]
                for name, index in simple_children.items()
            },
            "service_at_locations": [
                {
                    **strip(sal, "service_id", "location_id"),
                    "location": location_json(locations[sal["location_id"]]),
                    "phones": [phone_json(p) for p in phones_of["service_at_location_id"].get(sal["id"], [])],
                    "schedules": [
                        strip(s, *fk_columns) for s in schedules_of["service_at_location_id"].get(sal["id"], [])
                    ],
                    "contacts": [contact_json(c) for c in contacts_of["service_at_location_id"].get(sal["id"], [])],
                }
                for sal in sal_by_service.get(key, [])
            ],
        }

    services_by_org = by("services", "organization_id")
    programs_by_org = by("programs", "organization_id")
    locations_by_org = by("locations", "organization_id")
    funding_by_org = by("funding", "organization_id")
    identifiers_by_org = by("organization_identifiers", "organization_id")
    contents = []
    for org in tables.get("organizations", []):
        key = org["id"]
        contents.append(
            {
                **org,
                "programs": [strip(p, "organization_id") for p in programs_by_org.get(key, [])],
                "services": [service_json(s) for s in services_by_org.get(key, [])],
                "locations": [location_json(loc) for loc in locations_by_org.get(key, [])],
                "phones": [phone_json(p) for p in phones_of["organization_id"].get(key, [])],
                "contacts": [contact_json(c) for c in contacts_of["organization_id"].get(key, [])],
                "funding": [strip(f, *fk_columns) for f in funding_by_org.get(key, [])],
                "organization_identifiers": [strip(i, "organization_id") for i in identifiers_by_org.get(key, [])],
                "attributes": [attribute_json(a) for a in attributes_of.get(key, [])],
            }
        )
    return {
        # Vocabularies travel beside the objects; attributes ride on the object they describe.
        "taxonomies": [row for row in tables.get("taxonomies", [])],
        "taxonomy_terms": [row for row in tables.get("taxonomy_terms", [])],
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def rows_by_table(rows: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for table, row in rows:
        out.setdefault(table, []).append(row)
    return out
