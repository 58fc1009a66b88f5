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
from operator import attrgetter
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


def joined(values) -> str:
    return SEPARATOR.join(value or "" for value in values)


# Column functions run 32 times per row of an export of up to a million rows: they index tuples and join
# lists built in C rather than going through generators and ``getattr`` by name.


def lead(attribute: str) -> Callable[[ProjectRow], Any]:
    index = Authority._fields.index(attribute)

    def get(row: ProjectRow):
        french = row.french
        return french[0][index] if french else None

    return get


def lead_kind_label(row: ProjectRow) -> str | None:
    french = row.french
    return ORGANISATION_KIND.get(french[0].kind) if french else None


def authorities(attribute: str, side: str) -> Callable[[ProjectRow], str]:
    index = Authority._fields.index(attribute)
    members_of = attrgetter(side)

    def get(row: ProjectRow) -> str:
        return SEPARATOR.join([member[index] or "" for member in members_of(row)])

    return get


def codes(attribute: str) -> Callable[[ProjectRow], str]:
    pairs_of = attrgetter(attribute)
    return lambda row: SEPARATOR.join([code or "" for code, _label in pairs_of(row)])


def names(attribute: str) -> Callable[[ProjectRow], str]:
    pairs_of = attrgetter(attribute)
    return lambda row: SEPARATOR.join([label or "" for _code, label in pairs_of(row)])


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
