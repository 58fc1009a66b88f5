"""Browser tests: a live server on the test database, Debian's Chromium driven by Playwright.

The server is started here for the module rather than through pytest-django's ``live_server`` fixture:
that fixture pulls in ``transactional_db``, which flushes every table after each test, and with them the
reference data that the session fixture ``reference_data`` loads only once for the whole run. Instead the
demonstration data is committed once per module and removed at the end, leaving the reference data in place
for the tests that follow.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections, transaction

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Desktop width for most checks; the narrow-screen test opens its own 360 px pages.
VIEWPORT = {"width": 1280, "height": 900}


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None. They fail with this message rather than skip:
    a run that silently skips them would claim a quality it did not check."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return 'Le paquet Python « playwright » manque : pip install -e ".[dev]".'
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        return (
            "Chromium est introuvable (/usr/bin/chromium) : les tests de navigateur en ont besoin. "
            "Installez-le avec « apt-get install -y chromium » (la CI le fait au début de .ci/run), "
            "ou excluez ces tests avec « make test-fast »."
        )
    return None


def _refuse_unless_test_database():
    """pytest-django sets up the test database only when a collected test asks for one (a ``django_db``
    mark or the ``db`` fixture); otherwise the connection still points at the real database, which this
    module must never fill nor empty."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()) and not name.startswith("test_"):
        pytest.fail(
            f"Les tests de navigateur refusent d'écrire dans la base {name!r} : "
            "ce n'est pas une base de test.",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def atlas_site(reference_data, django_db_blocker):
    """A live server over a small realistic Atlas (``generate_demo --scale 0.02``, search index built).

    Database access stays unblocked for the module: the server thread serves requests while a test runs,
    and a test may read the data to know what to expect. Everything is committed (autocommit), so the
    server thread sees it on PostgreSQL too, where it has its own connection.
    """
    from pytest_django.live_server_helper import LiveServer

    from coopdec.atlas.demo.generator import delete_atlas_data
    from coopdec.atlas.models import Change
    from coopdec.search import index
    from coopdec.search.models import FacetEntry, SearchDocument

    # Playwright's sync API keeps an event loop in the test thread, which Django's ORM would take for
    # an async context and refuse; the ORM calls made here are plain synchronous ones.
    previous_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    server = None
    try:
        with django_db_blocker.unblock():
            _refuse_unless_test_database()
            try:
                call_command("generate_demo", scale=0.02, seed=7, verbosity=0)
                call_command("rebuild_search_index", verbosity=0)
                server = LiveServer("localhost")
                server._live_server_modified_settings.enable()
                yield server
            finally:
                if server is not None:
                    server._live_server_modified_settings.disable()
                    server.stop()
                # The tests that follow expect reference data only. The index rows go first: they point
                # at the projects, and delete_atlas_data (below the search app) does not know them.
                with transaction.atomic():
                    FacetEntry.objects.all().delete()
                    SearchDocument.objects.all().delete()
                    delete_atlas_data()
                    # delete_atlas_data keeps history rows (detached); the edits made through the live
                    # server were committed, and later tests count history rows from an empty table.
                    Change.objects.all().delete()
                    index.remove_orphans()
                index.rebuild()  # a fresh, empty index generation
                # With Playwright's event loop about, Django's per-thread connections are held per
                # context: the one opened here is not the one pytest-django closes before dropping the
                # test database, which PostgreSQL would then refuse ("accessed by other users").
                connections.close_all()
    finally:
        if previous_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous_unsafe


@pytest.fixture(scope="module")
def browser():
    problem = _missing_browser()
    if problem:
        pytest.fail(problem, pytrace=False)
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class OutsideRequests:
    """Requests the page made to any other host than the live server: there must be none (no CDN, no
    tile server, no font service)."""

    def __init__(self):
        self.urls: list[str] = []


@pytest.fixture
def page(browser, atlas_site):
    """A fresh French page whose requests may only reach the live server; others are aborted and kept in
    ``page.outside_requests`` for the test to assert on."""
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR", accept_downloads=True)
    outside = OutsideRequests()

    def guard(route):
        if route.request.url.startswith(atlas_site.url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.urls.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.outside_requests = outside.urls
    page.set_default_timeout(15_000)
    yield page
    context.close()
