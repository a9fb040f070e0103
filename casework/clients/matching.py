"""Probabilistic client matching (Fellegi–Sunter): is this person already registered?

A lookup has three steps:

1. **Blocking**: a handful of indexed queries on the stored search keys (name sound codes,
   date of birth and its likely typos, phone, e-mail, SSN last four, identifiers), each
   capped, gather at most a few hundred candidate ids of the agency, never the table.
2. **Comparison**: each field of the query is compared with the candidate's and lands on an
   agreement level (same, nickname, sounds alike, typo, different...). A missing field on
   either side is neutral.
3. **Weights**: each level carries a log-likelihood weight log2(m/u) (m: how often true
   matches show that level, u: how often different people do); an exact name's u is the
   share of clients carrying that name. Their sum plus the prior odds (one person among the
   register's N clients) gives the match probability; the agency's MatchSettings cut it into
   the bands "certain", "possible" and "unlikely".

The same engine serves the intake panel, the API and the benchmark's evaluation set.
"""

from __future__ import annotations

import datetime
import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Field
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz.distance import OSA, JaroWinkler

from casework.accounts.models import User
from casework.clients.models import Client, ClientIdentifier, MatchSettings, NameCount, Sex
from casework.core import text
from casework.core.errors import ValidationFailed

# --- Limits ---------------------------------------------------------------------------------

MAX_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 254
MAX_IDENTIFIERS = 10
MAX_IDENTIFIER_LENGTH = 40
# Each blocking query returns at most this many ids; a lookup scores at most a few hundred.
BLOCK_LIMIT = 150
# A name-sound block the agency's name counts say is bigger than this (a common name: "John
# Smith" at a million clients) is narrowed to the birth year +/- 1 when a date of birth is
# typed, so that it stops filling the cap with namesakes born decades apart. Slipped dates
# further off are found by the date-of-birth blocks (exact and likely typos, with a name sound).
COMMON_BLOCK = 50
# The scan stores the name-sound counts from this size up (smaller blocks are never narrowed).
COMMON_SOUND_MIN = 10
RESULT_LIMIT = 10
# Users are not shown candidates below this probability (the engine still ranks them).
SHOW_FLOOR = 0.01

CERTAIN = "certain"
POSSIBLE = "possible"
UNLIKELY = "unlikely"
BAND_LABELS = {
    CERTAIN: gettext_lazy("Certain match"),
    POSSIBLE: gettext_lazy("Possible match"),
    UNLIKELY: gettext_lazy("Unlikely match"),
}

# --- Weights --------------------------------------------------------------------------------
# log2(m/u) per agreement level. Tuned on the labelled evaluation set of bench/match_eval.py
# (see bench/README.md): a different first name or date of birth must outweigh a shared
# surname, address and phone, or twins and a parent and child would be taken for one person.

# The prior odds that a candidate is the person looked up fall as the register grows: one
# true record among N. PRIOR_OFFSET calibrates log2(1/N) for what blocking already did.
PRIOR_OFFSET = 1.3
# Exact name agreement weighs log2(m / u) with u the share of clients carrying that name:
# "Smith" says less than "Venber". m: how often a true match has the name exactly as typed.
M_EXACT = {"first_name": 0.85, "last_name": 0.9}
# Name counts are capped (the index range is walked, not the table); the population is
# counted once in a while.
NAME_COUNT_CAP = 5000
POPULATION_SECONDS = 600
# Below this size a register is weighed as if it had this many clients: in a small agency a
# first name alone must not become a "certain" match (the weights were calibrated here).
MIN_POPULATION = 20_000
# Used where no population is known (comparisons outside a lookup, e.g. in tests).
PRIOR = -13.0
WEIGHTS: dict[str, dict[str, float]] = {
    "first_name": {
        "exact": 6.5,
        "nickname": 5.0,
        "sound": 4.5,
        "typo": 4.0,
        "initial": 0.5,
        "similar": -3.0,
        "different": -17.0,
    },
    "last_name": {
        "exact": 8.0,
        "compound": 6.5,
        "sound": 6.5,
        "typo": 6.0,
        "similar": 0.0,
        "different": -10.0,
    },
    "date_of_birth": {"exact": 11.0, "transposed": 7.0, "near": 3.5, "year_digit": -4.0, "different": -25.0},
    "sex": {"exact": 0.5, "different": -5.0},
    "phone": {"exact": 8.0, "different": -1.5},
    "email": {"exact": 9.0, "different": -0.5},
    "postal_code": {"exact": 1.0, "different": -1.0},
    "ssn_last4": {"exact": 8.0, "different": -9.0},
    "identifier": {"exact": 13.0},
}
SWAPPED_NAMES_PENALTY = 1.0
HOUSEHOLD_FIELDS = {"last_name", "phone", "postal_code", "email"}
# Evidence that can stand alone; otherwise a candidate needs two agreeing fields to be more
# than "unlikely" (a first name alone never is).
STRONG_FIELDS = {"identifier"}

