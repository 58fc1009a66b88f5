"""The columns of a project list export: an ordered list of small pure functions of a ``ProjectRow``.

Codes and labels sit side by side (``status`` then ``status_label``…). A cell holding several values
(themes, foreign partners, countries…) joins them with ``|`` in the same order in the code column and in
the label column, so the n-th label is the n-th code's. Authority columns (``lead_authority…``, ``region``,
``department``) describe the lead French authority (chef de file).

The columns of an authority list are those of the open-data file ``organisations.csv``
(``coopdec.exports.atlas_tables.ORGANISATIONS``), reused as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any

from coopdec.exports.atlas_tables import ORGANISATIONS

from .rows import ORGANISATION_KIND, PARTNERSHIP_KIND, PROJECT_STATUS, Authority, ProjectRow

SEPARATOR = "|"


@dataclass(frozen=True)
class Column:
    name: str  # the CSV header and the JSON key: stable, English, lower case
    title: str  # the French header of the XLSX and PDF files
    type: str  # a Table Schema type: string, integer, number, date, datetime
    get: Callable[[Any], Any]


# Column functions run 32 times per row of an export of up to a million rows: single values are read by
# ``attrgetter`` (in C, through the row's ``lead_authority``, which is never None), and lists are joined
# from ``map(itemgetter)``, without a Python loop per value. The values joined are never empty: slugs and
# names of authorities, codes and labels from the reference tables (empty codes are left out when the
# pairs are built, ``rows._distinct``).


def lead(attribute: str) -> Callable[[ProjectRow], Any]:
    return attrgetter(f"lead_authority.{attribute}")


def lead_kind_label(row: ProjectRow) -> str | None:
    return ORGANISATION_KIND.get(row.lead_authority.kind)


def authorities(attribute: str, side: str) -> Callable[[ProjectRow], str]:
    value_of = itemgetter(Authority._fields.index(attribute))
    members_of = attrgetter(side)
    return lambda row: SEPARATOR.join(map(value_of, members_of(row)))


def codes(attribute: str) -> Callable[[ProjectRow], str]:
    pairs_of = attrgetter(attribute)
    return lambda row: SEPARATOR.join(map(CODE, pairs_of(row)))


def names(attribute: str) -> Callable[[ProjectRow], str]:
    pairs_of = attrgetter(attribute)
    return lambda row: SEPARATOR.join(map(LABEL, pairs_of(row)))


CODE = itemgetter(0)
LABEL = itemgetter(1)


PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("slug", "Identifiant", "string", attrgetter("slug")),
    Column("title", "Titre", "string", attrgetter("title")),
    Column("status", "Statut (code)", "string", attrgetter("status")),
    Column("status_label", "Statut", "string", lambda row: PROJECT_STATUS.get(row.status)),
    Column("start_date", "Début", "date", attrgetter("start_date")),
    Column("end_date", "Fin", "date", attrgetter("end_date")),
    Column("themes", "Thématiques (codes)", "string", codes("themes")),
    Column("themes_labels", "Thématiques", "string", names("themes")),
    Column("partnership", "Partenariat (identifiant)", "string", attrgetter("partnership")),
    Column("partnership_title", "Partenariat", "string", attrgetter("partnership_title")),
    Column("partnership_kind", "Nature du partenariat (code)", "string", attrgetter("partnership_kind")),
    Column(
        "partnership_kind_label",
        "Nature du partenariat",
        "string",
        lambda row: PARTNERSHIP_KIND.get(row.partnership_kind),
    ),
    Column("lead_authority", "Chef de file (identifiant)", "string", lead("slug")),
    Column("lead_authority_name", "Chef de file", "string", lead("name")),
    Column("lead_authority_kind", "Type de collectivité (code)", "string", lead("kind")),
    Column("lead_authority_kind_label", "Type de collectivité", "string", lead_kind_label),
    Column("region", "Région (code INSEE)", "string", lead("region")),
    Column("region_name", "Région", "string", lead("region_name")),
    Column("department", "Département (code INSEE)", "string", lead("department")),
    Column("department_name", "Département", "string", lead("department_name")),
    Column(
        "french_authorities",
        "Collectivités françaises (identifiants)",
        "string",
        authorities("slug", "french"),
    ),
    Column("french_authorities_names", "Collectivités françaises", "string", authorities("name", "french")),
    Column(
        "foreign_authorities", "Autorités étrangères (identifiants)", "string", authorities("slug", "foreign")
    ),
    Column("foreign_authorities_names", "Autorités étrangères", "string", authorities("name", "foreign")),
    Column("countries", "Pays (codes ISO)", "string", codes("countries")),
    Column("countries_names", "Pays", "string", names("countries")),
    Column("continents", "Continents (codes)", "string", codes("continents")),
    Column("continents_names", "Continents", "string", names("continents")),
    Column("funders", "Financeurs (identifiants)", "string", codes("funders")),
    Column("funders_names", "Financeurs", "string", names("funders")),
    Column("total_amount", "Montant total (€)", "number", attrgetter("total_amount")),
    Column("last_confirmed_at", "Dernière confirmation (UTC)", "datetime", attrgetter("last_confirmed_at")),
)

# Authority lists: the open-data columns, which read organisation model instances.
AUTHORITY_COLUMNS: tuple[Column, ...] = tuple(
    Column(column.name, column.description.rstrip("."), column.type, column.get)
    for column in ORGANISATIONS.columns
)


@dataclass(frozen=True)
class CountryCounts:
    iso2: str
    iso3: str
    name: str
    name_en: str
    continent: str | None
    continent_name: str | None
    latitude: float | None
    longitude: float | None
    foreign_authorities: int
    french_authorities: int
    partnerships: int
    projects: int


COUNTRY_COLUMNS: tuple[Column, ...] = (
    Column("iso2", "Code ISO alpha-2", "string", lambda c: c.iso2),
    Column("iso3", "Code ISO alpha-3", "string", lambda c: c.iso3),
    Column("name", "Pays", "string", lambda c: c.name),
    Column("name_en", "Pays (anglais)", "string", lambda c: c.name_en),
    Column("continent", "Continent (code)", "string", lambda c: c.continent),
    Column("continent_name", "Continent", "string", lambda c: c.continent_name),
    Column("foreign_authorities", "Autorités partenaires", "integer", lambda c: c.foreign_authorities),
    Column(
        "french_authorities", "Collectivités françaises engagées", "integer", lambda c: c.french_authorities
    ),
    Column("partnerships", "Partenariats", "integer", lambda c: c.partnerships),
    Column("projects", "Projets", "integer", lambda c: c.projects),
    Column("latitude", "Latitude du centroïde", "number", lambda c: c.latitude),
    Column("longitude", "Longitude du centroïde", "number", lambda c: c.longitude),
)
