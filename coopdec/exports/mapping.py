"""Reading other sources (such as the Atlas's one-file-per-world-zone layout) through a column mapping.

A mapping is a JSON file (format in docs/opendata.md, example in ``mappings/``) that names the source
files, says how each of our columns is made from source columns, translates values, and splits
multi-valued cells. Each source row makes rows in several of our tables; rows that come out identical
(the same French authority on many projects) are kept once. The result goes through the same validator and
importer as our own files: there is no code per source.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _

from coopdec.atlas.models import Theme
from coopdec.geo.models import Country

from .atlas_tables import TABLES_BY_NAME
from .reader import CsvFile, ImportProblem, UnreadableFile
from .validation import RawRow, Record, parse_rows

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
FORMATS = {
    "year-start": lambda value: f"{value}-01-01" if re.fullmatch(r"\d{4}", value) else value,
    "year-end": lambda value: f"{value}-12-31" if re.fullmatch(r"\d{4}", value) else value,
    "date-fr": lambda value: (
        "-".join(reversed(value.split("/"))) if re.fullmatch(r"\d{2}/\d{2}/\d{4}", value) else value
    ),
}
SPEC_KEYS = {"column", "template", "value", "split", "translate", "lookup", "slugify", "format", "default"}


class MappingError(Exception):
    """The mapping file itself is wrong: nothing can be read through it."""


def normalise(text: str) -> str:
    """Compare names regardless of case, accents, apostrophe style and spacing."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.casefold().replace("-", " ").split())


class Lookups:
    """Names → codes for the reference tables a mapping may look values up in."""

    def __init__(self):
        self._tables: dict[str, dict[str, str]] = {}

    def table(self, name: str) -> dict[str, str]:
        if name not in self._tables:
            if name == "country":
                rows = Country.objects.values_list("iso2", "iso3", "name_fr", "name_en")
            elif name == "theme":
                rows = Theme.objects.values_list("code", "name_fr", "name_en")
            else:
                raise MappingError(_("table de correspondance inconnue « %(name)s »") % {"name": name})
            self._tables[name] = {normalise(label): row[0] for row in rows for label in row if label}
        return self._tables[name]

    def find(self, name: str, value: str) -> str:
        return self.table(name).get(normalise(value), value)


