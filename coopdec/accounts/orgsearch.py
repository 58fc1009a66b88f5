"""Type-ahead over the organisations of one kind, for sign-up step 2.

People type names the way they say them: "saint etienne" for Saint-Étienne, "segou" for Ségou. Neither
SQLite nor PostgreSQL (without the unaccent extension) compares without accents, so the names of a kind
(at most a few tens of thousands, about 1 MB) are read once, folded (no accents, no case, hyphens and
apostrophes as spaces) and kept in the cache for a few minutes; each keystroke then filters them in memory.
Every word typed must start a word of the name, of its place or of its official code ("saint e" finds
Saint-Étienne, not every town of Seine-Saint-Denis).
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


def _entries(kind: str) -> list[tuple[str, str, str, str, str]]:
    """(folded name, place and code; folded name; slug; name; place) of every organisation of ``kind``,
    from the cache when there. Folded texts start with a space, so that " word" finds word starts."""
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
            everything = " " + fold(f"{row['name']} {place} {row['code']}")
            entries.append((everything, " " + fold(row["name"]), row["slug"], row["name"], place))
        cache.set(key, entries, CACHE_SECONDS)
    return entries


def search(kind: str, query: str, limit: int = LIMIT) -> list[Match]:
    """Organisations of ``kind`` where every word of ``query`` starts a word of the name, place or code.

    Names that start with the query come first, then names holding every word, then the others (found
    through their place or code); shorter names first within each. A query under two letters finds nothing
    (it would list everything).
    """
    folded = fold(query)
    if len(folded) < MIN_LENGTH:
        return []
    starts = [" " + word for word in folded.split()]
    found = [e for e in _entries(kind) if all(w in e[0] for w in starts)]
    found.sort(
        key=lambda e: (not e[1].startswith(" " + folded), not all(w in e[1] for w in starts), len(e[3]), e[3])
    )
    return [Match(slug=e[2], name=e[3], place=e[4]) for e in found[:limit]]
