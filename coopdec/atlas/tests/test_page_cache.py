"""Whole pages cached for anonymous visitors (``coopdec.atlas.pagecache``), on the project sheet.

To tell a page served from the cache from one rendered, a marker page is put in the cache under the key
the sheet would use: whoever gets the marker was served from the cache.
"""

import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.utils import translation

from coopdec.atlas import pagecache, views
from coopdec.atlas.history import save_tracked
from coopdec.atlas.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

URL = "/atlas/projets/fiche/"
MARKER = b"<!doctype html><html lang='fr'><title>page en cache</title></html>"


@pytest.fixture(autouse=True)
def empty_cache_in_french():
    cache.clear()
    yield
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def sheet():
    return ProjectFactory(slug="fiche", title="Eau potable à Podor")


def sheet_page_key(path: str = URL, language: str = "fr") -> str:
    """The key under which the sheet's page is cached now (its versions as they are stored)."""
    stamp = views.sheet_stamp("fiche")
    with translation.override(language):
        return pagecache.page_key(RequestFactory().get(path), views.sheet_version(stamp))


def put_marker(path: str = URL, language: str = "fr") -> None:
    cache.set(sheet_page_key(path, language), (MARKER, "text/html; charset=utf-8"))


def test_anonymous_visitor_gets_the_stored_page_after_one_query(client, sheet, django_assert_num_queries):
    first = client.get(URL)
    assert first.status_code == 200
    # Only the sheet's versions are read: no rendering, no context processor.
    with django_assert_num_queries(1):
        again = client.get(URL)
    assert again.content == first.content
    assert again["Content-Type"] == "text/html; charset=utf-8"
    assert "Cookie" in again["Vary"]
    assert "Eau potable à Podor" in again.content.decode()


def test_each_language_has_its_own_page(client, sheet):
    put_marker()
    english = client.get("/en" + URL)
    assert english.content != MARKER
    assert '<html lang="en"' in english.content.decode()
    assert client.get(URL).content == MARKER


def test_a_tracked_save_changes_the_page(client, sheet, django_user_model):
    client.get(URL)
    put_marker()
    assert client.get(URL).content == MARKER
    sheet.title = "Eau potable et assainissement à Podor"
    save_tracked(sheet, by=django_user_model.objects.create_user("agent"), expected_version=sheet.version)
    assert "<h1>Eau potable et assainissement à Podor</h1>" in client.get(URL).content.decode()


def test_signed_in_user_never_gets_the_stored_page(client, sheet, django_user_model):
    put_marker()
    client.force_login(django_user_model.objects.create_user("agent"))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.content != MARKER
    assert "Eau potable à Podor" in response.content.decode()


def test_page_built_for_a_signed_in_user_is_not_stored(client, sheet, django_user_model):
    client.force_login(django_user_model.objects.create_user("agent"))
    assert client.get(URL).status_code == 200
    assert cache.get(sheet_page_key()) is None
    client.logout()
    client.get(URL)
    assert cache.get(sheet_page_key()) is not None


@pytest.mark.parametrize(
    "cookie", [settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name], ids=["session", "messages"]
)
def test_visitor_with_a_session_or_messages_gets_a_rendered_page(client, sheet, cookie):
    put_marker()
    client.cookies[cookie] = "x"
    assert client.get(URL).content != MARKER


@pytest.mark.parametrize(
    "extra", [{"QUERY_STRING": "x=1"}, {"HTTP_HX_REQUEST": "true"}], ids=["query", "htmx"]
)
def test_query_string_or_htmx_request_gets_a_rendered_page(client, sheet, extra):
    put_marker()
    assert client.get(URL, **extra).content != MARKER


def test_unknown_sheet_is_a_404_and_nothing_is_stored(client):
    assert client.get("/atlas/projets/inconnue/").status_code == 404
    assert client.get("/atlas/projets/inconnue/").status_code == 404


def test_a_page_holding_a_csrf_token_or_setting_a_cookie_is_not_stored():
    request = RequestFactory().get(URL)
    assert pagecache.is_storable(request, HttpResponse("ok"))
    with_cookie = HttpResponse("ok")
    with_cookie.set_cookie("choice", "1")
    assert not pagecache.is_storable(request, with_cookie)
    private = HttpResponse("ok")
    private["Cache-Control"] = "private"
    assert not pagecache.is_storable(request, private)
    assert not pagecache.is_storable(request, HttpResponse("ko", status=404))
    get_token(request)  # what {% csrf_token %} does when a page holds a form
    assert not pagecache.is_storable(request, HttpResponse("ok"))


def test_a_sheet_is_cached_once_per_visitor_kind(client, sheet, django_user_model):
    """An anonymous visit caches the whole page only (the body is inside it); a signed-in one caches the
    body, around which its page is rendered."""
    body_key = f"atlas:sheet:fiche:fr:{views.sheet_version(views.sheet_stamp('fiche'))}"
    client.get(URL)
    assert cache.get(sheet_page_key()) is not None
    assert cache.get(body_key) is None
    client.force_login(django_user_model.objects.create_user("agent"))
    client.get(URL)
    assert cache.get(body_key) is not None