class Mapping:
    def __init__(self, path: Path):
        try:
            self.spec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise MappingError(
                _("fichier de correspondance illisible %(path)s : %(error)s") % {"path": path, "error": error}
            ) from error
        self.name = path.name
        self.files = self.spec.get("files") or ["*.csv"]
        self.delimiter = self.spec.get("delimiter", ",")
        self.encoding = self.spec.get("encoding", "utf-8")
        self.translations = {
            name: {normalise(source): target for source, target in table.items()}
            for name, table in self.spec.get("translations", {}).items()
        }
        self.tables = self.spec.get("tables", {})
        self.lookups = Lookups()
        self.check()

    def check(self) -> None:
        for table_name, producers in self.tables.items():
            if table_name not in TABLES_BY_NAME:
                raise MappingError(
                    _("table inconnue « %(name)s » dans la correspondance") % {"name": table_name}
                )
            table = TABLES_BY_NAME[table_name]
            for producer in producers:
                for column, spec in producer.items():
                    if column not in {c.name for c in table.read_columns}:
                        raise MappingError(
                            _("colonne inconnue « %(column)s » pour la table %(table)s")
                            % {"column": column, "table": table_name}
                        )
                    unknown = set(spec) - SPEC_KEYS
                    if unknown or len({"column", "template", "value"} & set(spec)) != 1:
                        raise MappingError(
                            _("règle invalide pour %(table)s.%(column)s : %(spec)s")
                            % {
                                "table": table_name,
                                "column": column,
                                "spec": json.dumps(spec, ensure_ascii=False),
                            }
                        )
                    if spec.get("translate") and spec["translate"] not in self.translations:
                        raise MappingError(
                            _("traduction inconnue « %(name)s »") % {"name": spec["translate"]}
                        )
                    if spec.get("format") and spec["format"] not in FORMATS:
                        raise MappingError(_("format inconnu « %(name)s »") % {"name": spec["format"]})

    def source_columns(self) -> set[str]:
        needed = set()
        for producers in self.tables.values():
            for producer in producers:
                for spec in producer.values():
                    if "column" in spec:
                        needed.add(spec["column"])
                    if "template" in spec:
                        needed.update(PLACEHOLDER.findall(spec["template"]))
        return needed

    def values(self, spec: dict, cells: dict[str, str], max_length: int | None) -> list[str]:
        """The value(s) of one of our cells from a source row: several when the rule splits."""
        if "column" in spec:
            raw = cells.get(spec["column"], "").strip()
        elif "template" in spec:
            raw = PLACEHOLDER.sub(lambda match: cells.get(match.group(1), "").strip(), spec["template"])
        else:
            raw = str(spec["value"])
        parts = [part.strip() for part in raw.split(spec["split"])] if spec.get("split") else [raw]
        results = []
        for value in parts:
            if spec.get("split") and not value:
                continue
            if not value and "default" in spec:
                value = str(spec["default"])
            if value and spec.get("translate"):
                value = self.translations[spec["translate"]].get(normalise(value), value)
            if value and spec.get("lookup"):
                value = self.lookups.find(spec["lookup"], value)
            if value and spec.get("format"):
                value = FORMATS[spec["format"]](value)
            if spec.get("slugify"):
                value = slugify(value)[: max_length or None].strip("-")
            results.append(value)
        return results

    def rows_of(self, cells: dict[str, str], source: str, line: int):
        """Every row of every table that one source row makes, as (table name, RawRow)."""
        for table_name, producers in self.tables.items():
            table = TABLES_BY_NAME[table_name]
            for producer in producers:
                fixed, split_column, split_values = {}, None, [""]
                for column, spec in producer.items():
                    found = self.values(spec, cells, table.column(column).max_length)
                    if spec.get("split"):
                        split_column, split_values = column, found
                    else:
                        fixed[column] = found[0] if found else ""
                labels = {
                    column: spec.get("column") or spec.get("template") or column
                    for column, spec in producer.items()
                }
                for value in split_values:
                    row = dict(fixed)
                    if split_column:
                        row[split_column] = value
                    yield table_name, RawRow(source, line, row, labels)

    def read(self, directory: Path, problems: list[ImportProblem]) -> dict[str, list[Record]]:
        paths = sorted({path for pattern in self.files for path in directory.glob(pattern) if path.is_file()})
        if not paths:
            problems.append(
                ImportProblem(
                    str(directory),
                    _("aucun fichier ne correspond à %(files)s") % {"files": ", ".join(self.files)},
                )
            )
            return {}
        raw: dict[str, dict[tuple, RawRow]] = {name: {} for name in self.tables}
        needed = self.source_columns()
        for path in paths:
            source = CsvFile(path, delimiter=self.delimiter, encoding=self.encoding)
            try:
                header_checked = False
                for line, cells in source.rows():
                    if not header_checked:
                        header_checked = True
                        missing = sorted(needed - set(source.header))
                        for column in missing:
                            problems.append(ImportProblem(path.name, _("colonne absente"), 1, column))
                        if missing:
                            break
                    if isinstance(cells, str):
                        problems.append(ImportProblem(path.name, cells, line))
                        continue
                    for table_name, row in self.rows_of(cells, path.name, line):
                        # The same entity named on many source rows is kept once; two different rows for
                        # one identifier are both kept, for the validator to report.
                        raw[table_name].setdefault(tuple(sorted(row.cells.items())), row)
            except UnreadableFile as error:
                problems.append(ImportProblem(path.name, error.message, error.line))
        return {
            name: list(parse_rows(TABLES_BY_NAME[name], rows.values(), problems))
            for name, rows in raw.items()
        }
