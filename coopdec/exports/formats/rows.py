"""Project rows for the exports and the API, read in chunks with a bounded number of queries per chunk.

``project_rows(queryset)`` walks any project queryset (a search result, a country's projects…) in its
own order, ``chunk_size`` projects at a time. For each chunk it runs four more queries — themes, French
members, foreign partners, financings — whatever the number of projects, and builds plain ``ProjectRow``
objects from tuples (no model instances: they cost more than the rows themselves at a million rows).
Labels are French: the exports and the API speak the reference language of the portal.
"""

from __future__ import annotations

import datetime
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import NamedTuple

from django.db import connection
from django.db.models import QuerySet
from django.utils import translation

from coopdec.atlas.models import Financing, Partnership, PartnershipMember, Project, Theme
from coopdec.geo.models import Continent, Country, Department, Region
from coopdec.orgs.models import Organisation

CHUNK_SIZE = 2000


class Authority(NamedTuple):
    slug: str
    name: str
    kind: str
    region: str | None
    region_name: str | None
    department: str | None
    department_name: str | None
    country: str | None
    country_name: str | None
    continent: str | None
    continent_name: str | None
    latitude: float | None
    longitude: float | None
    # The centroid of the authority's country, for a map point when the authority has no coordinates.
    country_latitude: float | None
    country_longitude: float | None


class Funding(NamedTuple):
    funder: str
    funder_name: str
    kind: str
    year: int
    amount: Decimal


def _distinct(pairs) -> list[tuple[str, str]]:
    """(code, label) pairs with each non-empty code once, in first-seen order."""
    seen: dict[str, str] = {}
    for code, label in pairs:
        if code and code not in seen:
            seen[code] = label
    return list(seen.items())


