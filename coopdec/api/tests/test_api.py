"""The public API: projects (agreeing with the search engine), a project sheet, authorities, countries,
exports, errors in French, bounded queries, and the OpenAPI document checked against real responses."""

import csv
import io
import json

import pytest
from django.http import QueryDict, StreamingHttpResponse
from openpyxl import load_workbook

from coopdec.api import openapi
from coopdec.atlas.tests.factories import (
    CommuneAuthorityFactory,
    ContactFactory,
    FinancingFactory,
    ForeignAuthorityFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    RegionAuthorityFactory,
    VolunteerFactory,
    country,
    theme,
)
from coopdec.search import query

from .schema import validate

pytestmark = pytest.mark.django_db

DOCUMENT = openapi.document("http://testserver")


def check(payload, schema_name):
    validate(payload, {"$ref": f"#/components/schemas/{schema_name}"}, DOCUMENT)


@pytest.fixture
def atlas(reference_data):
    """Two partnerships: Strasbourg–Saint-Louis (Senegal, culture and water) and a region with Mali."""
    strasbourg = CommuneAuthorityFactory(slug="ville-de-strasbourg", name="Ville de Strasbourg")
    saint_louis = ForeignAuthorityFactory(slug="saint-louis-sn", name="Commune de Saint-Louis")
    first = PartnershipFactory(slug="strasbourg-saint-louis", french=[strasbourg], foreign=[saint_louis])
    heritage = ProjectFactory(
        slug="patrimoine-saint-louis",
        title="Réhabilitation du patrimoine de Saint-Louis",
        partnership=first,
        themes=[theme("culture-patrimoine"), theme("eau-assainissement")],
    )
    FinancingFactory(project=heritage)
    ParticipantFactory(project=heritage)
    ContactFactory(project=heritage, email="secret@example.org", phone="+33 1 23 45 67 89")
    VolunteerFactory(project=heritage)
    grand_est = RegionAuthorityFactory(slug="region-grand-est")
    kayes = ForeignAuthorityFactory(slug="kayes-ml", name="Région de Kayes", country=country("ML"))
    second = PartnershipFactory(slug="grand-est-kayes", french=[grand_est], foreign=[kayes])
    ProjectFactory(
        slug="ecoles-kayes",
        title="Écoles de Kayes",
        partnership=second,
        themes=[theme("education-formation")],
    )
    return {"heritage": heritage}


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_project_list_with_facets_validates(client, atlas):
    payload = get_json(client, "/api/v1/projects")
    check(payload, "ProjectList")
    assert payload["count"] == 2
    assert {item["slug"] for item in payload["results"]} == {"patrimoine-saint-louis", "ecoles-kayes"}
    countries = {value["code"]: value["count"] for value in payload["facets"]["country"]}
    assert countries == {"SN": 1, "ML": 1}
    heritage = next(item for item in payload["results"] if item["slug"] == "patrimoine-saint-louis")
    assert heritage["lead_authority"]["slug"] == "ville-de-strasbourg"
    assert heritage["lead_authority"]["region"] == {"code": "44", "label": "Grand Est"}
    assert [t["code"] for t in heritage["themes"]] == ["culture-patrimoine", "eau-assainissement"]
    assert heritage["countries"] == [{"code": "SN", "label": "Sénégal"}]
    assert heritage["total_amount"] == 25000.0
    assert "id" not in heritage and "pk" not in heritage


@pytest.mark.parametrize(
    "query_string",
    [
        "country=SN",
        "country=ML",
        "theme=eau-assainissement",
        "q=patrimoine",
        "status=en_cours",
        "continent=AF",
    ],
)
def test_filters_agree_with_the_search_engine(client, atlas, query_string):
    payload = get_json(client, f"/api/v1/projects?{query_string}")
    params, errors = query.parse_params(QueryDict(query_string))
    assert errors == []
    expected = set(query.matching_projects(params).values_list("slug", flat=True))
    assert {item["slug"] for item in payload["results"]} == expected
    assert payload["count"] == len(expected)


