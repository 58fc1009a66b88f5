"""Path segments read as text (``<str:...>`` in the URL patterns) under hostile values: the Atlas pages of a
continent, a country, a region and a department, the correspondents' coordination page of a territory, their
type-ahead and export, and the sign-up confirmation link. Same checks as the query strings: no server error,
a refusal (404, 400) on the site's own page in French, nothing written but the audit log of refused
accesses."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given

from coopdec.orgs.tests.personas import login

from .conftest import AUDIT, assert_unchanged, check_answer, rolled_back, snapshot
from .hostile import NASTIEST, hostile_text

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

# (path with {} for the segment, persona)
PATHS = [
    ("/atlas/continents/{}/", "anonymous"),
    ("/atlas/pays/{}/", "anonymous"),
    ("/atlas/regions/{}/", "anonymous"),
    ("/atlas/departements/{}/", "anonymous"),
    ("/correspondants/export/{}/", "anonymous"),
    ("/compte/confirmation/{}/", "anonymous"),
    ("/correspondants/coordination/{}/", "correspondent_a"),
    ("/correspondants/inventaire/autorites/{}/", "correspondent_a"),
    ("/espace/atlas/autorites/{}/", "agent_x"),
    ("/espace/campagnes/2026/collectivites/{}/", "agent_x"),
]


def _get(client, path: str, segment: str) -> None:
    url = path.format(quote(segment, safe=""))
    with rolled_back():
        before = snapshot()
        response = client.get(url)
        check_answer(response, f"GET {url!r}")
        after = snapshot()
    # A refused access in the professional space (403) is written to the audit log.
    assert_unchanged(before, after, {AUDIT}, f"GET {url!r}")


@pytest.mark.parametrize("path, persona", PATHS, ids=[p for p, _ in PATHS])
def test_path_segments(client, fuzz_world, path, persona):
    login(client, fuzz_world.user(persona))
    for segment in (*NASTIEST, "SN\x00", "sn", "..", "%2F", "44\x00"):
        _get(client, path, segment)

    @given(segment=hostile_text().filter(lambda text: text and "/" not in text))
    def drawn(segment):
        _get(client, path, segment)

    drawn()
