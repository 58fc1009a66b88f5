"""Saved extractions: a saved search exported to a file kept in its owner's space.

The export is the API's (``coopdec.api.views.projects``): the search backend's matching projects, read in
chunks by ``project_rows`` and written by the streaming writers of ``coopdec.exports.formats``. Blocks are
written to disk as they come, so memory stays flat whatever the number of rows; the file is first written
under a temporary name and renamed when complete, and its record is saved after, so an interrupted export
leaves no half file listed; what it leaves on disk goes with the owner's next extraction
(``remove_leftovers``).

Each person keeps at most ``WORKSPACE_EXTRACTIONS_MAX_COUNT`` files and ``WORKSPACE_EXTRACTIONS_MAX_BYTES``
in all (settings, with the defaults below); an export that would pass the space left stops as soon as it
does, and nothing is kept.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from coopdec.exports.formats.columns import PROJECT_COLUMNS
from coopdec.exports.formats.csv import csv_chunks
from coopdec.exports.formats.geojson import geojson_chunks, project_geometry
from coopdec.exports.formats.rows import project_rows
from coopdec.exports.formats.xlsx import xlsx_chunks
from coopdec.search import query as search_query

from . import saved
from .models import Extraction, SavedSearch

DEFAULT_MAX_COUNT = 20
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# Files of an owner's folder without a record are removed once untouched for this long (see remove_leftovers).
LEFTOVER_SECONDS = 60 * 60


class ExtractionRefused(Exception):
    """The extraction cannot be made or kept; the message is for the person, in French."""


def max_count() -> int:
    return int(getattr(settings, "WORKSPACE_EXTRACTIONS_MAX_COUNT", DEFAULT_MAX_COUNT))


def max_bytes() -> int:
    return int(getattr(settings, "WORKSPACE_EXTRACTIONS_MAX_BYTES", DEFAULT_MAX_BYTES))


def usage(user) -> tuple[int, int]:
    """(files, bytes) kept by ``user``, in one query."""
    totals = Extraction.objects.filter(owner=user).aggregate(n=Count("pk"), size=Sum("size"))
    return totals["n"], totals["size"] or 0


def _count_limit_message() -> str:
    return _(
        "Vous conservez déjà %(max)s extractions, le maximum : supprimez-en une avant d'en créer une autre."
    ) % {"max": max_count()}


def _size_limit_message(left: int) -> str:
    return _(
        "Ce fichier dépasserait l'espace qui vous reste (%(left)s sur %(max)s) : supprimez des "
        "extractions ou affinez la recherche. Rien n'a été conservé."
    ) % {"left": filesizeformat(max(left, 0)), "max": filesizeformat(max_bytes())}


def check_room(user) -> tuple[int, int]:
    """Refuse at once when the person has no room left; return their (files, bytes)."""
    files, size = usage(user)
    if files >= max_count():
        raise ExtractionRefused(_count_limit_message())
    if size >= max_bytes():
        raise ExtractionRefused(_size_limit_message(max_bytes() - size))
    return files, size


class _Counted:
    """Rows passed through, counted on the way."""

    def __init__(self, rows: Iterable):
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator:
        for row in self.rows:
            self.count += 1
            yield row


def chunks_for(fmt: str, rows: Iterable) -> Iterator[bytes]:
    """The bytes of the file, block by block, as the API writes them (CSV with a BOM: people open these
    files in a spreadsheet)."""
    if fmt == Extraction.Format.CSV:
        return csv_chunks(PROJECT_COLUMNS, rows, bom=True)
    if fmt == Extraction.Format.XLSX:
        return xlsx_chunks(PROJECT_COLUMNS, rows, sheet_title="Projets")
    if fmt == Extraction.Format.GEOJSON:
        return geojson_chunks(PROJECT_COLUMNS, rows, project_geometry)
    raise ValueError(fmt)


def write_file(path: Path, chunks: Iterable[bytes], limit: int) -> int:
    """Write ``chunks`` to ``path`` (through a temporary file); stop and remove it past ``limit`` bytes.

    Returns the size written; raises :class:`ExtractionRefused` when the limit is passed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    size = 0
    try:
        with open(partial, "wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise ExtractionRefused(_size_limit_message(limit))
                handle.write(chunk)
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return size


def remove_leftovers(owner_id: int, *, older_than: float = LEFTOVER_SECONDS) -> list[Path]:
    """Remove the files of the owner's folder that no extraction names and nothing touched for a while.

    An export killed while it wrote (kill -9, a worker's timeout) leaves its ``.part`` file, and one killed
    between the rename and the record leaves a complete file that nobody lists: no record ever points at
    them, but they take room on disk. A file written in the last ``older_than`` seconds may belong to an
    extraction under way, so it stays. Returns the files removed.
    """
    folder = Path(settings.MEDIA_ROOT) / "extractions" / str(owner_id)  # as Extraction.relative_path
    if not folder.is_dir():
        return []
    named = {
        f"{uuid}.{fmt}"
        for uuid, fmt in Extraction.objects.filter(owner_id=owner_id).values_list("uuid", "format")
    }
    limit = time.time() - older_than
    removed = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name not in named and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def extract(saved_search: SavedSearch, fmt: str) -> Extraction:
    """Export the projects of ``saved_search`` to a file in its owner's space.

    Raises :class:`ExtractionRefused` (French message, nothing kept) when the format is unknown, the
    search no longer checks out, or the owner's room is exhausted.
    """
    if fmt not in Extraction.Format.values:
        raise ExtractionRefused(
            _("Format inconnu « %(value)s » : choisissez CSV, XLSX ou GeoJSON.") % {"value": str(fmt)[:40]}
        )
    owner = saved_search.owner
    checked = saved.check_saved(saved_search)
    if checked.errors:
        raise ExtractionRefused(" ".join(checked.errors))
    _files, used = check_room(owner)
    remove_leftovers(owner.pk)
    extraction = Extraction(
        owner=owner,
        saved_search=saved_search,
        name=saved_search.name,
        query=saved_search.query,
        format=fmt,
    )
    search_query.ensure_fresh()
    rows = _Counted(project_rows(search_query.matching_projects(checked.params)))
    path = extraction.path
    size = write_file(path, chunks_for(fmt, rows), max_bytes() - used)
    extraction.rows = rows.count
    extraction.size = size
    try:
        _keep(extraction)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return extraction


def _keep(extraction: Extraction) -> None:
    """Record the file, checking the limits again under a lock on the owner: two exports started at once
    by the same person cannot both slip under them."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=extraction.owner_id).first()
        files, used = usage(extraction.owner_id)
        if files >= max_count():
            raise ExtractionRefused(_count_limit_message())
        if used + extraction.size > max_bytes():
            raise ExtractionRefused(_size_limit_message(max_bytes() - used))
        extraction.save()


def delete(extraction: Extraction) -> None:
    """Remove the record, then its file after commit (``signals.py``): a file left behind by a crash is
    harmless, a record without its file would not be."""
    with transaction.atomic():
        extraction.delete()