@dataclass(slots=True)
class ProjectRow:
    """One project, flat. Treated as read-only once built: the derived lists (countries, continents,
    funders, total) are computed on first use and kept, since the export columns read each twice (codes,
    then labels)."""

    slug: str
    title: str
    status: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    last_confirmed_at: datetime.datetime | None
    partnership: str
    partnership_title: str
    partnership_kind: str
    themes: list[tuple[str, str]] = field(default_factory=list)
    # The lead French authority first, then the others by name.
    french: list[Authority] = field(default_factory=list)
    foreign: list[Authority] = field(default_factory=list)
    financings: list[Funding] = field(default_factory=list)
    _countries: list[tuple[str, str]] | None = field(default=None, init=False, repr=False, compare=False)
    _continents: list[tuple[str, str]] | None = field(default=None, init=False, repr=False, compare=False)
    _funders: list[tuple[str, str]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def lead(self) -> Authority | None:
        return self.french[0] if self.french else None

    @property
    def countries(self) -> list[tuple[str, str]]:
        """The foreign partners' countries, each once, in partner order."""
        if self._countries is None:
            self._countries = _distinct((p.country, p.country_name) for p in self.foreign)
        return self._countries

    @property
    def continents(self) -> list[tuple[str, str]]:
        if self._continents is None:
            self._continents = _distinct((p.continent, p.continent_name) for p in self.foreign)
        return self._continents

    @property
    def funders(self) -> list[tuple[str, str]]:
        if self._funders is None:
            self._funders = _distinct((line.funder, line.funder_name) for line in self.financings)
        return self._funders

    @property
    def total_amount(self) -> Decimal | None:
        if not self.financings:
            return None
        return sum((line.amount for line in self.financings), Decimal(0))


def labels(choices) -> dict[str, str]:
    """Code → French label of a ``TextChoices``, computed once rather than once per row."""
    with translation.override("fr"):
        return {member.value: str(member.label) for member in choices}


PROJECT_STATUS = labels(Project.Status)
PARTNERSHIP_KIND = labels(Partnership.Kind)
ORGANISATION_KIND = labels(Organisation.Kind)
FINANCING_KIND = labels(Financing.Kind)

PROJECT_FIELDS = (
    "pk",
    "slug",
    "title",
    "status",
    "start_date",
    "end_date",
    "last_confirmed_at",
    "partnership_id",
    "partnership__slug",
    "partnership__title",
    "partnership__kind",
)

# Authorities met again and again (a French region leads thousands of projects) are read once per export;
# past this many the cache is emptied, which bounds memory whatever the number of authorities.
AUTHORITY_CACHE_SIZE = 50_000
CENTS = Decimal("0.01")


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _select_in(model, columns: tuple[str, ...], key: str, ids: list[int]) -> list[tuple]:
    """``SELECT columns FROM model's table WHERE key IN ids``, as plain tuples.

    Written by hand because the ORM spends longer preparing a 2,000-value IN list than the database
    spends answering it; only column names from the model and one placeholder per value go into the text.
    """
    if not ids:
        return []
    quote = connection.ops.quote_name
    sql = "SELECT {columns} FROM {table} WHERE {key} IN ({placeholders})".format(  # noqa: S608
        columns=", ".join(quote(column) for column in columns),
        table=quote(model._meta.db_table),
        key=quote(key),
        placeholders=", ".join(["%s"] * len(ids)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return cursor.fetchall()


def _amount(value) -> Decimal:
    # SQLite hands back decimals as integers or floats; PostgreSQL as Decimal.
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(CENTS)


class Lookups:
    """The small reference tables (themes, regions, departments, countries…) read once, and the
    authorities read as they are met; one per export, so an export sees one consistent picture."""

    def __init__(self):
        self.themes = {
            code: (position, name)
            for code, position, name in Theme.objects.values_list("code", "position", "name_fr")
        }
        # Sort key and (code, name) pair of each theme, built once rather than once per project.
        self.theme_rank = {code: (position, code) for code, (position, _name) in self.themes.items()}
        self.theme_pair = {code: (code, name) for code, (_position, name) in self.themes.items()}
        self.regions = dict(Region.objects.values_list("code", "name"))
        self.departments = {
            code: (name, region)
            for code, name, region in Department.objects.values_list("code", "name", "region_id")
        }
        self.continents = dict(Continent.objects.values_list("code", "name_fr"))
        self.countries = {
            iso2: (name, continent, latitude, longitude)
            for iso2, name, continent, latitude, longitude in Country.objects.values_list(
                "iso2", "name_fr", "continent_id", "latitude", "longitude"
            )
        }
        self.authorities: dict[int, Authority] = {}

    def authority(self, values) -> Authority:
        slug, name, kind, region, department, commune_department, country, latitude, longitude = values
        # A commune's or an EPCI's place in France comes through its reference entity.
        department = department or commune_department
        if department and not region:
            region = self.departments.get(department, (None, None))[1]
        country_name, continent, country_latitude, country_longitude = self.countries.get(
            country, (None, None, None, None)
        )
        return Authority(
            slug,
            name,
            kind,
            region,
            self.regions.get(region),
            department,
            self.departments.get(department, (None,))[0],
            country,
            country_name,
            continent,
            self.continents.get(continent),
            latitude,
            longitude,
            country_latitude,
            country_longitude,
        )

    def load_authorities(self, ids: set[int]) -> None:
        missing = [pk for pk in ids if pk not in self.authorities]
        if not missing:
            return
        if len(self.authorities) + len(missing) > AUTHORITY_CACHE_SIZE:
            self.authorities.clear()
        for pk, *values in Organisation.objects.filter(pk__in=missing).values_list(
            "pk",
            "slug",
            "name",
            "kind",
            "region_id",
            "department_id",
            "commune__department_id",
            "country_id",
            "latitude",
            "longitude",
        ):
            self.authorities[pk] = self.authority(values)


def _load_chunk(chunk: list[tuple], lookups: Lookups) -> list[ProjectRow]:
    """Rows for a chunk of ``PROJECT_FIELDS`` tuples: four link queries, at most one for authorities.

    The link rows of the whole chunk are sorted once (themes by position, lead first then by name,
    financings by year) and then dealt out to their projects, which keeps them in order: this costs far
    less than sorting a small list per project. Lists of a partnership are shared by its projects' rows
    (rows are read-only)."""
    project_ids = [values[0] for values in chunk]
    partnership_ids = list({values[7] for values in chunk})

    theme_links = _select_in(Project.themes.through, ("project_id", "theme_id"), "project_id", project_ids)
    members = _select_in(
        PartnershipMember, ("partnership_id", "organisation_id", "is_lead"), "partnership_id", partnership_ids
    )
    partners = _select_in(
        Partnership.foreign.through, ("partnership_id", "organisation_id"), "partnership_id", partnership_ids
    )
    funding = _select_in(
        Financing, ("project_id", "funder_id", "kind", "year", "amount", "id"), "project_id", project_ids
    )
    lookups.load_authorities(
        {row[1] for row in members} | {row[1] for row in partners} | {row[1] for row in funding}
    )
    authorities = lookups.authorities

    theme_rank = lookups.theme_rank
    theme_pair = lookups.theme_pair
    theme_links.sort(key=lambda link: theme_rank[link[1]])
    themes: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for project_id, code in theme_links:
        themes[project_id].append(theme_pair[code])

    ranked = []
    for partnership_id, organisation_id, is_lead in members:
        authority = authorities[organisation_id]
        ranked.append((not is_lead, authority.name, authority.slug, partnership_id, authority))
    ranked.sort(key=lambda item: item[:3])
    french: dict[int, list[Authority]] = defaultdict(list)
    for *_key, partnership_id, authority in ranked:
        french[partnership_id].append(authority)

    ranked = []
    for partnership_id, organisation_id in partners:
        authority = authorities[organisation_id]
        ranked.append((authority.name, authority.slug, partnership_id, authority))
    ranked.sort(key=lambda item: item[:2])
    foreign: dict[int, list[Authority]] = defaultdict(list)
    for _name, _slug, partnership_id, authority in ranked:
        foreign[partnership_id].append(authority)

    ranked = []
    for project_id, funder_id, kind, year, amount, pk in funding:
        funder = authorities[funder_id]
        ranked.append((year, kind, funder.slug, pk, project_id, funder.name, amount))
    ranked.sort(key=lambda item: item[:4])
    financings: dict[int, list[Funding]] = defaultdict(list)
    for year, kind, funder, _pk, project_id, funder_name, amount in ranked:
        financings[project_id].append(Funding(funder, funder_name, kind, year, _amount(amount)))

    themes_get, french_get, foreign_get, financings_get = themes.get, french.get, foreign.get, financings.get
    return [
        ProjectRow(
            slug,
            title,
            status,
            start_date,
            end_date,
            last_confirmed_at,
            partnership_slug,
            partnership_title,
            partnership_kind,
            themes_get(pk) or [],
            french_get(partnership_id) or [],
            foreign_get(partnership_id) or [],
            financings_get(pk) or [],
        )
        for (
            pk,
            slug,
            title,
            status,
            start_date,
            end_date,
            last_confirmed_at,
            partnership_id,
            partnership_slug,
            partnership_title,
            partnership_kind,
        ) in chunk
    ]


def _without_gc(function, *args):
    """``function(*args)`` with the cycle collector paused.

    Building a chunk allocates tens of thousands of tuples and lists that all live until the chunk is
    written, and none forms a cycle; left on, the collector would walk them again and again as they are
    promoted (a third of the export's time was spent there). It is paused for the build only, and left as
    it was found."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return function(*args)
    finally:
        if enabled:
            gc.enable()


def project_rows(queryset: QuerySet[Project], *, chunk_size: int = CHUNK_SIZE) -> Iterator[ProjectRow]:
    """Every project of ``queryset``, in its order, as ``ProjectRow``.

    Five queries to start (the reference lookups), then per chunk: one fetch of the projects, four link
    queries and at most one for the authorities not met yet."""
    lookups = Lookups()
    values = queryset.values_list(*PROJECT_FIELDS).iterator(chunk_size=chunk_size)
    for chunk in _chunks(values, chunk_size):
        yield from _without_gc(_load_chunk, chunk, lookups)


def rows_for(projects: list[Project]) -> list[ProjectRow]:
    """Rows for a page of already-fetched projects (an API page), in the same order, in one chunk."""
    if not projects:
        return []
    order = {project.pk: position for position, project in enumerate(projects)}
    chunk = list(Project.objects.filter(pk__in=order).values_list(*PROJECT_FIELDS))
    chunk.sort(key=lambda values: order[values[0]])
    return _load_chunk(chunk, Lookups())
