"""The map page and its GeoJSON endpoints, on a small known Atlas.

Five authorities, four projects:
- Strasbourg (commune, Grand Est) – Saint-Louis (Senegal): a convention, two projects (culture; water);
- Strasbourg – Stuttgart (Germany): a twinning, one project (education, "échanges scolaires");
- Gironde (department, Nouvelle-Aquitaine) – Dakar (Senegal): an action outside any convention, one
  project (water).
"""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from coopdec.atlas.models import Partnership, Project
from coopdec.atlas.tests import factories as f
from coopdec.maps import legend
from coopdec.maps.aggregates import DETAIL_ZOOM
from coopdec.search.index import refresh_projects

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12


@pytest.fixture
def atlas(reference_data):
    strasbourg = f.CommuneAuthorityFactory(slug="ville-de-strasbourg", latitude=48.5734, longitude=7.7521)
    gironde = f.DepartmentAuthorityFactory(slug="departement-gironde", latitude=44.8378, longitude=-0.5792)
    saint_louis = f.ForeignAuthorityFactory(slug="saint-louis", name="Commune de Saint-Louis")
    dakar = f.ForeignAuthorityFactory(
        slug="dakar", name="Ville de Dakar", latitude=14.6928, longitude=-17.4467
    )
    stuttgart = f.ForeignAuthorityFactory(
        slug="stuttgart", name="Stadt Stuttgart", country=f.country("DE"), latitude=48.7758, longitude=9.1829
    )
    convention = f.PartnershipFactory(french=[strasbourg], foreign=[saint_louis])
    twinning = f.PartnershipFactory(french=[strasbourg], foreign=[stuttgart], kind=Partnership.Kind.TWINNING)
    other = f.PartnershipFactory(french=[gironde], foreign=[dakar], kind=Partnership.Kind.OTHER_ACTION)
    f.ProjectFactory(slug="patrimoine", partnership=convention)
    f.ProjectFactory(
        slug="eau-saint-louis",
        partnership=convention,
        title="Adduction d'eau potable à Saint-Louis",
        themes=[f.theme("eau-assainissement")],
    )
    f.ProjectFactory(
        slug="echanges",
        partnership=twinning,
        title="Échanges scolaires entre lycées",
        themes=[f.theme("education-formation")],
    )
    f.ProjectFactory(
        slug="eau-dakar",
        partnership=other,
        title="Assainissement des quartiers de Dakar",
        themes=[f.theme("eau-assainissement")],
    )
    # Index them now, as the write paths do, so that the first request does not pay for it.
    refresh_projects(Project.objects.values_list("pk", flat=True))
    return {"strasbourg": strasbourg, "gironde": gironde, "dakar": dakar}


def get_json(client, name, query="", status=200):
    response = client.get(reverse(name) + (f"?{query}" if query else ""))
    assert response.status_code == status, response.content[:500]
    return response, json.loads(response.content)


def counts(document):
    return {
        feature["properties"]["code"]: feature["properties"]["projects"] for feature in document["features"]
    }


def nonzero(document):
    return {code: n for code, n in counts(document).items() if n}


# --- Countries and French areas ------------------------------------------------------------------------


