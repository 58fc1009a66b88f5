"""CSV writer: UTF-8, comma-separated, CRLF line ends (RFC 4180), one header row of column names.

No byte-order mark by default: programs read the file as plain UTF-8, as they read the open-data files.
``bom=True`` starts the file with one (U+FEFF) so that Excel, which otherwise guesses Windows-1252,
shows accented letters right; the API offers it as ``?format=csv&bom=1``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from coopdec.exports.atlas_tables import to_text

from .columns import Column

# Rows are gathered into blocks of about this many bytes: one write to the socket per block, not per row.
BLOCK_SIZE = 64 * 1024
BOM = "\ufeff"


def csv_chunks(columns: Sequence[Column], rows: Iterable, *, bom: bool = False) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write(BOM)
    writer.writerow([column.name for column in columns])
    getters = [column.get for column in columns]
    for row in rows:
        writer.writerow([to_text(get(row)) for get in getters])
        if buffer.tell() >= BLOCK_SIZE:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
