"""XLSX writer: one sheet, a header row of French titles, typed cells, written as a stream.

The workbook is a zip archive of a few XML parts. openpyxl builds each cell as an object and writes it
through an XML library, about 1,000 rows a second; here the sheet's XML is written as text, row by row,
into a zip entry that is sent as it is compressed, so the first bytes leave at once and memory stays flat
whatever the number of rows. Strings are inline (``t="inlineStr"``) rather than shared: a shared-string
table would have to be held in memory and written last. The zip uses ZIP64 entries, since a sheet of a
million rows can pass the 2 GB of a plain entry before compression.

Cells: text as strings (XML control characters, which Excel refuses, removed), numbers as numbers,
decimals as floats, dates and date-times as Excel serial numbers with a date format (time zones dropped
after conversion to UTC: Excel has none), empty values as empty cells. No cell is ever a formula: text
that starts with "=" is an inline string, which spreadsheets show as it is and do not run, so the XLSX
files need none of the CSV files' quoting (``coopdec.spreadsheet``). Cells carry no reference
(``r``, optional in the format): readers place them by their order in the row, hence the empty cells.
Excel holds at most 1,048,576 rows a sheet: beyond that the rows go on in further sheets.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from .columns import Column

BLOCK_SIZE = 64 * 1024
MAX_ROWS_PER_SHEET = 1_048_576
# Fast deflate: the sheet XML is very repetitive, so level 1 already shrinks it about tenfold, at several
# times the speed of the default level.
COMPRESS_LEVEL = 1

# Characters XML 1.0 does not allow (those of openpyxl's ILLEGAL_CHARACTERS_RE). None can appear in the
# markup written here, so they are removed from whole blocks of XML at once rather than cell by cell, and
# from the UTF-8 bytes: they are all ASCII, and no byte of a multi-byte UTF-8 sequence is ASCII, so
# deleting these bytes deletes exactly these characters (``bytes.translate`` does it in one pass in C).
ILLEGAL_BYTES = bytes([*range(0o0, 0o11), *range(0o13, 0o15), *range(0o16, 0o40)])
# XML 1.0 does not allow U+FFFE and U+FFFF either (an XML parser stops at them: Excel calls the file
# corrupt). Their UTF-8 sequences can be nothing else, so they are removed from the bytes too, after a quick
# look for their common first two bytes. A lone surrogate, which UTF-8 cannot encode, is written as "?".
NONCHARACTER_LEAD = b"\xef\xbf"
NONCHARACTER_FFFE = "\ufffe".encode()
NONCHARACTER_FFFF = "\uffff".encode()

EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_EPOCH_ORDINAL = EXCEL_EPOCH.toordinal()
DATE_STYLE = 1  # index in cellXfs below
DATETIME_STYLE = 2

SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
XML_HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLES = (
    XML_HEADER + f'<styleSheet xmlns="{SPREADSHEET_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
PACKAGE_RELS = (
    XML_HEADER + f'<Relationships xmlns="{PACKAGE_RELS_NS}">'
    f'<Relationship Id="rId1" Type="{OFFICE_DOC}" Target="xl/workbook.xml"/></Relationships>'
)
SHEET_START = XML_HEADER + f'<worksheet xmlns="{SPREADSHEET_NS}"><sheetData>'
SHEET_END = "</sheetData></worksheet>"


TEXT_START = '<c t="inlineStr"><is><t xml:space="preserve">'
TEXT_END = "</t></is></c>"
# The characters a text cell must not carry as they are (see ``_text_cell``).
SPECIAL = ("&", "<", ">", "\r")


def _text_cell(value: str) -> str:
    if "&" in value or "<" in value or ">" in value:
        value = escape(value)
    if "\r" in value:
        # A bare carriage return would be read back as a line feed (XML end-of-line handling).
        value = value.replace("\r", "&#13;")
    return TEXT_START + value + TEXT_END


def _number_cell(value) -> str:
    return f"<c><v>{value!r}</v></c>"


def _decimal_cell(value: Decimal) -> str:
    return f"<c><v>{float(value)!r}</v></c>"


def _bool_cell(value: bool) -> str:
    return f'<c t="b"><v>{int(value)}</v></c>'


def _date_cell(value: datetime.date) -> str:
    return f'<c s="{DATE_STYLE}"><v>{value.toordinal() - EXCEL_EPOCH_ORDINAL}</v></c>'


def _datetime_cell(value: datetime.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1_000_000
    serial = value.toordinal() - EXCEL_EPOCH_ORDINAL + seconds / 86400
    return f'<c s="{DATETIME_STYLE}"><v>{serial!r}</v></c>'


def _other_cell(value) -> str:
    for kind, write in WRITERS_BY_BASE:
        if isinstance(value, kind):
            return write(value)
    return _text_cell(str(value))


# Exact types first (one dictionary look-up a cell); subclasses (a lazy string…) by isinstance, in order.
WRITERS = {
    str: _text_cell,
    int: _number_cell,
    float: _number_cell,
    Decimal: _decimal_cell,
    bool: _bool_cell,
    datetime.date: _date_cell,
    datetime.datetime: _datetime_cell,
}
WRITERS_BY_BASE = (
    (bool, _bool_cell),
    (datetime.datetime, _datetime_cell),
    (datetime.date, _date_cell),
    (str, _text_cell),
    (int, _number_cell),
    (float, _number_cell),
    (Decimal, _decimal_cell),
)


def _row_xml(values) -> str:
    writers = WRITERS
    # Most rows hold no character to escape in any of their texts: one look at all of them together
    # then spares each text cell its own checks.
    texts = "".join([value for value in values if value.__class__ is str])
    if any(character in texts for character in SPECIAL):
        return (
            "<row>"
            + "".join(
                [
                    (
                        "<c/>"
                        if value is None or value == ""
                        else (writers.get(value.__class__) or _other_cell)(value)
                    )
                    for value in values
                ]
            )
            + "</row>"
        )
    return (
        "<row>"
        + "".join(
            [
                (
                    "<c/>"
                    if value is None or value == ""
                    else TEXT_START + value + TEXT_END
                    if value.__class__ is str
                    else (writers.get(value.__class__) or _other_cell)(value)
                )
                for value in values
            ]
        )
        + "</row>"
    )


class _Sink:
    """A write-only file for ``zipfile`` that keeps what it is given until it is drained."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def _workbook_parts(titles: list[str]) -> dict[str, str]:
    sheets = "".join(
        f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>' for n, title in enumerate(titles, 1)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{n}" Type="{WORKSHEET_REL}" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(titles) + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
        for n in range(1, len(titles) + 1)
    )
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return {
        "xl/workbook.xml": XML_HEADER + f'<workbook xmlns="{SPREADSHEET_NS}" xmlns:r="{RELATIONSHIP_NS}">'
        f"<sheets>{sheets}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": XML_HEADER + f'<Relationships xmlns="{PACKAGE_RELS_NS}">{sheet_rels}'
        f'<Relationship Id="rId{len(titles) + 1}" Type="{STYLES_REL}" Target="styles.xml"/>'
        "</Relationships>",
        "xl/styles.xml": STYLES,
        "_rels/.rels": PACKAGE_RELS,
        "[Content_Types].xml": XML_HEADER
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{main}.styles+xml"/>'
        f"{overrides}</Types>",
    }


