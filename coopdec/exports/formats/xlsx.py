"""XLSX writer with openpyxl's write-only mode: one sheet, a header row of French titles, typed cells.

Write-only mode writes each row to a temporary file as it comes, so memory stays flat; the workbook (a
zip archive) can only be assembled once every row is written, so the first byte leaves after the last
row is read, then the file is sent in blocks. Excel holds at most 1,048,576 rows a sheet: beyond that the
rows go on in further sheets.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .columns import Column

BLOCK_SIZE = 64 * 1024
MAX_ROWS_PER_SHEET = 1_048_576


def cell(value):
    """A value openpyxl can write: no time zones (Excel has none: UTC is written), no control characters."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value) if ILLEGAL_CHARACTERS_RE.search(value) else value
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def xlsx_chunks(
    columns: Sequence[Column],
    rows: Iterable,
    *,
    sheet_title: str = "Export",
    max_rows_per_sheet: int = MAX_ROWS_PER_SHEET,
) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    headers = [column.title for column in columns]
    getters = [column.get for column in columns]
    sheet = None
    sheet_rows = 0
    sheets = 0
    for row in rows:
        if sheet is None or sheet_rows >= max_rows_per_sheet:
            sheets += 1
            sheet = workbook.create_sheet(sheet_title if sheets == 1 else f"{sheet_title} ({sheets})")
            sheet.append(headers)
            sheet_rows = 1
        sheet.append([cell(get(row)) for get in getters])
        sheet_rows += 1
    if sheet is None:
        workbook.create_sheet(sheet_title).append(headers)
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while block := out.read(BLOCK_SIZE):
            yield block
