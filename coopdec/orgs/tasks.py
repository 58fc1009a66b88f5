"""What waits for a person: each app lists its own tasks; the workspace inbox shows them together."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    title: str  # shown to the person, already translated
    url: str  # where the task is done
    kind: str  # e.g. "campaign", "correction", "inventory", "membership"
    due: datetime.date | None = None
    detail: str = ""
