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
from json.encoder import encode_basestring as encode_string
from operator import add

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


ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def geojson_chunks(columns: Sequence[Column], rows: Iterable, geometry: Callable) -> Iterator[bytes]:
    """The features as ``json.dumps(feature, ensure_ascii=False, separators=(",", ":"))`` writes them.

    A feature's text is put together here rather than by encoding a dictionary per feature: the names
    of the properties, with their quotes and colons, are encoded once, and each text value by the
    encoder's own C function for strings; the other values (numbers, dates, the geometry) go through the
    encoder. At a million rows this halves the cost of a feature; the text is the same, byte for byte.
    """
    encode = ENCODER.encode
    names = [column.name for column in columns]
    getters = [column.get for column in columns]
    position = {name: index for index, name in enumerate(names)}
    # '"slug":', ',"title":'…: what comes before each value in the properties object.
    prefixes = [("," if index else "") + encode(name) + ":" for index, name in enumerate(names)]
    parts = ['{"type":"FeatureCollection","features":[']
    size = len(parts[0])
    separator = ""
    for row in rows:
        shape, extra = geometry(row)
        texts = [
            encode_string(value)
            if value.__class__ is str
            else "null"
            if value is None
            else encode(json_value(value))
            for value in [get(row) for get in getters]
        ]
        added = ""
        for key, value in extra.items():
            # As dict.update would: a property already there keeps its place and takes the new value.
            if key in position:
                texts[position[key]] = encode(json_value(value))
            else:
                added += ("," if added or texts else "") + encode(key) + ":" + encode(json_value(value))
        text = (
            separator
            + '{"type":"Feature","geometry":'
            + encode(shape)
            + ',"properties":{'
            + "".join(map(add, prefixes, texts))
            + added
            + "}}"
        )
        separator = ","
        parts.append(text)
        size += len(text)
        if size >= BLOCK_SIZE:
            yield "".join(parts).encode(errors="replace")
            parts, size = [], 0
    parts.append("]}")
    # A lone surrogate (kept as it is by the encoder with ensure_ascii=False) is written as "?".
    yield "".join(parts).encode(errors="replace")
