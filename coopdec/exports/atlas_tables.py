"""The open-data files of the Atlas: one table per entity, each an ordered list of small column functions.

Each ``Column`` says how to read its value from one database row (for ``export_atlas``) and what a valid
value is (for ``import_atlas`` and for the Table Schema of ``datapackage.json``). Columns marked
``derived`` are labels written beside a code for readers (``kind_label``, ``country_name``…): the importer
ignores them, so a file without them imports the same.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from coopdec.atlas.models import (
    Contact,
    Financing,
    Participant,
    Partnership,
    PartnershipMember,
    Project,
    Volunteer,
)
from coopdec.orgs.models import Organisation


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type: string, integer, number, boolean, date, datetime
    description: str
    get: Callable[[Any], Any]
    required: bool = False
    enum: tuple[str, ...] = ()
    max_length: int | None = None
    # A reference table the value must be a code of (see ``validation.References``).
    reference: str | None = None
    # Written for readers beside a code; not read back.
    derived: bool = False
    format: str | None = None  # Table Schema string format: "email", "uri"


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    table: str
    reference_fields: tuple[str, ...] = ("slug",)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    queryset: Callable[[], QuerySet]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = field(default=())

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def read_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if not column.derived)


def to_text(value) -> str:
    """The CSV text of a value: one spelling per type, so that exports are byte-stable."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def attr(path: str) -> Callable[[Any], Any]:
    """Follow a dotted path of attributes, stopping at the first empty one."""
    names = path.split(".")

    def get(obj):
        for name in names:
            if obj is None:
                return None
            obj = getattr(obj, name)
        return obj

    return get


def display(path: str, field_name: str) -> Callable[[Any], str]:
    """The French label of a choice field (``get_<field>_display``) of the object at ``path``."""
    target = attr(path) if path else (lambda obj: obj)

    def get(obj):
        inner = target(obj)
        return getattr(inner, f"get_{field_name}_display")() if inner is not None else None

    return get


def choices(model, field_name: str) -> tuple[str, ...]:
    return tuple(value for value, _label in model._meta.get_field(field_name).choices)


def max_length(model, field_name: str) -> int | None:
    return model._meta.get_field(field_name).max_length


def text(model, name: str, description: str, *, required=False, path: str | None = None) -> Column:
    return Column(
        name,
        "string",
        description,
        attr(path or name),
        required=required,
        max_length=max_length(model, name),
    )


def slug_column(description: str, model) -> Column:
    return Column(
        "slug", "string", description, attr("slug"), required=True, max_length=max_length(model, "slug")
    )


def reference_to(name: str, path: str, table_title: str, *, required=True) -> Column:
    return Column(
        name,
        "string",
        f"Identifiant public (slug) dans {table_title}.",
        attr(path),
        required=required,
    )


def country_columns(path: str, description: str, *, derived=False) -> tuple[Column, ...]:
    return (
        Column(
            "country", "string", description, attr(f"{path}country_id"), reference="country", derived=derived
        ),
        Column(
            "country_name", "string", "Nom du pays en français.", attr(f"{path}country.name_fr"), derived=True
        ),
    )


