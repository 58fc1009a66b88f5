"""GeoJSON writer (RFC 7946): a FeatureCollection streamed feature by feature.

A project's point is where it happens: its first foreign partner authority (by name) that has
coordinates, or failing that the centroid of that partner's country; the ``location`` property says
which (``foreign_authority`` or ``country_centroid``). A project with neither has a null geometry, as
RFC 7946 allows, so that the collection still lists every result. An authority's point is its own
coordinates; a country's, its centroid. Properties are the same columns as the CSV file, with numbers as
numbers and dates as ISO 8601 text.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal

from .columns import Column
from .rows import ProjectRow

BLOCK_SIZE = 64 * 1024


def json_value(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def point(longitude, latitude) -> dict | None:
    if longitude is None or latitude is None:
        return None
    return {"type": "Point", "coordinates": [round(longitude, 6), round(latitude, 6)]}


def project_location(row: ProjectRow) -> tuple[dict | None, str | None]:
    for partner in row.foreign:
        if partner.latitude is not None and partner.longitude is not None:
            return point(partner.longitude, partner.latitude), "foreign_authority"
    for partner in row.foreign:
        if partner.country_latitude is not None and partner.country_longitude is not None:
            return point(partner.country_longitude, partner.country_latitude), "country_centroid"
    return None, None


def project_geometry(row: ProjectRow) -> tuple[dict | None, dict]:
    geometry, location = project_location(row)
    return geometry, {"location": location}


def coordinates_geometry(obj) -> tuple[dict | None, dict]:
    return point(obj.longitude, obj.latitude), {}


def feature(columns: Sequence[Column], geometry: Callable, obj) -> dict:
    shape, extra = geometry(obj)
    properties = {column.name: json_value(column.get(obj)) for column in columns}
    properties.update(extra)
    return {"type": "Feature", "geometry": shape, "properties": properties}


def geojson_chunks(columns: Sequence[Column], rows: Iterable, geometry: Callable) -> Iterator[bytes]:
    parts = ['{"type":"FeatureCollection","features":[']
    size = len(parts[0])
    first = True
    for row in rows:
        text = json.dumps(feature(columns, geometry, row), ensure_ascii=False, separators=(",", ":"))
        if not first:
            text = "," + text
        first = False
        parts.append(text)
        size += len(text)
        if size >= BLOCK_SIZE:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append("]}")
    yield "".join(parts).encode()
