"""Whole numbers typed by people or put in URLs, read without ever raising.

``str.isdigit()`` accepts "²" and other digits that ``int()`` refuses, and ``int()`` refuses strings of more
than 4,300 digits: both were server errors found by fuzzing (docs/reliability.md). At the root of the
package because apps on several levels read such numbers (the Atlas's forms, the map, the API, campaigns).
"""

from __future__ import annotations


def bounded_int(raw: str, low: int, high: int) -> int | None:
    """``raw`` as an int when it is ASCII digits only and between ``low`` and ``high``; None otherwise."""
    significant = raw.lstrip("0")
    if not (raw.isascii() and raw.isdigit()) or len(significant) > len(str(high)):
        return None
    value = int(significant or "0")  # int() counts leading zeros towards its 4,300 digits too
    return value if low <= value <= high else None
