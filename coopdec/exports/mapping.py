"""Reading other sources (such as the Atlas's one-file-per-world-zone layout) through a column mapping.

A mapping is a JSON file (format in docs/opendata.md, example in ``mappings/``) that names the source
files, says how each of our columns is made from source columns, translates values, and splits
multi-valued cells. Each source row makes rows in several of our tables; rows that come out identical
(the same French authority on many projects) are kept once. The result goes through the same validator and
importer as our own files: there is no code per source.
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from pathlib import Path, PurePosixPath

from django.utils.text import slugify
from django.utils.translation import gettext as _

from coopdec.atlas.models import Theme
from coopdec.geo.models import Country

from .atlas_tables import TABLES_BY_NAME
from .reader import CsvFile, ImportProblem, UnreadableFile, source_problem
from .validation import RawRow, Record, parse_rows

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
FORMATS = {
    "year-start": lambda value: f"{value}-01-01" if re.fullmatch(r"\d{4}", value) else value,
    "year-end": lambda value: f"{value}-12-31" if re.fullmatch(r"\d{4}", value) else value,
    "date-fr": lambda value: (
        "-".join(reversed(value.split("/"))) if re.fullmatch(r"\d{2}/\d{2}/\d{4}", value) else value
    ),
}
LOOKUP_TABLES = ("country", "theme")
SPEC_KEYS = {"column", "template", "value", "split", "translate", "lookup", "slugify", "format", "default"}
# A mapping is a page of JSON written by a person; the example is 4 KB. A larger file, or one nested deeper
# than a mapping ever is, is refused before it is parsed (Python's parser recurses on nesting).
MAX_MAPPING_BYTES = 1024 * 1024
MAX_NESTING = 20
TOP_KEYS = {"description", "files", "delimiter", "encoding", "translations", "tables"}


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


def _nesting(text: str) -> int:
    """The deepest nesting of brackets and braces outside strings, counted without parsing."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def read_spec(path: Path) -> dict:
    """The mapping file's JSON object; ``MappingError`` in French for anything else."""

    def unreadable(reason) -> MappingError:
        return MappingError(
            _("fichier de correspondance illisible %(path)s : %(error)s") % {"path": path, "error": reason}
        )

    try:
        with open(path, "rb") as handle:
            # Read to one byte past the limit, whatever the file says its size is (``/dev/zero`` says 0).
            data = handle.read(MAX_MAPPING_BYTES + 1)
    except OSError as error:
        raise unreadable(error.strerror or error) from error
    if len(data) > MAX_MAPPING_BYTES:
        raise unreadable(
            _("plus de %(size)s octets : ce n'est pas une correspondance de colonnes")
            % {"size": f"{MAX_MAPPING_BYTES:,}".replace(",", " ")}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise unreadable(_("le fichier n'est pas encodé en UTF-8")) from None
    if _nesting(text) > MAX_NESTING:
        raise unreadable(_("imbrication de plus de %(depth)s niveaux") % {"depth": MAX_NESTING})
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as error:
        raise unreadable(
            _("ce n'est pas du JSON valide (ligne %(line)s, colonne %(column)s)")
            % {"line": error.lineno, "column": error.colno}
        ) from error
    if not isinstance(spec, dict):
        raise unreadable(_("un objet JSON { … } est attendu"))
    return spec


def _wrong(what: str, expected) -> MappingError:
    return MappingError(
        _("correspondance invalide : %(what)s doit être %(expected)s") % {"what": what, "expected": expected}
    )


def check_shape(spec: dict) -> None:
    """The types of every part of a mapping, checked before any is used (so that no mistake in the file
    surfaces later as a Python error)."""
    unknown = sorted(set(spec) - TOP_KEYS)
    if unknown:
        raise MappingError(_("clé inconnue dans la correspondance : %(keys)s") % {"keys": ", ".join(unknown)})
    files = spec.get("files", ["*.csv"])
    if not isinstance(files, list) or not files or not all(isinstance(f, str) and f for f in files):
        raise _wrong("« files »", _("une liste de motifs de noms de fichiers"))
    for pattern in files:
        parts = PurePosixPath(pattern.replace("\\", "/")).parts
        if pattern.startswith(("/", "\\")) or ".." in parts or ":" in pattern:
            raise MappingError(
                _("motif de fichier « %(pattern)s » refusé : seuls les fichiers du dossier sont lus")
                % {"pattern": pattern}
            )
    delimiter = spec.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '\r\n"':
        raise _wrong("« delimiter »", _("un seul caractère"))
    encoding = spec.get("encoding", "utf-8")
    if not isinstance(encoding, str):
        raise _wrong("« encoding »", _("un nom d'encodage"))
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise MappingError(_("encodage inconnu « %(name)s »") % {"name": encoding}) from None
    # Lines are split on the byte of "\n" before decoding: only encodings that write it as that byte fit
    # (not UTF-16 or UTF-32), and only text encodings (not "rot13" or "zlib").
    if not getattr(info, "_is_text_encoding", True) or "\n".encode(info.name) != b"\n":
        raise MappingError(
            _("encodage « %(name)s » non pris en charge : utilisez UTF-8 ou un encodage sur un octet")
            % {"name": encoding}
        )
    translations = spec.get("translations", {})
    if not isinstance(translations, dict) or not all(
        isinstance(table, dict) and all(isinstance(v, str) for v in table.values())
        for table in translations.values()
    ):
        raise _wrong("« translations »", _("un objet de tables { valeur source : code }"))
    tables = spec.get("tables", {})
    if not isinstance(tables, dict) or not all(
        isinstance(producers, list) and all(isinstance(p, dict) for p in producers)
        for producers in tables.values()
    ):
        raise _wrong("« tables »", _("un objet { table : [ règles par colonne ] }"))
    for table_name, producers in tables.items():
        for producer in producers:
            for column, rule in producer.items():
                where = f"{table_name}.{column}"
                if not isinstance(rule, dict):
                    raise _wrong(where, _("un objet de règle"))
                for key in ("column", "template", "split", "translate", "lookup", "format"):
                    if key in rule and not (isinstance(rule[key], str) and rule[key]):
                        raise _wrong(f"{where}.{key}", _("un texte non vide"))
                for key in ("value", "default"):
                    if key in rule and not isinstance(rule[key], str | int | float):
                        raise _wrong(f"{where}.{key}", _("un texte ou un nombre"))
                if "slugify" in rule and not isinstance(rule["slugify"], bool):
                    raise _wrong(f"{where}.slugify", _("true ou false"))


class Mapping:
    def __init__(self, path: Path):
        self.spec = read_spec(path)
        check_shape(self.spec)
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
                    if spec.get("lookup") and spec["lookup"] not in LOOKUP_TABLES:
                        raise MappingError(
                            _("table de correspondance inconnue « %(name)s »") % {"name": spec["lookup"]}
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
        paths, refused = [], 0
        for path in sorted({path for pattern in self.files for path in directory.glob(pattern)}):
            if path.is_dir():
                continue
            problem = source_problem(directory, path)
            if problem:
                problems.append(ImportProblem(path.name, problem))
                refused += 1
            else:
                paths.append(path)
        if not paths and not refused:
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
