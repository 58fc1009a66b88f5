"""The authority and country lists of the API: filters read from the query string, and their counts.

Every filter value is checked against the reference tables; a bad one is reported in French and the
request answered with 400, never passed on to the ORM as it came.
"""

from __future__ import annotations

import math
from collections import Counter

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from coopdec.atlas.models import Partnership, PartnershipMember, Project
from coopdec.exports.formats.columns import CountryCounts
from coopdec.geo.models import Continent, Country, Department, Region
from coopdec.numbers import bounded_int
from coopdec.orgs.models import Organisation

AUTHORITY_KINDS = (*Organisation.FRENCH_AUTHORITY_KINDS, Organisation.Kind.FOREIGN_AUTHORITY)
DEFAULT_PAGE_SIZE = 50
NUL = "\x00"
MAX_PAGE_SIZE = 200


def values(querydict, name: str) -> list[str]:
    """Repeated (``?kind=a&kind=b``) or comma-separated (``?kind=a,b``) values, each once."""
    raw = [part.strip() for item in querydict.getlist(name) for part in item.split(",") if part.strip()]
    return list(dict.fromkeys(value[:60] for value in raw))[:50]


def unknown(value: str, name: str) -> str:
    return _("Valeur inconnue « %(value)s » pour le paramètre « %(name)s ».") % {
        "value": value.replace(NUL, "\ufffd"),
        "name": name,
    }


def positive_int(querydict, name: str, default: int, maximum: int, errors: list[str]) -> int:
    raw = (querydict.get(name) or "").strip()
    if not raw:
        return default
    value = bounded_int(raw, 1, maximum)
    if value is None:
        errors.append(
            _("Le paramètre « %(name)s » doit être un nombre entier de 1 à %(max)s (reçu « %(value)s »).")
            % {"name": name, "max": maximum, "value": raw[:40]}
        )
        return default
    return value


def known_codes(queryset, field: str, requested: list[str]) -> set[str]:
    """The requested codes that ``queryset`` holds in ``field``. A code with a NUL character is looked
    up nowhere (PostgreSQL refuses the character in any text): it is unknown."""
    plain = [value for value in requested if NUL not in value]
    return set(queryset.filter(**{f"{field}__in": plain}).values_list(field, flat=True))


def checked(requested: list[str], known: set[str], name: str, errors: list[str]) -> list[str]:
    errors.extend(unknown(value, name) for value in requested if value not in known)
    return [value for value in requested if value in known]


def authority_queryset(querydict) -> tuple[QuerySet, list[str]]:
    """French and foreign local authorities filtered by kind, country, region, department and name."""
    errors: list[str] = []
    queryset = Organisation.objects.filter(kind__in=AUTHORITY_KINDS)
    kinds = checked(values(querydict, "kind"), set(AUTHORITY_KINDS), "kind", errors)
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    countries = [value.upper() for value in values(querydict, "country")]
    if countries:
        known = known_codes(Country.objects, "iso2", countries)
        countries = checked(countries, known, "country", errors)
        queryset = queryset.filter(country_id__in=countries)
    regions = values(querydict, "region")
    if regions:
        known = known_codes(Region.objects, "code", regions)
        regions = checked(regions, known, "region", errors)
        # A commune or a department authority reaches its region through its reference entity.
        queryset = queryset.filter(
            Q(region_id__in=regions)
            | Q(department__region_id__in=regions)
            | Q(commune__department__region_id__in=regions)
        )
    departments = [value.upper() for value in values(querydict, "department")]
    if departments:
        known = known_codes(Department.objects, "code", departments)
        departments = checked(departments, known, "department", errors)
        queryset = queryset.filter(
            Q(department_id__in=departments) | Q(commune__department_id__in=departments)
        )
    name = (querydict.get("q") or "").strip()[:100]
    if NUL in name:
        errors.append(_("Le paramètre « q » contient un caractère nul."))
    elif name:
        queryset = queryset.filter(name__icontains=name)
    return queryset.order_by("name", "slug"), errors


