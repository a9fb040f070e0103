"""Validate an HSDS package row by row and write what is valid, in one transaction.

Rules:
- a structural problem (unreadable file, CSV with a broken line, no id column) is an `error`:
  nothing is imported, every such line is reported;
- a row with a bad value (an id that is not a UUID, latitude 100, a missing required field) is
  `rejected` with the reason; rows that need it (an address of a rejected location) are
  rejected too, so what is imported stays consistent; an optional link to a row that exists
  nowhere is dropped with a `warning`;
- `strict=True` imports nothing if any row is rejected;
- rows are created or updated by their HSDS id, so importing the same package twice changes
  nothing the second time.
"""

from __future__ import annotations

import re
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from casework.clients.models import Insurance
from casework.directory import derived, hsds
from casework.directory import models as m

BATCH = 1000
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_DAYS = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
_FREQS = {"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"}


@dataclass
class ImportResult:
    """What an import did: counts per table and every problem found."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[hsds.Problem] = field(default_factory=list)
    written: bool = False

    @property
    def errors(self) -> list[hsds.Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def rejected(self) -> list[hsds.Problem]:
        return [p for p in self.problems if p.severity == "rejected"]

    def count(self, table: str, key: str, n: int = 1) -> None:
        self.counts.setdefault(table, {"created": 0, "updated": 0, "rejected": 0})[key] += n


class _RowRejected(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _messages(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


def convert(model_field: models.Field[Any, Any], raw: Any, column: str) -> Any:
    """One cell to the model field's value, or _RowRejected with the reason."""
    if raw is None:
        raw = ""
    if isinstance(model_field, models.CharField | models.TextField):
        value = raw if isinstance(raw, str) else str(raw)
        if value.strip() == "":
            if not model_field.blank:
                raise _RowRejected(column, f"{column} is required.")
            return ""
        try:
            model_field.run_validators(value)
        except ValidationError as exc:
            raise _RowRejected(column, f"{column}: {_messages(exc)}") from exc
        if model_field.choices and value not in {choice for choice, _label in model_field.flatchoices}:
            allowed = ", ".join(str(choice) for choice, _label in model_field.flatchoices)
            raise _RowRejected(column, f"{column} '{value}' is not one of: {allowed}.")
        return value
    if isinstance(raw, str):
        raw = raw.strip()
    if raw == "":
        if not model_field.null:
            raise _RowRejected(column, f"{column} is required.")
        return None
    if isinstance(model_field, models.ForeignKey):
        model_field = model_field.target_field
    try:
        value = model_field.to_python(raw)
        model_field.run_validators(value)
    except ValidationError as exc:
        raise _RowRejected(column, f"{column}: {_messages(exc)}") from exc
    if isinstance(model_field, models.DateTimeField) and value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def valid_timezone(value: str) -> bool:
    """An IANA zone name, or a UTC offset in hours as the HSDS 3.0 schema has it."""
    try:
        offset = float(value)
    except ValueError:
        pass
    else:
        return -12 <= offset <= 14
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_row(table: str, values: dict[str, Any]) -> None:
    """Checks across columns, beyond each field's own validators."""
    if table == "locations" and (values.get("latitude") is None) != (values.get("longitude") is None):
        raise _RowRejected("latitude", "latitude and longitude go together: give both or neither.")
    if table == "services":
        low, high = values.get("minimum_age"), values.get("maximum_age")
        if low is not None and high is not None and low > high:
            raise _RowRejected("minimum_age", f"minimum_age {low} is above maximum_age {high}.")
    if table == "schedules":
        if values.get("timezone") and not valid_timezone(values["timezone"]):
            raise _RowRejected(
                "timezone", f"timezone '{values['timezone']}' is neither a time zone name nor a UTC offset."
            )
        if values.get("freq") and values["freq"].upper() not in _FREQS:
            raise _RowRejected("freq", f"freq '{values['freq']}' is not an iCalendar frequency (WEEKLY, MONTHLY...).")
        for day in filter(None, (part.strip() for part in (values.get("byday") or "").split(","))):
            if not _BYDAY.match(day.upper()):
                raise _RowRejected("byday", f"byday '{day}' is not a day (MO, TU, WE, TH, FR, SA, SU).")
        if values.get("wkst") and values["wkst"].upper() not in _DAYS:
            raise _RowRejected("wkst", f"wkst '{values['wkst']}' is not a day (MO ... SU).")
        opens, closes = values.get("opens_at"), values.get("closes_at")
        if opens is not None and closes is not None and opens == closes:
            raise _RowRejected("closes_at", "opens_at and closes_at are the same time.")


