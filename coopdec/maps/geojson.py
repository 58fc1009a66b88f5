"""GeoJSON documents of the map, built from the aggregates (RFC 7946, coordinates in WGS 84).

Besides ``features``, the collections carry the legend's classes (``classes``) as a foreign member, so
the browser colours areas with the very bounds the page's legend and tables show.
"""

import json

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coopdec.orgs.models import Organisation

from . import links
from .legend import class_of, classes


def _geometry(outline: str) -> dict | None:
    try:
        geometry = json.loads(outline)
    except ValueError:
        # A malformed outline in the reference data must not take the whole map down.
        return None
    return geometry if isinstance(geometry, dict) and "type" in geometry else None


def areas(outlines: list[dict], counts: list[dict], url_for) -> dict:
    """A choropleth: every outlined area with its project count, class and page address."""
    by_code = {row["code"]: row["projects"] for row in counts}
    map_classes = classes(by_code.values())
    features = []
    for area in outlines:
        geometry = _geometry(area["outline"])
        if geometry is None:
            continue
        projects = by_code.get(area["code"], 0)
        features.append(
            {
                "type": "Feature",
                "id": area["code"],
                "geometry": geometry,
                "properties": {
                    "code": area["code"],
                    "name": area["name"],
                    "projects": projects,
                    "class": class_of(projects, map_classes).index,
                    "url": url_for(area["code"]),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "classes": [map_class.as_dict() for map_class in map_classes],
        "features": features,
    }


def _authority_properties(row: dict, urls: dict) -> dict:
    foreign = row["kind"] == Organisation.Kind.FOREIGN_AUTHORITY
    return {
        "cluster": False,
        "name": row["name"],
        "side": "etranger" if foreign else "france",
        "kind": row["kind"],
        "kind_label": str(Organisation.Kind(row["kind"]).label),
        "country": row["country_id"],
        "projects": row["projects"],
        "projects_label": ngettext("%(n)s projet", "%(n)s projets", row["projects"]) % {"n": row["projects"]},
        "url": urls["foreign" if foreign else "french"](row["slug"]),
    }


def _cluster_properties(row: dict) -> dict:
    n, foreign = row["authorities"], row["foreign"]
    return {
        "cluster": True,
        "authorities": n,
        "french": n - foreign,
        "foreign": foreign,
        "label": _("%(n)s collectivités : %(french)s françaises, %(foreign)s étrangères")
        % {"n": n, "french": n - foreign, "foreign": foreign},
    }


def points(rows: list[dict], zoom: int) -> dict:
    urls = {"french": links.french_authority(), "foreign": links.foreign_authority()}
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [round(row["longitude"], 5), round(row["latitude"], 5)],
            },
            "properties": _cluster_properties(row)
            if row["authorities"] > 1
            else _authority_properties(row, urls),
        }
        for row in rows
    ]
    return {"type": "FeatureCollection", "zoom": zoom, "features": features}
