"""The Content Security Policy in a real browser: no page, script, style or image of the portal is refused,
the map and the htmx search still work, the back office and DAECT's personal-data desk too, and axe (which
runs inside the page) still checks them."""

import re

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# Kept by the page from its first script on: a violation report of the browser, whatever refused it.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " +
    (event.sourceFile || "") + ":" + (event.lineNumber || ""));
});
"""


@pytest.fixture
def watched(page):
    """The page, recording CSP violations (browser events and console messages)."""
    page.add_init_script(WATCH_VIOLATIONS)
    page.csp_console = []
    page.on(
        "console",
        lambda message: (
            page.csp_console.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations") + page.csp_console


def sheet_url(atlas_site) -> str:
    from coopdec.atlas.models import Project

    slug = Project.objects.order_by("pk").values_list("slug", flat=True).first()
    return atlas_site.url + reverse("atlas:project", args=[slug])


@pytest.fixture(scope="module")
def daect_session_key(atlas_site, django_db_blocker):
    """A DAECT agent signed in, second factor passed: the key of their session, committed (the live server
    reads with its own connection) for the module, and removed at its end."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from coopdec.orgs.models import Membership, Organisation

    with django_db_blocker.unblock():
        ministry = Organisation.objects.create(
            slug="daect-test-navigateur", name="DAECT (test)", kind=Organisation.Kind.MINISTRY
        )
        user = get_user_model().objects.create_user("daect_navigateur", "daect.nav@example.org", "x" * 20)
        Membership.objects.create(
            user=user, organisation=ministry, role=Membership.Role.DAECT, status=Membership.Status.ACTIVE
        )
        device = TOTPDevice.objects.create(user=user, name="navigateur", confirmed=True)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
    yield session.session_key
    with django_db_blocker.unblock():
        session.delete()
        # The user's audit events, if any, stay: the log is append-only and does not point to the row.
        user.delete()
        ministry.delete()


@pytest.fixture
def daect_session(atlas_site, page, daect_session_key):
    from django.conf import settings

    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": daect_session_key, "url": atlas_site.url}]
    )
    return daect_session_key


@pytest.mark.parametrize("path", ["/", "/atlas/", "sheet", "/en/atlas/", "/api/", "/mentions-legales/"])
def test_public_pages_break_no_rule(watched, atlas_site, path):
    response = watched.goto(sheet_url(atlas_site) if path == "sheet" else atlas_site.url + path)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    watched.wait_for_load_state("load")
    # The State design system's script ran (it marks the page once started).
    watched.wait_for_function("document.documentElement.hasAttribute('data-fr-js')")
    assert violations(watched) == []


def test_map_draws_under_the_policy(watched, atlas_site):
    watched.goto(atlas_site.url + "/atlas/carte/")
    watched.wait_for_selector("#map .maps-cluster", state="attached")
    assert watched.locator("#map path.leaflet-interactive").count() > 0
    assert violations(watched) == []


def test_htmx_search_updates_under_the_policy(watched, atlas_site):
    watched.goto(atlas_site.url + "/atlas/recherche/")
    with watched.expect_response(lambda r: "/atlas/recherche/?" in r.url and "q=eau" in r.url):
        watched.locator("#search-form input[name=q]").fill("eau")
    watched.wait_for_load_state("networkidle")
    assert violations(watched) == []


def test_axe_runs_under_the_policy(watched, atlas_site):
    from axe_playwright_python.sync_playwright import Axe

    watched.goto(atlas_site.url + "/atlas/")
    results = Axe().run(watched)
    # axe ran its rules (a broken injection would give no result at all) and found nothing.
    assert results.response["passes"], "axe n'a vérifié aucune règle"
    assert results.violations_count == 0, results.generate_report()
    assert violations(watched) == []


def test_back_office_under_the_policy(watched, atlas_site, daect_session):
    from coopdec.orgs.models import Organisation

    organisation = Organisation.objects.filter(kind=Organisation.Kind.COMMUNE).order_by("pk").first()
    for path in [
        reverse("admin:index"),
        reverse("admin:orgs_membership_changelist"),
        reverse("admin:orgs_organisation_change", args=[organisation.pk]),
    ]:
        watched.goto(atlas_site.url + path)
        watched.wait_for_load_state("load")
        assert watched.locator("#site-name").count() == 1, path
    # The admin's own scripts run: the autocomplete widgets (select2) are built on the change form.
    watched.wait_for_selector(".select2-container", state="attached")
    assert violations(watched) == []


def test_personal_data_desk_under_the_policy(watched, atlas_site, daect_session):
    from axe_playwright_python.sync_playwright import Axe

    watched.goto(atlas_site.url + reverse("orgs:personal_data"))
    watched.locator("input[name=email]").fill("daect.nav@example.org")
    watched.locator("#search-form button[type=submit]").click()
    watched.wait_for_selector("#holdings")
    assert re.search(r"1 compte", watched.locator("#holdings").inner_text())
    results = Axe().run(watched)
    assert results.violations_count == 0, results.generate_report()
    watched.locator("#erase-form button").click()
    watched.wait_for_selector("#confirm-erase-form")
    results = Axe().run(watched)
    assert results.violations_count == 0, results.generate_report()
    assert violations(watched) == []


def test_personal_data_desk_at_360_px(watched, atlas_site, daect_session):
    watched.set_viewport_size({"width": 360, "height": 740})
    watched.goto(atlas_site.url + reverse("orgs:personal_data"))
    watched.locator("input[name=email]").fill("daect.nav@example.org")
    watched.locator("#search-form button[type=submit]").click()
    watched.wait_for_selector("#holdings")
    width = watched.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360, f"{width} px de large"