class Importer:
    """Validates a RawPackage and writes it (see the module docstring)."""

    def __init__(self, package: hsds.RawPackage, *, progress: Callable[[int], None] | None = None) -> None:
        self.package = package
        self.result = ImportResult(problems=list(package.problems))
        self.progress = progress or (lambda n: None)
        self.accepted: dict[str, dict[uuid.UUID, dict[str, Any]]] = {table: {} for table in hsds.TABLES}
        self.rejected_ids: dict[str, set[uuid.UUID]] = {table: set() for table in hsds.TABLES}
        self.casework_terms = hsds.casework_term_ids()
        # service id -> {"categories": set, "income": int | None, "insurance": str}
        self.extensions: dict[uuid.UUID, dict[str, Any]] = {}
        self._known_in_db: dict[str, set[uuid.UUID]] = {table: set() for table in hsds.TABLES}

    def total_rows(self) -> int:
        return sum(len(rows) for rows in self.package.rows.values())

    # --- validation ---------------------------------------------------------------------
    def validate(self) -> None:
        for table, (model, columns) in hsds.TABLES.items():
            rows = self.package.rows.get(table, [])
            self._prefetch_known(table, model, rows)
            for row in rows:
                self._validate_row(table, model, columns, row)
                self.progress(1)

    def _prefetch_known(self, table: str, model: type[models.Model], rows: list[hsds.RawRow]) -> None:
        """Which referenced ids outside the package already exist in the database (few queries)."""
        for column in hsds.TABLES[table][1]:
            if column == "id" or not column.endswith("_id"):
                continue
            model_field = hsds.column_field(model, column)
            if not isinstance(model_field, models.ForeignKey):
                continue
            target_table = hsds.TABLE_OF_MODEL[model_field.related_model]  # type: ignore[index]
            wanted = set()
            for row in rows:
                try:
                    wanted.add(uuid.UUID(str(row.values.get(column))))
                except ValueError:
                    continue
            wanted -= set(self.accepted[target_table]) | self._known_in_db[target_table]
            target_model = hsds.TABLES[target_table][0]
            pending = list(wanted)
            for start in range(0, len(pending), BATCH):
                found = target_model._default_manager.filter(pk__in=pending[start : start + BATCH])
                self._known_in_db[target_table].update(found.values_list("pk", flat=True))

    def _reject(self, table: str, row: hsds.RawRow, row_id: str, column: str, message: str) -> None:
        self.result.problems.append(hsds.Problem("rejected", row.where, message, table, row_id, column))
        self.result.count(table, "rejected")

    def _validate_row(self, table: str, model: type[models.Model], columns: tuple[str, ...], row: hsds.RawRow) -> None:
        raw_id = row.values.get("id")
        try:
            row_id = uuid.UUID(str(raw_id).strip())
        except ValueError:
            self._reject(table, row, str(raw_id or ""), "id", f"id '{raw_id or ''}' is not a UUID.")
            return
        if row_id in self.accepted[table] or row_id in self.rejected_ids[table]:
            self._reject(table, row, str(row_id), "id", f"id {row_id} appears twice in {table}.")
            return
        if table == "taxonomies" and row_id == m.CASEWORK_TAXONOMY_ID:
            return  # ours: shipped with the code
        if table == "taxonomy_terms" and row_id in self.casework_terms:
            return
        values: dict[str, Any] = {"id": row_id}
        try:
            for column in columns:
                if column == "id" or (column not in row.values and hsds.column_field(model, column).blank):
                    continue
                model_field = hsds.column_field(model, column)
                value = convert(model_field, row.values.get(column), column)
                if isinstance(model_field, models.ForeignKey) and value is not None:
                    value = self._resolve(table, row, model_field, column, value)
                values[hsds.column_field(model, column).attname] = value
            _check_row(table, {column: values.get(hsds.column_field(model, column).attname) for column in columns})
            if table == "attributes" and self._take_extension(values):
                return
        except _RowRejected as exc:
            self.rejected_ids[table].add(row_id)
            self._reject(table, row, str(row_id), exc.column, exc.message)
            return
        if table == "service_areas":
            values["kind"], values["value"] = derived.service_area_key(
                name=values.get("name") or "",
                extent=values.get("extent") or "",
                extent_type=values.get("extent_type") or "",
            )
        self.accepted[table][row_id] = values

    def _resolve(
        self, table: str, row: hsds.RawRow, model_field: models.ForeignKey[Any, Any], column: str, value: uuid.UUID
    ) -> uuid.UUID | None:
        target_table = hsds.TABLE_OF_MODEL[model_field.related_model]  # type: ignore[index]
        if value in self.accepted[target_table] or value in self._known_in_db[target_table]:
            return value
        why = "was rejected" if value in self.rejected_ids[target_table] else "is not in the package or the directory"
        if not model_field.null:
            raise _RowRejected(column, f"{column} {value}: that {target_table} row {why}.")
        self.result.problems.append(
            hsds.Problem(
                "warning",
                row.where,
                f"{column} {value}: that {target_table} row {why}; link dropped.",
                table,
                str(row.values.get("id")),
                column,
            )
        )
        return None

    def _take_extension(self, values: dict[str, Any]) -> bool:
        """Our own attributes become service fields; True when the row was one of them."""
        code = self.casework_terms.get(values["taxonomy_term_id"])
        if code is None:
            return False
        if values.get("link_entity") != "service":
            raise _RowRejected("link_entity", f"Casework attribute '{code}' applies to services only.")
        service_id = values["link_id"]
        if service_id not in self.accepted["services"] and service_id not in self._service_ids_in_db({service_id}):
            raise _RowRejected("link_id", f"link_id {service_id}: that service is not in the package or the directory.")
        extension = self.extensions.setdefault(service_id, {"categories": set(), "income": None, "insurance": None})
        value = (values.get("value") or "").strip()
        if code == "income-limit-percent-fpl":
            if not value.isdigit() or not 1 <= int(value) <= 1000:
                raise _RowRejected("value", f"Income limit '{value}' is not a percentage between 1 and 1000.")
            extension["income"] = int(value)
        elif code == "insurance-accepted":
            kinds = [part.strip() for part in value.split(",") if part.strip()]
            unknown = [kind for kind in kinds if kind not in Insurance.values]
            if unknown:
                raise _RowRejected(
                    "value", f"Insurance '{', '.join(unknown)}' is not one of {', '.join(Insurance.values)}."
                )
            extension["insurance"] = ",".join(kinds)
        else:
            extension["categories"].add(code)
        return True

    def _service_ids_in_db(self, ids: set[uuid.UUID]) -> set[uuid.UUID]:
        missing = ids - self._known_in_db["services"]
        if missing:
            self._known_in_db["services"].update(m.Service.objects.filter(pk__in=missing).values_list("pk", flat=True))
        return ids & self._known_in_db["services"]

    # --- writing -------------------------------------------------------------------------
    def write(self) -> None:
        now = timezone.now()
        for table, (model, _columns) in hsds.TABLES.items():
            rows = self.accepted[table]
            if not rows:
                continue
            ids = list(rows)
            existing: set[uuid.UUID] = set()
            for start in range(0, len(ids), BATCH):
                existing.update(
                    model._default_manager.filter(pk__in=ids[start : start + BATCH]).values_list("pk", flat=True)
                )
            new = [model(**values) for key, values in rows.items() if key not in existing]
            for obj in new:
                if hasattr(obj, "updated_at"):
                    obj.updated_at = now  # type: ignore[attr-defined]
            model._default_manager.bulk_create(new, batch_size=BATCH)
            self.result.count(table, "created", len(new))
            # Update by groups of the same columns (JSON objects need not all carry every field).
            groups: dict[tuple[str, ...], list[models.Model]] = {}
            for key, values in rows.items():
                if key in existing:
                    names = tuple(sorted(name for name in values if name != "id"))
                    groups.setdefault(names, []).append(model(**values))
            updated = 0
            for names, objs in groups.items():
                fields = list(names)
                if hasattr(model, "updated_at"):
                    for obj in objs:
                        obj.updated_at = now  # type: ignore[attr-defined]
                    fields.append("updated_at")
                if fields:
                    model._default_manager.bulk_update(objs, fields, batch_size=BATCH)
                updated += len(objs)
            self.result.count(table, "updated", updated)
        self._write_extensions()
        touched = set(self.accepted["services"])
        for table in ("languages", "cost_options"):
            touched.update(values["service_id"] for values in self.accepted[table].values() if values.get("service_id"))
        for table in ("service_at_location",):
            touched.update(values["service_id"] for values in self.accepted[table].values())
        touched.update(self.extensions)
        derived.refresh_services(touched)
        self.result.written = True

    def _write_extensions(self) -> None:
        if not self.extensions:
            return
        categories = dict(m.NeedCategory.objects.values_list("code", "pk"))
        through = m.Service.need_categories.through
        ids = list(self.extensions)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            through.objects.filter(service_id__in=chunk).delete()
            through.objects.bulk_create(
                [
                    through(service_id=service_id, needcategory_id=categories[code])
                    for service_id in chunk
                    for code in sorted(self.extensions[service_id]["categories"])
                ]
            )
            services = list(m.Service.objects.filter(pk__in=chunk).only("pk"))
            for service in services:
                extension = self.extensions[service.pk]
                service.income_limit_percent_fpl = extension["income"]
                service.insurance_accepted = extension["insurance"] or ""
            m.Service.objects.bulk_update(services, ["income_limit_percent_fpl", "insurance_accepted"])


def run_import(
    package: hsds.RawPackage, *, strict: bool = False, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Validate and (unless the package is malformed, or strict and something was rejected) write."""
    importer = Importer(package, progress=progress)
    if importer.result.errors:
        return importer.result
    with transaction.atomic():
        importer.validate()
        if importer.result.errors or (strict and importer.result.rejected):
            return importer.result
        importer.write()
    return importer.result
