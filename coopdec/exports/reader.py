"""Reading CSV files line by line, with errors in French that name the file and the line.

The file is decoded one physical line at a time so that a byte that is not UTF-8 is reported with its line
number rather than as an offset, and nothing is held in memory but the current row.

Files are fed by people, so they may be anything: a line is read up to ``MAX_LINE_BYTES`` and no further (a
file without line ends, or ``/dev/zero``, cannot fill the memory), a value up to ``MAX_FIELD_CHARS``
characters; a spreadsheet saved under a ``.csv`` name (an XLSX, which is a zip archive, an old XLS, a PDF,
a compressed file) is recognised by its first bytes and refused without being opened as what it is, so a
zip bomb is never inflated; a UTF-16 file and a NUL byte are refused with their own message, since
PostgreSQL cannot store a NUL character in text and the file is not the text it claims to be.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class ImportProblem:
    """One error found in the files, located as precisely as we can."""

    source: str
    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self):
        if self.line is not None and self.column is not None:
            return _("%(source)s, ligne %(line)s, colonne « %(column)s » : %(message)s") % {
                "source": self.source,
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        if self.line is not None:
            return _("%(source)s, ligne %(line)s : %(message)s") % {
                "source": self.source,
                "line": self.line,
                "message": self.message,
            }
        return _("%(source)s : %(message)s") % {"source": self.source, "message": self.message}


class UnreadableFile(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


# A value may hold a project's whole description; beyond this it is not text someone wrote for the Atlas.
MAX_FIELD_CHARS = 1_000_000
# A physical line: a value of MAX_FIELD_CHARS characters of up to 4 bytes each, and the rest of its row.
MAX_LINE_BYTES = 4 * MAX_FIELD_CHARS + 64 * 1024

# The first bytes of files that are not CSV text, and what to call them in a message.
SIGNATURES = (
    (b"PK\x03\x04", gettext_lazy("un classeur ou une archive (XLSX, ODS ou ZIP)")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", gettext_lazy("un classeur Excel 97-2003 (XLS)")),
    (b"%PDF-", gettext_lazy("un document PDF")),
    (b"\x1f\x8b", gettext_lazy("un fichier compressé (gzip)")),
)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def _is_utf8(encoding: str) -> bool:
    return encoding.replace("-", "").replace("_", "").lower() == "utf8"


def _first_line_problem(line: bytes) -> str | None:
    for signature, what in SIGNATURES:
        if line.startswith(signature):
            return _(
                "le fichier est %(what)s, pas un fichier CSV : enregistrez-le au format « CSV UTF-8 » "
                "et relancez l'import"
            ) % {"what": what}
    if line.startswith(UTF16_BOMS):
        return _("le fichier est encodé en UTF-16 : enregistrez-le au format « CSV UTF-8 »")
    return None


def _physical_lines(raw) -> Iterator[bytes]:
    """The file's lines as bytes, none longer than ``MAX_LINE_BYTES``."""
    number = 0
    while True:
        line = raw.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES:
            raise UnreadableFile(
                _("ligne de plus de %(size)s octets : ce n'est pas un fichier CSV d'export")
                % {"size": _thousands(MAX_LINE_BYTES)},
                number,
            )
        yield line


def _decoded_lines(raw, encoding: str) -> Iterator[str]:
    utf8 = _is_utf8(encoding)
    for number, line in enumerate(_physical_lines(raw), start=1):
        if number == 1:
            problem = _first_line_problem(line)
            if problem:
                raise UnreadableFile(problem, 1)
            if utf8 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]  # a byte-order mark, as spreadsheets write it
        if b"\x00" in line:
            raise UnreadableFile(
                _("octet nul (0x00) dans le texte : le fichier est binaire ou encodé en UTF-16"), number
            )
        try:
            yield line.decode(encoding)
        except UnicodeDecodeError as error:
            if utf8:
                message = _("le fichier n'est pas encodé en UTF-8 (octet %(byte)s illisible)") % {
                    "byte": f"0x{line[error.start]:02x}"
                }
            else:
                message = _("le fichier n'est pas encodé en %(encoding)s") % {"encoding": encoding}
            raise UnreadableFile(message, number) from error


def _csv_error_message(error: csv.Error) -> str:
    """The csv module's English message, said in French for the cases a damaged file gives."""
    detail = str(error)
    if detail.startswith("field larger than field limit"):
        return _("valeur de plus de %(limit)s caractères") % {"limit": _thousands(csv.field_size_limit())}
    if detail == "unexpected end of data":
        return _("guillemet ouvert jamais refermé : le fichier est peut-être tronqué")
    return _("ligne CSV mal formée (%(detail)s)") % {"detail": detail}


def source_problem(directory: Path, path: Path) -> str | None:
    """Why ``path`` may not be read as a file of ``directory``, or None.

    A link may point to a file of the directory, not out of it (to ``/etc/passwd``, whose lines would
    come back as error messages); a FIFO or a device would block or never end.
    """
    try:
        real = path.resolve(strict=True)
        inside = real.is_relative_to(directory.resolve(strict=True))
    except (OSError, RuntimeError):  # a broken link, a loop of links
        return _("lien symbolique cassé ou en boucle : refusé")
    if not inside:
        return _("lien symbolique vers un fichier hors du dossier : refusé")
    if not real.is_file():
        return _("ce n'est pas un fichier ordinaire : refusé")
    return None


@dataclass
class CsvFile:
    """A CSV file read as (line number, {column: text}) pairs after its header."""

    path: Path
    delimiter: str = ","
    encoding: str = "utf-8"
    header: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    def rows(self) -> Iterator[tuple[int, dict[str, str] | str]]:
        """Yield each data row, or an error message for a row of the wrong width.

        Raise ``UnreadableFile`` on an empty, undecodable or malformed file.
        """
        if self.path.stat().st_size == 0:
            raise UnreadableFile(_("le fichier est vide"))
        if csv.field_size_limit() < MAX_FIELD_CHARS:
            # The module's limit is global; it is only ever raised, to the largest value read here.
            csv.field_size_limit(MAX_FIELD_CHARS)
        with open(self.path, "rb") as raw:
            reader = csv.reader(_decoded_lines(raw, self.encoding), delimiter=self.delimiter, strict=True)
            try:
                self.header = [name.strip() for name in next(reader, [])]
                if not any(self.header):
                    raise UnreadableFile(_("le fichier est vide (pas de ligne d'en-tête)"), 1)
                duplicates = sorted({name for name in self.header if self.header.count(name) > 1})
                if duplicates:
                    raise UnreadableFile(
                        _("colonne en double dans l'en-tête : %(names)s") % {"names": ", ".join(duplicates)},
                        1,
                    )
                width = len(self.header)
                while True:
                    line = reader.line_num + 1
                    cells = next(reader, None)
                    if cells is None:
                        return
                    if len(cells) <= 1 and not "".join(cells) and width > 1:
                        continue  # a blank line
                    if len(cells) != width:
                        # Reported, and reading goes on so that every error of the file is listed.
                        yield (
                            line,
                            _("%(found)s valeurs au lieu de %(expected)s")
                            % {
                                "found": len(cells),
                                "expected": width,
                            },
                        )
                        continue
                    yield line, dict(zip(self.header, cells, strict=True))
            except csv.Error as error:
                raise UnreadableFile(_csv_error_message(error), reader.line_num) from error
