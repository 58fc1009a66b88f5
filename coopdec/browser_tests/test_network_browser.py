"""The update campaign and the correspondents' pages in a real browser.

A correspondent records a partnership with the type-ahead (htmx, under the Content Security Policy); the
agent of the French authority confirms it, then confirms their checklist in the open campaign and the
public page shows the date; every page of the two apps fits 360 px and passes axe's rules.
"""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def verified_session(user) -> str:
    """The key of a committed session of ``user`` with the second factor passed (a confirmed device)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="navigateur", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session.session_key


@pytest.fixture(scope="module")
def network(atlas_site, django_db_blocker):
    """A correspondent for the country of a demo partner, an agent of that partnership's lead authority,
    DAECT staff (each with a session), and an open campaign. Everything made here is removed at the end,
    before the demo data is (its raw deletes do not know these apps' rows)."""
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session

    from coopdec.atlas.models import Change, Partnership, PartnershipMember, Project
    from coopdec.campaigns import actions
    from coopdec.campaigns.models import Campaign
    from coopdec.correspondents.models import Correction, InventoriedPartnership
    from coopdec.orgs.models import Membership, Organisation

    with django_db_blocker.unblock():
        project = Project.objects.select_related("partnership").order_by("pk").first()
        lead = PartnershipMember.objects.get(partnership=project.partnership_id, is_lead=True).organisation
        country = project.partnership.foreign.exclude(country=None).first().country
        # A foreign authority of the same country, new to the Atlas: the correspondent will inventory it.
        newcomer = Organisation.objects.create(
            slug="commune-test-navigateur",
            name="Commune de Test-Navigateur",
            kind=Organisation.Kind.FOREIGN_AUTHORITY,
            country=country,
        )
        embassy = Organisation.objects.create(
            slug="ambassade-test-navigateur",
            name=f"Ambassade de France ({country.name_fr})",
            kind="ambassade",
        )
        embassy.countries.add(country)
        ministry = Organisation.objects.create(
            slug="daect-test-reseau", name="DAECT (test)", kind="ministere"
        )
        people = {}
        for username, organisation, role in (
            ("correspondant_navigateur", embassy, Membership.Role.CORRESPONDENT),
            ("agent_navigateur", lead, Membership.Role.AGENT),
            ("daect_reseau_navigateur", ministry, Membership.Role.DAECT),
        ):
            user = User.objects.create_user(
                username, f"{username}@example.org", first_name=username.split("_")[0]
            )
            Membership.objects.create(user=user, organisation=organisation, role=role, status="active")
            people[role] = (user, verified_session(user))
        campaign, _count = actions.open_campaign(
            year=2099,
            closes_on=timezone.localdate() + datetime.timedelta(days=20),
            reminder_days=[14, 3],
            by=people[Membership.Role.DAECT][0],
        )
    yield {
        "project": project,
        "lead": lead,
        "country": country,
        "newcomer": newcomer,
        "campaign": campaign,
        "correspondent": people[Membership.Role.CORRESPONDENT],
        "agent": people[Membership.Role.AGENT],
        "daect": people[Membership.Role.DAECT],
    }
    with django_db_blocker.unblock():
        entries = InventoriedPartnership.objects.all()
        made = list(entries.exclude(partnership=None).values_list("partnership_id", flat=True))
        entries.delete()
        Correction.objects.all().delete()
        Change.objects.filter(partnership__in=made).update(partnership=None)
        PartnershipMember.objects.filter(partnership__in=made).delete()
        Partnership.all_objects.filter(pk__in=made).delete()
        Campaign.objects.filter(pk=campaign.pk).delete()
        Session.objects.filter(session_key__in=[key for _user, key in people.values()]).delete()
        User.objects.filter(pk__in=[user.pk for user, _key in people.values()]).delete()
        embassy.delete()
        ministry.delete()
        newcomer.delete()


def open_page(browser, atlas_site, session_key, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="fr-FR")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": atlas_site.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    return context, page


def test_inventory_with_type_ahead_then_confirmation(browser, atlas_site, network):
    from coopdec.atlas.models import Partnership
    from coopdec.correspondents.models import InventoriedPartnership

    lead, newcomer = network["lead"], network["newcomer"]
    context, page = open_page(browser, atlas_site, network["correspondent"][1])
    try:
        page.goto(atlas_site.url + reverse("correspondents:record"))
        with page.expect_response(lambda r: "/inventaire/autorites/francaises/" in r.url):
            page.locator("#french-query").fill(lead.name)
        # DSFR draws the radio button in its label, which takes the click.
        page.locator(f"label[for='french_authority-{lead.slug}']").click()
        with page.expect_response(lambda r: "/inventaire/autorites/etrangeres/" in r.url):
            page.locator("#foreign-query").fill(newcomer.name)
        page.locator(f"label[for='foreign_authority-{newcomer.slug}']").click()
        page.locator("#id_kind").select_option("convention")
        page.locator("#id_title").fill("Partenariat relevé dans le navigateur")
        page.locator("#id_start_date").fill("2020-05-01")
        page.get_by_role("button", name="Enregistrer (non publié)").click()
        page.wait_for_url("**/correspondants/inventaire/*/")
        assert "Partenariat enregistré, non publié" in page.locator("#messages").inner_text()
        assert page.console_errors == []  # no script refused by the Content Security Policy
    finally:
        context.close()
    entry = InventoriedPartnership.objects.get(foreign_authority=newcomer)
    assert not entry.partnership.published

    context, page = open_page(browser, atlas_site, network["agent"][1])
    try:
        page.goto(atlas_site.url + reverse("correspondents:inventoried", args=[entry.uuid]))
        page.get_by_role("button", name="Confirmer et publier").click()
        page.wait_for_load_state("load")
        assert "Partenariat confirmé" in page.locator("#messages").inner_text()
    finally:
        context.close()
    assert Partnership.objects.filter(pk=entry.partnership_id).exists()


def test_agent_confirms_the_checklist_and_the_public_page_shows_it(browser, atlas_site, network):
    from django.utils.formats import date_format

    lead, campaign = network["lead"], network["campaign"]
    context, page = open_page(browser, atlas_site, network["agent"][1])
    try:
        page.goto(atlas_site.url + reverse("campaigns:checklist", args=[campaign.year, lead.slug]))
        page.locator("#item-profil button").click()
        page.wait_for_load_state("load")
        assert "1 élément(s) confirmé(s)." in page.locator("#messages").inner_text()
        page.locator("#confirm-all button").click()
        page.wait_for_load_state("load")
        assert page.locator("#all-confirmed").is_visible()
    finally:
        context.close()
    public = browser.new_context(locale="fr-FR")
    try:
        page = public.new_page()
        page.goto(atlas_site.url + reverse("atlas:french_authority", args=[lead.slug]))
        assert page.locator("#last-confirmed").inner_text() == date_format(timezone.localdate(), "j F Y")
    finally:
        public.close()


@pytest.mark.parametrize("who", ["correspondent", "agent", "daect", "public"])
def test_pages_fit_360_px_and_pass_axe(browser, atlas_site, network, who):
    from axe_playwright_python.sync_playwright import Axe

    campaign, lead, country = network["campaign"], network["lead"], network["country"]
    urls = {
        "public": [reverse("correspondents:directory")],
        "correspondent": [
            reverse("correspondents:profile"),
            reverse("correspondents:record"),
            reverse("correspondents:inventory"),
            reverse("correspondents:corrections"),
            reverse("correspondents:coordination_index"),
            reverse("correspondents:coordination", args=[country.iso2]),
            reverse("correspondents:propose_correction", args=["projet", network["project"].slug]),
        ],
        "agent": [
            reverse("campaigns:index"),
            reverse("campaigns:checklist", args=[campaign.year, lead.slug]),
        ],
        "daect": [
            reverse("campaigns:index"),
            reverse("campaigns:open"),
            reverse("campaigns:detail", args=[campaign.year]),
            reverse("campaigns:close", args=[campaign.year]),
        ],
    }[who]
    viewport = {"width": 360, "height": 740}
    if who == "public":
        context = browser.new_context(viewport=viewport, locale="fr-FR")
        page = context.new_page()
    else:
        context, page = open_page(browser, atlas_site, network[who][1], viewport=viewport)
    try:
        for url in urls:
            response = page.goto(atlas_site.url + url)
            assert response.status == 200, url
            page.wait_for_load_state("load")
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 360, f"{url} : {width} px de large"
            results = Axe().run(page)
            assert results.violations_count == 0, f"{url}\n{results.generate_report()}"
    finally:
        context.close()
