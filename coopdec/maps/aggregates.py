"""Figures behind the map, aggregated in the database from any set of projects.

Every function takes ``projects``, a queryset of projects (usually a search's ``matching_projects``),
and reads only its primary keys as a subquery: whatever ordering or ranking the search puts on it is
dropped, and the number of queries does not depend on how many projects match.
"""

import math
from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, F, FloatField, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Floor, Ln, Radians, Tan
from django.utils.translation import get_language

from coopdec.atlas.models import Partnership, PartnershipMember, Project
from coopdec.geo.models import Country, Department, Region
from coopdec.orgs.models import Organisation
from coopdec.search.models import FacetEntry

ForeignLink = Partnership.foreign.through

# Size of a cluster cell on screen, in pixels of a 256-pixel Web Mercator tile.
CELL_PIXELS = 64
# From this zoom on, every authority is its own point: cells would hold one city at most.
DETAIL_ZOOM = 11
MAX_ZOOM = 18
# Web Mercator cannot show the poles; authorities beyond these latitudes are left off the point map.
MAX_LATITUDE = 85.0
# Beyond this many single points, their project counts are read through a subquery rather than a list
# of ids, which SQLite limits in length.
MAX_ID_LIST = 1000


def _project_ids(projects: QuerySet) -> QuerySet:
    return projects.order_by().values("pk")


def _localised(row: dict, prefix: str) -> str:
    return row[f"{prefix}name_en"] if get_language() == "en" else row[f"{prefix}name_fr"]


# ---------------------------------------------------------------------------------------------------
# Countries, French regions and departments


def _facet_counts(projects: QuerySet, facet: str) -> dict[str, int]:
    """Matching projects per value of a search facet, read from the search index's facet rows.

    The index places every project in the countries of its foreign partners and in the regions and
    departments of its French authorities (an intercommunalité in those of its member communes), so
    the map counts exactly what the search page's facets count.
    """
    rows = (
        FacetEntry.objects.filter(facet=facet, project_id__in=_project_ids(projects))
        .values("value")
        .annotate(n=Count("project_id"))
        .values_list("value", "n")
    )
    return dict(rows)


def _ranked(rows: list[dict]) -> list[dict]:
    rows.sort(key=lambda row: (-row["projects"], row["name"]))
    return rows


def projects_by_country(projects: QuerySet) -> list[dict]:
    """Countries of the foreign partners of ``projects``, with how many projects each counts, most first.

    A project counts once in every country where one of its partnership's foreign authorities lies.
    """
    counts = _facet_counts(projects, "country")
    names = Country.objects.filter(iso2__in=list(counts)).values("iso2", "name_fr", "name_en")
    return _ranked(
        [{"code": row["iso2"], "name": _localised(row, ""), "projects": counts[row["iso2"]]} for row in names]
    )


def country_outlines() -> list[dict]:
    """Every country that has an outline, with its name in the current language."""
    rows = (
        Country.objects.exclude(outline="").values("iso2", "name_fr", "name_en", "outline").order_by("iso2")
    )
    return [{"code": row["iso2"], "name": _localised(row, ""), "outline": row["outline"]} for row in rows]


def _area_model(level: str):
    return Region if level == "region" else Department


def projects_by_area(projects: QuerySet, level: str) -> list[dict]:
    """French regions (``level="region"``) or departments (``"departement"``) with their project counts.

    A project counts once in every region (department) where one of its French authorities lies.
    """
    counts = _facet_counts(projects, "region" if level == "region" else "department")
    names = _area_model(level).objects.filter(code__in=list(counts)).values_list("code", "name")
    return _ranked([{"code": code, "name": name, "projects": counts[code]} for code, name in names])


def area_outlines(level: str) -> list[dict]:
    rows = _area_model(level).objects.exclude(outline="").values("code", "name", "outline").order_by("code")
    return list(rows)


# ---------------------------------------------------------------------------------------------------
# Authorities as points


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float


def engaged_authorities(projects: QuerySet) -> QuerySet:
    """French and foreign authorities of the partnerships of ``projects`` that have coordinates."""
    partnerships = Project.objects.filter(pk__in=_project_ids(projects)).values("partnership_id")
    french = PartnershipMember.objects.filter(partnership_id__in=partnerships).values("organisation_id")
    foreign = ForeignLink.objects.filter(partnership_id__in=partnerships).values("organisation_id")
    return Organisation.objects.filter(Q(pk__in=french) | Q(pk__in=foreign)).filter(
        latitude__isnull=False,
        longitude__isnull=False,
        latitude__gte=-MAX_LATITUDE,
        latitude__lte=MAX_LATITUDE,
    )