def test_pagination_links(client, atlas):
    first = get_json(client, "/api/v1/projects?page_size=1&sort=title")
    assert first["count"] == 2 and first["page_count"] == 2 and first["previous"] is None
    assert "page=2" in first["next"]
    second = get_json(client, first["next"])
    assert second["next"] is None and "page=1" in second["previous"]
    params, _errors = query.parse_params(QueryDict("sort=title"))
    expected = list(query.matching_projects(params).values_list("slug", flat=True))
    assert [first["results"][0]["slug"], second["results"][0]["slug"]] == expected


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("/api/v1/projects?country=ZZ", "Valeur inconnue « ZZ »"),
        ("/api/v1/projects?year_min=deux-mille", "n'est pas un nombre entier"),
        ("/api/v1/projects?sort=hasard", "Tri inconnu"),
        ("/api/v1/projects?page=99", "n'existe pas"),
        ("/api/v1/projects?format=docx", "Format inconnu « docx »"),
        ("/api/v1/projects?format=csv&bom=peut-etre", "« bom »"),
        ("/api/v1/projects/patrimoine-saint-louis?format=csv", "Format inconnu"),
        ("/api/v1/authorities?kind=ambassade", "Valeur inconnue « ambassade »"),
        ("/api/v1/authorities?region=999", "Valeur inconnue « 999 »"),
        ("/api/v1/authorities?page=0", "« page »"),
        ("/api/v1/authorities?page_size=100000", "« page_size »"),
        ("/api/v1/authorities?page=50", "n'existe pas"),
        ("/api/v1/countries?continent=XX", "Valeur inconnue « XX »"),
        ("/api/v1/countries?active=oui", "« active »"),
        ("/api/v1/countries?format=pdf", "Format inconnu"),
    ],
)
def test_bad_values_give_400_in_french(client, atlas, url, fragment):
    payload = get_json(client, url, status=400)
    check(payload, "Errors")
    assert any(fragment in message for message in payload["errors"]), payload


def test_project_detail(client, atlas):
    payload = get_json(client, "/api/v1/projects/patrimoine-saint-louis")
    check(payload, "ProjectDetail")
    assert payload["financings"][0]["amount"] == 25000.0
    assert payload["participants"][0]["country"] == {"code": "SN", "label": "Sénégal"}
    assert payload["volunteers"][0]["programme"]["code"] == "service_civique"
    # Contacts by name and function only: no e-mail or phone anywhere in the payload.
    assert set(payload["contacts"][0]) == {"name", "function"}
    text = json.dumps(payload)
    assert "secret@example.org" not in text and "45 67 89" not in text
    assert client.get("/api/v1/projects/nothing-here").status_code == 404


def test_project_sheet_pdf(client, atlas):
    response = client.get("/api/v1/projects/patrimoine-saint-louis?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_search_report_pdf(client, atlas):
    response = client.get("/api/v1/projects?format=pdf&country=SN")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def streamed(response) -> bytes:
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_project_csv_has_codes_and_labels(client, atlas):
    content = streamed(client.get("/api/v1/projects?format=csv&country=SN"))
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    assert len(rows) == 1
    assert rows[0]["slug"] == "patrimoine-saint-louis"
    assert (rows[0]["countries"], rows[0]["countries_names"]) == ("SN", "Sénégal")
    assert rows[0]["themes"] == "culture-patrimoine|eau-assainissement"
    assert rows[0]["status_label"] == "En cours"
    with_bom = streamed(client.get("/api/v1/projects?format=csv&bom=1"))
    assert with_bom.startswith("\ufeff".encode()) and not content.startswith("\ufeff".encode())


def test_project_xlsx_and_geojson(client, atlas):
    workbook = load_workbook(io.BytesIO(streamed(client.get("/api/v1/projects?format=xlsx"))), read_only=True)
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    assert sheet_rows[0][0] == "Identifiant" and len(sheet_rows) == 3
    collection = json.loads(streamed(client.get("/api/v1/projects?format=geojson&country=SN")))
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-16.4818, 16.0326]}
    assert feature["properties"]["location"] == "foreign_authority"


def test_authorities_filters_and_counts(client, atlas):
    payload = get_json(client, "/api/v1/authorities")
    check(payload, "AuthorityList")
    assert payload["count"] == 4
    foreign = get_json(client, "/api/v1/authorities?kind=autorite_etrangere&country=sn")
    assert [item["slug"] for item in foreign["results"]] == ["saint-louis-sn"]
    assert foreign["results"][0]["projects"] == 1 and foreign["results"][0]["partnerships"] == 1
    # A commune authority reaches its region (Grand Est, 44) through its commune's department.
    in_region = get_json(client, "/api/v1/authorities?region=44")
    assert {item["slug"] for item in in_region["results"]} == {"ville-de-strasbourg", "region-grand-est"}
    assert get_json(client, "/api/v1/authorities?department=67")["count"] == 1
    rows = list(csv.DictReader(io.StringIO(streamed(client.get("/api/v1/authorities?format=csv")).decode())))
    assert {row["slug"] for row in rows} == {
        "ville-de-strasbourg",
        "saint-louis-sn",
        "region-grand-est",
        "kayes-ml",
    }