def xlsx_chunks(
    columns: Sequence[Column],
    rows: Iterable,
    *,
    sheet_title: str = "Export",
    max_rows_per_sheet: int = MAX_ROWS_PER_SHEET,
) -> Iterator[bytes]:
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
    header = _row_xml([column.title for column in columns])
    getters = [column.get for column in columns]
    titles: list[str] = []
    sheet = None
    sheet_rows = 0
    parts: list[str] = []
    size = 0

    def write(text: str) -> None:
        data = text.encode(errors="replace").translate(None, ILLEGAL_BYTES)
        if NONCHARACTER_LEAD in data:
            data = data.replace(NONCHARACTER_FFFE, b"").replace(NONCHARACTER_FFFF, b"")
        sheet.write(data)

    def open_sheet():
        titles.append(sheet_title if not titles else f"{sheet_title} ({len(titles) + 1})")
        entry = archive.open(f"xl/worksheets/sheet{len(titles)}.xml", "w", force_zip64=True)
        entry.write((SHEET_START + header).encode())
        return entry

    for row in rows:
        if sheet is None or sheet_rows >= max_rows_per_sheet:
            if sheet is not None:
                write("".join(parts) + SHEET_END)
                parts, size = [], 0
                sheet.close()
            sheet = open_sheet()
            sheet_rows = 1
        line = _row_xml([get(row) for get in getters])
        parts.append(line)
        size += len(line)
        sheet_rows += 1
        if size >= BLOCK_SIZE:
            write("".join(parts))
            parts, size = [], 0
            if sink.size >= BLOCK_SIZE:
                yield sink.drain()
    if sheet is None:
        sheet = open_sheet()
    write("".join(parts) + SHEET_END)
    sheet.close()
    for name, text in _workbook_parts(titles).items():
        archive.writestr(name, text)
    archive.close()
    yield sink.drain()