_REASONS: dict[tuple[str, str], Any] = {
    ("first_name", "exact"): gettext_lazy("same first name"),
    ("first_name", "nickname"): gettext_lazy("first name is a common nickname"),
    ("first_name", "sound"): gettext_lazy("first name sounds alike"),
    ("first_name", "typo"): gettext_lazy("first name spelled similarly"),
    ("first_name", "initial"): gettext_lazy("same first initial"),
    ("first_name", "similar"): gettext_lazy("first name only loosely alike"),
    ("first_name", "different"): gettext_lazy("different first name"),
    ("last_name", "exact"): gettext_lazy("same last name"),
    ("last_name", "compound"): gettext_lazy("shares part of a double last name"),
    ("last_name", "sound"): gettext_lazy("last name sounds alike"),
    ("last_name", "typo"): gettext_lazy("last name spelled similarly"),
    ("last_name", "similar"): gettext_lazy("last name only loosely alike"),
    ("last_name", "different"): gettext_lazy("different last name"),
    ("date_of_birth", "exact"): gettext_lazy("same date of birth"),
    ("date_of_birth", "transposed"): gettext_lazy("date of birth with day and month swapped"),
    ("date_of_birth", "near"): gettext_lazy("date of birth differs by one digit or year"),
    ("date_of_birth", "year_digit"): gettext_lazy("year of birth differs by one digit"),
    ("date_of_birth", "different"): gettext_lazy("different date of birth"),
    ("sex", "exact"): gettext_lazy("same sex"),
    ("sex", "different"): gettext_lazy("different sex"),
    ("phone", "exact"): gettext_lazy("same phone"),
    ("phone", "different"): gettext_lazy("different phone"),
    ("email", "exact"): gettext_lazy("same e-mail"),
    ("email", "different"): gettext_lazy("different e-mail"),
    ("postal_code", "exact"): gettext_lazy("same ZIP code"),
    ("postal_code", "different"): gettext_lazy("different ZIP code"),
    ("ssn_last4", "exact"): gettext_lazy("same last 4 of SSN"),
    ("ssn_last4", "different"): gettext_lazy("different last 4 of SSN"),
    ("identifier", "exact"): gettext_lazy("same identifier"),
}


# --- The query ------------------------------------------------------------------------------

_DIGITS4 = re.compile(r"^\d{4}$")
_KNOWN_SEXES = {Sex.FEMALE.value, Sex.MALE.value}
QUERY_FIELDS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "postal_code",
    "ssn_last4",
    "identifiers",
]


@dataclass(frozen=True)
class MatchQuery:
    """What is known about the person being looked up, normalised once."""

    first_name: str = ""
    last_name: str = ""
    date_of_birth: datetime.date | None = None
    sex: str = ""
    phone: str = ""
    email: str = ""
    postal_code: str = ""
    ssn_last4: str = ""
    identifiers: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.first_key
            or self.last_key
            or self.date_of_birth
            or self.phone_key
            or self.email_key
            or self.ssn_last4
            or self.identifier_keys
        )

    @cached_property
    def first_key(self) -> str:
        return _name_key(self.first_name)

    @cached_property
    def last_key(self) -> str:
        return _name_key(self.last_name)

    @cached_property
    def phone_key(self) -> str:
        digits = text.phone_digits(self.phone)[-10:]
        return digits if len(digits) >= 7 else ""

    @cached_property
    def email_key(self) -> str:
        return text.email_key(self.email)

    @cached_property
    def postal_key(self) -> str:
        return text.digits(self.postal_code)[:5]

    @cached_property
    def identifier_keys(self) -> list[str]:
        return [key for key in (text.identifier_key(value) for value in self.identifiers) if key]

    @property
    def fields_given(self) -> list[str]:
        """The names of the fields the query carries (for the audit log: never their values)."""
        given = []
        for name in QUERY_FIELDS:
            value = getattr(self, name)
            if value:
                given.append(name)
        return given


def _text(data: Mapping[str, Any], name: str, max_length: int, errors: dict[str, list[str]]) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = [_("Enter text.")]
        return ""
    value = value.strip()
    if "\x00" in value:
        errors[name] = [_("Remove the NUL character.")]
        return ""
    if len(value) > max_length:
        errors[name] = [_("At most %(count)d characters.") % {"count": max_length}]
        return ""
    return value


def _birth_date(value: Any, errors: dict[str, list[str]]) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        date = value
    elif isinstance(value, str):
        try:
            date = datetime.date.fromisoformat(value.strip())
        except ValueError:
            errors["date_of_birth"] = [_("Enter a real date as YYYY-MM-DD.")]
            return None
    else:
        errors["date_of_birth"] = [_("Enter a real date as YYYY-MM-DD.")]
        return None
    today = timezone.localdate()
    if date > today or date.year < today.year - 130:
        errors["date_of_birth"] = [_("The date of birth must be in the past 130 years.")]
        return None
    return date


