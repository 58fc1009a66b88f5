"""Saved searches and maps: the save action, list, rename, alert switch, delete, open; who may do what."""

import html

import pytest
from django.shortcuts import resolve_url
from django.urls import reverse

from coopdec.audit.models import AuditEvent
from coopdec.orgs.tests.personas import PERSONA_NAMES, login
from coopdec.workspace.forms import MAX_SAVED_PER_USER
from coopdec.workspace.models import SavedSearch

pytestmark = pytest.mark.django_db

OTHERS = [name for name in PERSONA_NAMES if name not in ("agent_x", "anonymous")]


def page(response) -> str:
    """The page's text as a person reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def login_url() -> str:
    return resolve_url("accounts:login")


def save_url(query: str = "") -> str:
    return reverse("workspace:save") + ("?" + query if query else "")


# ------------------------------------------------------------------------------------------- save action


def test_save_page_describes_the_criteria_and_suggests_a_name(client, world):
    login(client, world.user("agent_x"))
    response = client.get(save_url("type=recherche&q=eau&country=SN&theme=culture-patrimoine&year_min=2010"))
    assert response.status_code == 200
    text = page(response)
    assert "Sénégal" in text and "Culture et patrimoine" in text and "eau" in text
    assert response.context["form"].initial["name"].startswith("eau ; Culture et patrimoine ; Sénégal")
    assert 'id="save-form"' in text


def test_post_saves_the_canonical_query(client, world):
    user = world.user("agent_x")
    login(client, user)
    # Values come in any order and case, with paging and unknown keys: only the criteria are kept.
    url = save_url("type=recherche&country=sn&q=eau&page=3&page_size=50&sort=title&utm=x")
    response = client.post(url, {"name": "  Eau   au Sénégal ", "alert": "on"})
    item = SavedSearch.objects.get(owner=user)
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()
    assert item.name == "Eau au Sénégal"
    assert item.kind == SavedSearch.Kind.SEARCH
    assert item.query == "q=eau&country=SN&sort=title"
    assert item.alert and item.alert_since is not None
    assert item.target_url() == "/atlas/recherche/?q=eau&country=SN&sort=title"


def test_post_saves_a_map_with_its_view(client, world):
    user = world.user("agent_x")
    login(client, user)
    response = client.post(
        save_url("type=carte&vue=departements&theme=culture-patrimoine&zoom=4"), {"name": "C"}
    )
    assert response.status_code == 302
    item = SavedSearch.objects.get(owner=user)
    assert (item.kind, item.view, item.query) == ("carte", "departements", "theme=culture-patrimoine")
    assert item.alert is False and item.alert_since is None
    assert item.target_url() == "/atlas/carte/?vue=departements&theme=culture-patrimoine"


@pytest.mark.parametrize(
    "query, message",
    [
        ("type=recherche&country=ZZ", "Valeur inconnue « ZZ » pour le filtre « Pays partenaire »"),
        ("type=recherche&year_min=deux-mille", "n'est pas un nombre entier valable"),
        ("type=recherche&sort=hasard", "Tri inconnu « hasard »"),
        ("type=carte&vue=lune", "Vue inconnue « lune »"),
        ("type=tableau", "Nature inconnue « tableau »"),
    ],
)
def test_bad_criteria_are_refused_in_french_and_nothing_is_saved(client, world, query, message):
    login(client, world.user("agent_x"))
    shown = client.get(save_url(query))
    assert message in page(shown)
    assert 'id="save-form"' not in page(shown)
    posted = client.post(save_url(query), {"name": "Essai"})
    assert posted.status_code == 400
    assert message in page(posted)
    assert not SavedSearch.objects.exists()


def test_name_is_required_and_unique_per_person_and_kind(client, world, saved_search):
    login(client, world.user("agent_x"))
    empty = client.post(save_url("country=SN"), {"name": "   "})
    assert empty.status_code == 400
    taken = client.post(save_url("country=ML"), {"name": "Sénégal"})
    assert taken.status_code == 400
    assert "Vous avez déjà une recherche nommée « Sénégal »" in page(taken)
    # The same name is free for a map, and for another person.
    assert client.post(save_url("type=carte&country=ML"), {"name": "Sénégal"}).status_code == 302
    login(client, world.user("agent_y"))
    assert client.post(save_url("country=ML"), {"name": "Sénégal"}).status_code == 302
    assert SavedSearch.objects.count() == 3


def test_number_of_saved_searches_is_limited(client, world):
    user = world.user("agent_x")
    SavedSearch.objects.bulk_create(
        SavedSearch(owner=user, name=f"Recherche {n}", query="") for n in range(MAX_SAVED_PER_USER)
    )
    login(client, user)
    response = client.post(save_url("country=SN"), {"name": "Une de trop"})
    assert response.status_code == 400
    assert "le maximum" in page(response)
    assert SavedSearch.objects.filter(owner=user).count() == MAX_SAVED_PER_USER


def test_save_button_on_search_and_map_pages_for_signed_in_people_only(client, world):
    search = reverse("search:index") + "?country=SN&sort=title"
    map_page = reverse("maps:index") + "?vue=regions&country=SN"
    for url in (search, map_page):
        assert 'id="workspace-save"' not in page(client.get(url))
    login(client, world.user("agent_y"))
    text = page(client.get(search))
    assert 'href="/espace/recherches/sauvegarder/?type=recherche&country=SN&sort=title"' in text
    text = page(client.get(map_page))
    assert 'href="/espace/recherches/sauvegarder/?type=carte&vue=regions&country=SN"' in text
    # The htmx partial of the search page carries it too (its criteria change without a reload).
    partial = client.get(reverse("search:index") + "?country=ML", headers={"HX-Request": "true"})
    assert "type=recherche&amp;country=ML" in partial.content.decode()


# ------------------------------------------------------------------------------------- the owner's pages


def test_list_shows_searches_and_maps_of_the_owner_only(client, world, saved_search, saved_map):
    SavedSearch.objects.create(owner=world.user("agent_y"), name="Celle de Gironde", query="")
    login(client, world.user("agent_x"))
    text = page(client.get(reverse("workspace:saved_list")))
    assert "Sénégal" in text and "Carte du Mali" in text
    assert "Celle de Gironde" not in text


def test_rename_and_switch_the_alert(client, world, saved_search):
    login(client, world.user("agent_x"))
    url = saved_search.get_absolute_url()
    response = client.post(url, {"name": "Projets au Sénégal", "alert": "on"})
    assert response.status_code == 302
    saved_search.refresh_from_db()
    assert saved_search.name == "Projets au Sénégal" and saved_search.alert
    first_since = saved_search.alert_since
    assert first_since is not None
    # Saving again with the alert still on keeps its starting point; turning it off keeps the name.
    client.post(url, {"name": "Projets au Sénégal", "alert": "on"})
    saved_search.refresh_from_db()
    assert saved_search.alert_since == first_since
    client.post(url, {"name": "Projets au Sénégal"})
    saved_search.refresh_from_db()
    assert not saved_search.alert


def test_rename_to_a_taken_name_changes_nothing(client, world, saved_search):
    SavedSearch.objects.create(owner=world.user("agent_x"), name="Autre", query="")
    login(client, world.user("agent_x"))
    response = client.post(saved_search.get_absolute_url(), {"name": "Autre"})
    assert response.status_code == 400
    assert "Vous avez déjà une recherche nommée « Autre »" in page(response)
    saved_search.refresh_from_db()
    assert saved_search.name == "Sénégal"


def test_open_goes_to_the_search_or_the_map(client, world, saved_search, saved_map):
    login(client, world.user("agent_x"))
    response = client.get(reverse("workspace:saved_open", args=[saved_search.uuid]))
    assert response["Location"] == "/atlas/recherche/?country=SN"
    response = client.get(reverse("workspace:saved_open", args=[saved_map.uuid]))
    assert response["Location"] == "/atlas/carte/?vue=regions&country=ML"


def test_delete_asks_for_confirmation(client, world, saved_search):
    login(client, world.user("agent_x"))
    url = reverse("workspace:saved_delete", args=[saved_search.uuid])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert 'id="delete-form"' in page(confirm)
    assert SavedSearch.objects.filter(pk=saved_search.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not SavedSearch.objects.filter(pk=saved_search.pk).exists()


def test_a_search_made_invalid_since_says_so(client, world):
    item = SavedSearch.objects.create(owner=world.user("agent_x"), name="Ancien thème", query="theme=disparu")
    login(client, world.user("agent_x"))
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert "Certains critères ne sont plus valables" in page(response)


# ------------------------------------------------------------------------------------------ the matrix


def owner_pages(item) -> list[tuple[str, str]]:
    return [
        ("get", item.get_absolute_url()),
        ("get", reverse("workspace:saved_open", args=[item.uuid])),
        ("get", reverse("workspace:saved_delete", args=[item.uuid])),
        ("post", item.get_absolute_url()),
        ("post", reverse("workspace:extract", args=[item.uuid])),
        ("post", reverse("workspace:saved_delete", args=[item.uuid])),
    ]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_matrix_someone_elses_saved_search(client, world, saved_search, name):
    """agent_x's saved search: only agent_x; DAECT staff included, everyone else gets 404 (and an audit
    row), anonymous visitors the login page."""
    login(client, world.user(name))
    for method, url in owner_pages(saved_search):
        response = getattr(client, method)(url, {"name": "Pris", "format": "csv"} if method == "post" else {})
        if name == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(login_url()), url
        elif name == "agent_x":
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == 404, (name, url)
    saved_search.refresh_from_db() if name != "agent_x" else None
    if name not in ("agent_x", "anonymous"):
        assert saved_search.name == "Sénégal"
        assert AuditEvent.objects.filter(
            kind=AuditEvent.Kind.PERMISSION_DENIED, target=f"workspace.savedsearch:{saved_search.uuid}"
        ).exists()


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_matrix_own_pages(client, world, name):
    """Everyone signed in has a space of their own; anonymous visitors are sent to the login page."""
    login(client, world.user(name))
    for url in (
        reverse("workspace:home"),
        reverse("workspace:saved_list"),
        reverse("workspace:extraction_list"),
        save_url("country=SN"),
    ):
        response = client.get(url)
        if name == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(login_url())
        else:
            assert response.status_code == 200, (name, url)


def test_unknown_uuid_is_404(client, world):
    login(client, world.user("agent_x"))
    response = client.get(reverse("workspace:saved", args=["00000000-0000-0000-0000-000000000000"]))
    assert response.status_code == 404


def test_list_queries_are_bounded(client, world, django_assert_max_num_queries):
    user = world.user("agent_x")
    SavedSearch.objects.bulk_create(
        SavedSearch(owner=user, name=f"R{n}", query="country=SN", kind=["recherche", "carte"][n % 2])
        for n in range(40)
    )
    login(client, user)
    client.get(reverse("workspace:saved_list"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(reverse("workspace:saved_list"))
    assert page(response).count("/ouvrir/") == 40