def test_countries_geojson_valid_with_counts_and_classes(client, atlas, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response, document = get_json(client, "maps:countries")
    assert response["Content-Type"].startswith("application/geo+json")
    assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert document["type"] == "FeatureCollection"
    # Every outlined country is there (a world map), partners or not.
    assert len(document["features"]) > 150
    for feature in document["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert isinstance(feature["geometry"]["coordinates"], list)
    assert nonzero(document) == {"SN": 3, "DE": 1}
    senegal = next(feat for feat in document["features"] if feat["id"] == "SN")["properties"]
    assert senegal["name"] == "Sénégal"
    assert senegal["url"] == reverse("atlas:country", args=["SN"])
    classes = {c["index"]: c for c in document["classes"]}
    assert classes[0]["label"] == "Aucun projet"
    assert classes[senegal["class"]]["low"] <= 3 <= classes[senegal["class"]]["high"]
    france = next(feat for feat in document["features"] if feat["id"] == "FR")["properties"]
    assert france["projects"] == 0 and france["class"] == 0


@pytest.mark.parametrize(
    ("level", "expected", "page"),
    [("region", {"44": 3, "75": 1}, "atlas:region"), ("departement", {"67": 3, "33": 1}, "atlas:department")],
)
def test_france_geojson_by_region_and_department(
    client, atlas, level, expected, page, django_assert_max_num_queries
):
    with django_assert_max_num_queries(MAX_QUERIES):
        _response, document = get_json(client, "maps:france", f"level={level}")
    assert document["level"] == level
    assert nonzero(document) == expected
    feature = next(feat for feat in document["features"] if feat["id"] == next(iter(expected)))
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert feature["properties"]["url"] == reverse(page, args=[feature["id"]])


@pytest.mark.parametrize(
    ("query", "countries", "regions"),
    [
        ("theme=eau-assainissement", {"SN": 2}, {"44": 1, "75": 1}),
        ("theme=eau-assainissement&theme=education-formation", {"SN": 2, "DE": 1}, {"44": 2, "75": 1}),
        ("partnership_kind=jumelage", {"DE": 1}, {"44": 1}),
        ("partnership_kind=convention&partnership_kind=hors_convention", {"SN": 3}, {"44": 2, "75": 1}),
        ("q=echanges+scolaires", {"DE": 1}, {"44": 1}),
        ("q=assainissement&partnership_kind=convention", {"SN": 1}, {"44": 1}),
        ("q=scolaires&partnership_kind=convention", {}, {}),
        ("country=DE", {"DE": 1}, {"44": 1}),
    ],
)
def test_filters_from_the_search_query_string(client, atlas, query, countries, regions):
    assert nonzero(get_json(client, "maps:countries", query)[1]) == countries
    assert nonzero(get_json(client, "maps:france", f"{query}&level=region")[1]) == regions


def test_keyword_search_sorted_by_relevance_gives_the_same_counts(client, atlas):
    relevance = get_json(client, "maps:countries", "q=eau&sort=relevance")[1]
    plain = get_json(client, "maps:countries", "q=eau&sort=title")[1]
    assert nonzero(relevance) == nonzero(plain) == {"SN": 2}


# --- Points --------------------------------------------------------------------------------------------


def features_by_kind(document):
    clusters = [feat for feat in document["features"] if feat["properties"]["cluster"]]
    singles = {
        feat["properties"]["name"]: feat for feat in document["features"] if not feat["properties"]["cluster"]
    }
    return clusters, singles


def test_points_merge_nearby_authorities_at_low_zoom(client, atlas, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response, document = get_json(client, "maps:points", "zoom=2")
    assert "max-age=300" in response["Cache-Control"]
    assert document["type"] == "FeatureCollection" and document["zoom"] == 2
    clusters, singles = features_by_kind(document)
    # Strasbourg and Stuttgart share a cell, so do Saint-Louis and Dakar; Bordeaux stands apart.
    assert sorted((c["properties"]["authorities"], c["properties"]["french"]) for c in clusters) == [
        (2, 0),
        (2, 1),
    ]
    assert list(singles) == ["Département de la Gironde"]
    for cluster in clusters:
        lon, lat = cluster["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    senegal = next(c for c in clusters if c["properties"]["french"] == 0)
    lon, lat = senegal["geometry"]["coordinates"]
    assert lat == pytest.approx((16.0326 + 14.6928) / 2, abs=1e-4)


def test_points_split_at_high_zoom_with_project_counts_and_links(client, atlas):
    clusters, singles = features_by_kind(get_json(client, "maps:points", "zoom=7&bbox=-20,10,15,50")[1])
    assert clusters == []
    projects = {name: feat["properties"]["projects"] for name, feat in singles.items()}
    assert projects == {
        "Ville de Strasbourg": 3,
        "Commune de Saint-Louis": 2,
        "Stadt Stuttgart": 1,
        "Département de la Gironde": 1,
        "Ville de Dakar": 1,
    }
    strasbourg = singles["Ville de Strasbourg"]["properties"]
    assert strasbourg["side"] == "france"
    assert strasbourg["url"] == reverse("atlas:french_authority", args=["ville-de-strasbourg"])
    assert strasbourg["projects_label"] == "3 projets"
    dakar = singles["Ville de Dakar"]["properties"]
    assert dakar["side"] == "etranger" and dakar["url"] == reverse("atlas:foreign_authority", args=["dakar"])
    assert singles["Ville de Dakar"]["geometry"]["coordinates"] == [-17.4467, 14.6928]


def test_points_bbox_and_filters(client, atlas):
    # A box around Alsace and Baden-Württemberg at detail zoom: two authorities, one by one.
    _c, singles = features_by_kind(
        get_json(client, "maps:points", f"zoom={DETAIL_ZOOM}&bbox=7,48,10,49.5")[1]
    )
    assert set(singles) == {"Ville de Strasbourg", "Stadt Stuttgart"}
    _c, singles = features_by_kind(
        get_json(client, "maps:points", "zoom=7&bbox=-20,10,15,50&theme=eau-assainissement")[1]
    )
    assert {name: feat["properties"]["projects"] for name, feat in singles.items()} == {
        "Ville de Strasbourg": 1,
        "Commune de Saint-Louis": 1,
        "Département de la Gironde": 1,
        "Ville de Dakar": 1,
    }
    _c, singles = features_by_kind(
        get_json(client, "maps:points", "zoom=7&bbox=-20,10,15,50&partnership_kind=jumelage")[1]
    )
    assert set(singles) == {"Ville de Strasbourg", "Stadt Stuttgart"}


# --- Bad parameters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("maps:points", "zoom=abc", "zoom"),
        ("maps:points", "zoom=-1", "zoom"),
        ("maps:points", "zoom=99", "zoom"),
        ("maps:points", "zoom=2&zoom=3", "qu'une fois"),
        ("maps:points", "bbox=1,2,3", "ouest,sud,est,nord"),
        ("maps:points", "bbox=10,0,5,5", "ouest,sud,est,nord"),
        ("maps:points", "bbox=0,0,nan,5", "ouest,sud,est,nord"),
        ("maps:points", "bbox=a,b,c,d", "ouest,sud,est,nord"),
        ("maps:points", "bbox=0,-100,10,10", "ouest,sud,est,nord"),
        ("maps:points", f"zoom={DETAIL_ZOOM}", "trop grande"),
        ("maps:points", "zoom=14&bbox=-10,40,10,50", "trop grande"),
        ("maps:france", "level=commune", "Niveau inconnu"),
        ("maps:countries", "theme=inconnu", "Valeur inconnue"),
        ("maps:countries", "year_min=deux-mille", "nombre entier"),
        ("maps:france", "country=ZZ", "Valeur inconnue"),
    ],
)
def test_bad_parameters_give_400_with_a_french_message(client, atlas, name, query, message):
    response, document = get_json(client, name, query, status=400)
    assert any(message in error for error in document["erreurs"]), document


# --- The page ------------------------------------------------------------------------------------------


EXTERNAL_RESOURCE = re.compile(
    r"<(?:script|img|iframe|link|source|video|audio)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I
)


def test_page_without_tiles_loads_nothing_from_elsewhere(
    client, atlas, settings, django_assert_max_num_queries
):
    settings.MAP_TILES_URL = ""
    with django_assert_max_num_queries(MAX_QUERIES + 6):
        response = client.get(reverse("maps:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert not EXTERNAL_RESOURCE.search(html)
    assert "url(http" not in html and "@import" not in html
    config = json.loads(
        re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    assert config["tiles"] == ""
    assert config["urls"]["points"] == reverse("maps:points")
    assert '/static/leaflet/leaflet.js"' in html and '/static/maps/map.js"' in html
    assert "fr-header" in html and "<h1>Carte de la coopération décentralisée</h1>" in html
    # The accessible alternative: the same figures as tables with captions and header cells.
    assert "<caption>Projets par pays partenaire</caption>" in html
    assert '<th scope="col">Pays</th>' in html
    assert re.search(
        r'<th scope="row"><a href="/atlas/pays/SN/">Sénégal</a></th>\s*<td class="fr-cell--right">3</td>',
        html,
    )
    assert re.search(
        r'<a href="/atlas/regions/44/">Grand Est</a></th>\s*<td class="fr-cell--right">3</td>',
        html,
    )
    # Controls have labels.
    for control in (
        "view-monde",
        "view-regions",
        "view-departements",
        "map-points",
        "kind-jumelage",
        "theme-eau-assainissement",
    ):
        assert f'for="{control}"' in html and f'id="{control}"' in html


def test_page_with_tiles_configured_hands_them_to_the_script(client, atlas, settings):
    settings.MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    html = client.get(reverse("maps:index")).content.decode()
    assert "tiles.example.org" in html
    # Tiles are loaded by the script from its configuration, never by the page itself.
    assert not EXTERNAL_RESOURCE.search(html)


def test_page_of_a_search_shows_all_its_results_and_keeps_the_query(client, atlas):
    response = client.get(reverse("maps:index") + "?q=eau&theme=eau-assainissement&page=3&vue=regions")
    html = response.content.decode()
    assert response.status_code == 200
    assert "les 2 projets de votre recherche" in html
    config = json.loads(
        re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    assert config["query"] == "q=eau&theme=eau-assainissement"
    assert config["view"] == "regions"
    assert '<input type="hidden" name="q" value="eau">' in html
    assert f'href="{reverse("search:index")}?q=eau&amp;theme=eau-assainissement"' in html
    assert 'id="theme-eau-assainissement" checked' in html
    assert re.search(r'<a href="/atlas/pays/SN/">Sénégal</a></th>\s*<td class="fr-cell--right">2</td>', html)
    assert "/atlas/pays/DE/" not in html


def test_page_with_bad_values_explains_and_still_answers(client, atlas):
    response = client.get(reverse("maps:index") + "?theme=inconnu&vue=lune")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Valeur inconnue « inconnu »" in html
    assert "Vue inconnue « lune »" in html
    assert re.search(r'<a href="/atlas/pays/SN/">Sénégal</a></th>\s*<td class="fr-cell--right">3</td>', html)


def test_page_and_documents_in_english(client, atlas):
    try:
        response = client.get("/en/atlas/carte/")
        assert response.status_code == 200
        assert 'href="/en/atlas/pays/SN/">Senegal</a>' in response.content.decode()
        with translation.override("en"):
            url = reverse("maps:countries")
        assert url == "/en/atlas/carte/pays.geojson"
        senegal = next(feat for feat in json.loads(client.get(url).content)["features"] if feat["id"] == "SN")
        assert senegal["properties"]["name"] == "Senegal"
        assert senegal["properties"]["url"] == "/en/atlas/pays/SN/"
    finally:
        translation.activate("fr")


# --- Query counts do not grow with the data --------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_query_counts_do_not_grow_with_the_data(client, atlas):
    urls = [
        reverse("maps:index"),
        reverse("maps:countries"),
        reverse("maps:france") + "?level=departement",
        reverse("maps:points") + "?zoom=2",
        reverse("maps:points") + "?zoom=7&bbox=-20,10,15,50",
    ]
    before = [count_queries(client, url) for url in urls]
    for n in range(30):
        partnership = f.PartnershipFactory(
            french=[f.CommuneAuthorityFactory(latitude=48 + n / 10, longitude=2 + n / 10)],
            foreign=[f.ForeignAuthorityFactory(country=f.country("ML"), latitude=12 + n / 10, longitude=-8)],
        )
        f.ProjectFactory(partnership=partnership)
    refresh_projects(Project.objects.values_list("pk", flat=True))
    assert [count_queries(client, url) for url in urls] == before
    assert nonzero(get_json(client, "maps:countries")[1])["ML"] == 30


# --- Legend classes ------------------------------------------------------------------------------------


def test_classes_cover_every_value_on_a_log_scale():
    values = [0, 1, 2, 3, 8, 40, 120, 800]
    classes = legend.classes(values)
    assert classes[0].label == "Aucun projet"
    assert [c.low for c in classes[1:]] == [1] + [c.high + 1 for c in classes[1:-1]]
    assert classes[-1].high == 800 and classes[-1].colour == legend.PALETTE[-1]
    assert len(classes) == len(legend.PALETTE) + 1
    for value in values:
        found = legend.class_of(value, classes)
        assert found.low <= value <= found.high


def test_classes_with_few_values():
    assert [c.label for c in legend.classes([0, 0])] == ["Aucun projet"]
    classes = legend.classes([0, 1, 2])
    assert [(c.low, c.high) for c in classes] == [(0, 0), (1, 1), (2, 2)]
    assert classes[1].label == "1 projet" and classes[2].label == "2 projets"
    assert classes[-1].colour == legend.PALETTE[-1]
