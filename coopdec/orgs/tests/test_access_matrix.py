"""The persona matrix (issue 4, "Roles and access"): every page and API endpoint that shows or changes
non-public data, asked by each persona, against the expected answer.

One row per address: the status each persona gets (200 shown, 302 sent to log in or, after a change, on to
the next page, 403 refused with a reason, 404 "does not exist or not yours") and, for lists, what must
never be in them (drafts). Each row runs every persona in turn on one world and reports every mismatch at
once; each request runs in a transaction rolled back after it, so a change made by one persona (a deletion,
an acceptance) does not alter what the next one meets. docs/roles.md says the same in words.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.urls import reverse

from coopdec.orgs.tests.pdf import pdf_streams
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
# Pages that manage X's objects: X's agents and DAECT; to everyone else they do not exist.
X_OR_DAECT = only({"agent_x", "daect"}, others=404)
# Who may read X's draft (coopdec/atlas/policies.py): X's agents, DAECT, the correspondent of its partner's
# country, the operator that co-finances it.
DRAFT_X_READERS = {"agent_x", "daect", "correspondent_a", "operator"}
CORRESPONDENTS = only({"correspondent_a", "correspondent_b"})


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
    # Personas who see what ``never`` names (lists filtered by policy): it must be there for them.
    may_see: frozenset[str] = frozenset()
    # Set up the world for this row (e.g. build the search index) before the first request.
    prepare: Callable[[World], None] | None = None


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


def with_org_contact(world):
    from coopdec.orgs.models import OrganisationContact

    world.org_contact = OrganisationContact.objects.create(
        organisation=world.authority_x,
        category=OrganisationContact.Category.ELECTED,
        name="Anne Adjointe",
        function="Adjointe aux relations internationales",
        email="anne.adjointe@example.org",
    )


def with_campaign(world):
    import datetime

    from django.utils import timezone

    from coopdec.campaigns import actions

    world.campaign, _count = actions.open_campaign(
        year=2026,
        closes_on=timezone.localdate() + datetime.timedelta(days=30),
        reminder_days=[14],
        by=world.user("daect"),
    )


def with_saved_search(world):
    from coopdec.workspace.models import SavedSearch

    world.saved = SavedSearch.objects.create(
        owner=world.user("agent_x"), name="Sénégal", query="country=SN", kind=SavedSearch.Kind.SEARCH
    )


def with_correction(world):
    from coopdec.correspondents import corrections

    world.correction = corrections.propose(
        world.project_x,
        {"title": "Patrimoine de Saint-Louis (phase 2)"},
        "Vu avec la mairie de Saint-Louis.",
        by=world.user("correspondent_a"),
        base_url="http://testserver",
    )


def with_inventoried(world):
    from coopdec.correspondents.tests.inventoried import podor_twinning

    world.inventoried = podor_twinning(world)


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
    # ------------------------------------------------------------------ professional space: organisations
    Row("space home", lambda w: reverse("space:home"), answers(200, 302)),
    Row(
        "space organisation X", lambda w: reverse("space:organisation", args=[w.authority_x.slug]), X_OR_DAECT
    ),
    Row(
        "space organisation X, edit",
        lambda w: reverse("space:organisation_edit", args=[w.authority_x.slug]),
        X_OR_DAECT,
    ),
    Row(
        "space contact of X, add",
        lambda w: reverse("space:contact_add", args=[w.authority_x.slug]),
        X_OR_DAECT,
    ),
    Row(
        "space contact of X, edit",
        lambda w: reverse("space:contact_edit", args=[w.authority_x.slug, w.org_contact.pk]),
        X_OR_DAECT,
        prepare=with_org_contact,
    ),
    Row(
        "space contact of X, delete",
        lambda w: reverse("space:contact_delete", args=[w.authority_x.slug, w.org_contact.pk]),
        only({"agent_x", "daect"}, ok=302, others=404),
        method="post",
        prepare=with_org_contact,
    ),
    # ------------------------------------------------------------------ professional space: sheets
    Row("space partnerships (filtered list)", lambda w: reverse("space:partnerships"), answers(200, 302)),
    Row(
        "space projects (filtered list)",
        lambda w: reverse("space:projects"),
        answers(200, 302),
        never=("Brouillon de la Gironde",),
        # "My sheets": those the person edits, not all those they may read.
        may_see=frozenset({"agent_y", "daect"}),
    ),
    Row(
        "space new partnership",
        lambda w: reverse("space:partnership_create"),
        only({"agent_x", "agent_y", "daect"}),
    ),
    Row(
        "space partnership X", lambda w: reverse("space:partnership", args=[w.partnership_x.slug]), X_OR_DAECT
    ),
    Row(
        "space partnership X, edit",
        lambda w: reverse("space:partnership_edit", args=[w.partnership_x.slug]),
        X_OR_DAECT,
    ),
    Row(
        "space new sheet in X's partnership",
        lambda w: reverse("space:project_create", args=[w.partnership_x.slug]),
        X_OR_DAECT,
    ),
    Row("space draft X", lambda w: reverse("space:project", args=[w.draft_x.slug]), X_OR_DAECT),
    Row("space draft X, edit", lambda w: reverse("space:project_edit", args=[w.draft_x.slug]), X_OR_DAECT),
    Row(
        "space draft X, preview",
        lambda w: reverse("space:project_preview", args=[w.draft_x.slug]),
        only(DRAFT_X_READERS, others=404),
    ),
    Row(
        "space draft X, history",
        lambda w: reverse("space:project_history", args=[w.draft_x.slug]),
        only(DRAFT_X_READERS, others=404),
    ),
    Row(
        "space draft X, publish",
        lambda w: reverse("space:project_publish", args=[w.draft_x.slug]),
        # The gate refuses (400, with every missing field) for those who may publish: the draft is incomplete.
        only({"agent_x", "daect"}, ok=400, others=404),
        method="post",
    ),
    Row("space published sheet X", lambda w: reverse("space:project", args=[w.project_x.slug]), X_OR_DAECT),
    # ------------------------------------------------------------------ personal tools (owner only)
    Row("workspace home", lambda w: reverse("workspace:home"), answers(200, 302)),
    Row("workspace saved searches", lambda w: reverse("workspace:saved_list"), answers(200, 302)),
    Row(
        "workspace saved search of agent X",
        lambda w: reverse("workspace:saved", args=[w.saved.uuid]),
        only("agent_x", others=404),
        prepare=with_saved_search,
    ),
    Row(
        "workspace saved search of agent X, delete",
        lambda w: reverse("workspace:saved_delete", args=[w.saved.uuid]),
        only("agent_x", ok=302, others=404),
        method="post",
        prepare=with_saved_search,
    ),
    Row("workspace extractions", lambda w: reverse("workspace:extraction_list"), answers(200, 302)),
    # ------------------------------------------------------------------ update campaign
    Row("campaigns", lambda w: reverse("campaigns:index"), only({"agent_x", "agent_y", "daect"})),
    Row("campaign opening", lambda w: reverse("campaigns:open"), DAECT_ONLY),
    Row(
        "campaign follow-up",
        lambda w: reverse("campaigns:detail", args=[w.campaign.year]),
        only("daect", others=404),
        prepare=with_campaign,
    ),
    Row(
        "campaign closing",
        lambda w: reverse("campaigns:close", args=[w.campaign.year]),
        only("daect", ok=302, others=404),
        method="post",
        prepare=with_campaign,
    ),
    Row(
        "campaign checklist of X",
        lambda w: reverse("campaigns:checklist", args=[w.campaign.year, w.authority_x.slug]),
        X_OR_DAECT,
        prepare=with_campaign,
    ),
    Row(
        "campaign confirmation by X",
        lambda w: reverse("campaigns:confirm", args=[w.campaign.year, w.authority_x.slug]),
        # DAECT may look at the checklist but only the authority's agents confirm it.
        only("agent_x", ok=302, others=404, daect=403),
        method="post",
        data=lambda w: {"item": "profil"},
        prepare=with_campaign,
    ),
    # ------------------------------------------------------------------ correspondents
    Row("correspondents directory (public)", lambda w: reverse("correspondents:directory"), answers(200)),
    Row("correspondent's own details", lambda w: reverse("correspondents:profile"), CORRESPONDENTS),
    Row("corrections (filtered list)", lambda w: reverse("correspondents:corrections"), answers(200, 302)),
    Row(
        "correction proposal on X's sheet",
        lambda w: reverse("correspondents:propose_correction", args=["projet", w.project_x.slug]),
        only("correspondent_a", others=404),
    ),
    Row(
        "correction of X's sheet",
        lambda w: reverse("correspondents:correction", args=[w.correction.uuid]),
        only({"agent_x", "correspondent_a", "daect"}, others=404),
        prepare=with_correction,
    ),
    Row(
        "correction of X's sheet, accept",
        lambda w: reverse("correspondents:correction_accept", args=[w.correction.uuid]),
        # The proposer sees it but does not decide.
        only({"agent_x", "daect"}, ok=302, others=404, correspondent_a=403),
        method="post",
        prepare=with_correction,
    ),
    Row("inventory (filtered list)", lambda w: reverse("correspondents:inventory"), answers(200, 302)),
    Row("inventory, record", lambda w: reverse("correspondents:record"), CORRESPONDENTS),
    Row(
        "partnership inventoried for X",
        lambda w: reverse("correspondents:inventoried", args=[w.inventoried.uuid]),
        only({"agent_x", "correspondent_a", "daect"}, others=404),
        prepare=with_inventoried,
    ),
    Row(
        "partnership inventoried for X, confirm",
        lambda w: reverse("correspondents:inventoried_confirm", args=[w.inventoried.uuid]),
        # Only X's agents state that the partnership exists.
        only("agent_x", ok=302, others=404, correspondent_a=403, daect=403),
        method="post",
        prepare=with_inventoried,
    ),
    Row(
        "coordination",
        lambda w: reverse("correspondents:coordination_index"),
        only({"correspondent_a", "correspondent_b", "daect"}),
    ),
    Row(
        "coordination, Senegal",
        lambda w: reverse("correspondents:coordination", args=["SN"]),
        only({"correspondent_a", "daect"}, others=404),
    ),
    # ------------------------------------------------------------------ the account
    Row("my account", lambda w: reverse("accounts:account"), answers(200, 302)),
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
    Row(
        "personal data erase",
        lambda w: reverse("orgs:personal_data_erase"),
        only("daect", ok=302),
        method="post",
        data=lambda w: {"email": "claire.brouillon@example.org", "step": "erase", "confirm": "on"},
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
        return "".join(stream.decode("latin-1") for stream in pdf_streams(content))
    return content.decode("utf-8", "replace")


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_access_matrix(client, world, row):
    if row.prepare:
        row.prepare(world)
    url = row.url(world)
    mismatches = []
    for name in PERSONA_NAMES:
        login(client, world.user(name))
        with transaction.atomic():
            response = getattr(client, row.method)(url, row.data(world))
            transaction.set_rollback(True)
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
            leaked = [needle for needle in row.never if needle in text and name not in row.may_see]
            expected_text = row.shows + (row.never if name in row.may_see else ())
            missing = [needle for needle in expected_text if needle not in text]
            if leaked or missing:
                mismatches.append(f"{name}: shows {leaked}, misses {missing}")
    assert mismatches == [], f"{row.id} {url}"