def page_of(queryset: QuerySet, page: int, page_size: int, errors: list[str]) -> tuple[list, int, int]:
    """(objects, count, page_count) of one page; a page past the last is an error."""
    count = queryset.count()
    page_count = max(1, math.ceil(count / page_size))
    if page > page_count:
        errors.append(
            _("La page %(page)s n'existe pas : il y en a %(count)s.") % {"page": page, "count": page_count}
        )
        return [], count, page_count
    offset = (page - 1) * page_size
    return list(queryset[offset : offset + page_size]), count, page_count


def engagement_counts(ids: list[int]) -> tuple[Counter, Counter]:
    """(partnerships, projects) per organisation id, French member or foreign partner; four queries."""
    partnerships: Counter = Counter()
    projects: Counter = Counter()
    if not ids:
        return partnerships, projects
    for key, n in (
        PartnershipMember.objects.filter(organisation_id__in=ids)
        .values_list("organisation_id")
        .annotate(n=Count("partnership_id", distinct=True))
    ):
        partnerships[key] += n
    for key, n in (
        Partnership.foreign.through.objects.filter(organisation_id__in=ids)
        .values_list("organisation_id")
        .annotate(n=Count("partnership_id", distinct=True))
    ):
        partnerships[key] += n
    for key, n in (
        Project.objects.filter(partnership__french_members__organisation_id__in=ids)
        .values_list("partnership__french_members__organisation_id")
        .annotate(n=Count("pk", distinct=True))
    ):
        projects[key] += n
    for key, n in (
        Project.objects.filter(partnership__foreign__in=ids)
        .values_list("partnership__foreign")
        .annotate(n=Count("pk", distinct=True))
    ):
        projects[key] += n
    return partnerships, projects


def country_list(querydict) -> tuple[list[CountryCounts], list[str]]:
    """Every country with its counts of engaged authorities, partnerships and projects (five queries)."""
    errors: list[str] = []
    countries = Country.objects.select_related("continent").order_by("name_fr")
    continents = [value.upper() for value in values(querydict, "continent")]
    if continents:
        known = known_codes(Continent.objects, "code", continents)
        continents = checked(continents, known, "continent", errors)
        countries = countries.filter(continent_id__in=continents)
    active = (querydict.get("active") or "").strip().lower()
    if active not in ("", "true", "false", "1", "0"):
        errors.append(
            _("Le paramètre « active » vaut true ou false (reçu « %(value)s »).") % {"value": active[:40]}
        )
    links = Partnership.foreign.through.objects.values_list("organisation__country_id")
    foreign = dict(links.annotate(n=Count("organisation_id", distinct=True)))
    partnerships = dict(links.annotate(n=Count("partnership_id", distinct=True)))
    projects = dict(
        Project.objects.values_list("partnership__foreign__country_id").annotate(n=Count("pk", distinct=True))
    )
    french = dict(
        PartnershipMember.objects.values_list("partnership__foreign__country_id").annotate(
            n=Count("organisation_id", distinct=True)
        )
    )
    result = [
        CountryCounts(
            iso2=item.iso2,
            iso3=item.iso3,
            name=item.name_fr,
            name_en=item.name_en,
            continent=item.continent_id,
            continent_name=item.continent.name_fr if item.continent else None,
            latitude=item.latitude,
            longitude=item.longitude,
            foreign_authorities=foreign.get(item.iso2, 0),
            french_authorities=french.get(item.iso2, 0),
            partnerships=partnerships.get(item.iso2, 0),
            projects=projects.get(item.iso2, 0),
        )
        for item in countries
    ]
    if active in ("true", "1"):
        result = [item for item in result if item.partnerships]
    elif active in ("false", "0"):
        result = [item for item in result if not item.partnerships]
    return result, errors
