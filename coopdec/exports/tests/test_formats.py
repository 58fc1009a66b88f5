"""The list writers on hand-made rows: column functions, CSV with and without BOM, XLSX sheets,
GeoJSON points and null geometries, PDF text outside Windows-1252."""

import csv
import datetime
import io
import json
from decimal import Decimal

from openpyxl import load_workbook

from coopdec.exports.formats.columns import PROJECT_COLUMNS, Column
from coopdec.exports.formats.csv import csv_chunks
from coopdec.exports.formats.geojson import geojson_chunks, project_geometry
from coopdec.exports.formats.pdf import pdf_text, project_sheet_pdf
from coopdec.exports.formats.rows import Authority, Funding, ProjectRow
from coopdec.exports.formats.sheet import ProjectSheet
from coopdec.exports.formats.xlsx import xlsx_chunks


def authority(slug, name, country=None, latitude=None, longitude=None, country_latitude=None):
    return Authority(
        slug,
        name,
        "commune" if country is None else "autorite_etrangere",
        "44" if country is None else None,
        "Grand Est" if country is None else None,
        None,
        None,
        country,
        {"SN": "Sénégal", "ML": "Mali"}.get(country),
        "AF" if country else None,
        "Afrique" if country else None,
        latitude,
        longitude,
        country_latitude,
        10.0 if country_latitude else None,
    )


def row(**changes):
    values = dict(
        slug="patrimoine",
        title="Patrimoine, « bâti » et œuvres",
        status="en_cours",
        start_date=datetime.date(2021, 1, 1),
        end_date=None,
        last_confirmed_at=datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.UTC),
        partnership="strasbourg-saint-louis",
        partnership_title="Strasbourg – Saint-Louis",
        partnership_kind="jumelage",
        themes=[
            ("culture-patrimoine", "Culture et patrimoine"),
            ("eau-assainissement", "Eau et assainissement"),
        ],
        french=[authority("strasbourg", "Strasbourg"), authority("colmar", "Colmar")],
        foreign=[
            authority("kayes", "Kayes", "ML"),
            authority("saint-louis", "Saint-Louis", "SN", 16.03, -16.48),
        ],
        financings=[
            Funding("daect", "DAECT", "daect", 2022, Decimal("1000.50")),
            Funding("strasbourg", "Strasbourg", "fonds_propres", 2022, Decimal("500.25")),
        ],
    )
    values.update(changes)
    return ProjectRow(**values)


def cells(item):
    return {column.name: column.get(item) for column in PROJECT_COLUMNS}


def test_columns_put_codes_and_labels_side_by_side():
    values = cells(row())
    assert (values["status"], values["status_label"]) == ("en_cours", "En cours")
    assert values["themes"] == "culture-patrimoine|eau-assainissement"
    assert values["themes_labels"] == "Culture et patrimoine|Eau et assainissement"
    assert (values["lead_authority"], values["region"], values["region_name"]) == (
        "strasbourg",
        "44",
        "Grand Est",
    )
    assert values["partnership_kind_label"] == "Jumelage"
    assert (values["countries"], values["countries_names"]) == ("ML|SN", "Mali|Sénégal")
    assert values["total_amount"] == Decimal("1500.75")
    assert values["funders"] == "daect|strasbourg"
    assert len({column.name for column in PROJECT_COLUMNS}) == len(PROJECT_COLUMNS)


def test_empty_project_has_empty_cells_not_errors():
    values = cells(row(french=[], foreign=[], financings=[], themes=[]))
    assert values["lead_authority"] is None and values["total_amount"] is None and values["countries"] == ""


def test_csv_header_rows_and_bom():
    content = b"".join(csv_chunks(PROJECT_COLUMNS, [row(), row(slug="second")])).decode("utf-8")
    records = list(csv.DictReader(io.StringIO(content)))
    assert [record["slug"] for record in records] == ["patrimoine", "second"]
    assert records[0]["title"] == "Patrimoine, « bâti » et œuvres"
    assert records[0]["last_confirmed_at"] == "2024-01-02T03:04:00+00:00"
    assert records[0]["total_amount"] == "1500.75"
    with_bom = b"".join(csv_chunks(PROJECT_COLUMNS, [row()], bom=True))
    assert with_bom.startswith(b"\xef\xbb\xbfslug,") and content.startswith("slug,")


def test_csv_is_streamed_in_blocks():
    chunks = list(csv_chunks(PROJECT_COLUMNS, (row(slug=f"p{n}") for n in range(500))))
    assert len(chunks) > 1


def test_xlsx_typed_cells_and_extra_sheets():
    columns = (
        Column("n", "Numéro", "integer", lambda n: n),
        Column("t", "Texte", "string", lambda n: f"a\x01{n}"),
    )
    workbook = load_workbook(io.BytesIO(b"".join(xlsx_chunks(columns, range(5), max_rows_per_sheet=3))))
    assert [list(sheet.values) for sheet in workbook.worksheets] == [
        [("Numéro", "Texte"), (0, "a0"), (1, "a1")],
        [("Numéro", "Texte"), (2, "a2"), (3, "a3")],
        [("Numéro", "Texte"), (4, "a4")],
    ]


def test_geojson_points_and_null_geometry():
    items = [
        row(),
        row(slug="centroid", foreign=[authority("x", "X", "ML", country_latitude=12.5)]),
        row(slug="nowhere", foreign=[]),
    ]
    collection = json.loads(b"".join(geojson_chunks(PROJECT_COLUMNS, items, project_geometry)))
    first, second, third = collection["features"]
    assert first["geometry"] == {"type": "Point", "coordinates": [-16.48, 16.03]}
    assert first["properties"]["location"] == "foreign_authority"
    assert first["properties"]["total_amount"] == 1500.75
    assert second["geometry"]["coordinates"] == [10.0, 12.5]
    assert second["properties"]["location"] == "country_centroid"
    assert third["geometry"] is None


def test_pdf_text_keeps_french_and_degrades_the_rest():
    assert pdf_text("Cœur « été » — 10 €") == "Cœur « été » — 10 €"
    assert pdf_text("Hà Nội") == "Hà Noi"
    assert pdf_text("東京") == "??"


def test_project_sheet_pdf():
    sheet = ProjectSheet(
        row=row(foreign=[authority("hanoi", "Hà Nội", "SN")]),
        texts={"objectives": "Former.", "description": "", "history": "", "context": "", "results": ""},
        contacts=[{"name": "Claire Martin", "function": "Chargée de mission"}],
    )
    assert project_sheet_pdf(sheet).startswith(b"%PDF-")
