"""Writers of lists and sheets as files: CSV, XLSX, GeoJSON and PDF.

Each list writer takes an ordered list of columns (small pure functions, ``columns.py``) and an iterable
of rows, and yields bytes as it goes, so that a view can hand it to a ``StreamingHttpResponse``: project
rows come from ``rows.project_rows``, which reads any project queryset in chunks with a bounded number of
queries per chunk. See docs in each module for the choices made (BOM, map points, PDF limits).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.http import StreamingHttpResponse

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "pdf": "application/pdf",
}


def download(chunks: Iterator[bytes], format: str, filename: str) -> StreamingHttpResponse:
    """A streamed download of ``chunks`` as ``filename.<format>``."""
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{format}"'
    return response