def parse_match_query(data: Mapping[str, Any]) -> MatchQuery:
    """Check and normalise a lookup's fields; ValidationFailed names every bad field."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(key) for key in data if key not in QUERY_FIELDS)
    for key in unknown:
        errors[key] = [_("Unknown field.")]
    first = _text(data, "first_name", MAX_NAME_LENGTH, errors)
    last = _text(data, "last_name", MAX_NAME_LENGTH, errors)
    dob = _birth_date(data.get("date_of_birth"), errors)
    sex = _text(data, "sex", 20, errors)
    if sex and sex not in Sex.values:
        errors["sex"] = [_("Use one of: %(choices)s.") % {"choices": ", ".join(Sex.values)}]
    phone = _text(data, "phone", 30, errors)
    if phone and len(text.phone_digits(phone)) < 7:
        errors["phone"] = [_("Enter a phone number with at least 7 digits.")]
    email = _text(data, "email", MAX_EMAIL_LENGTH, errors)
    postal = _text(data, "postal_code", 10, errors)
    if postal and len(text.digits(postal)) < 5:
        errors["postal_code"] = [_("Enter a 5-digit ZIP code.")]
    last4 = _text(data, "ssn_last4", 4, errors)
    if last4 and not _DIGITS4.match(last4):
        errors["ssn_last4"] = [_("Enter the last 4 digits of the SSN.")]
    raw_identifiers = data.get("identifiers") or []
    identifiers: list[str] = []
    if not isinstance(raw_identifiers, list | tuple):
        errors["identifiers"] = [_("Send a list of identifiers.")]
    elif len(raw_identifiers) > MAX_IDENTIFIERS:
        errors["identifiers"] = [_("At most %(count)d identifiers.") % {"count": MAX_IDENTIFIERS}]
    else:
        for value in raw_identifiers:
            if not isinstance(value, str) or "\x00" in value or len(value.strip()) > MAX_IDENTIFIER_LENGTH:
                errors["identifiers"] = [
                    _("Each identifier is text of at most %(count)d characters.") % {"count": MAX_IDENTIFIER_LENGTH}
                ]
                break
            if value.strip():
                identifiers.append(value.strip())
    if errors:
        first_field = next(iter(errors))
        raise ValidationFailed(errors[first_field][0], errors=errors)
    query = MatchQuery(
        first_name=first,
        last_name=last,
        date_of_birth=dob,
        sex=sex,
        phone=phone,
        email=email,
        postal_code=postal,
        ssn_last4=last4,
        identifiers=tuple(identifiers),
    )
    if query.is_empty:
        raise ValidationFailed(
            _("Give at least a name, a date of birth, a phone, an e-mail, the last 4 of the SSN or an identifier.")
        )
    return query


# --- Cached text helpers (names repeat: the same few thousand keys, scored again and again) ---


@lru_cache(maxsize=16384)
def _variants(name: str) -> frozenset[str]:
    return frozenset(text.given_name_variants(name))


@lru_cache(maxsize=16384)
def _phonetic(name: str) -> str:
    return text.phonetic(name)


@lru_cache(maxsize=65536)
def _name_key(name: str) -> str:
    return text.name_key(name)


# --- Blocking -------------------------------------------------------------------------------

# What comparing and showing a candidate reads (not the encrypted SSN, notes or addresses).
_COMPARED_FIELDS = [
    "agency_id",
    "legal_first_name",
    "legal_middle_name",
    "legal_last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "phone",
    "phone_digits",
    "email_key",
    "postal_code",
    "ssn_last4",
    "first_name_key",
    "preferred_name_key",
    "last_name_key",
    "first_name_phonetic",
    "last_name_phonetic",
    "merged_into",
]


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def birth_date_variants(date: datetime.date) -> frozenset[datetime.date]:
    """Likely mistypings of a date of birth: day and month swapped, a year off by one or ten,
    one digit of the year, month or day wrong, the last two digits of the year swapped."""
    variants: set[datetime.date | None] = {date, _safe_date(date.year, date.day, date.month)}
    for delta in (-10, -1, 1, 10):
        variants.add(_safe_date(date.year + delta, date.month, date.day))
    year = f"{date.year:04d}"
    variants.add(_safe_date(int(year[:2] + year[3] + year[2]), date.month, date.day))
    digits = "0123456789"
    for position in (2, 3):  # decade and year digits: 1985 -> 1975, 1986
        for digit in digits:
            variants.add(_safe_date(int(year[:position] + digit + year[position + 1 :]), date.month, date.day))
    day, month = f"{date.day:02d}", f"{date.month:02d}"
    for position in (0, 1):
        for digit in digits:
            variants.add(_safe_date(date.year, date.month, int(day[:position] + digit + day[position + 1 :])))
            variants.add(_safe_date(date.year, int(month[:position] + digit + month[position + 1 :]), date.day))
    return frozenset(variant for variant in variants if variant is not None)


@lru_cache(maxsize=65536)
def is_birth_date_variant(typed: datetime.date, stored: datetime.date) -> bool:
    """Whether `stored` is in `birth_date_variants(typed)`, worked out without building the set
    (the duplicate scan compares millions of pairs, with too many distinct dates to cache)."""
    if stored == typed:
        return True
    if stored.year == typed.year and stored.month == typed.day and stored.day == typed.month:
        return True
    if (stored.month, stored.day) == (typed.month, typed.day):
        if abs(stored.year - typed.year) in (1, 10):
            return True
        left, right = f"{typed.year:04d}", f"{stored.year:04d}"
        if left[:2] == right[:2] and (left[2] == right[2] or left[3] == right[3]):
            return True  # one digit of the decade or the year (the other two equal)
        return left[:2] == right[:2] and left[2:] == right[3] + right[2]
    if stored.year != typed.year:
        return False
    if stored.month == typed.month:
        left, right = f"{typed.day:02d}", f"{stored.day:02d}"
        return left[0] == right[0] or left[1] == right[1]
    if stored.day == typed.day:
        left, right = f"{typed.month:02d}", f"{stored.month:02d}"
        return left[0] == right[0] or left[1] == right[1]
    return False


@lru_cache(maxsize=16384)
def _name_parts(key_source: str) -> tuple[str, ...]:
    """The words of a name ("García-López" -> ("garcia", "lopez"))."""
    return tuple(part for part in text.fold(key_source).split() if part)


def _sounds(variants: Iterable[str]) -> set[str]:
    return {sound for sound in (_phonetic(variant) for variant in variants) if sound}


@dataclass(frozen=True)
class Prefix:
    """A blocking condition "starts with", written as an index range."""

    start: str

    @property
    def stop(self) -> str:
        return self.start[:-1] + chr(ord(self.start[-1]) + 1)


@dataclass(frozen=True)
class Between:
    """A blocking condition "from ... to ..." (both included), written as an index range."""

    start: Any
    stop: Any


# One blocking condition: column -> value (None: IS NULL), a set of values (IN), a Prefix or a Between.
Block = dict[str, Any]


def _sound_keys(query: MatchQuery) -> list[str]:
    """The NameCount keys of the name-sound blocks a typed date of birth may narrow."""
    if not query.date_of_birth or not query.last_key:
        return []
    last_sound = _phonetic(query.last_key)
    if not last_sound:
        return []
    keys = [f"lastsound:{last_sound}", f"last:{query.last_key}"]
    first_sounds = _sounds(_variants(query.first_key)) if query.first_key else set()
    last_sounds = {last_sound} | {_phonetic(part) for part in _name_parts(query.last_name)} - {""}
    keys += [f"sounds:{last} {first}" for last in last_sounds for first in first_sounds]
    first_sound = _phonetic(query.first_key) if query.first_key else ""
    if first_sound:
        keys.append(f"sounds:{first_sound} {last_sound}")
    return keys


def _narrowed(block: Block, size: int, query: MatchQuery, blocks: list[Block]) -> None:
    """Add a name block, narrowed to the birth year +/- 1 (and clients without a date of birth)
    when it holds more than COMMON_BLOCK clients and a date of birth is typed."""
    dob = query.date_of_birth
    if dob is None or size <= COMMON_BLOCK:
        blocks.append(block)
        return
    start, stop = datetime.date(max(dob.year - 1, 1), 1, 1), datetime.date(min(dob.year + 1, 9999), 12, 31)
    blocks.append({**block, "date_of_birth": Between(start, stop)})
    blocks.append({**block, "date_of_birth": None})


def _block_queries(query: MatchQuery, counts: Mapping[str, int] | None = None) -> list[Block]:
    """The blocking conditions of one lookup, each answered by an index.

    `counts` (the agency's NameCount rows, see `_sound_keys`) tell which name blocks are common.
    """
    counts = counts or {}

    def sounds_size(lasts: Iterable[str], firsts: Iterable[str]) -> int:
        return sum(counts.get(f"sounds:{last} {first}", 0) for last in lasts for first in firsts)

    blocks: list[Block] = []
    first_key, last_key = query.first_key, query.last_key
    first_variants = set(_variants(first_key)) if first_key else set()
    first_sounds = _sounds(first_variants)
    last_sound = _phonetic(last_key) if last_key else ""
    last_parts = _name_parts(query.last_name)
    if last_sound and first_sounds:
        _narrowed(
            {"last_name_phonetic": last_sound, "first_name_phonetic": first_sounds},
            sounds_size([last_sound], first_sounds),
            query,
            blocks,
        )
        # Typed the other way round: first name in the last-name box.
        first_sound = _phonetic(first_key)
        if first_sound:
            _narrowed(
                {"last_name_phonetic": first_sound, "first_name_phonetic": last_sound},
                sounds_size([first_sound], [last_sound]),
                query,
                blocks,
            )
        # A typo that changes the first name's sound: same last name, same first two letters
        # (how many share the first letters is not counted: common when the name sounds are,
        # or when the last name alone is very common).
        _narrowed(
            {"last_name_key": last_key, "first_name_key": Prefix(first_key[:2])},
            max(sounds_size([last_sound], first_sounds), counts.get(f"last:{last_key}", 0) // 10),
            query,
            blocks,
        )
        # Double surnames typed in full, or as separate words, against one part stored ("Garcia
        # Lopez" for "Garcia"). One part typed for a double name stored is found by the date
        # of birth (a prefix range here would walk every client with that first name's sound).
        if len(last_parts) > 1:
            for part in last_parts:
                part_sound = _phonetic(part)
                _narrowed(
                    {"last_name_phonetic": part_sound, "first_name_phonetic": first_sounds},
                    sounds_size([part_sound], first_sounds),
                    query,
                    blocks,
                )
    elif last_sound:
        _narrowed({"last_name_phonetic": last_sound}, counts.get(f"lastsound:{last_sound}", 0), query, blocks)
    elif first_sounds:
        blocks.append({"first_name_phonetic": first_sounds})
        blocks.append({"preferred_name_key": first_variants})
    if query.date_of_birth:
        dob = query.date_of_birth
        exact = {dob}
        swapped = _safe_date(dob.year, dob.day, dob.month)
        if swapped:
            exact.add(swapped)
        blocks.append({"date_of_birth": exact})
        # Near dates only with a name that sounds alike (alone they are a wide net), answered
        # by the (date of birth, last name sound) and (date of birth, first name sound) indexes.
        near = birth_date_variants(dob) - exact
        if last_sound:
            blocks.append({"date_of_birth": near, "last_name_phonetic": last_sound})
        if first_sounds:
            blocks.append({"date_of_birth": near, "first_name_phonetic": first_sounds})
    elif last_key and first_sounds:
        # No date of birth to fall back on: a typo that changes the last name's sound is
        # found by the first name's sound and the last name's first two letters.
        blocks.append({"first_name_phonetic": first_sounds, "last_name_key": Prefix(last_key[:2])})
    if len(query.phone_key) == 10:  # shorter numbers are compared, not blocked on
        blocks.append({"phone_digits": query.phone_key})
    if query.email_key:
        blocks.append({"email_key": query.email_key})
    if query.ssn_last4:
        blocks.append({"ssn_last4": query.ssn_last4})
    if query.identifier_keys:
        blocks.append({"identifier": set(query.identifier_keys)})
    return blocks


def _blocked_sql(query: MatchQuery, counts: Mapping[str, int] | None = None) -> tuple[str, list[Any]] | None:
    """The blocking queries as one statement: each capped, their ids united.

    Written by hand from the model's table and column names: one round trip, and none of
    the ORM's per-query work, for a lookup that runs on every keystroke. No agency
    condition: with one, SQLite walks the agency index (every client of the agency) instead
    of each key's index; the agency is checked on the few rows found.
    """
    quote = connection.ops.quote_name
    table = quote(Client._meta.db_table)
    parts: list[str] = []
    params: list[Any] = []
    for number, block in enumerate(_block_queries(query, counts)):
        if "identifier" in block:
            values = sorted(block["identifier"])
            marks = ", ".join(["%s"] * len(values))
            sql = (
                f"SELECT {quote('client_id')} AS id FROM {quote(ClientIdentifier._meta.db_table)} "  # noqa: S608 (names from the model, values as parameters)
                f"WHERE {quote('value_key')} IN ({marks})"
            )
            parts.append(f"SELECT * FROM ({sql} LIMIT {BLOCK_LIMIT}) AS block{number}")  # noqa: S608 (names from the model, values as parameters)
            params.extend(values)
            continue
        conditions: list[str] = []
        for name, value in block.items():
            column = quote(_column(name))
            if value is None:
                conditions.append(f"{column} IS NULL")
            elif isinstance(value, Prefix):
                conditions.append(f"{column} >= %s AND {column} < %s")
                params.extend([value.start, value.stop])
            elif isinstance(value, Between):
                conditions.append(f"{column} >= %s AND {column} <= %s")
                params.extend([_db_value(name, value.start), _db_value(name, value.stop)])
            elif isinstance(value, set | frozenset):
                values = sorted(value)
                conditions.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
                params.extend(_db_value(name, item) for item in values)
            else:
                conditions.append(f"{column} = %s")
                params.append(_db_value(name, value))
        sql = f"SELECT {quote('id')} AS id FROM {table} WHERE {' AND '.join(conditions)} LIMIT {BLOCK_LIMIT}"  # noqa: S608 (names from the model, values as parameters)
        parts.append(f"SELECT * FROM ({sql}) AS block{number}")  # noqa: S608 (names from the model, values as parameters)
    if not parts:
        return None
    return " UNION ".join(parts), params


def _column(name: str) -> str:
    field = Client._meta.get_field(name)
    assert isinstance(field, Field) and field.column  # a concrete column of the client table
    return field.column


def _db_value(name: str, value: Any) -> Any:
    if name == "date_of_birth":
        return connection.ops.adapt_datefield_value(value)
    return value


class CandidateRow(NamedTuple):
    """One blocked candidate as the comparison reads it: a plain tuple of the compared columns
    (quacks like a Client for `compare`); the Client itself is loaded only if it is shown."""

    id: int
    agency_id: int
    merged_into_id: int | None
    first_name_key: str
    preferred_name_key: str
    last_name_key: str
    last_name_phonetic: str
    date_of_birth: datetime.date | None
    sex: str
    phone_digits: str
    email_key: str
    postal_code: str
    ssn_last4: str

    @property
    def pk(self) -> int:
        return self.id


_ROW_COLUMNS = [name if name != "merged_into_id" else "merged_into" for name in CandidateRow._fields]


def _candidates(
    *,
    agency_id: int,
    query: MatchQuery,
    exclude_ids: Iterable[int] = (),
    counts: Mapping[str, int] | None = None,
) -> list[CandidateRow]:
    """The agency's clients sharing at least one blocking key with the query (one query), as
    tuples of the compared columns."""
    blocked = _blocked_sql(query, counts)
    if blocked is None:
        return []
    excluded = set(exclude_ids)
    rows = (
        Client.objects.filter(pk__in=RawSQL(*blocked))  # noqa: S611 (SQL compiled by the ORM, values as parameters)
        .order_by()
        .values_list(*_ROW_COLUMNS)
    )
    # Merged records (aliases) are never proposed: their survivor is.
    return [
        row
        for row in map(CandidateRow._make, rows)
        if row.agency_id == agency_id and row.id not in excluded and row.merged_into_id is None
    ]


def candidate_ids(*, agency_id: int, query: MatchQuery, exclude_ids: Iterable[int] = ()) -> set[int]:
    """Ids of the agency's clients that share at least one blocking key with the query."""
    counts = name_table_counts(agency_id, _sound_keys(query))
    return {
        client.pk for client in _candidates(agency_id=agency_id, query=query, exclude_ids=exclude_ids, counts=counts)
    }


# --- Comparison -----------------------------------------------------------------------------


def _similarity(left: str, right: str) -> float:
    return JaroWinkler.similarity(left, right)


@lru_cache(maxsize=65536)
def _one_slip(left: str, right: str) -> bool:
    """One keystroke apart (a letter dropped, added, replaced, or two swapped), for names of 4+."""
    return (
        abs(len(left) - len(right)) <= 1
        and min(len(left), len(right)) >= 3
        and max(len(left), len(right)) >= 4
        and OSA.distance(left, right) <= 1
    )


def compare_first_name(query: MatchQuery, first_key: str, preferred_key: str) -> str | None:
    """Agreement level of the typed first name with a client's first or preferred name."""
    return _first_name_level(query.first_key, first_key, preferred_key)


# Names repeat (a skewed few thousand): each pair of names is compared once, not per candidate.
@lru_cache(maxsize=65536)
def _first_name_level(typed: str, first_key: str, preferred_key: str) -> str | None:
    stored = [key for key in (first_key, preferred_key) if key]
    if not typed or not stored:
        return None
    if typed in stored:
        return "exact"
    variants = _variants(typed)
    if any(key in variants for key in stored):
        return "nickname"
    # The client's nicknames may list the typed name even when the typed name's table does not.
    if any(typed in _variants(key) for key in stored):
        return "nickname"
    sound = _phonetic(typed)
    if sound and typed.isascii() and any(sound == _phonetic(key) for key in stored):
        return "sound"
    best = max(_similarity(typed, key) for key in stored)
    if best >= 0.9 or any(_one_slip(typed, key) for key in stored):
        return "typo"
    # A slip in a nickname ("Mkie" for Michael): one keystroke from one of the stored name's variants.
    if len(typed) >= 3 and any(_one_slip(typed, variant) for key in stored for variant in _variants(key)):
        return "typo"
    if len(typed) == 1 and any(key.startswith(typed) for key in stored):
        return "initial"
    if best >= 0.8:
        return "similar"
    return "different"


@lru_cache(maxsize=65536)
def compare_last_name(typed_name: str, stored_key: str, stored_sound: str) -> str | None:
    """Agreement level of a typed last name with a client's last name (double names included)."""
    typed = _name_key(typed_name)
    if not typed or not stored_key:
        return None
    if typed == stored_key:
        return "exact"
    sound = _phonetic(typed)
    if sound and typed.isascii() and sound == stored_sound:
        return "sound"
    parts = _name_parts(typed_name)
    # "Garcia" against "garcialopez", or "Garcia Lopez" against "lopez": one part is the other name.
    if len(typed) >= 3 and (stored_key.startswith(typed) or stored_key.endswith(typed)):
        return "compound"
    if any(len(part) >= 3 and (stored_key.startswith(part) or stored_key.endswith(part)) for part in parts):
        return "compound"
    similarity = _similarity(typed, stored_key)
    if similarity >= 0.9 or _one_slip(typed, stored_key):
        return "typo"
    if similarity >= 0.8:
        return "similar"
    return "different"


def compare_birth_date(typed: datetime.date | None, stored: datetime.date | None) -> str | None:
    """Agreement level of two dates of birth: same, day and month swapped, a typo, different."""
    if typed is None or stored is None:
        return None
    if typed == stored:
        return "exact"
    if typed.year == stored.year and typed.month == stored.day and typed.day == stored.month:
        return "transposed"
    if is_birth_date_variant(typed, stored):
        if (
            stored.year != typed.year
            and abs(stored.year - typed.year) not in (1, 10)
            and not _digits_swapped(stored.year, typed.year)
        ):
            # 1985 for 1982: as likely a sibling as a typo.
            return "year_digit"
        return "near"
    return "different"


def _digits_swapped(left: int, right: int) -> bool:
    return f"{left:04d}"[:2] == f"{right:04d}"[:2] and f"{left:04d}"[2:] == f"{right:04d}"[3:1:-1]


@dataclass
class Comparison:
    """The agreement levels of one candidate, the summed weight and its plain-language reasons."""

    levels: dict[str, str] = field(default_factory=dict)
    weight: float = PRIOR
    swapped_names: bool = False

    @property
    def probability(self) -> float:
        # log2 odds -> probability; clamp the exponent so absurd sums cannot overflow.
        return 1.0 / (1.0 + math.pow(2.0, -max(-60.0, min(60.0, self.weight))))

    def reasons(self, *, disagreements: bool = True) -> list[str]:
        """Agreements first (strongest first), then disagreements (unless left out)."""
        scored = [(WEIGHTS[name][level], name, level) for name, level in self.levels.items()]
        agreeing = [item for item in scored if item[0] > 0]
        disagreeing = [item for item in scored if item[0] <= 0]
        reasons = [str(_REASONS[(name, level)]) for _weight, name, level in sorted(agreeing, reverse=True)]
        if self.swapped_names:
            reasons.insert(0, str(_("first and last names swapped")))
        if disagreements:
            reasons += [str(_REASONS[(name, level)]) for _weight, name, level in sorted(disagreeing)]
        return reasons


@lru_cache(maxsize=4096)
def _as_first_name(name: str) -> MatchQuery:
    """A last name typed as a first name (names swapped), as a query (built once per name)."""
    return MatchQuery(first_name=name)


@lru_cache(maxsize=65536)
def _postal_key(postal_code: str) -> str:
    return text.digits(postal_code)[:5]


def _name_levels(query: MatchQuery, client: Client | CandidateRow) -> tuple[dict[str, str], bool]:
    """First and last name levels, taking the better of as typed and swapped."""
    straight: dict[str, str] = {}
    first = compare_first_name(query, client.first_name_key, client.preferred_name_key)
    last = compare_last_name(query.last_name, client.last_name_key, client.last_name_phonetic)
    if first:
        straight["first_name"] = first
    if last:
        straight["last_name"] = last
    if not (query.first_key and query.last_key):
        return straight, False
    swapped_first = compare_first_name(
        _as_first_name(query.last_name), client.first_name_key, client.preferred_name_key
    )
    swapped_last = compare_last_name(query.first_name, client.last_name_key, client.last_name_phonetic)
    swapped: dict[str, str] = {}
    if swapped_first:
        swapped["first_name"] = swapped_first
    if swapped_last:
        swapped["last_name"] = swapped_last

    def total(levels: dict[str, str]) -> float:
        return sum(WEIGHTS[name][level] for name, level in levels.items())

    if total(swapped) - SWAPPED_NAMES_PENALTY > total(straight):
        return swapped, True
    return straight, False


@dataclass(frozen=True)
class Frequencies:
    """How common the typed names are, and how many clients there are: for the weights."""

    population: int
    first_name_count: int = 0
    last_name_count: int = 0

    @property
    def weighed_population(self) -> int:
        return max(self.population, MIN_POPULATION)

    @property
    def prior(self) -> float:
        return -math.log2(self.weighed_population) + PRIOR_OFFSET

    def exact_weight(self, name: str, typed_count: int) -> float:
        share = max(typed_count, 1) / self.weighed_population
        return math.log2(M_EXACT[name] / share)


def _weight(levels: dict[str, str], frequencies: Frequencies | None, swapped: bool) -> float:
    """The summed log2 weights of a candidate's agreement levels, with the prior."""
    # A different first name with the same surname, phone and address is a relative, not a
    # second record: the household's agreement then counts for nothing (the fields are not
    # independent within a family, which the weights otherwise assume).
    relative = levels.get("first_name") in ("different", "similar")
    total = PRIOR if frequencies is None else frequencies.prior
    for name, level in levels.items():
        if frequencies is not None and level == "exact" and name in M_EXACT and not swapped:
            count = frequencies.first_name_count if name == "first_name" else frequencies.last_name_count
            weight = frequencies.exact_weight(name, count)
        else:
            weight = WEIGHTS[name][level]
        if relative and name in HOUSEHOLD_FIELDS:
            weight = min(weight, 0.0)
        total += weight
    return total


def compare(
    query: MatchQuery,
    client: Client | CandidateRow,
    identifier_keys: set[str] | None = None,
    frequencies: Frequencies | None = None,
) -> Comparison:
    """Compare a query with one client, field by field; missing fields weigh nothing."""
    comparison = Comparison()
    levels, comparison.swapped_names = _name_levels(query, client)
    dob = compare_birth_date(query.date_of_birth, client.date_of_birth)
    if dob:
        levels["date_of_birth"] = dob
    if query.sex in _KNOWN_SEXES and client.sex in _KNOWN_SEXES:
        levels["sex"] = "exact" if query.sex == client.sex else "different"
    if query.phone_key and client.phone_digits:
        levels["phone"] = "exact" if client.phone_digits.endswith(query.phone_key) else "different"
    if query.email_key and client.email_key:
        levels["email"] = "exact" if query.email_key == client.email_key else "different"
    postal = _postal_key(client.postal_code)
    if query.postal_key and postal:
        levels["postal_code"] = "exact" if query.postal_key == postal else "different"
    if query.ssn_last4 and client.ssn_last4:
        levels["ssn_last4"] = "exact" if query.ssn_last4 == client.ssn_last4 else "different"
    if identifier_keys and set(query.identifier_keys) & identifier_keys:
        levels["identifier"] = "exact"
    comparison.levels = levels
    comparison.weight = _weight(levels, frequencies, comparison.swapped_names)
    if comparison.swapped_names:
        comparison.weight -= SWAPPED_NAMES_PENALTY
    return comparison


# --- Lookups --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """Where "certain" and "possible" start, as match probabilities."""

    certain: float = MatchSettings.DEFAULT_CERTAIN
    possible: float = MatchSettings.DEFAULT_POSSIBLE

    def band(self, probability: float) -> str:
        if probability >= self.certain:
            return CERTAIN
        if probability >= self.possible:
            return POSSIBLE
        return UNLIKELY


def band_of(comparison: Comparison, thresholds: Thresholds) -> str:
    """The band of a comparison: by its probability, but "unlikely" when only one field agrees
    (unless that field can stand alone, an identifier)."""
    agreeing = [name for name, level in comparison.levels.items() if WEIGHTS[name].get(level, 1.0) > 0]
    if len(agreeing) < 2 and not STRONG_FIELDS.intersection(agreeing):
        return UNLIKELY
    return thresholds.band(comparison.probability)


def thresholds_for(agency_id: int) -> Thresholds:
    """The agency's tuned thresholds, or the defaults."""
    row = MatchSettings.objects.filter(agency_id=agency_id).first()
    if row is None:
        return Thresholds()
    return Thresholds(certain=row.certain_threshold, possible=row.possible_threshold)


@dataclass
class MatchCandidate:
    """One existing client that may be the person looked up."""

    client: Client
    probability: float
    band: str
    comparison: Comparison
    accessible: bool = True

    @cached_property
    def reasons(self) -> list[str]:
        """Why, in plain language: agreements first, then disagreements."""
        return self.comparison.reasons()

    @cached_property
    def agreements(self) -> list[str]:
        """Only what agrees with the query: all a user without access to the record may learn."""
        return self.comparison.reasons(disagreements=False)

    @property
    def score(self) -> float:
        return round(self.probability, 4)

    @property
    def band_label(self) -> str:
        return str(BAND_LABELS[self.band])

    @property
    def visible_reasons(self) -> list[str]:
        """Every reason for a record the user may open; only the agreements otherwise."""
        return self.reasons if self.accessible else self.agreements


_population_cache: dict[int | None, tuple[float, int]] = {}


def _population(agency_id: int | None = None) -> int:
    """How many clients the register (or one agency's) holds, counted at most every POPULATION_SECONDS."""
    now = time.monotonic()
    cached = _population_cache.get(agency_id)
    if cached is None or cached[0] < now:
        clients = Client.objects.all() if agency_id is None else Client.objects.filter(agency_id=agency_id)
        cached = (now + POPULATION_SECONDS, clients.count())
        _population_cache[agency_id] = cached
    return cached[1]


# The agency's name counts (NameCount, refreshed by the scan) are used when they describe a
# register big enough for counting per lookup to cost (below, counting is cheap and exact)
# and the register has not grown or shrunk by more than NAME_TABLE_DRIFT since the refresh.
NAME_TABLE_MIN_POPULATION = MIN_POPULATION
NAME_TABLE_DRIFT = 0.2


def name_table_counts(agency_id: int, keys: Iterable[str]) -> dict[str, int] | None:
    """The agency's stored counts of these NameCount keys (absent: 0), or None when the table is
    empty or stale (see NAME_TABLE_DRIFT): the caller then counts."""
    wanted = sorted({"population", *keys})
    rows = dict(NameCount.objects.filter(agency_id=agency_id, key__in=wanted).values_list("key", "count"))
    stored = rows.get("population")
    if stored is None or stored < NAME_TABLE_MIN_POPULATION:
        return None
    if abs(_population(agency_id) - stored) > NAME_TABLE_DRIFT * stored:
        return None
    return rows


def _counted_frequencies(query: MatchQuery) -> Frequencies:
    """The typed names' counts (capped) and the register's size, counted on the name indexes."""
    quote = connection.ops.quote_name
    table = quote(Client._meta.db_table)
    counts = []
    for column, key in (("first_name_key", query.first_key), ("last_name_key", query.last_key)):
        if not key:
            counts.append(0)
            continue
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {quote(column)} = %s "  # noqa: S608 (names from the model)
            f"LIMIT {NAME_COUNT_CAP}) AS named"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            counts.append(int(cursor.fetchone()[0]))
    return Frequencies(population=_population(), first_name_count=counts[0], last_name_count=counts[1])


def frequencies_for(query: MatchQuery, agency_id: int | None = None) -> Frequencies:
    """The register's size and how many clients carry the typed first and last names (capped).

    With an agency, read from its name counts (one indexed query) when they are fresh;
    otherwise (no agency, a small agency, a table not refreshed yet) counted on the indexes.
    """
    if agency_id is not None:
        counts = name_table_counts(agency_id, _frequency_keys(query))
        if counts is not None:
            return _table_frequencies(query, counts)
    return _counted_frequencies(query)


def _frequency_keys(query: MatchQuery) -> list[str]:
    keys = []
    if query.first_key:
        keys.append(f"first:{query.first_key}")
    if query.last_key:
        keys.append(f"last:{query.last_key}")
    return keys


def _table_frequencies(query: MatchQuery, counts: Mapping[str, int]) -> Frequencies:
    return Frequencies(
        population=counts["population"],
        first_name_count=counts.get(f"first:{query.first_key}", 0) if query.first_key else 0,
        last_name_count=counts.get(f"last:{query.last_key}", 0) if query.last_key else 0,
    )


def find_matches(
    *,
    agency_id: int,
    query: MatchQuery,
    thresholds: Thresholds | None = None,
    limit: int = RESULT_LIMIT,
    exclude_ids: Iterable[int] = (),
    floor: float = 0.0,
) -> list[MatchCandidate]:
    """The agency's clients most likely to be the person described, best first.

    Not scoped to a user: callers decide what a user may learn (see `matches_for_user`).
    """
    thresholds = thresholds or thresholds_for(agency_id)
    # The agency's name counts, read once: the typed names' frequencies and the common name blocks.
    counts = name_table_counts(agency_id, _frequency_keys(query) + _sound_keys(query))
    rows = _candidates(agency_id=agency_id, query=query, exclude_ids=exclude_ids, counts=counts)
    if not rows:
        return []
    identifier_keys: dict[int, set[str]] = {}
    if query.identifier_keys:
        for client_id, value_key in ClientIdentifier.objects.filter(client_id__in=[row.id for row in rows]).values_list(
            "client_id", "value_key"
        ):
            identifier_keys.setdefault(client_id, set()).add(value_key)
    frequencies = _table_frequencies(query, counts) if counts is not None else _counted_frequencies(query)
    scored: list[tuple[float, int, Comparison]] = []
    for row in rows:
        comparison = compare(query, row, identifier_keys.get(row.id), frequencies)
        probability = comparison.probability
        if probability >= floor:
            scored.append((-probability, row.id, comparison))
    scored.sort(key=lambda item: (item[0], item[1]))
    top = scored[:limit]
    # Only the clients returned are loaded (what showing them reads); their reasons are worded when read.
    clients = Client.objects.only(*_COMPARED_FIELDS).order_by().in_bulk([client_id for _p, client_id, _c in top])
    return [
        MatchCandidate(
            client=clients[client_id],
            probability=-negative,
            band=band_of(comparison, thresholds),
            comparison=comparison,
        )
        for negative, client_id, comparison in top
        if client_id in clients
    ]


def matches_for_user(
    *, user: User, query: MatchQuery, limit: int = RESULT_LIMIT, exclude_ids: Iterable[int] = ()
) -> list[MatchCandidate]:
    """Matches a user may learn about, in the user's own agency only.

    Clients the user may see come with their details (`accessible`). Clients of the agency
    the user has no relationship with are only reported when the match is at least
    "possible", marked not accessible: the caller shows that a record exists and the way to
    ask for access (or break the glass), never the record. Other agencies are never searched.
    """
    from casework.clients.selectors import visible_among

    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return []
    thresholds = thresholds_for(user.agency_id)
    found = find_matches(
        agency_id=user.agency_id, query=query, thresholds=thresholds, limit=limit * 3, exclude_ids=exclude_ids
    )
    if not found:
        return []
    # The user's visibility of the few candidates, worked out once for all of them (not the id
    # sets of everyone the user may see: a program director sees a whole program).
    visible = visible_among(user, [candidate.client.pk for candidate in found])
    shown = []
    for candidate in found:
        candidate.accessible = candidate.client.pk in visible
        if candidate.band != UNLIKELY or (candidate.accessible and candidate.probability >= SHOW_FLOOR):
            shown.append(candidate)
    return shown[:limit]


def query_from_client_data(data: Mapping[str, Any], ssn: str = "", identifiers: Iterable[str] = ()) -> MatchQuery:
    """A lookup built from the register-client form's values (already validated or partial)."""
    dob = data.get("date_of_birth")
    digits = text.digits(ssn or "")
    return MatchQuery(
        first_name=str(data.get("legal_first_name") or "")[:MAX_NAME_LENGTH],
        last_name=str(data.get("legal_last_name") or "")[:MAX_NAME_LENGTH],
        date_of_birth=dob if isinstance(dob, datetime.date) else None,
        sex=str(data.get("sex") or ""),
        phone=str(data.get("phone") or "")[:30],
        email=str(data.get("email") or "")[:MAX_EMAIL_LENGTH],
        postal_code=str(data.get("postal_code") or "")[:10],
        ssn_last4=digits[-4:] if len(digits) == 9 else "",
        identifiers=tuple(value[:MAX_IDENTIFIER_LENGTH] for value in identifiers if value)[:MAX_IDENTIFIERS],
    )


def query_from_client(client: Client, identifiers: Iterable[str] = ()) -> MatchQuery:
    """A registered client as a lookup: what registering them again would type."""
    return MatchQuery(
        first_name=client.legal_first_name[:MAX_NAME_LENGTH],
        last_name=client.legal_last_name[:MAX_NAME_LENGTH],
        date_of_birth=client.date_of_birth,
        sex=client.sex,
        phone=client.phone,
        email=client.email,
        postal_code=client.postal_code,
        ssn_last4=client.ssn_last4,
        identifiers=tuple(identifiers)[:MAX_IDENTIFIERS],
    )
