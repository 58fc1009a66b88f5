"""Project exports from the database, pinned: the CSV of the small Atlas byte for byte, whatever the chunk
size and the authority cache; GeoJSON and XLSX fast paths equal to the obvious ways of writing them."""

import datetime
import json
from decimal import Decimal

import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from coopdec.atlas.models import Project
from coopdec.exports.formats import rows as rows_module
from coopdec.exports.formats.columns import PROJECT_COLUMNS, Column
from coopdec.exports.formats.csv import csv_chunks
from coopdec.exports.formats.geojson import geojson_chunks, json_value, project_geometry
from coopdec.exports.formats.rows import project_rows
from coopdec.exports.formats.xlsx import ILLEGAL_BYTES, WRITERS, _other_cell, _row_xml

HEADER = (
    "slug,title,status,status_label,start_date,end_date,themes,themes_labels,partnership,partnership_title,"
    "partnership_kind,partnership_kind_label,lead_authority,lead_authority_name,lead_authority_kind,"
    "lead_authority_kind_label,region,region_name,department,department_name,french_authorities,"
    "french_authorities_names,foreign_authorities,foreign_authorities_names,countries,countries_names,"
    "continents,continents_names,funders,funders_names,total_amount,last_confirmed_at\r\n"
)
SCHOOLS = (
    'echanges-scolaires-dresde,"Échanges scolaires, deux lignes\net « guillemets »",en_cours,En cours,'
    "2021-01-01,2023-12-31,culture-patrimoine,Culture et patrimoine,strasbourg-dresde,"
    "Jumelage Strasbourg – Dresde,jumelage,Jumelage,ville-de-strasbourg,Ville de Strasbourg,commune,Commune,"
    "44,Grand Est,67,Bas-Rhin,ville-de-strasbourg|eurometropole-de-strasbourg,"
    "Ville de Strasbourg|Eurométropole de Strasbourg,dresde-de,Landeshauptstadt Dresden,DE,Allemagne,EU,"
    "Europe,,,,\r\n"
)
HERITAGE = (
    "patrimoine-saint-louis,Patrimoine de Saint-Louis,en_cours,En cours,2021-01-01,2023-12-31,"
    "culture-patrimoine|education-formation,Culture et patrimoine|Éducation et formation,"
    'grand-est-saint-louis,"Convention ""Grand Est, Saint-Louis""",convention,'
    "Convention de coopération décentralisée,region-grand-est,Région Grand Est,region,Région,44,Grand Est,,,"
    "region-grand-est|departement-de-la-gironde|ville-de-paris,"
    "Région Grand Est|Département de la Gironde|Ville de Paris,saint-louis-sn|dresde-de,"
    "Commune de Saint-Louis|Landeshauptstadt Dresden,SN|DE,Sénégal|Allemagne,AF|EU,Afrique|Europe,"
    "meae-daect|region-grand-est,Ministère de l'Europe et des Affaires étrangères — DAECT|Région Grand Est,"
    "62500.50,2024-05-02T14:00:00.123456+00:00\r\n"
)


@pytest.fixture
def titled(atlas):
    # The factories number their titles in the order tests run: fixed titles keep the pinned text stable.
    Project.objects.filter(slug="patrimoine-saint-louis").update(title="Patrimoine de Saint-Louis")
    Project.objects.filter(slug="echanges-scolaires-dresde").update(
        title="Échanges scolaires, deux lignes\net « guillemets »"
    )


def project_csv(**options) -> str:
    rows = project_rows(Project.objects.order_by("slug"), **options)
    return b"".join(csv_chunks(PROJECT_COLUMNS, rows)).decode("utf-8")


@pytest.mark.django_db
def test_project_csv_is_pinned(titled):
    assert project_csv() == HEADER + SCHOOLS + HERITAGE


@pytest.mark.django_db
def test_project_csv_is_the_same_in_chunks_of_one_with_a_tiny_authority_cache(titled, monkeypatch):
    # The second chunk needs more authorities than the cache holds, one of them already cached: emptying
    # the cache must not lose it.
    monkeypatch.setattr(rows_module, "AUTHORITY_CACHE_SIZE", 2)
    monkeypatch.setattr(rows_module, "AUTHORITY_BATCH", 2)
    assert project_csv(chunk_size=1) == HEADER + SCHOOLS + HERITAGE


