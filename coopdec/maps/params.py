"""Query-string parameters of the map: the search's own, plus the map's (view, zoom, bounding box).

Every parser returns the value and a list of French messages; a bad value never reaches the database.
"""

import math
from dataclasses import replace

from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from coopdec.atlas.models import Project
from coopdec.numbers import bounded_int
from coopdec.search.query import FACETS, matching_projects, parse_params

from .aggregates import MAX_LATITUDE, MAX_ZOOM, BBox

# Parameters the map reads itself; everything else belongs to the search.
MAP_KEYS = ("vue", "level", "zoom", "bbox")
LEVELS = ("region", "departement")
VIEWS = ("monde", "regions", "departements")
DEFAULT_ZOOM = 2


def search_querydict(querydict: QueryDict) -> QueryDict:
    """The search's part of a map query string (the map's own keys taken out)."""
    search = querydict.copy()
    for key in MAP_KEYS:
        search.pop(key, None)
    return search


def search_params(querydict: QueryDict):
    """The search parameters in a map's query string, with French messages for the values refused."""
    return parse_params(search_querydict(querydict))


def is_unfiltered(params) -> bool:
    return (
        not params.q and not params.active_filters() and params.year_min is None and params.year_max is None
    )


def matching(params):
    """Every project of the search (no page), as a lazy queryset.

    Callers run the search's ``ensure_fresh()`` before evaluating it, as the search page does, so
    that the map and the list of results agree.
    """
    if is_unfiltered(params):
        # The whole Atlas: reading the projects table directly spares a semi-join through the index.
        return Project.objects.all()
    # Relevance ranking joins the full-text table to the outer query, which a subquery of ids cannot
    # carry; a map has no order anyway, so ask for the plain set.
    return matching_projects(replace(params, sort="date"))


def _single(querydict: QueryDict, key: str, label: str) -> tuple[str | None, list[str]]:
    values = querydict.getlist(key)
    if len(values) > 1:
        return None, [_("Le paramètre « %(name)s » ne peut être donné qu'une fois.") % {"name": label}]
    return (values[0] if values else None), []


def parse_level(querydict: QueryDict) -> tuple[str, list[str]]:
    value, errors = _single(querydict, "level", "level")
    if errors:
        return "region", errors
    if value is None:
        return "region", []
    if value not in LEVELS:
        return "region", [
            _("Niveau inconnu « %(value)s » : choisissez « region » ou « departement ».") % {"value": value}
        ]
    return value, []


def parse_view(querydict: QueryDict) -> tuple[str, list[str]]:
    value, errors = _single(querydict, "vue", "vue")
    if errors:
        return "monde", errors
    if not value:
        return "monde", []
    if value not in VIEWS:
        return "monde", [
            _("Vue inconnue « %(value)s » : choisissez « monde », « regions » ou « departements ».")
            % {"value": value}
        ]
    return value, []


def parse_zoom(querydict: QueryDict) -> tuple[int, list[str]]:
    value, errors = _single(querydict, "zoom", "zoom")
    if errors:
        return DEFAULT_ZOOM, errors
    if value is None or value == "":
        return DEFAULT_ZOOM, []
    message = _("Le niveau de zoom doit être un nombre entier de 0 à %(max)s (reçu « %(value)s »).") % {
        "max": MAX_ZOOM,
        "value": value,
    }
    zoom = bounded_int(value, 0, MAX_ZOOM)
    if zoom is None:
        return DEFAULT_ZOOM, [message]
    return zoom, []


def parse_bbox(querydict: QueryDict) -> tuple[BBox | None, list[str]]:
    """``bbox=ouest,sud,est,nord`` in decimal degrees (WGS 84), as Leaflet's ``getBounds().toBBoxString()``.

    Longitudes beyond ±180° (a map scrolled past the antimeridian) are clamped, not refused: the
    browser asks for what is on screen.
    """
    value, errors = _single(querydict, "bbox", "bbox")
    if errors:
        return None, errors
    if value is None or value == "":
        return None, []
    message = _(
        "La zone « %(value)s » est invalide : donnez quatre nombres séparés par des virgules, "
        "ouest,sud,est,nord, en degrés, avec ouest < est et sud < nord, latitudes entre -90 et 90."
    ) % {"value": value}
    parts = value.split(",")
    if len(parts) != 4:
        return None, [message]
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        return None, [message]
    if not all(math.isfinite(n) for n in (west, south, east, north)):
        return None, [message]
    if not (-90 <= south < north <= 90) or not west < east:
        return None, [message]
    return BBox(max(west, -180.0), south, min(east, 180.0), north), []


def canonical_query(params) -> str:
    """The search's query string, rebuilt from validated parameters (unknown values left out).

    Pagination and sort are left out: a map shows every result, in no order.
    """
    pairs = [("q", params.q)] if params.q else []
    for facet in FACETS:
        pairs += [(facet, value) for value in params.filters.get(facet, ())]
    if params.year_min is not None:
        pairs.append(("year_min", params.year_min))
    if params.year_max is not None:
        pairs.append(("year_max", params.year_max))
    return urlencode(pairs)


# The widest area the point map answers for at once, in screen pixels at the requested zoom (several
# screens): beyond, a request would ask for tens of thousands of single points no one can see.
MAX_EXTENT_PIXELS = 8192


def check_extent(bbox: BBox | None, zoom: int) -> list[str]:
    west, south, east, north = (
        (bbox.west, bbox.south, bbox.east, bbox.north)
        if bbox
        else (-180.0, -MAX_LATITUDE, 180.0, MAX_LATITUDE)
    )

    def mercator_y(latitude: float) -> float:
        latitude = max(-MAX_LATITUDE, min(MAX_LATITUDE, latitude))
        return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))

    world = 256 * 2**zoom
    width = (east - west) / 360.0 * world
    height = (mercator_y(north) - mercator_y(south)) / (2 * math.pi) * world
    if max(width, height) <= MAX_EXTENT_PIXELS:
        return []
    return [
        _(
            "La zone demandée est trop grande pour le zoom %(zoom)s : réduisez-la (paramètre bbox) "
            "ou diminuez le zoom."
        )
        % {"zoom": zoom}
    ]
