"""Distances on the ground between coordinates held as latitude/longitude columns, without
PostGIS: a bounding box that an index on the columns can serve, then the equirectangular
distance in SQL (within 0.1 % of the great circle at the few kilometres this is used for)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import F, FloatField, Q, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast, Cos, Radians, Sqrt

EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class Box:
    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float


def box_around(latitude: float, longitude: float, metres: float) -> Box:
    """The latitude/longitude box holding every point within `metres` of the point."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    # Widest at the box's pole-ward edge; near the poles the whole band of longitude.
    edge = min(abs(latitude) + dlat, 89.9)
    dlng = min(180.0, math.degrees(metres / (EARTH_RADIUS_M * math.cos(math.radians(edge)))))
    return Box(latitude - dlat, latitude + dlat, longitude - dlng, longitude + dlng)


def within_box_q(latitude: float, longitude: float, metres: float, prefix: str = "") -> Q:
    box = box_around(latitude, longitude, metres)
    return Q(**{
        f"{prefix}latitude__gte": box.min_latitude, f"{prefix}latitude__lte": box.max_latitude,
        f"{prefix}longitude__gte": box.min_longitude, f"{prefix}longitude__lte": box.max_longitude,
    })  # fmt: skip


def distance_metres(latitude: float, longitude: float, prefix: str = "") -> CombinedExpression:
    """An expression: metres from the point to the row's `<prefix>latitude/longitude`."""
    lat = Cast(F(f"{prefix}latitude"), FloatField())
    lng = Cast(F(f"{prefix}longitude"), FloatField())
    x = Radians(lng - Value(longitude)) * Cos(Radians((lat + Value(latitude)) / Value(2.0)))
    y = Radians(lat - Value(latitude))
    return Value(EARTH_RADIUS_M) * Sqrt(x * x + y * y)


def distance_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The same distance in Python (tests, explanations)."""
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return EARTH_RADIUS_M * math.hypot(x, y)