ORGANISATIONS = Table(
    "organisations",
    "Organisations",
    "Collectivités françaises, autorités locales étrangères, financeurs et autres acteurs cités par l'Atlas.",
    (
        slug_column("Identifiant public de l'organisation.", Organisation),
        text(Organisation, "name", "Nom de l'organisation.", required=True),
        Column(
            "kind",
            "string",
            "Nature de l'organisation (code).",
            attr("kind"),
            required=True,
            enum=choices(Organisation, "kind"),
        ),
        Column(
            "kind_label", "string", "Nature de l'organisation (libellé).", display("", "kind"), derived=True
        ),
        Column(
            "code",
            "string",
            "Code officiel d'une collectivité française : INSEE (région, département, commune) ou SIREN "
            "(EPCI). Obligatoire pour une collectivité française, qui doit exister dans le référentiel.",
            attr("code"),
            max_length=max_length(Organisation, "code"),
        ),
        Column("region_code", "string", "Code INSEE de la région.", attr("region_id"), reference="region"),
        Column("region_name", "string", "Nom de la région.", attr("region.name"), derived=True),
        Column(
            "department_code",
            "string",
            "Code INSEE du département.",
            attr("department_id"),
            reference="department",
        ),
        Column("department_name", "string", "Nom du département.", attr("department.name"), derived=True),
        Column(
            "commune_insee", "string", "Code INSEE de la commune.", attr("commune_id"), reference="commune"
        ),
        Column("commune_name", "string", "Nom de la commune.", attr("commune.name"), derived=True),
        Column("epci_siren", "string", "SIREN de l'intercommunalité.", attr("epci_id"), reference="epci"),
        Column("epci_name", "string", "Nom de l'intercommunalité.", attr("epci.name"), derived=True),
        *country_columns("", "Pays (code ISO 3166-1 alpha-2) d'une autorité étrangère ou d'une ambassade."),
        Column(
            "subdivision",
            "string",
            "Subdivision du pays (code ISO 3166-2).",
            attr("subdivision_id"),
            reference="subdivision",
        ),
        Column(
            "subdivision_name",
            "string",
            "Nom de la subdivision.",
            lambda org: (org.subdivision.name_fr or org.subdivision.name) if org.subdivision else None,
            derived=True,
        ),
        Column(
            "level",
            "string",
            "Échelon d'une autorité étrangère (code).",
            attr("level"),
            enum=choices(Organisation, "level"),
        ),
        Column("level_label", "string", "Échelon (libellé).", display("", "level"), derived=True),
        Column("geonames_id", "integer", "Identifiant GeoNames du lieu.", attr("geonames_id")),
        Column("population", "integer", "Population.", attr("population")),
        Column("latitude", "number", "Latitude (WGS 84).", attr("latitude")),
        Column("longitude", "number", "Longitude (WGS 84).", attr("longitude")),
        Column(
            "website",
            "string",
            "Site internet.",
            attr("website"),
            format="uri",
            max_length=max_length(Organisation, "website"),
        ),
        Column(
            "last_confirmed_at",
            "datetime",
            "Date de dernière confirmation du profil (UTC).",
            attr("last_confirmed_at"),
        ),
    ),
    lambda: Organisation.objects.select_related(
        "region", "department", "commune", "epci", "country", "subdivision"
    ).order_by("slug"),
    primary_key=("slug",),
)

ORGANISATION_COUNTRIES = Table(
    "organisation_countries",
    "Pays couverts",
    "Pays couverts par une ambassade (une ligne par organisation et par pays).",
    (
        reference_to("organisation", "organisation.slug", "organisations.csv"),
        *country_columns("", "Pays couvert (code ISO 3166-1 alpha-2)."),
    ),
    lambda: Organisation.countries.through.objects.select_related("organisation", "country").order_by(
        "organisation__slug", "country_id"
    ),
    primary_key=("organisation", "country"),
    foreign_keys=(ForeignKey(("organisation",), "organisations"),),
)

PARTNERSHIPS = Table(
    "partnerships",
    "Partenariats",
    "Partenariats de coopération décentralisée : conventions, jumelages, actions hors convention.",
    (
        slug_column("Identifiant public du partenariat.", Partnership),
        text(Partnership, "title", "Intitulé du partenariat.", required=True),
        Column(
            "kind",
            "string",
            "Nature du partenariat (code).",
            attr("kind"),
            required=True,
            enum=choices(Partnership, "kind"),
        ),
        Column("kind_label", "string", "Nature du partenariat (libellé).", display("", "kind"), derived=True),
        Column(
            "status",
            "string",
            "Statut du partenariat (code).",
            attr("status"),
            required=True,
            enum=choices(Partnership, "status"),
        ),
        Column("status_label", "string", "Statut (libellé).", display("", "status"), derived=True),
        Column("start_date", "date", "Date de signature ou de début.", attr("start_date")),
        Column("end_date", "date", "Date de fin.", attr("end_date")),
    ),
    lambda: Partnership.objects.order_by("slug"),
    primary_key=("slug",),
)

