"""CSV writer: UTF-8, comma-separated, CRLF line ends (RFC 4180), one header row of column names.

No byte-order mark by default: programs read the file as plain UTF-8, as they read the open-data files.
``bom=True`` starts the file with one (U+FEFF) so that Excel, which otherwise guesses Windows-1252,
shows accented letters right; the API offers it as ``?format=csv&bom=1``.

Speed (a million rows must leave at 20,000 rows/s or more): most rows need no quoting at all, so a row
is joined with commas directly and handed to ``csv.writer`` only when one of its cells holds a comma, a
double quote or a line break — the output is byte for byte what ``csv.writer`` alone would write.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from coopdec.exports.atlas_tables import to_text

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


def csv_chunks(columns: Sequence[Column], rows: Iterable, *, bom: bool = False) -> Iterator[bytes]:
    quoted = io.StringIO()
    writer = csv.writer(quoted, lineterminator=LINE_END)
    getters = [column.get for column in columns]
    text_of_type = TEXT_OF_TYPE.get
    separators = len(columns) - 1
    lines: list[str] = []
    size = 0
    writer.writerow([column.name for column in columns])
    lines.append((BOM if bom else "") + quoted.getvalue())
    quoted.seek(0)
    quoted.truncate()
    for row in rows:
        # Strings (most cells) and empty cells skip to_text's chain of type tests.
        texts = [
            value
            if value.__class__ is str
            else ""
            if value is None
            else (text_of_type(value.__class__) or to_text)(value)
            for value in [get(row) for get in getters]
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
            yield "".join(lines).encode()
            lines.clear()
            size = 0
    yield "".join(lines).encode()
