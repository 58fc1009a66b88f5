"""The fast paths of the writers give what the slow, obvious ways give: CSV rows joined by hand are
byte for byte csv.writer's, and the hand-written XLSX sheet reads back with the right types and places."""

import csv
import datetime
import hashlib
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from coopdec.exports.atlas_tables import to_text
from coopdec.exports.formats.columns import Column
from coopdec.exports.formats.csv import csv_chunks
from coopdec.exports.formats.xlsx import xlsx_chunks

TRICKY = [
    "plain",
    "with, comma",
    'with "quotes"',
    "two\nlines",
    "carriage\rreturn",
    "",
    None,
    " leading space",
    "a & b < c > d",
    "accents « é » œ",
    3,
    2.5,
    Decimal("10.50"),
    True,
    datetime.date(2021, 2, 3),
    datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=ZoneInfo("Europe/Paris")),
]


def columns_over(count):
    return [Column(f"c{n}", f"Colonne {n}", "string", lambda row, n=n: row[n]) for n in range(count)]


def test_csv_matches_csv_writer_on_every_kind_of_cell():
    rows = [[value, "x", value] for value in TRICKY] + [[None, None, None], ["", "", ""]]
    expected = io.StringIO()
    writer = csv.writer(expected)
    writer.writerow(["c0", "c1", "c2"])
    for row in rows:
        writer.writerow([to_text(value) for value in row])
    assert b"".join(csv_chunks(columns_over(3), rows)).decode() == expected.getvalue()


def test_csv_single_empty_column_is_not_lost():
    content = b"".join(csv_chunks(columns_over(1), [[""], ["a"], [None]])).decode()
    assert content == 'c0\r\n""\r\na\r\n""\r\n'
    assert [row for row in csv.reader(io.StringIO(content))] == [["c0"], [""], ["a"], [""]]


def test_xlsx_cells_keep_their_types_and_places():
    rows = [TRICKY, list(reversed(TRICKY))]
    data = b"".join(xlsx_chunks(columns_over(len(TRICKY)), rows))
    sheet = load_workbook(io.BytesIO(data)).active
    header, first, second = sheet.values
    assert header == tuple(f"Colonne {n}" for n in range(len(TRICKY)))
    assert first == (
        "plain",
        "with, comma",
        'with "quotes"',
        "two\nlines",
        "carriage\rreturn",
        None,
        None,
        " leading space",
        "a & b < c > d",
        "accents « é » œ",
        3,
        2.5,
        10.5,
        True,
        datetime.datetime(2021, 2, 3),
        datetime.datetime(2024, 1, 2, 2, 4, 5),  # 03:04:05 in Paris, written in UTC
    )
    assert second == tuple(reversed(first))
    assert sheet["O2"].number_format == "yyyy-mm-dd"


def test_xlsx_empty_export_has_its_header():
    workbook = load_workbook(io.BytesIO(b"".join(xlsx_chunks(columns_over(2), [], sheet_title="Projets"))))
    assert workbook.sheetnames == ["Projets"]
    assert list(workbook.active.values) == [("Colonne 0", "Colonne 1")]


def test_xlsx_is_streamed_in_blocks():
    # Text that deflate cannot shrink much, so that the archive passes a block well before the end.
    rows = ([hashlib.sha256(str(n).encode()).hexdigest() * 4, n] for n in range(3000))
    chunks = list(xlsx_chunks(columns_over(2), rows))
    assert len(chunks) > 1
    assert load_workbook(io.BytesIO(b"".join(chunks))).active.max_row == 3001
