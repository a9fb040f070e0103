"""Offline geography: ZIP code centroids (the `zipcodes` package's data), distances, bounding boxes.

Never a network call. The `zipcodes` data is loaded once per process on first use (about a
second), then each look-up is a dictionary read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import zipcodes

EARTH_RADIUS_MILES = 3958.8


@dataclass(frozen=True)
class Place:
    """Where a ZIP code is: its centroid, county, state and time zone."""

    postal_code: str
    latitude: float
    longitude: float
    city: str
    county: str
    state: str
    time_zone: str


@lru_cache(maxsize=4096)
def zip_place(postal_code: str) -> Place | None:
    """The centroid of a 5-digit US ZIP code (ZIP+4 accepted), or None if unknown."""
    code = (postal_code or "").strip()[:5]
    if len(code) != 5 or not code.isdigit():
        return None
    try:
        found = zipcodes.matching(code)
    except (TypeError, ValueError):
        return None
    if not found:
        return None
    row = found[0]
    try:
        latitude, longitude = float(row["lat"]), float(row["long"])
    except (KeyError, TypeError, ValueError):
        return None
    return Place(
        postal_code=code,
        latitude=latitude,
        longitude=longitude,
        city=row.get("city") or "",
        county=row.get("county") or "",
        state=row.get("state") or "",
        time_zone=row.get("timezone") or "",
    )


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in miles."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(latitude: float, longitude: float, miles: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) of a box holding every point within `miles`."""
    dlat = math.degrees(miles / EARTH_RADIUS_MILES)
    cos_lat = max(math.cos(math.radians(latitude)), 0.01)
    dlon = min(180.0, math.degrees(miles / (EARTH_RADIUS_MILES * cos_lat)))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon
