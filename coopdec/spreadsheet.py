"""Text that a spreadsheet would run as a formula ("CSV injection", OWASP), for every CSV the portal writes.

A spreadsheet opening a CSV file takes a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return for a formula: ``=HYPERLINK(…)`` typed as a project title by one person would run in
another's spreadsheet. ``spreadsheet_safe`` puts a single quote before such text (``'=SOMME(A1)``), which
spreadsheets show as text and do not display; ``from_spreadsheet_safe`` gives back exactly the text given.
It sits at the root of the package, not in an app, because apps on both sides of ``exports`` write CSV
(the search's crossed table among them: docs/architecture.md).
"""

from __future__ import annotations

import re

# Text that a spreadsheet would read as a formula, possibly behind quotes added by an earlier pass.
FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
# The first characters that call for a closer look at a cell.
FORMULA_FIRST = frozenset("'=+-@\t\r")


def spreadsheet_safe(text: str) -> str:
    """``text``, after a single quote when a spreadsheet would take it for a formula."""
    return "'" + text if text[:1] in FORMULA_FIRST and FORMULA_START.match(text) else text


def from_spreadsheet_safe(text: str) -> str:
    """The text ``spreadsheet_safe`` was given: its quote taken off, and nothing else ever."""
    return text[1:] if text[:1] == "'" and FORMULA_START.match(text, 1) else text