PARTNERSHIP_MEMBERS = Table(
    "partnership_members",
    "Collectivités françaises des partenariats",
    "Collectivités françaises engagées dans chaque partenariat ; une seule est cheffe de file.",
    (
        reference_to("partnership", "partnership.slug", "partnerships.csv"),
        reference_to("organisation", "organisation.slug", "organisations.csv"),
        Column(
            "organisation_name", "string", "Nom de la collectivité.", attr("organisation.name"), derived=True
        ),
        Column(
            "organisation_code",
            "string",
            "Code officiel (INSEE ou SIREN) de la collectivité.",
            attr("organisation.code"),
            derived=True,
        ),
        Column(
            "is_lead",
            "boolean",
            "Vrai pour la collectivité cheffe de file.",
            attr("is_lead"),
            required=True,
        ),
    ),
    lambda: PartnershipMember.objects.select_related("partnership", "organisation").order_by(
        "partnership__slug", "organisation__slug"
    ),
    primary_key=("partnership", "organisation"),
    foreign_keys=(
        ForeignKey(("partnership",), "partnerships"),
        ForeignKey(("organisation",), "organisations"),
    ),
)

PARTNERSHIP_FOREIGN_PARTNERS = Table(
    "partnership_foreign_partners",
    "Autorités étrangères des partenariats",
    "Autorités locales étrangères partenaires de chaque partenariat.",
    (
        reference_to("partnership", "partnership.slug", "partnerships.csv"),
        reference_to("organisation", "organisation.slug", "organisations.csv"),
        Column("organisation_name", "string", "Nom de l'autorité.", attr("organisation.name"), derived=True),
        *country_columns("organisation.", "Pays de l'autorité (code ISO 3166-1 alpha-2).", derived=True),
    ),
    lambda: Partnership.foreign.through.objects.select_related(
        "partnership", "organisation__country"
    ).order_by("partnership__slug", "organisation__slug"),
    primary_key=("partnership", "organisation"),
    foreign_keys=(
        ForeignKey(("partnership",), "partnerships"),
        ForeignKey(("organisation",), "organisations"),
    ),
)

PROJECTS = Table(
    "projects",
    "Fiches-projets",
    "Projets de coopération décentralisée (fiches-projets), chacun rattaché à un partenariat.",
    (
        slug_column("Identifiant public du projet.", Project),
        reference_to("partnership", "partnership.slug", "partnerships.csv"),
        Column(
            "partnership_title", "string", "Intitulé du partenariat.", attr("partnership.title"), derived=True
        ),
        text(Project, "title", "Titre du projet.", required=True),
        Column("objectives", "string", "Objectifs.", attr("objectives")),
        Column("description", "string", "Description.", attr("description")),
        Column("history", "string", "Historique.", attr("history")),
        Column("context", "string", "Contexte.", attr("context")),
        Column("results", "string", "Résultats.", attr("results")),
        Column("start_date", "date", "Date de début.", attr("start_date")),
        Column("end_date", "date", "Date de fin.", attr("end_date")),
        Column(
            "status",
            "string",
            "Statut du projet (code).",
            attr("status"),
            required=True,
            enum=choices(Project, "status"),
        ),
        Column("status_label", "string", "Statut (libellé).", display("", "status"), derived=True),
        Column(
            "last_confirmed_at",
            "datetime",
            "Date de dernière confirmation par la collectivité (UTC).",
            attr("last_confirmed_at"),
        ),
    ),
    lambda: Project.objects.select_related("partnership").order_by("slug"),
    primary_key=("slug",),
    foreign_keys=(ForeignKey(("partnership",), "partnerships"),),
)

PROJECT_THEMES = Table(
    "project_themes",
    "Thématiques des projets",
    "Thématiques de chaque projet (vocabulaire contrôlé du portail).",
    (
        reference_to("project", "project.slug", "projects.csv"),
        Column(
            "theme", "string", "Code de la thématique.", attr("theme_id"), required=True, reference="theme"
        ),
        Column("theme_label", "string", "Nom de la thématique.", attr("theme.name_fr"), derived=True),
    ),
    lambda: Project.themes.through.objects.select_related("project", "theme").order_by(
        "project__slug", "theme_id"
    ),
    primary_key=("project", "theme"),
    foreign_keys=(ForeignKey(("project",), "projects"),),
)

