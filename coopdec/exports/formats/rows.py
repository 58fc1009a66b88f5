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
from operator import itemgetter
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


NO_AUTHORITY = Authority(*[None] * len(Authority._fields))


class Funding(NamedTuple):
    funder: str
    funder_name: str
    kind: str
    year: int
    amount: Decimal


def _distinct(pairs) -> list[tuple[str, str]]:
    """(code, label) pairs with each non-empty code once, in first-seen order.

    A code always comes with the same label here (a country's name, a funder's name), so equal pairs are
    equal codes and ``dict.fromkeys`` can drop the repeats in C."""
    return [pair for pair in dict.fromkeys(pairs) if pair[0]]


def _total(financings) -> Decimal | None:
    if not financings:
        return None
    return sum([line.amount for line in financings], Decimal(0))


def _pair(fields: tuple[str, ...], code: str, label: str) -> itemgetter:
    return itemgetter(fields.index(code), fields.index(label))


COUNTRY_PAIR = _pair(Authority._fields, "country", "country_name")
CONTINENT_PAIR = _pair(Authority._fields, "continent", "continent_name")
FUNDER_PAIR = _pair(Funding._fields, "funder", "funder_name")


@dataclass(slots=True)
class ProjectRow:
    """One project, flat. Treated as read-only once built.

    The derived values (lead authority, countries, continents, funders, total) are plain attributes, so
    that the export columns read them without a Python call: given when the row is built from a chunk
    (shared by the projects of one partnership), computed from the lists otherwise."""

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
    # The lead French authority, or NO_AUTHORITY (every field empty) when the partnership has none.
    lead_authority: Authority | None = None
    # The foreign partners' countries and continents, each once, in partner order; the funders likewise.
    countries: list[tuple[str, str]] | None = None
    continents: list[tuple[str, str]] | None = None
    funders: list[tuple[str, str]] | None = None
    total_amount: Decimal | None = None

    def __post_init__(self):
        if self.lead_authority is None:
            self.lead_authority = self.french[0] if self.french else NO_AUTHORITY
        if self.countries is None:
            self.countries = _distinct(map(COUNTRY_PAIR, self.foreign))
        if self.continents is None:
            self.continents = _distinct(map(CONTINENT_PAIR, self.foreign))
        if self.funders is None:
            self.funders = _distinct(map(FUNDER_PAIR, self.financings))
        if self.total_amount is None:
            self.total_amount = _total(self.financings)

    @property
    def lead(self) -> Authority | None:
        return self.french[0] if self.french else None


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
# Authorities read per query: well under the bind-parameter limits of SQLite and PostgreSQL, padded too.
AUTHORITY_BATCH = 4_096
AMOUNT_CACHE_SIZE = 100_000
CENTS = Decimal("0.01")


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _padded(ids: list[int]) -> list[int]:
    """``ids`` with its last value repeated up to the next power of two (a repeat changes no IN list).

    Each number of placeholders is another statement text, and the database driver keeps the last 128
    statements it prepared (Python's sqlite3 does): with a chunk's varying number of partnerships, a
    million-row export filled that cache with large statements (tens of megabytes) and prepared every
    query anew. Padded, the lists come in a handful of lengths."""
    return ids + ids[-1:] * ((1 << (len(ids) - 1).bit_length()) - len(ids))


def _select_in(model, columns: tuple[str, ...], key: str, ids: list[int]) -> list[tuple]:
    """``SELECT columns FROM model's table WHERE key IN ids``, as plain tuples.

    Written by hand because the ORM spends longer preparing a 2,000-value IN list than the database
    spends answering it; only column names from the model and one placeholder per value go into the text.
    """
    if not ids:
        return []
    ids = _padded(ids)
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
        self.amounts: dict = {}

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
        """Read the authorities of ``ids`` not met yet, so that every one of ``ids`` is then in the cache."""
        missing = [pk for pk in ids if pk not in self.authorities]
        if not missing:
            return
        if len(self.authorities) + len(missing) > AUTHORITY_CACHE_SIZE:
            # Emptied before the read, and everything the caller asked for read again.
            self.authorities.clear()
            missing = list(ids)
        for start in range(0, len(missing), AUTHORITY_BATCH):
            for pk, *values in _authority_rows(missing[start : start + AUTHORITY_BATCH]):
                self.authorities[pk] = self.authority(values)

    def amount(self, value) -> Decimal:
        """``_amount(value)``, kept: a dataset repeats the same round amounts many times."""
        amounts = self.amounts
        result = amounts.get(value)
        if result is None:
            if len(amounts) >= AMOUNT_CACHE_SIZE:
                amounts.clear()
            result = amounts[value] = _amount(value)
        return result