def test_countries(client, atlas):
    payload = get_json(client, "/api/v1/countries?active=true")
    check(payload, "CountryList")
    by_code = {item["iso2"]: item for item in payload["results"]}
    assert set(by_code) == {"SN", "ML"}
    assert (
        by_code["SN"]["projects"],
        by_code["SN"]["foreign_authorities"],
        by_code["SN"]["french_authorities"],
    ) == (
        1,
        1,
        1,
    )
    collection = json.loads(streamed(client.get("/api/v1/countries?format=geojson&active=true")))
    assert len(collection["features"]) == 2


def test_stats_validates(client, atlas):
    check(get_json(client, "/api/v1/stats"), "Stats")


def grow(n):
    for _index in range(n):
        partnership = PartnershipFactory(
            foreign=[ForeignAuthorityFactory(), ForeignAuthorityFactory(country=country("MA"))]
        )
        project = ProjectFactory(
            partnership=partnership, themes=[theme("culture-patrimoine"), theme("eau-assainissement")]
        )
        FinancingFactory(project=project)
        FinancingFactory(project=project, year=2023)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects?page_size=100",
        "/api/v1/projects/patrimoine-saint-louis",
        "/api/v1/authorities?page_size=200",
        "/api/v1/countries",
        "/api/v1/projects?format=csv",
        "/api/v1/projects?format=geojson",
        "/api/v1/projects?format=xlsx",
        "/api/v1/authorities?format=csv",
    ],
)
def test_queries_do_not_grow_with_rows(client, atlas, django_assert_max_num_queries, url):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if isinstance(response, StreamingHttpResponse):
                b"".join(response.streaming_content)
        assert response.status_code == 200
        return len(captured)

    count_queries()  # warm caches (facet labels, index refresh)
    small = count_queries()
    grow(30)
    count_queries()
    large = count_queries()
    assert large <= small, (small, large)
    with django_assert_max_num_queries(30):
        response = client.get(url)
        if isinstance(response, StreamingHttpResponse):
            b"".join(response.streaming_content)


def test_export_queries_are_bounded_per_chunk(client, atlas, django_assert_max_num_queries, monkeypatch):
    """With chunks of 10 projects, 45 projects take 5 chunks of at most 6 queries each."""
    from coopdec.exports.formats import rows

    monkeypatch.setattr(rows, "CHUNK_SIZE", 10)
    monkeypatch.setattr(rows.project_rows, "__kwdefaults__", {"chunk_size": 10})
    grow(43)
    streamed(client.get("/api/v1/projects?format=csv"))  # the search index takes in the new projects
    with django_assert_max_num_queries(10 + 5 * 6):
        content = streamed(client.get("/api/v1/projects?format=csv"))
    assert content.decode().count("\r\n") == 46


def test_openapi_document(client, reference_data):
    document = get_json(client, "/api/openapi.json")
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/api/v1/projects",
        "/api/v1/projects/{slug}",
        "/api/v1/authorities",
        "/api/v1/countries",
        "/api/v1/stats",
    }
    # Every $ref resolves, and every query parameter a view reads is documented.
    text = json.dumps(document)
    for name in {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}:
        assert name in document["components"]["schemas"], name
    documented = {p["name"] for p in document["paths"]["/api/v1/projects"]["get"]["parameters"]}
    assert documented >= {
        *query.FACETS,
        "q",
        "year_min",
        "year_max",
        "sort",
        "page",
        "page_size",
        "format",
        "bom",
    }


def test_openapi_is_a_valid_document():
    import jsonschema

    # Each schema is itself a valid JSON Schema 2020-12.
    for schema in DOCUMENT["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_documentation_page(client):
    response = client.get("/api/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>API publique</h1>" in content
    for path in ("/api/v1/projects", "/api/v1/authorities", "/api/v1/countries", "/api/openapi.json"):
        assert path in content
    assert "<caption>" in content and 'scope="col"' in content
