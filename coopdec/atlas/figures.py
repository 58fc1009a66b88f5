"""Figures of the Atlas, computed live from the database.

``key_figures`` gives the national counts (home page, ``/api/v1/stats``). The browse pages show the same
kind of figures for one level (a continent, a country, a foreign authority, a French region, department or
authority) and tables of figures for the levels below; every figure is one grouped query, so the number of
queries does not grow with the data.

A level is described by the partnerships it concerns and, on its own side, the authorities that make it:
the French authorities engaged in a region are those of the region, while the French authorities engaged in
a country are all the French members of the partnerships with authorities of that country.
"""

from dataclasses import dataclass

from django.db.models import CharField, Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import get_language

from coopdec.geo.models import Commune
from coopdec.orgs.models import Organisation

from .models import Partnership, PartnershipMember, Project

ForeignLink = Partnership.foreign.through
ProjectTheme = Project.themes.through

# How many rows the "leading countries / authorities" boxes show.
LEADERS = 10


def key_figures() -> dict[str, int]:
    """Counts shown on the home page and returned by ``/api/v1/stats``.

    Authorities and countries count only those engaged in at least one partnership: an organisation
    loaded from the reference data but with no partnership is not "engaged".
    """
    foreign_ids = Partnership.foreign.through.objects.values("organisation_id")
    return {
        "projects": Project.objects.count(),
        "partnerships": Partnership.objects.count(),
        "french_authorities": PartnershipMember.objects.values("organisation_id").distinct().count(),
        "foreign_authorities": Partnership.foreign.through.objects.values("organisation_id")
        .distinct()
        .count(),
        "countries": Organisation.objects.filter(pk__in=foreign_ids)
        .exclude(country=None)
        .values("country_id")
        .distinct()
        .count(),
    }


# --- Where a French authority is -----------------------------------------------------------------------
#
# A French authority is tied to its reference entity; its own region/department columns may be empty
# (the demonstration generator fills them only for regions, departments and special-status authorities,
# while the importer and the admin fill them for all). So the department and region are read from the
# first known of: the authority's own column, its commune's, and for an EPCI the department of its first
# member commune by INSEE code (the rule the generator uses to place an EPCI).


def department_of(prefix: str = ""):
    """Expression: the department code of the French authority at ``prefix`` (e.g. ``organisation__``)."""
    epci_department = Commune.objects.filter(epci_id=OuterRef(f"{prefix}epci_id")).order_by("insee")
    return Coalesce(
        F(f"{prefix}department_id"),
        F(f"{prefix}commune__department_id"),
        Subquery(epci_department.values("department_id")[:1]),
        output_field=CharField(),
    )


def region_of(prefix: str = ""):
    """Expression: the region code of the French authority at ``prefix``."""
    epci_region = Commune.objects.filter(epci_id=OuterRef(f"{prefix}epci_id")).order_by("insee")
    return Coalesce(
        F(f"{prefix}region_id"),
        F(f"{prefix}department__region_id"),
        F(f"{prefix}commune__department__region_id"),
        Subquery(epci_region.values("department__region_id")[:1]),
        output_field=CharField(),
    )


def name_field(prefix: str = "") -> str:
    """The ``name_fr`` or ``name_en`` column for the current language (countries, continents, themes)."""
    suffix = "en" if (get_language() or "fr").startswith("en") else "fr"
    return f"{prefix}name_{suffix}"


# --- One level -----------------------------------------------------------------------------------------


@dataclass
class Level:
    """What a browse level concerns.

    ``french`` and ``foreign``: the ``PartnershipMember`` and ``Partnership.foreign.through`` rows that
    make the level's authorities; ``partnerships``: a queryset of the ids of the partnerships concerned;
    ``leaders``: which ranking to show ("countries", "french" or "foreign").
    """

    partnerships: QuerySet
    french: QuerySet
    foreign: QuerySet
    leaders: str = "countries"


def foreign_side(links: QuerySet, leaders: str) -> Level:
    """A level defined by foreign authorities: the French side is every member of their partnerships."""
    partnerships = links.values("partnership_id")
    french = PartnershipMember.objects.filter(partnership_id__in=partnerships)
    return Level(partnerships, french, links, leaders)


def french_side(members: QuerySet) -> Level:
    """A level defined by French authorities: the foreign side is every partner of their partnerships."""
    partnerships = members.values("partnership_id")
    foreign = ForeignLink.objects.filter(partnership_id__in=partnerships)
    return Level(partnerships, members, foreign, "countries")


def level_for_all() -> Level:
    return Level(Partnership.objects.values("pk"), PartnershipMember.objects.all(), ForeignLink.objects.all())


def level_for_continent(code: str) -> Level:
    return foreign_side(ForeignLink.objects.filter(organisation__country__continent_id=code), "countries")


def level_for_country(iso2: str) -> Level:
    return foreign_side(ForeignLink.objects.filter(organisation__country_id=iso2), "french")


