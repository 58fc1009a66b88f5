"""The OpenAPI 3.1 document of the public API, written by hand, and the endpoint table of the doc page.

Schemas are JSON Schema 2020-12 (OpenAPI 3.1's dialect); the tests validate real responses against
them, so a change to a payload that is not made here fails the suite.
"""

from __future__ import annotations

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from coopdec.atlas.models import Partnership, Project
from coopdec.orgs.models import Organisation
from coopdec.search.query import FACETS, MAX_PAGE_SIZE, SORTS

from . import lists


def interpolated(message, **values) -> Promise:
    """``message % values``, translated when it is read (the tables below are built once, at import)."""
    return lazy(lambda: str(message) % values, str)()


def resolved(value):
    """``value`` with every lazy translation read in the current language: the document goes out as JSON,
    and its schemas must hold real strings to be valid JSON Schema."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {key: resolved(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [resolved(item) for item in value]
    return value


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
NUMBER_OR_NULL = {"type": ["number", "null"]}
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}


def obj(properties: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def page_of(item: str, extra: dict | None = None) -> dict:
    properties = {
        "count": {**INTEGER, "description": _("Nombre total de résultats.")},
        "page": INTEGER,
        "page_count": INTEGER,
        "next": {**NULLABLE_STRING, "format": "uri", "description": _("Page suivante, ou null.")},
        "previous": {**NULLABLE_STRING, "format": "uri", "description": _("Page précédente, ou null.")},
        "results": {"type": "array", "items": ref(item)},
        **(extra or {}),
    }
    return obj(properties)


PROJECT_PROPERTIES = {
    "slug": STRING,
    "url": {**STRING, "format": "uri", "description": _("Adresse de la fiche dans l'API.")},
    "title": STRING,
    "status": ref("Coded"),
    "start_date": DATE_OR_NULL,
    "end_date": DATE_OR_NULL,
    "themes": {"type": "array", "items": ref("Coded")},
    "partnership": obj({"slug": STRING, "title": STRING, "kind": ref("Coded")}),
    "lead_authority": nullable(ref("AuthorityRef")),
    "french_authorities": {"type": "array", "items": ref("AuthorityRef")},
    "foreign_authorities": {"type": "array", "items": ref("AuthorityRef")},
    "countries": {"type": "array", "items": ref("Coded")},
    "total_amount": {**NUMBER_OR_NULL, "description": _("Somme des financements, en euros.")},
    "last_confirmed_at": {**NULLABLE_STRING, "format": "date-time"},
}

SCHEMAS = {
    "Coded": obj({"code": STRING, "label": STRING}),
    "AuthorityRef": obj(
        {
            "slug": STRING,
            "name": STRING,
            "kind": ref("Coded"),
            "region": nullable(ref("Coded")),
            "department": nullable(ref("Coded")),
            "country": nullable(ref("Coded")),
        }
    ),
    "Project": obj(
        {
            **PROJECT_PROPERTIES,
            "snippet": {**STRING, "description": _("Extrait en HTML, mots trouvés dans <mark> (listes).")},
        },
        required=list(PROJECT_PROPERTIES),
    ),
    "FacetValue": obj({"code": STRING, "label": STRING, "count": INTEGER, "selected": {"type": "boolean"}}),
    "ProjectList": page_of(
        "Project",
        {
            "facets": obj(
                {facet: {"type": "array", "items": ref("FacetValue")} for facet in FACETS},
            ),
            "warnings": {"type": "array", "items": STRING},
        },
    ),
    "ProjectDetail": obj(
        {
            **PROJECT_PROPERTIES,
            "objectives": STRING,
            "description": STRING,
            "history": STRING,
            "context": STRING,
            "results": STRING,
            "financings": {
                "type": "array",
                "items": obj(
                    {
                        "funder": obj({"slug": STRING, "name": STRING}),
                        "kind": ref("Coded"),
                        "year": INTEGER,
                        "amount": {"type": "number"},
                    }
                ),
            },
            "participants": {
                "type": "array",
                "items": obj(
                    {"name": STRING, "kind": ref("Coded"), "country": nullable(ref("Coded")), "role": STRING}
                ),
            },
            "contacts": {
                "type": "array",
                "description": _("Nom et fonction seulement : ni courriel ni téléphone."),
                "items": obj({"name": STRING, "function": STRING}),
            },
            "volunteers": {
                "type": "array",
                "items": obj({"programme": ref("Coded"), "count": INTEGER, "year": INTEGER}),
            },
        }
    ),
    "Authority": obj(
        {
            "slug": STRING,
            "name": STRING,
            "kind": ref("Coded"),
            "code": {
                **NULLABLE_STRING,
                "description": _("Code INSEE ou SIREN d'une collectivité française."),
            },
            "region": nullable(ref("Coded")),
            "department": nullable(ref("Coded")),
            "country": nullable(ref("Coded")),
            "subdivision": {**NULLABLE_STRING, "description": _("Code ISO 3166-2.")},
            "level": NULLABLE_STRING,
            "population": {"type": ["integer", "null"]},
            "latitude": NUMBER_OR_NULL,
            "longitude": NUMBER_OR_NULL,
            "website": NULLABLE_STRING,
            "partnerships": INTEGER,
            "projects": INTEGER,
        }
    ),
    "AuthorityList": page_of("Authority"),
    "Country": obj(
        {
            "iso2": STRING,
            "iso3": STRING,
            "name": STRING,
            "name_en": STRING,
            "continent": nullable(ref("Coded")),
            "latitude": NUMBER_OR_NULL,
            "longitude": NUMBER_OR_NULL,
            "foreign_authorities": INTEGER,
            "french_authorities": INTEGER,
            "partnerships": INTEGER,
            "projects": INTEGER,
        }
    ),
    "CountryList": obj({"count": INTEGER, "results": {"type": "array", "items": ref("Country")}}),
    "Stats": obj(
        {
            name: INTEGER
            for name in ("projects", "partnerships", "french_authorities", "foreign_authorities", "countries")
        }
    ),
    "Errors": obj({"errors": {"type": "array", "items": STRING, "minItems": 1}}),
}


def param(name: str, description: str, schema=None, *, location="query", required=False) -> dict:
    return {
        "name": name,
        "in": location,
        "description": description,
        "required": required,
        "schema": schema or STRING,
    }


def several(values=None) -> dict:
    items = {"type": "string", "enum": list(values)} if values else STRING
    return {"type": "array", "items": items}


def format_param(formats: tuple[str, ...]) -> dict:
    return param(
        "format",
        interpolated(
            _("json (par défaut) ou un fichier envoyé en flux : %(formats)s."), formats=", ".join(formats[1:])
        ),
        {"type": "string", "enum": list(formats), "default": "json"},
    )


BOM = param(
    "bom", _("Avec format=csv : 1 ajoute une marque d'ordre d'octets pour Excel."), {"enum": ["0", "1"]}
)

PROJECT_PARAMS = [
    param("q", _("Mots-clés en français (casse, accents et pluriels indifférents).")),
    param("theme", _("Code de thématique (plusieurs : répéter ou séparer par des virgules)."), several()),
    param("country", _("Code ISO 3166-1 alpha-2 du pays partenaire."), several()),
    param("continent", _("Code du continent (AF, EU, AS, NA, SA, OC, AN)."), several()),
    param("region", _("Code INSEE de la région française."), several()),
    param("department", _("Code INSEE du département."), several()),
    param(
        "authority_kind", _("Type de collectivité française."), several(Organisation.FRENCH_AUTHORITY_KINDS)
    ),
    param("partnership_kind", _("Nature du partenariat."), several(Partnership.Kind.values)),
    param("funder", _("Identifiant (slug) du financeur."), several()),
    param("status", _("Statut du projet."), several(Project.Status.values)),
    param("year_min", _("Année de début minimale."), {"type": "integer", "minimum": 1900, "maximum": 2100}),
    param("year_max", _("Année de début maximale."), {"type": "integer", "minimum": 1900, "maximum": 2100}),
    param("sort", _("Tri."), {"type": "string", "enum": list(SORTS), "default": "relevance"}),
    param("page", _("Numéro de page."), {"type": "integer", "minimum": 1, "default": 1}),
    param("page_size", _("Résultats par page."), {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
    format_param(("json", "csv", "xlsx", "geojson", "pdf")),
    BOM,
]

AUTHORITY_PARAMS = [
    param("kind", _("Type d'autorité."), several(lists.AUTHORITY_KINDS)),
    param("country", _("Code ISO 3166-1 alpha-2 du pays."), several()),
    param("region", _("Code INSEE de la région (collectivités françaises)."), several()),
    param("department", _("Code INSEE du département (collectivités françaises)."), several()),
    param("q", _("Partie du nom.")),
    param("page", _("Numéro de page."), {"type": "integer", "minimum": 1, "default": 1}),
    param(
        "page_size",
        _("Résultats par page."),
        {"type": "integer", "minimum": 1, "maximum": lists.MAX_PAGE_SIZE, "default": 50},
    ),
    format_param(("json", "csv", "xlsx", "geojson")),
    BOM,
]

COUNTRY_PARAMS = [
    param("continent", _("Code du continent."), several()),
    param(
        "active",
        _("true : les pays d'au moins un partenariat ; false : les autres."),
        {"enum": ["true", "false"]},
    ),
    format_param(("json", "csv", "xlsx", "geojson")),
    BOM,
]

FILE_TYPES = {
    "text/csv": {"schema": STRING},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "contentEncoding": "binary"}
    },
    "application/geo+json": {"schema": {"type": "object"}},
}
PDF = {"application/pdf": {"schema": {"type": "string", "contentEncoding": "binary"}}}


ERRORS = ref("Errors")


def responses(schema: str, *, files: dict | None = None, not_found=False) -> dict:
    content = {"application/json": {"schema": ref(schema)}, **(files or {})}
    result = {
        "200": {"description": _("Réponse."), "content": content},
        "400": {"description": _("Paramètre invalide."), "content": {"application/json": {"schema": ERRORS}}},
    }
    if not_found:
        result["404"] = {"description": _("Aucun projet n'a cet identifiant.")}
    return result


# (path, name, summary, description, parameters, responses, example query) — the doc page reads it too.
ENDPOINTS = [
    (
        "/api/v1/projects",
        "projects",
        _("Projets : recherche, facettes, exports"),
        _(
            "Les projets trouvés avec les mêmes filtres et facettes que la page de recherche de l'Atlas, "
            "paginés, avec le nombre de projets de chaque valeur de facette. Avec format=csv, xlsx ou "
            "geojson, tous les résultats (sans pagination) dans un fichier envoyé en flux ; format=pdf donne "
            "un rapport (chiffres et 1 000 premiers projets). GeoJSON : un point par projet, chez son "
            "premier partenaire étranger (ou au centre de son pays)."
        ),
        PROJECT_PARAMS,
        responses("ProjectList", files={**FILE_TYPES, **PDF}),
        "?country=SN&theme=eau-assainissement&sort=date",
    ),
    (
        "/api/v1/projects/{slug}",
        "project",
        _("Une fiche-projet"),
        _(
            "Tout ce que la fiche publie : textes, thématiques, collectivités, financements, participants, "
            "volontaires, contacts (nom et fonction seulement). format=pdf donne la fiche en PDF."
        ),
        [
            param("slug", _("Identifiant public du projet."), location="path", required=True),
            param("format", _("json (par défaut) ou pdf."), {"type": "string", "enum": ["json", "pdf"]}),
        ],
        responses("ProjectDetail", files=PDF, not_found=True),
        None,
    ),
    (
        "/api/v1/authorities",
        "authorities",
        _("Collectivités françaises et autorités étrangères"),
        _(
            "Les collectivités françaises (régions, départements, communes, intercommunalités, collectivités "
            "à statut particulier) et les autorités locales étrangères, avec leurs nombres de partenariats "
            "et de projets ; paginé, exportable."
        ),
        AUTHORITY_PARAMS,
        responses("AuthorityList", files=FILE_TYPES),
        "?kind=autorite_etrangere&country=SN",
    ),
    (
        "/api/v1/countries",
        "countries",
        _("Pays"),
        _(
            "Tous les pays avec les nombres d'autorités partenaires, de collectivités françaises engagées, "
            "de partenariats et de projets."
        ),
        COUNTRY_PARAMS,
        responses("CountryList", files=FILE_TYPES),
        "?active=true",
    ),
    (
        "/api/v1/stats",
        "stats",
        _("Chiffres clés"),
        _("Les chiffres clés de l'Atlas, calculés à chaque appel."),
        [],
        {"200": {"description": _("Réponse."), "content": {"application/json": {"schema": ref("Stats")}}}},
        "",
    ),
]


def document(server: str) -> dict:
    """The OpenAPI document, its texts in the current language."""
    return resolved(
        {
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "info": {
                "title": _("API publique du portail de la coopération décentralisée"),
                "version": "1.0.0",
                "description": _(
                    "Lecture seule, sans authentification. Libellés en français ; aucun identifiant de base "
                    "de données : identifiants publics (slugs) et codes officiels. Les contacts des projets "
                    "sont publiés par leur nom et leur fonction, jamais par leur courriel ou leur téléphone. "
                    "Un paramètre invalide donne une réponse 400 avec les messages dans « errors »."
                ),
                "license": {"name": _("Licence Ouverte 2.0 (données)"), "identifier": "etalab-2.0"},
            },
            "servers": [{"url": server}],
            "paths": {
                path: {
                    "get": {
                        "operationId": name,
                        "summary": summary,
                        "description": description,
                        "parameters": parameters,
                        "responses": answers,
                    }
                }
                for path, name, summary, description, parameters, answers, _example in ENDPOINTS
            },
            "components": {"schemas": SCHEMAS},
        }
    )


def endpoints() -> list[dict]:
    """The endpoint table of the documentation page, its texts in the current language."""
    return resolved(
        [
            {
                "path": path,
                "summary": summary,
                "description": description,
                "parameters": parameters,
                "example": None if example is None else path + example,
            }
            for path, _name, summary, description, parameters, _answers, example in ENDPOINTS
        ]
    )
