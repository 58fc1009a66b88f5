"""The persona matrix (issue 4, "Roles and access"): every page and API endpoint that shows or changes
non-public data, asked by each persona, against the expected answer.

One row per address: the status each persona gets (200 shown, 302 sent to log in, 403 refused with a reason,
404 "does not exist or not yours") and, for lists, what must never be in them (drafts). Each row runs every
persona in turn on one world and reports every mismatch at once. Rows that change data put the personas
who may do it last, so the refusals are checked against the unchanged state. docs/roles.md says the same
in words.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from coopdec.orgs.tests.personas import PERSONA_NAMES, World, login

pytestmark = pytest.mark.django_db

SIGNED_IN = [name for name in PERSONA_NAMES if name != "anonymous"]
DRAFT_TITLES = ("Brouillon de Strasbourg", "Brouillon de la Gironde")
PUBLISHED_TITLES = ("Patrimoine de Saint-Louis", "Eau potable à Ségou")


def answers(default: int, anonymous: int | None = None, **special: int) -> dict[str, int]:
    """Expected status per persona: ``default`` for all, ``anonymous`` for the visitor, then exceptions."""
    expected = {name: default for name in PERSONA_NAMES}
    if anonymous is not None:
        expected["anonymous"] = anonymous
    expected.update(special)
    return expected


def only(allowed: set[str] | str, *, ok: int = 200, others: int = 403, anonymous: int = 302, **special):
    allowed = {allowed} if isinstance(allowed, str) else allowed
    return answers(others, anonymous, **{name: ok for name in allowed}, **special)


DAECT_ONLY = only("daect")


@dataclass
class Row:
    id: str
    url: Callable[[World], str]
    expected: dict[str, int]
    method: str = "get"
    data: Callable[[World], dict] = field(default=lambda world: {})
    # Text that must appear in no answer (e.g. a draft's title in a public list)...
    never: tuple[str, ...] = ()
    # ...and text that must appear in every 200 answer, so that "absent" means something.
    shows: tuple[str, ...] = ()
    # Set up the world for this row (e.g. build the search index) before the first request.
    prepare: Callable[[World], None] | None = None

    def order(self) -> list[str]:
        """Personas refused first, those who succeed last (a POST that changes data runs after the rest)."""
        return sorted(
            PERSONA_NAMES, key=lambda name: self.expected[name] in (200, 302) and self.method == "post"
        )


def build_search_index(world):
    from coopdec.search import index

    index.rebuild()


def around(place, dx: float = 0.5) -> str:
    """The map's query for a close zoom on ``place``, where authorities are shown one by one."""
    lon, lat = place.longitude, place.latitude
    return f"zoom=9&bbox={lon - dx},{lat - dx},{lon + dx},{lat + dx}"


def ghost_partner(world):
    """A Malian authority near Ségou whose only partnership, and its only sheet, are drafts."""
    from coopdec.atlas.tests import factories as f

    ghost = f.ForeignAuthorityFactory(
        name="Commune fantôme de Markala", country=f.country("ML"), latitude=13.70, longitude=-6.07
    )
    draft = f.PartnershipFactory(french=[world.authority_y], foreign=[ghost], published=False)
    f.ProjectFactory(partnership=draft, title="Brouillon fantôme", published=False)


def atlas_url(name, attribute=None):
    return lambda world: reverse(name, args=[getattr(world, attribute).slug] if attribute else [])


