"""Writing the Atlas as CSV files with a Frictionless Data Package (``datapackage.json``).

Rows are streamed from ``QuerySet.iterator()`` and written as they come, so memory stays flat whatever the
number of rows. Labels are written in French whatever the active language. Text cells that a spreadsheet
would run as a formula are quoted (``coopdec.spreadsheet``); ``validation`` removes the quote.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from django.db.models import QuerySet
from django.utils import translation

from coopdec.spreadsheet import spreadsheet_safe

from .atlas_tables import TABLES, Table, to_text

CHUNK_SIZE = 2000
PACKAGE_NAME = "atlas-cooperation-decentralisee"


def field_schema(column) -> dict:
    schema = {"name": column.name, "type": column.type, "description": column.description}
    if column.format:
        schema["format"] = column.format
    constraints = {}
    if column.required:
        constraints["required"] = True
    if column.enum:
        constraints["enum"] = list(column.enum)
    if column.max_length:
        constraints["maxLength"] = column.max_length
    if constraints:
        schema["constraints"] = constraints
    if column.reference:
        schema["x-reference"] = column.reference
    if column.derived:
        schema["x-derived"] = True
    return schema


def table_schema(table: Table) -> dict:
    schema: dict = {"fields": [field_schema(column) for column in table.columns], "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
        if len(table.primary_key) == 1:
            # A single-column key is also unique on its own.
            for field in schema["fields"]:
                if field["name"] == table.primary_key[0]:
                    field.setdefault("constraints", {})["unique"] = True
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": list(key.fields),
                "reference": {"resource": key.table, "fields": list(key.reference_fields)},
            }
            for key in table.foreign_keys
        ]
    return schema


def datapackage() -> dict:
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "Atlas français de la coopération décentralisée",
        "description": (
            "Collectivités, partenariats et fiches-projets de l'Atlas. Les colonnes marquées "
            "« x-derived » sont des libellés écrits à côté d'un code pour la lecture ; elles ne sont pas "
            "relues à l'import. Un texte qui commence par =, +, -, @, une tabulation ou un retour chariot "
            "est écrit précédé d'une apostrophe (') pour qu'un tableur ne le prenne pas pour une formule ; "
            "l'import retire cette apostrophe. Voir docs/opendata.md."
        ),
        "x-formula-prefix": "'",
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0"}],
        "resources": [
            {
                "name": table.name,
                "path": table.filename,
                "title": table.title,
                "description": table.description,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "quoteChar": '"', "header": True, "lineTerminator": "\r\n"},
                "schema": table_schema(table),
            }
            for table in TABLES
        ],
    }


def cell_writer(column) -> Callable[[object], str]:
    """The text of one column's cells: text that a spreadsheet would take for a formula is quoted."""
    if column.type == "string":
        return lambda obj: spreadsheet_safe(to_text(column.get(obj)))
    return lambda obj: to_text(column.get(obj))


def published_rows(queryset: QuerySet) -> QuerySet:
    """The rows of published partnerships and sheets only.

    ``Project.objects`` and ``Partnership.objects`` leave drafts out, but the tables of their details
    (contacts, financings, participants, volunteers, themes, a partnership's members and partners) are read
    through managers that do not: without this, a draft's contacts were published in ``contacts.csv``.
    """
    fields = {f.name for f in queryset.model._meta.get_fields()}
    if "project" in fields:
        queryset = queryset.filter(project__published=True, project__partnership__published=True)
    if "partnership" in fields:
        queryset = queryset.filter(partnership__published=True)
    return queryset


def write_table(table: Table, directory: Path, on_row: Callable[[], None] | None = None) -> int:
    count = 0
    cells = [cell_writer(column) for column in table.columns]
    with open(directory / table.filename, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([column.name for column in table.columns])
        for obj in published_rows(table.queryset()).iterator(chunk_size=CHUNK_SIZE):
            writer.writerow([cell(obj) for cell in cells])
            count += 1
            if on_row is not None:
                on_row()
    return count


def export_atlas(
    directory: Path, *, on_table: Callable[[Table], Callable[[], None] | None] | None = None
) -> dict[str, int]:
    """Write every table and ``datapackage.json`` into ``directory``; return the row count per file."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    with translation.override("fr"):
        for table in TABLES:
            counts[table.filename] = write_table(table, directory, on_table(table) if on_table else None)
    with open(directory / "datapackage.json", "w", encoding="utf-8") as out:
        json.dump(datapackage(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    return counts
