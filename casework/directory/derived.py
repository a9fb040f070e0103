"""Fields computed from HSDS data so search needs no joins: search text, languages, free, area keys."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from django.db.models import Prefetch

from casework.directory import models as m

# ISO 639-1 codes of the languages most often met in US human services (names in English).
LANGUAGE_CODES: dict[str, str] = {
    "english": "en",
    "spanish": "es",
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "yue",
    "tagalog": "tl",
    "vietnamese": "vi",
    "arabic": "ar",
    "french": "fr",
    "korean": "ko",
    "russian": "ru",
    "portuguese": "pt",
    "haitian creole": "ht",
    "hindi": "hi",
    "german": "de",
    "polish": "pl",
    "italian": "it",
    "urdu": "ur",
    "persian": "fa",
    "farsi": "fa",
    "gujarati": "gu",
    "japanese": "ja",
    "ukrainian": "uk",
    "somali": "so",
    "amharic": "am",
    "swahili": "sw",
    "nepali": "ne",
    "bengali": "bn",
    "punjabi": "pa",
    "greek": "el",
    "slovak": "sk",
    "american sign language": "ase",
    "asl": "ase",
}
CODE_NAMES = {code: name for name, code in reversed(LANGUAGE_CODES.items())}

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico",
}  # fmt: skip
STATE_CODES = {name.lower(): code for code, name in US_STATES.items()}

_ZIP = re.compile(r"^\d{5}$")
_COUNTY = re.compile(r"^(?P<county>.+?(county|parish|borough))\s*,\s*(?P<state>[A-Za-z .]+)$", re.IGNORECASE)


def language_keys(name: str, code: str = "") -> set[str]:
    """Lower-case keys a language can be found by: its name and its ISO code."""
    keys = set()
    name_key = name.strip().lower()
    code_key = code.strip().lower()
    if name_key:
        keys.add(name_key)
        if name_key in LANGUAGE_CODES:
            keys.add(LANGUAGE_CODES[name_key])
    if code_key:
        keys.add(code_key)
        if code_key in CODE_NAMES:
            keys.add(CODE_NAMES[code_key])
    return keys


def language_key(text: str) -> str:
    """The key to look a language up by: the ISO code if we know the name, else the lower-cased text."""
    key = text.strip().lower()
    return LANGUAGE_CODES.get(key, key)


def state_code(text: str) -> str:
    """'IL' or 'Illinois' -> 'il'; '' when it is not a US state."""
    text = text.strip()
    if text.upper() in US_STATES:
        return text.lower()
    return STATE_CODES.get(text.lower(), "").lower()


def county_key(county: str, state: str) -> str:
    """'Cook County', 'IL' -> 'cook county, il' (the ServiceArea value of a county)."""
    county = county.strip().lower()
    if county and not county.endswith(("county", "parish", "borough")):
        county = f"{county} county"
    return f"{county}, {state_code(state)}" if county else ""


def service_area_key(*, name: str, extent: str, extent_type: str) -> tuple[str, str]:
    """How to match a service area: ZIP code, county or state, read from a text extent or the name.

    Text extents (extent_type "text") may say "zip:60546", "county:Cook County, IL", "state:IL"
    or "country:US"; otherwise the name is read: "60546", "Cook County, IL", "Illinois".
    """
    if extent_type.strip().lower() in ("text", "") and ":" in extent:
        kind, _sep, value = extent.partition(":")
        kind, value = kind.strip().lower(), value.strip()
        if kind in ("zip", "postal_code") and _ZIP.match(value):
            return m.ServiceAreaKind.POSTAL_CODE, value
        if kind == "county":
            match = _COUNTY.match(value)
            if match and state_code(match["state"]):
                return m.ServiceAreaKind.COUNTY, county_key(match["county"], match["state"])
        if kind == "state" and state_code(value):
            return m.ServiceAreaKind.STATE, state_code(value)
        if kind == "country" and len(value) == 2:
            return m.ServiceAreaKind.COUNTRY, value.lower()
    text = name.strip()
    if _ZIP.match(text):
        return m.ServiceAreaKind.POSTAL_CODE, text
    match = _COUNTY.match(text)
    if match and state_code(match["state"]):
        return m.ServiceAreaKind.COUNTY, county_key(match["county"], match["state"])
    if state_code(text) and len(text) > 2:
        return m.ServiceAreaKind.STATE, state_code(text)
    return m.ServiceAreaKind.OTHER, ""


def _is_free(service: m.Service) -> bool:
    options = list(service.cost_options.all())
    if options:
        return any(option.amount is not None and option.amount == 0 for option in options)
    fees = service.fees_description.lower()
    return bool(re.search(r"\b(free|no cost|no charge)\b", fees))


def refresh_services(service_ids: Iterable[uuid.UUID], *, batch_size: int = 1000) -> None:
    """Recompute search_text, language_keys and is_free of these services."""
    ids = list(service_ids)
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        services = list(
            m.Service.objects.filter(pk__in=chunk)
            .select_related("organization")
            .prefetch_related(
                "need_categories",
                "cost_options",
                "languages",
                Prefetch(
                    "service_at_locations",
                    queryset=m.ServiceAtLocation.objects.prefetch_related("location__languages"),
                ),
            )
        )
        for service in services:
            keys: set[str] = set()
            for language in service.languages.all():
                keys |= language_keys(language.name, language.code)
            for sal in service.service_at_locations.all():
                for language in sal.location.languages.all():
                    keys |= language_keys(language.name, language.code)
            service.language_keys = f" {' '.join(sorted(keys))} " if keys else ""
            words = [
                service.name,
                service.alternate_name,
                service.description,
                service.organization.name,
                service.eligibility_description,
                *(category.name for category in service.need_categories.all()),
            ]
            service.search_text = " ".join(word for word in words if word).lower()
            service.is_free = _is_free(service)
        m.Service.objects.bulk_update(services, ["language_keys", "search_text", "is_free"], batch_size=batch_size)
