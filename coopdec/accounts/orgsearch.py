"""Type-ahead over the organisations of one kind, for sign-up step 2.

People type names the way they say them: "saint etienne" for Saint-Étienne, "segou" for Ségou. Neither
SQLite nor PostgreSQL (without the unaccent extension) compares without accents, so the names of a kind
(at most a few tens of thousands, about 1 MB) are read once, folded (no accents, no case, hyphens and
apostrophes as spaces) and kept in the cache for a few minutes; each keystroke then filters them in memory.
Every word typed must appear in the name, its place or its official code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.cache import cache

from coopdec.orgs.models import Organisation

CACHE_SECONDS = 5 * 60
MIN_LENGTH = 2
LIMIT = 20


@dataclass(frozen=True)
class Match:
    slug: str
    name: str
    place: str  # what tells two homonyms apart: the department, the region or the country


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.split(r"[^0-9a-z]+", text)).strip()


def _place(row: dict) -> str:
    if row["department__name"] and row["kind"] in (Organisation.Kind.COMMUNE, Organisation.Kind.EPCI):
        return f"{row['department__name']} ({row['department__code']})"
    if row["region__name"] and row["kind"] == Organisation.Kind.DEPARTMENT:
        return row["region__name"]
    if row["country__name_fr"]:
        return row["country__name_fr"]
    return ""


def _entries(kind: str) -> list[tuple[str, str, str, str]]:
    """(folded text, slug, name, place) of every organisation of ``kind``, from the cache when there."""
    key = f"accounts:orgsearch:{kind}"
    entries = cache.get(key)
    if entries is None:
        rows = Organisation.objects.filter(kind=kind).values(
            "slug",
            "name",
            "code",
            "kind",
            "department__name",
            "department__code",
            "region__name",
            "country__name_fr",
        )
        entries = []
        for row in rows:
            place = _place(row)
            entries.append((fold(f"{row['name']} {place} {row['code']}"), row["slug"], row["name"], place))
        cache.set(key, entries, CACHE_SECONDS)
    return entries


def search(kind: str, query: str, limit: int = LIMIT) -> list[Match]:
    """Organisations of ``kind`` whose name, place or code contain every word of ``query``.

    Names that start with the query come first, then shorter names; an empty or one-letter query finds
    nothing (it would list everything).
    """
    folded = fold(query)
    if len(folded) < MIN_LENGTH:
        return []
    words = folded.split()
    found = [e for e in _entries(kind) if all(w in e[0] for w in words)]
    found.sort(key=lambda e: (not e[0].startswith(folded), len(e[2]), e[2]))
    return [Match(slug=e[1], name=e[2], place=e[3]) for e in found[:limit]]