ROWS = [
    # ------------------------------------------------------------------ the back office (DAECT only)
    Row("admin index", lambda w: reverse("admin:index"), DAECT_ONLY),
    Row("admin memberships", lambda w: reverse("admin:orgs_membership_changelist"), DAECT_ONLY),
    Row(
        "admin draft sheet",
        lambda w: reverse("admin:atlas_project_change", args=[w.draft_x.pk]),
        DAECT_ONLY,
    ),
    Row("admin audit log", lambda w: reverse("admin:audit_auditevent_changelist"), DAECT_ONLY),
    Row(
        "admin organisation contacts",
        lambda w: reverse("admin:orgs_organisation_change", args=[w.authority_x.pk]),
        DAECT_ONLY,
    ),
    # ------------------------------------------------------------------ public pages never show drafts
    Row("public draft sheet X", atlas_url("atlas:project", "draft_x"), answers(404)),
    Row("public draft sheet Y", atlas_url("atlas:project", "draft_y"), answers(404)),
    Row("public published sheet (control)", atlas_url("atlas:project", "project_x"), answers(200)),
    Row(
        "public authority X",
        atlas_url("atlas:french_authority", "authority_x"),
        answers(200),
        never=DRAFT_TITLES,
        shows=("Patrimoine de Saint-Louis",),
    ),
    Row(
        "public foreign authority A",
        atlas_url("atlas:foreign_authority", "foreign_a"),
        answers(200),
        never=DRAFT_TITLES,
        shows=("Patrimoine de Saint-Louis",),
    ),
    Row(
        "public country A",
        lambda w: reverse("atlas:country", args=["SN"]),
        answers(200),
        never=DRAFT_TITLES,
        shows=("Patrimoine de Saint-Louis",),
    ),
    Row(
        "public home",
        lambda w: reverse("atlas:home"),
        answers(200),
        never=DRAFT_TITLES,
        shows=PUBLISHED_TITLES,
    ),
    Row(
        "search",
        # Both of X's sheets name Strasbourg; only the published one may be found.
        lambda w: reverse("search:index") + "?q=strasbourg",
        answers(200),
        never=DRAFT_TITLES,
        shows=("Patrimoine de Saint-Louis",),
        prepare=build_search_index,
    ),
    Row(
        "search, all",
        lambda w: reverse("search:index"),
        answers(200),
        never=DRAFT_TITLES,
        shows=PUBLISHED_TITLES,
        prepare=build_search_index,
    ),
    Row(
        # X's draft is on the same partnership as its published sheet: A counts one project, not two.
        "map point of A",
        lambda w: reverse("maps:points") + "?" + around(w.foreign_a),
        answers(200),
        never=('"projects":2',),
        shows=('"projects":1', "Saint-Louis"),
        prepare=build_search_index,
    ),
    Row(
        "map point of an authority with drafts only",
        lambda w: reverse("maps:points") + "?" + around(w.foreign_b, dx=5),
        answers(200),
        never=("fantôme",),
        shows=("Ségou",),
        prepare=lambda w: (ghost_partner(w), build_search_index(w)),
    ),
    # ------------------------------------------------------------------ the API never returns drafts
    Row("API draft X", lambda w: f"/api/v1/projects/{w.draft_x.slug}", answers(404)),
    Row("API draft X as PDF", lambda w: f"/api/v1/projects/{w.draft_x.slug}?format=pdf", answers(404)),
    Row("API published sheet (control)", lambda w: f"/api/v1/projects/{w.project_x.slug}", answers(200)),
    Row(
        "API projects",
        lambda w: "/api/v1/projects",
        answers(200),
        never=DRAFT_TITLES,
        shows=PUBLISHED_TITLES,
        prepare=build_search_index,
    ),
    Row(
        "API projects, keyword",
        lambda w: "/api/v1/projects?q=strasbourg",
        answers(200),
        never=DRAFT_TITLES,
        shows=("Patrimoine de Saint-Louis",),
        prepare=build_search_index,
    ),
    *[
        Row(
            f"export {fmt}",
            lambda w, fmt=fmt: f"/api/v1/projects?format={fmt}",
            answers(200),
            never=DRAFT_TITLES,
            shows=PUBLISHED_TITLES,
            prepare=build_search_index,
        )
        for fmt in ("csv", "xlsx", "geojson", "pdf")
    ],
    Row("API stats", lambda w: "/api/v1/stats", answers(200)),
    # ------------------------------------------------------------------ personal data desk (DAECT only)
    Row("personal data desk", lambda w: reverse("orgs:personal_data"), DAECT_ONLY),
    Row(
        "personal data lookup",
        lambda w: reverse("orgs:personal_data"),
        DAECT_ONLY,
        method="post",
        data=lambda w: {"email": "claire.brouillon@example.org"},
    ),
    Row(
        "personal data export",
        lambda w: reverse("orgs:personal_data_export"),
        DAECT_ONLY,
        method="post",
        data=lambda w: {"email": "claire.brouillon@example.org"},
    ),
    Row(
        "personal data erase (confirmation page)",
        lambda w: reverse("orgs:personal_data_erase"),
        DAECT_ONLY,
        method="post",
        data=lambda w: {"email": "claire.brouillon@example.org"},
    ),
]


def body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":  # XLSX: the sheet's text is in a zip
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    if content[:5] == b"%PDF-":  # PDF: the page's text is in compressed streams
        streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL)
        return "".join(zlib.decompress(stream).decode("latin-1") for stream in streams if stream[:1] == b"x")
    return content.decode("utf-8", "replace")


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_access_matrix(client, world, row):
    if row.prepare:
        row.prepare(world)
    url = row.url(world)
    mismatches = []
    for name in row.order():
        login(client, world.user(name))
        response = getattr(client, row.method)(url, row.data(world))
        expected = row.expected[name]
        if response.status_code != expected:
            mismatches.append(f"{name}: {response.status_code}, expected {expected}")
            continue
        if expected == 302 and name == "anonymous":
            # To the login page (the back office's own login address forwards there).
            location = response["Location"]
            assert location.startswith(("/compte/connexion/", "/admin/login/")), f"{name}: {location}"
        if response.status_code == 200 and row.never:
            text = body(response)
            leaked = [needle for needle in row.never if needle in text]
            missing = [needle for needle in row.shows if needle not in text]
            if leaked or missing:
                mismatches.append(f"{name}: shows {leaked}, misses {missing}")
    assert mismatches == [], f"{row.id} {url}"