def _authority_rows(ids: list[int]) -> list[tuple]:
    """pk, slug, name, kind, region, department, the commune's department, country, latitude, longitude
    of the organisations ``ids``, as plain tuples (written by hand for the reason given in ``_select_in``).
    """
    ids = _padded(ids)
    quote = connection.ops.quote_name
    organisations = Organisation._meta
    communes = organisations.get_field("commune").related_model._meta

    def column(name: str, meta=organisations, alias: str = "o") -> str:
        return f"{alias}.{quote(meta.get_field(name).column)}"

    columns = [column(name) for name in ("id", "slug", "name", "kind", "region", "department")]
    columns.append(column("department", communes, "c"))
    columns += [column(name) for name in ("country", "latitude", "longitude")]
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(organisations.db_table)} o "  # noqa: S608
        f"LEFT OUTER JOIN {quote(communes.db_table)} c "
        f"ON {column('commune')} = c.{quote(communes.pk.column)} "
        f"WHERE {column('id')} IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return cursor.fetchall()


FRENCH_RANK = itemgetter(0, 1, 2)  # lead first, then by name, then by slug
FOREIGN_RANK = itemgetter(0, 1)  # by name, then by slug


def _load_chunk(chunk: list[tuple], lookups: Lookups) -> list[ProjectRow]:
    """Rows for a chunk of ``PROJECT_FIELDS`` tuples: four link queries, at most one for authorities.

    The link rows of the whole chunk are sorted once (themes by position, lead first then by name,
    financings by year) and then dealt out to their projects, which keeps them in order: this costs far
    less than sorting a small list per project. Lists and derived values of a partnership (its members,
    partners, lead, countries, continents) are computed once and shared by its projects' rows (rows are
    read-only)."""
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
    ranked.sort(key=FRENCH_RANK)
    french: dict[int, list[Authority]] = defaultdict(list)
    for *_key, partnership_id, authority in ranked:
        french[partnership_id].append(authority)

    ranked = []
    for partnership_id, organisation_id in partners:
        authority = authorities[organisation_id]
        ranked.append((authority.name, authority.slug, partnership_id, authority))
    ranked.sort(key=FOREIGN_RANK)
    foreign: dict[int, list[Authority]] = defaultdict(list)
    for _name, _slug, partnership_id, authority in ranked:
        foreign[partnership_id].append(authority)

    ranked = []
    for project_id, funder_id, kind, year, amount, pk in funding:
        funder = authorities[funder_id]
        ranked.append((year, kind, funder.slug, pk, project_id, funder.name, amount))
    # The financing's pk ends the sort key and is unique: whole tuples compare no further than the key.
    ranked.sort()
    financings: dict[int, list[Funding]] = defaultdict(list)
    amount_of = lookups.amount
    for year, kind, funder, _pk, project_id, funder_name, amount in ranked:
        financings[project_id].append(Funding(funder, funder_name, kind, year, amount_of(amount)))

    # Per partnership: members, partners, lead, countries, continents (in the order of partnership_ids).
    shared = {}
    for partnership_id in partnership_ids:
        members_of = french.get(partnership_id) or []
        partners_of = foreign.get(partnership_id) or []
        shared[partnership_id] = (
            members_of,
            partners_of,
            members_of[0] if members_of else NO_AUTHORITY,
            _distinct(map(COUNTRY_PAIR, partners_of)),
            _distinct(map(CONTINENT_PAIR, partners_of)),
        )
    # Per project: financings, funders, total.
    funded = {
        project_id: (lines, _distinct(map(FUNDER_PAIR, lines)), _total(lines))
        for project_id, lines in financings.items()
    }
    unfunded = ([], [], None)

    themes_get, funded_get = themes.get, funded.get
    rows = []
    append = rows.append
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
    ) in chunk:
        members_of, partners_of, lead, countries, continents = shared[partnership_id]
        lines, funders, total = funded_get(pk) or unfunded
        append(
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
                members_of,
                partners_of,
                lines,
                lead,
                countries,
                continents,
                funders,
                total,
            )
        )
    return rows


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
