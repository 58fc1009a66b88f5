"""Reading CSV files line by line, with errors in French that name the file and the line.

The file is decoded one physical line at a time so that a byte that is not UTF-8 is reported with its line
number rather than as an offset, and nothing is held in memory but the current row.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _


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


def _decoded_lines(raw, encoding: str) -> Iterator[str]:
    for number, line in enumerate(raw, start=1):
        if number == 1 and encoding.replace("-", "").lower() == "utf8" and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]  # a byte-order mark, as spreadsheets write it
        try:
            yield line.decode(encoding)
        except UnicodeDecodeError as error:
            if encoding.replace("-", "").lower() == "utf8":
                message = _("le fichier n'est pas encodé en UTF-8 (octet %(byte)s illisible)") % {
                    "byte": f"0x{line[error.start]:02x}"
                }
            else:
                message = _("le fichier n'est pas encodé en %(encoding)s") % {"encoding": encoding}
            raise UnreadableFile(message, number) from error


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
                raise UnreadableFile(
                    _("ligne CSV mal formée (%(detail)s)") % {"detail": error}, reader.line_num
                ) from error