def cell_size(zoom: int) -> float:
    """Width of a cluster cell at ``zoom``, in degrees of longitude."""
    return 360.0 * CELL_PIXELS / (256 * 2**zoom)


def _cells(queryset: QuerySet, zoom: int) -> QuerySet:
    """Annotate each authority with the grid cell it falls in.

    The grid is square on screen: columns by longitude, rows by Web Mercator y
    (ln tan(π/4 + φ/2)), so a cluster covers the same number of pixels anywhere on the map. It is
    anchored at 0°, 0°, so a point stays in the same cell whatever part of the world is on screen.
    """
    degrees = cell_size(zoom)
    radians = math.radians(degrees)
    mercator_y = Ln(Tan(Value(math.pi / 4) + Radians("latitude") / Value(2.0)))
    return queryset.annotate(
        cx=Floor(F("longitude") / Value(degrees), output_field=FloatField()),
        cy=Floor(mercator_y / Value(radians), output_field=FloatField()),
    )


def _in_bbox(queryset: QuerySet, bbox: BBox | None) -> QuerySet:
    if bbox is None:
        return queryset
    return queryset.filter(
        longitude__gte=bbox.west,
        longitude__lte=bbox.east,
        latitude__gte=bbox.south,
        latitude__lte=bbox.north,
    )


def _project_counts(projects: QuerySet, organisations) -> dict[int, int]:
    """Number of ``projects`` each of ``organisations`` (ids or a subquery) takes part in.

    The matching set is tested per project with EXISTS rather than IN: with an IN list, SQLite walks
    every matching project first (seconds at national scale) instead of starting from the authorities.
    """
    matching = Project.objects.filter(Exists(projects.order_by().filter(pk=OuterRef("pk"))))
    counts: dict[int, int] = {}
    for path in ("partnership__french_members__organisation_id", "partnership__foreign"):
        rows = (
            matching.filter(**{f"{path}__in": organisations})
            .values(organisation=F(path))
            .annotate(n=Count("pk"))
            .values_list("organisation", "n")
        )
        for organisation_id, n in rows:
            counts[organisation_id] = counts.get(organisation_id, 0) + n
    return counts


def authority_points(projects: QuerySet, zoom: int, bbox: BBox | None) -> list[dict]:
    """Authorities engaged in ``projects``, merged into clusters by a grid that depends on ``zoom``.

    Returns dicts: clusters (``authorities`` > 1) with their mean position and how many French and
    foreign authorities they hold; single authorities with their name, slug, kind, country and
    number of projects. Below ``DETAIL_ZOOM`` the grouping is done by the database; from it on each
    authority is returned on its own.
    """
    authorities = _in_bbox(engaged_authorities(projects), bbox)
    foreign_kind = Organisation.Kind.FOREIGN_AUTHORITY
    if zoom >= DETAIL_ZOOM:
        rows = [
            {**row, "authorities": 1, "foreign": int(row["kind"] == foreign_kind)}
            for row in authorities.values(
                "id", "slug", "name", "kind", "country_id", "latitude", "longitude"
            ).order_by("longitude", "latitude", "slug")
        ]
    else:
        rows = list(
            _cells(authorities, zoom)
            .values("cx", "cy")
            .annotate(
                authorities=Count("pk"),
                foreign=Count("pk", filter=Q(kind=foreign_kind)),
                latitude=Avg("latitude"),
                longitude=Avg("longitude"),
                # For a cell holding one authority these are that authority's values.
                id=Min("pk"),
                slug=Min("slug"),
                name=Min("name"),
                kind=Min("kind"),
                country_id=Min("country_id"),
            )
            .order_by("cx", "cy")
        )
    singles = [row["id"] for row in rows if row["authorities"] == 1]
    if singles:
        counts = _project_counts(
            projects, singles if len(singles) <= MAX_ID_LIST else authorities.values("pk")
        )
    else:
        counts = {}
    for row in rows:
        row["projects"] = counts.get(row["id"], 0) if row["authorities"] == 1 else None
    return rows