def level_for_foreign_authority(organisation_id: int) -> Level:
    return foreign_side(ForeignLink.objects.filter(organisation_id=organisation_id), "french")


def members_in_region(code: str) -> QuerySet:
    return PartnershipMember.objects.alias(area=region_of("organisation__")).filter(area=code)


def members_in_department(code: str) -> QuerySet:
    return PartnershipMember.objects.alias(area=department_of("organisation__")).filter(area=code)


def level_for_region(code: str) -> Level:
    return french_side(members_in_region(code))


def level_for_department(code: str) -> Level:
    return french_side(members_in_department(code))


def level_for_french_authority(organisation_id: int) -> Level:
    return french_side(PartnershipMember.objects.filter(organisation_id=organisation_id))


def level_figures(level: Level) -> dict:
    """The figures of one level: counts, themes, leading partners and projects by start year."""
    projects = Project.objects.filter(partnership_id__in=level.partnerships)
    return {
        "projects": projects.count(),
        "french_authorities": level.french.values("organisation_id").distinct().count(),
        "foreign_authorities": level.foreign.values("organisation_id").distinct().count(),
        "themes": list(
            ProjectTheme.objects.filter(project__partnership_id__in=level.partnerships)
            .values(code=F("theme_id"), name=F(name_field("theme__")))
            .annotate(count=Count("project_id"))
            .order_by("-count", "theme__position", "theme_id")
        ),
        "years": years_chart(projects),
        "leaders": leaders(level),
        "leaders_kind": level.leaders,
    }


def leaders(level: Level) -> list[dict]:
    """The partner countries or authorities with the most projects in this level."""
    if level.leaders == "french":
        rows = level.french.values(slug=F("organisation__slug"), name=F("organisation__name"))
    elif level.leaders == "foreign":
        rows = level.foreign.values(slug=F("organisation__slug"), name=F("organisation__name"))
    else:
        rows = level.foreign.exclude(organisation__country=None).values(
            code=F("organisation__country_id"), name=F(name_field("organisation__country__"))
        )
    projects = Count("partnership__projects", distinct=True)
    return list(rows.annotate(count=projects).order_by("-count", "name")[:LEADERS])


def years_chart(projects: QuerySet) -> list[dict]:
    """Projects by start year, each with its bar length in percent of the largest year."""
    rows = list(
        projects.exclude(start_date=None)
        .annotate(year=ExtractYear("start_date"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("year")
    )
    # At most one row per year: a bounded list, scaled here because templates cannot divide.
    top = max((row["count"] for row in rows), default=0)
    for row in rows:
        row["percent"] = round(100 * row["count"] / top, 1) if top else 0
    return rows


# --- Tables of the levels below ------------------------------------------------------------------------


def _figures_by(rows: QuerySet, key: str) -> dict:
    return {row[key]: row for row in rows}


def continents_table() -> dict[str, dict]:
    """Per continent code: partner authorities, countries, French authorities engaged, projects."""
    rows = (
        ForeignLink.objects.values(key=F("organisation__country__continent_id"))
        .exclude(key=None)
        .annotate(
            foreign=Count("organisation_id", distinct=True),
            countries=Count("organisation__country_id", distinct=True),
            french=Count("partnership__french_members__organisation_id", distinct=True),
            projects=Count("partnership__projects", distinct=True),
        )
        .order_by()
    )
    return _figures_by(rows, "key")


def countries_table(continent_code: str | None = None) -> list[dict]:
    """Per engaged country (of one continent, or all): the same figures, most projects first."""
    links = ForeignLink.objects.exclude(organisation__country=None)
    if continent_code:
        links = links.filter(organisation__country__continent_id=continent_code)
    return list(
        links.values(code=F("organisation__country_id"), name=F(name_field("organisation__country__")))
        .annotate(
            foreign=Count("organisation_id", distinct=True),
            french=Count("partnership__french_members__organisation_id", distinct=True),
            projects=Count("partnership__projects", distinct=True),
        )
        .order_by("-projects", "name")
    )


def french_areas_table(expression, members: QuerySet | None = None) -> dict[str, dict]:
    """Per French region or department (``expression``): French authorities, partners, projects."""
    members = PartnershipMember.objects.all() if members is None else members
    rows = (
        members.annotate(key=expression)
        .values("key")
        .exclude(key=None)
        .annotate(
            french=Count("organisation_id", distinct=True),
            foreign=Count("partnership__foreign", distinct=True),
            projects=Count("partnership__projects", distinct=True),
        )
        .order_by()
    )
    return _figures_by(rows, "key")


def with_figures(items, table: dict, key: str) -> list[dict]:
    """Each reference item (a bounded list: continents, regions, departments) beside its figures."""
    empty = {"french": 0, "foreign": 0, "projects": 0, "countries": 0}
    return [{"item": item, **table.get(getattr(item, key), empty)} for item in items]
