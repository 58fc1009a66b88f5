"""Who may open each page of the Atlas space: the whole persona matrix (STYLE.md §12).

Refusals of a sheet or an organisation give the same 404 as something that does not exist; anonymous visitors
are sent to the login page; creating a partnership is refused with a reason (403).
"""

import html

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from coopdec.atlas.models import Change, Project
from coopdec.audit.models import AuditEvent
from coopdec.orgs.tests.personas import PERSONA_NAMES, login

pytestmark = pytest.mark.django_db

SIGNED_IN = set(PERSONA_NAMES) - {"anonymous"}
X_EDITORS = {"agent_x", "daect"}
# Who sees X's draft (policy "view" and "history"): its authority, DAECT, the partner country's
# correspondent and the operator that co-finances it.
DRAFT_X_VIEWERS = {"agent_x", "daect", "correspondent_a", "operator"}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The personas' accounts are made with a fast hasher (the default one takes most of a test's time)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client, user) -> None:
    """``personas.login``, with a verified second factor for the roles whose pages ask for one."""
    login(client, user)
    if user is None or client.session.get(DEVICE_ID_SESSION_KEY):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


# url name → (its arguments from the world, the personas who get the page; others get 404).
PAGES = {
    "space:project": (lambda w: [w.draft_x.slug], X_EDITORS),
    "space:project_edit": (lambda w: [w.draft_x.slug], X_EDITORS),
    "space:project_publish": (lambda w: [w.draft_x.slug], X_EDITORS),
    "space:project_unpublish": (lambda w: [w.project_x.slug], X_EDITORS),
    "space:project_preview": (lambda w: [w.draft_x.slug], DRAFT_X_VIEWERS),
    "space:project_history": (lambda w: [w.draft_x.slug], DRAFT_X_VIEWERS),
    "space:partnership": (lambda w: [w.partnership_x.slug], X_EDITORS),
    "space:partnership_edit": (lambda w: [w.partnership_x.slug], X_EDITORS),
    "space:partnership_publish": (lambda w: [w.partnership_x.slug], X_EDITORS),
    "space:partnership_unpublish": (lambda w: [w.partnership_x.slug], X_EDITORS),
    "space:project_create": (lambda w: [w.partnership_x.slug], X_EDITORS),
    # A published partnership's history is public (policy "view"), like a published sheet's.
    "space:partnership_history": (lambda w: [w.partnership_x.slug], SIGNED_IN),
    "space:organisation": (lambda w: [w.authority_x.slug], X_EDITORS),
    "space:organisation_edit": (lambda w: [w.authority_x.slug], X_EDITORS),
    "space:contact_add": (lambda w: [w.authority_x.slug], X_EDITORS),
}


def as_persona(world, name) -> Client:
    """A fresh test client signed in as the persona (anonymous: not signed in)."""
    client = Client()
    sign_in(client, world.user(name))
    return client


# One world per page, every persona in it: building the world is what costs (seven accounts).
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_matrix(world, page):
    args, allowed = PAGES[page]
    url = reverse(page, args=args(world))
    answers = {name: as_persona(world, name).get(url) for name in PERSONA_NAMES}
    expected = {
        name: 302 if name == "anonymous" else 200 if name in allowed else 404 for name in PERSONA_NAMES
    }
    assert {name: response.status_code for name, response in answers.items()} == expected
    assert answers["anonymous"]["Location"].startswith(reverse("accounts:login"))
    # Each refusal is in the audit log.
    refused = set(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED).values_list("username", flat=True)
    )
    assert refused == {name for name, status in expected.items() if status == 404}


NOT_FOUND_PAGES = [
    "space:project",
    "space:project_edit",
    "space:project_publish",
    "space:project_preview",
    "space:project_history",
    "space:partnership",
    "space:partnership_edit",
]


def test_another_authoritys_sheet_is_answered_like_a_missing_one(client, world):
    sign_in(client, world.user("agent_x"))
    for page in NOT_FOUND_PAGES:
        slug = world.draft_y.slug if page.startswith("space:project") else world.partnership_y.slug
        theirs = client.get(reverse(page, args=[slug]))
        missing = client.get(reverse(page, args=["nexiste-pas"]))
        assert theirs.status_code == missing.status_code == 404, page
        # The page shell names the requested address (the language links), so the main content is compared.
        assert main_content(theirs) == main_content(missing), page


def main_content(response) -> str:
    html = response.content.decode()
    start = html.index('id="content"')
    return html[start : html.index("</main>", start)]


def test_organisation_of_someone_else_is_not_found(world):
    """Y's profile: only Y's agents and DAECT."""
    url = reverse("space:organisation", args=[world.authority_y.slug])
    answers = {name: as_persona(world, name).get(url).status_code for name in PERSONA_NAMES}
    assert answers == {
        name: {"agent_y": 200, "daect": 200, "anonymous": 302}.get(name, 404) for name in PERSONA_NAMES
    }


@pytest.mark.parametrize("page", ["space:contact_edit", "space:contact_delete"])
def test_contact_pages_matrix(world, page):
    contact = world.authority_x.contacts.create(category="elu", name="Jeanne Élue", function="Adjointe")
    url = reverse(page, args=[world.authority_x.slug, contact.pk])
    answers = {name: as_persona(world, name).get(url).status_code for name in PERSONA_NAMES}
    assert answers == {
        name: 302 if name == "anonymous" else 200 if name in X_EDITORS else 404 for name in PERSONA_NAMES
    }


