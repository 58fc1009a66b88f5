"""The personal space in a real browser: save a search from the search page, extract it, download the file;
every page of the space at 360 px and under axe's rules."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def person(atlas_site, django_db_blocker, tmp_path_factory):
    """An agent of a demo authority (no mandatory two-factor step), a country with projects, and a saved
    search with an extraction.

    All made here, outside any test's transaction (the session too), so that the live server's own
    database connection sees them on PostgreSQL.
    """
    from django.contrib.auth.models import User

    from coopdec.atlas.models import PartnershipMember, Project
    from coopdec.orgs.models import Membership
    from coopdec.workspace import extractions
    from coopdec.workspace.models import SavedSearch

    media = tmp_path_factory.mktemp("media")
    previous_media = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = media
    with django_db_blocker.unblock():
        project = Project.objects.exclude(partnership__foreign=None).order_by("pk").first()
        lead = PartnershipMember.objects.filter(partnership=project.partnership_id).first().organisation
        country = project.partnership.foreign.exclude(country=None).first().country_id
        user = User.objects.create_user(username="agent_espace_navigateur", first_name="Camille")
        Membership.objects.create(
            user=user, organisation=lead, role=Membership.Role.AGENT, status=Membership.Status.ACTIVE
        )
        client = Client()
        client.force_login(user)
        user.session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        extractions.extract(
            SavedSearch.objects.create(owner=user, name="Étroit", query=f"country={country}"), "xlsx"
        )
        yield user, country
        User.objects.filter(pk=user.pk).delete()
    settings.MEDIA_ROOT = previous_media


def signed_in_page(browser, atlas_site, user, viewport=None):
    """A browser context holding the session of ``user`` (made by ``person``, as a login would)."""
    context = browser.new_context(
        viewport=viewport or {"width": 1280, "height": 900}, locale="fr-FR", accept_downloads=True
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": user.session_key,
                "url": atlas_site.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_save_a_search_extract_it_and_download(browser, atlas_site, person):
    from coopdec.workspace.models import Extraction, SavedSearch

    user, country = person
    context, page = signed_in_page(browser, atlas_site, user)
    try:
        page.goto(f"{atlas_site.url}{reverse('search:index')}?country={country}")
        page.locator("#workspace-save a").click()
        page.locator("#id_name").fill("Mon pays de coopération")
        page.locator("#id_alert").check(force=True)
        page.locator("#save-form button[type=submit]").click()
        saved = SavedSearch.objects.get(owner=user, name="Mon pays de coopération")
        page.wait_for_url(atlas_site.url + saved.get_absolute_url())
        assert "est enregistrée dans votre espace" in page.locator("main").inner_text()
        assert (saved.query, saved.alert) == (f"country={country}", True)

        page.locator("#extract-form label", has_text="CSV").click()
        page.locator("#extract-form button[type=submit]").click()
        page.wait_for_url(atlas_site.url + reverse("workspace:extraction_list"))
        extraction = Extraction.objects.get(saved_search=saved)
        assert extraction.rows > 0
        with page.expect_download() as download:
            page.locator(
                f"a[href='{reverse('workspace:extraction_download', args=[extraction.uuid])}']"
            ).click()
        assert download.value.suggested_filename.startswith("mon-pays-de-cooperation-")
        assert open(download.value.path(), "rb").read() == extraction.path.read_bytes()

        # The map page offers the same action, with the map's view.
        page.goto(f"{atlas_site.url}{reverse('maps:index')}?vue=regions&country={country}")
        href = page.locator("#workspace-save a").get_attribute("href")
        assert href == f"{reverse('workspace:save')}?type=carte&vue=regions&country={country}"
    finally:
        context.close()


def test_space_pages_fit_360_px_and_pass_axe(browser, atlas_site, person):
    from axe_playwright_python.sync_playwright import Axe

    from coopdec.workspace.models import SavedSearch

    user, country = person
    saved = SavedSearch.objects.get(owner=user, name="Étroit")
    context, page = signed_in_page(browser, atlas_site, user, viewport={"width": 360, "height": 740})
    try:
        for url in (
            reverse("workspace:home"),
            reverse("workspace:saved_list"),
            f"{reverse('workspace:save')}?type=recherche&country={country}",
            saved.get_absolute_url(),
            reverse("workspace:saved_delete", args=[saved.uuid]),
            reverse("workspace:extraction_list"),
        ):
            page.goto(atlas_site.url + url)
            page.wait_for_load_state("load")
            assert page.url == atlas_site.url + url, "la page a été redirigée"
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 360, f"{url} : {width} px de large"
            results = Axe().run(page)
            assert results.violations_count == 0, (url, results.generate_report())
    finally:
        context.close()