FINANCINGS = Table(
    "financings",
    "Financements",
    "Lignes de financement des projets : financeur, nature, année, montant en euros.",
    (
        reference_to("project", "project.slug", "projects.csv"),
        reference_to("funder", "funder.slug", "organisations.csv"),
        Column("funder_name", "string", "Nom du financeur.", attr("funder.name"), derived=True),
        Column(
            "kind",
            "string",
            "Nature du financement (code).",
            attr("kind"),
            required=True,
            enum=choices(Financing, "kind"),
        ),
        Column("kind_label", "string", "Nature du financement (libellé).", display("", "kind"), derived=True),
        Column("year", "integer", "Année.", attr("year"), required=True),
        Column("amount", "number", "Montant en euros.", attr("amount"), required=True),
    ),
    lambda: Financing.objects.select_related("project", "funder").order_by(
        "project__slug", "year", "kind", "funder__slug", "amount", "pk"
    ),
    foreign_keys=(
        ForeignKey(("project",), "projects"),
        ForeignKey(("funder",), "organisations"),
    ),
)

PARTICIPANTS = Table(
    "participants",
    "Autres participants",
    "Autres acteurs des projets (associations, universités, hôpitaux, entreprises…) et leur rôle.",
    (
        reference_to("project", "project.slug", "projects.csv"),
        text(Participant, "name", "Nom du participant.", required=True),
        Column(
            "kind",
            "string",
            "Nature du participant (code).",
            attr("kind"),
            required=True,
            enum=choices(Participant, "kind"),
        ),
        Column("kind_label", "string", "Nature (libellé).", display("", "kind"), derived=True),
        *country_columns("", "Pays du participant (code ISO 3166-1 alpha-2)."),
        text(Participant, "role", "Rôle dans le projet."),
    ),
    lambda: Participant.objects.select_related("project", "country").order_by(
        "project__slug", "name", "kind", "country_id", "role", "pk"
    ),
    foreign_keys=(ForeignKey(("project",), "projects"),),
)

CONTACTS = Table(
    "contacts",
    "Contacts",
    "Personnes à contacter pour chaque projet (élus et cadres chargés des relations internationales).",
    (
        reference_to("project", "project.slug", "projects.csv"),
        text(Contact, "name", "Nom.", required=True),
        text(Contact, "function", "Fonction."),
        Column(
            "email",
            "string",
            "Courriel.",
            attr("email"),
            format="email",
            max_length=max_length(Contact, "email"),
        ),
        text(Contact, "phone", "Téléphone."),
    ),
    lambda: Contact.objects.select_related("project").order_by(
        "project__slug", "name", "function", "email", "phone", "pk"
    ),
    foreign_keys=(ForeignKey(("project",), "projects"),),
)

VOLUNTEERS = Table(
    "volunteers",
    "Volontaires",
    "Volontaires envoyés ou accueillis par les projets, comptés par dispositif et par année.",
    (
        reference_to("project", "project.slug", "projects.csv"),
        Column(
            "programme",
            "string",
            "Dispositif de volontariat (code).",
            attr("programme"),
            required=True,
            enum=choices(Volunteer, "programme"),
        ),
        Column("programme_label", "string", "Dispositif (libellé).", display("", "programme"), derived=True),
        Column("count", "integer", "Nombre de volontaires.", attr("count"), required=True),
        Column("year", "integer", "Année.", attr("year"), required=True),
    ),
    lambda: Volunteer.objects.select_related("project").order_by(
        "project__slug", "year", "programme", "count", "pk"
    ),
    foreign_keys=(ForeignKey(("project",), "projects"),),
)

# In dependency order: a table only refers to the tables before it.
TABLES: tuple[Table, ...] = (
    ORGANISATIONS,
    ORGANISATION_COUNTRIES,
    PARTNERSHIPS,
    PARTNERSHIP_MEMBERS,
    PARTNERSHIP_FOREIGN_PARTNERS,
    PROJECTS,
    PROJECT_THEMES,
    FINANCINGS,
    PARTICIPANTS,
    CONTACTS,
    VOLUNTEERS,
)
TABLES_BY_NAME = {table.name: table for table in TABLES}