def test_a_contact_is_reached_only_through_its_own_organisation(client, world):
    theirs = world.authority_y.contacts.create(category="cadre", name="Paul Cadre", function="DGS")
    sign_in(client, world.user("agent_x"))
    for page in ("space:contact_edit", "space:contact_delete"):
        response = client.post(reverse(page, args=[world.authority_x.slug, theirs.pk]), {"name": "Piraté"})
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Paul Cadre"


def test_creating_a_partnership_matrix(world):
    url = reverse("space:partnership_create")
    for name in PERSONA_NAMES:
        response = as_persona(world, name).get(url)
        if name == "anonymous":
            assert response.status_code == 302
        elif name in {"agent_x", "agent_y", "daect"}:
            assert response.status_code == 200, name
        else:
            # Not a secret: the page says why.
            assert response.status_code == 403, name
            assert "Seuls les agents d’une collectivité territoriale et la DAECT" in text(response)


def text(response) -> str:
    """The page's text with HTML entities decoded, apostrophes made typographic for comparison."""
    return html.unescape(response.content.decode()).replace("'", "’")


def test_forbidden_writes_change_nothing(world):
    for name in sorted(SIGNED_IN - X_EDITORS):
        forbidden_writes(as_persona(world, name), world)


def forbidden_writes(client, world):
    draft = world.draft_x
    posts = [
        (
            reverse("space:project_edit", args=[draft.slug]),
            {"_save": "1", "title": "Piraté", "expected_version": 1},
        ),
        (reverse("space:project_publish", args=[draft.slug]), {"expected_version": 1}),
        (reverse("space:project_unpublish", args=[world.project_x.slug]), {"expected_version": 1}),
        (
            reverse("space:partnership_edit", args=[world.partnership_x.slug]),
            {"_save": "1", "title": "Piraté"},
        ),
        (
            reverse("space:organisation_edit", args=[world.authority_x.slug]),
            {"website": "https://pirate.example"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    draft.refresh_from_db()
    assert (draft.title, draft.version, draft.published) == ("Brouillon de Strasbourg", 1, False)
    assert Project.objects.filter(pk=world.project_x.pk).exists()
    # (Change rows of other tests' data may exist, detached: only this world's objects are looked at.)
    assert not Change.objects.filter(project__in=[draft, world.project_x]).exists()
    assert not Change.objects.filter(partnership=world.partnership_x).exists()
    world.authority_x.refresh_from_db()
    assert world.authority_x.website == ""


@pytest.mark.parametrize(
    "page", ["space:home", "space:partnerships", "space:projects", "space:organisations"]
)
def test_lists_need_an_account(world, page):
    for name in PERSONA_NAMES:
        response = as_persona(world, name).get(reverse(page))
        if name == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))
        else:
            assert response.status_code in (200, 302), name


# Which sheets each persona finds in "my project sheets" (policy "edit").
LISTED_PROJECTS = {
    "agent_x": {"project_x", "draft_x"},
    "agent_y": {"project_y", "draft_y"},
    "daect": {"project_x", "draft_x", "project_y", "draft_y"},
}


def test_project_list_shows_what_the_persona_may_edit(world):
    for name in sorted(SIGNED_IN):
        page = as_persona(world, name).get(reverse("space:projects")).content.decode()
        listed = {
            key
            for key in ("project_x", "draft_x", "project_y", "draft_y")
            if reverse("space:project", args=[getattr(world, key).slug]) in page
        }
        assert listed == LISTED_PROJECTS.get(name, set()), name


def test_partnership_list_shows_what_the_persona_may_edit(world):
    x_url = reverse("space:partnership", args=[world.partnership_x.slug])
    y_url = reverse("space:partnership", args=[world.partnership_y.slug])
    for name in sorted(SIGNED_IN):
        page = as_persona(world, name).get(reverse("space:partnerships")).content.decode()
        assert (x_url in page) is (name in {"agent_x", "daect"}), name
        assert (y_url in page) is (name in {"agent_y", "daect"}), name


def test_my_organisation_leads_to_the_only_one(world):
    for name, target in [
        ("agent_x", "authority_x"),
        ("agent_y", "authority_y"),
        ("correspondent_a", "embassy_a"),
        ("operator", "operator_org"),
    ]:
        response = as_persona(world, name).get(reverse("space:organisations"))
        assert response.status_code == 302
        assert response["Location"] == reverse("space:organisation", args=[getattr(world, target).slug])


def test_daect_searches_every_organisation(client, world):
    sign_in(client, world.user("daect"))
    html = client.get(reverse("space:organisations"), {"q": "gironde"}).content.decode()
    assert world.authority_y.name in html
    assert world.authority_x.name not in html


def test_lookup_needs_an_account_and_a_known_kind(client, world):
    url = reverse("space:lookup", args=["etrangeres"])
    assert client.get(url, {"foreign_query": "Ség"}).status_code == 302
    sign_in(client, world.user("agent_x"))
    html = client.get(url, {"foreign_query": "Ség"}).content.decode()
    assert "Commune de Ségou" in html and f'value="{world.foreign_b.slug}"' in html
    assert "Tapez au moins deux lettres" in client.get(url, {"foreign_query": "S"}).content.decode()
    assert client.get(reverse("space:lookup", args=["martiennes"])).status_code == 404