@pytest.mark.django_db
def test_project_rows_derived_values(titled):
    schools, heritage = project_rows(Project.objects.order_by("slug"))
    assert schools.lead_authority.slug == "ville-de-strasbourg" and schools.funders == []
    assert schools.total_amount is None
    assert heritage.countries == [("SN", "Sénégal"), ("DE", "Allemagne")]
    assert heritage.funders[0] == ("meae-daect", "Ministère de l'Europe et des Affaires étrangères — DAECT")
    assert heritage.total_amount == Decimal("62500.50")
    assert heritage.lead == heritage.lead_authority == heritage.french[0]


def geojson_the_obvious_way(columns, rows, geometry) -> str:
    features = []
    for row in rows:
        shape, extra = geometry(row)
        properties = {column.name: json_value(column.get(row)) for column in columns}
        properties.update(extra)
        features.append({"type": "Feature", "geometry": shape, "properties": properties})
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")
    )


@pytest.mark.django_db
def test_project_geojson_is_what_json_dumps_writes(titled):
    rows = list(project_rows(Project.objects.order_by("slug")))
    written = b"".join(geojson_chunks(PROJECT_COLUMNS, rows, project_geometry)).decode()
    assert written == geojson_the_obvious_way(PROJECT_COLUMNS, rows, project_geometry)
    assert json.loads(written)["features"][1]["properties"]["total_amount"] == 62500.5


def test_geojson_extra_properties_replace_or_follow_columns():
    columns = [
        Column("a", "A", "string", lambda item: item[0]),
        Column("b", "B", "number", lambda item: item[1]),
        Column("c", "C", "date", lambda item: item[2]),
    ]
    items = [('x"\n\u00e9', Decimal("1.50"), datetime.date(2020, 1, 2)), (None, 3, None), ("", True, 2.5)]

    def geometry(item):
        return {"type": "Point", "coordinates": [1.0, 2.0]}, {"b": "replaced", "z": item[0]}

    for chosen in (geometry, lambda item: (None, {})):
        written = b"".join(geojson_chunks(columns, items, chosen)).decode()
        assert written == geojson_the_obvious_way(columns, items, chosen)
    assert b"".join(geojson_chunks(columns, [], geometry)) == b'{"type":"FeatureCollection","features":[]}'
    assert b"".join(geojson_chunks([], items[:1], geometry)).decode() == geojson_the_obvious_way(
        [], items[:1], geometry
    )


def row_xml_cell_by_cell(values) -> str:
    cells = [
        "<c/>" if value is None or value == "" else (WRITERS.get(value.__class__) or _other_cell)(value)
        for value in values
    ]
    return "<row>" + "".join(cells) + "</row>"


@pytest.mark.parametrize(
    "values",
    [
        ["plain", "", None, 3, 2.5, Decimal("10.50"), True, datetime.date(2021, 2, 3)],
        ["a & b", "plain", "c < d"],
        ["carriage\rreturn", "x"],
        ["tail >", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)],
        [],
    ],
)
def test_xlsx_row_fast_path_writes_what_each_cell_writes(values):
    assert _row_xml(values) == row_xml_cell_by_cell(values)


def test_xlsx_removes_exactly_the_characters_openpyxl_calls_illegal():
    text = "".join(chr(code) for code in range(160)) + "é€😀"
    kept = text.encode().translate(None, ILLEGAL_BYTES).decode()
    assert kept == ILLEGAL_CHARACTERS_RE.sub("", text)


def test_in_lists_come_in_a_few_lengths_and_keep_their_values():
    for count in (1, 2, 3, 1000, 1750, 2000, 2048, 4096):
        ids = list(range(10, 10 + count))
        padded = rows_module._padded(ids)
        assert len(padded) & (len(padded) - 1) == 0 and count <= len(padded) < 2 * count
        assert padded[:count] == ids and set(padded) == set(ids)
