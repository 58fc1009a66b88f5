"""CSV writer: UTF-8, comma-separated, CRLF line ends (RFC 4180), one header row of column names.

No byte-order mark by default: programs read the file as plain UTF-8, as they read the open-data files.
``bom=True`` starts the file with one (U+FEFF) so that Excel, which otherwise guesses Windows-1252,
shows accented letters right; the API offers it as ``?format=csv&bom=1``.

Formulas (OWASP, "CSV injection"): a spreadsheet opening the file takes a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return for a formula, and ``=HYPERLINK(…)`` or ``=cmd|…`` typed as a project
title by one person would run in another's spreadsheet. Such a text cell is written after a single quote
(``'=SOMME(A1)``), which spreadsheets show as text and do not display. The quote is added to text only
(a negative amount stays a number) and also before text that already starts with quotes and then one of
those characters, so that ``from_spreadsheet_safe`` gives back exactly the text written: the import of
the open-data files removes it (docs/opendata.md). Both live in ``coopdec/spreadsheet.py``.

Speed (a million rows must leave at 20,000 rows/s or more): most rows need no quoting at all, so a row
is joined with commas directly and handed to ``csv.writer`` only when one of its cells holds a comma, a
double quote or a line break — the output is byte for byte what ``csv.writer`` alone would write.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from coopdec.exports.atlas_tables import to_text
from coopdec.spreadsheet import FORMULA_FIRST, spreadsheet_safe

from .columns import Column

# Rows are gathered into blocks of about this many bytes: one write to the socket per block, not per row.
BLOCK_SIZE = 64 * 1024
BOM = "\ufeff"
LINE_END = "\r\n"
# ``to_text`` of the types most cells hold besides text, looked up by exact type: the same spelling
# without ``to_text``'s chain of type tests (a subclass, a bool, a datetime… goes through ``to_text``).
TEXT_OF_TYPE = {
    datetime.date: datetime.date.isoformat,
    Decimal: lambda value: f"{value:f}",
    int: int.__repr__,
    float: float.__repr__,
}


# The first characters that call for a closer look at a row's cells, after a comma: the search is for a
# literal comma and then one character, quick on rows where nothing matches.
FORMULA_AFTER_COMMA = re.compile(r",['=+\-@\t\r]")


def csv_chunks(columns: Sequence[Column], rows: Iterable, *, bom: bool = False) -> Iterator[bytes]:
    quoted = io.StringIO()
    writer = csv.writer(quoted, lineterminator=LINE_END)
    getters = [column.get for column in columns]
    text_of_type = TEXT_OF_TYPE.get
    formula_after_comma = FORMULA_AFTER_COMMA.search
    separators = len(columns) - 1
    lines: list[str] = []
    size = 0
    writer.writerow([column.name for column in columns])
    lines.append((BOM if bom else "") + quoted.getvalue())
    quoted.seek(0)
    quoted.truncate()
    for row in rows:
        values = [get(row) for get in getters]
        # Strings (most cells) and empty cells skip to_text's chain of type tests.
        texts = [
            value
            if value.__class__ is str
            else ""
            if value is None
            else (text_of_type(value.__class__) or to_text)(value)
            for value in values
        ]
        line = ",".join(texts)
        if line[:1] in FORMULA_FIRST or formula_after_comma(line):
            # Rare: some cell starts like a formula (or is a negative number, which stays as it is).
            texts = [
                spreadsheet_safe(text) if text[:1] in FORMULA_FIRST and isinstance(value, str) else text
                for value, text in zip(values, texts, strict=True)
            ]
            line = ",".join(texts)
        # An empty line is a lone empty cell, which csv.writer writes as "" so that it is not lost.
        if not line or line.count(",") != separators or '"' in line or "\n" in line or "\r" in line:
            writer.writerow(texts)
            line = quoted.getvalue()
            quoted.seek(0)
            quoted.truncate()
        else:
            line += LINE_END
        lines.append(line)
        size += len(line)
        if size >= BLOCK_SIZE:
            yield "".join(lines).encode(errors="replace")
            lines.clear()
            size = 0
    # A lone surrogate (which no database stores, but a caller's text may hold) is written as "?".
    yield "".join(lines).encode(errors="replace")
