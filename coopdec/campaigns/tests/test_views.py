"""The campaign's pages for every persona, and the flows through them."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coopdec.atlas.models import Project
from coopdec.audit.models import AuditEvent
from coopdec.campaigns.models import Campaign, CampaignAuthority, Confirmation
from coopdec.orgs.tests.personas import PERSONA_NAMES, login

pytestmark = pytest.mark.django_db

DAECT_ONLY = {"daect": 200}
NOT_FOR = {"agent_x": 403, "agent_y": 403, "correspondent_a": 403, "correspondent_b": 403}


def expected(name: str, allowed: dict, others: int) -> int:
    if name == "anonymous":
        return 302
    return allowed.get(name, others)


def get(client, world, name, url):
    login(client, world.user(name))
    return client.get(url)


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_index_matrix(client, world, campaign, name):
    response = get(client, world, name, reverse("campaigns:index"))
    if name == "anonymous":
        assert_login_redirect(response)
        return
    assert response.status_code == expected(name, {"agent_x": 200, "agent_y": 200, "daect": 200}, 403)
    if response.status_code == 403:  # the page says why
        assert "concernent les agents des collectivités territoriales" in response.content.decode()
    if response.status_code == 200:
        body = response.content.decode()
        assert "Campagne 2026 ouverte" in body
        assert ('id="campaigns-table"' in body) is (name == "daect")
        if name == "agent_x":
            assert reverse("campaigns:checklist", args=[2026, world.authority_x.slug]) in body
            assert world.authority_y.slug not in body


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_open_form_matrix(client, world, name):
    response = get(client, world, name, reverse("campaigns:open"))
    if name == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == expected(name, DAECT_ONLY, 403)


@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize("page", ["campaigns:detail", "campaigns:close"])
def test_campaign_pages_matrix(client, world, campaign, name, page):
    response = get(client, world, name, reverse(page, args=[campaign.year]))
    if name == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == expected(name, DAECT_ONLY, 404)
    if response.status_code == 404:
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PERMISSION_DENIED, username=name).exists()


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_checklist_matrix(client, world, campaign, name):
    url = reverse("campaigns:checklist", args=[campaign.year, world.authority_x.slug])
    response = get(client, world, name, url)
    if name == "anonymous":
        assert_login_redirect(response)
        return
    assert response.status_code == expected(name, {"agent_x": 200, "daect": 200}, 404)
    if response.status_code == 200:
        body = response.content.decode()
        assert world.project_x.title in body
        assert world.draft_x.title not in body
        # DAECT reads the list; only the authority's agents have the buttons.
        assert ('id="confirm-all"' in body) is (name == "agent_x")
        assert ('id="cannot-confirm"' in body) is (name == "daect")
        edit = reverse("space:project_edit", args=[world.project_x.slug])
        assert (edit in body) is (name == "agent_x")


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_confirm_matrix(client, world, campaign, name):
    url = reverse("campaigns:confirm", args=[campaign.year, world.authority_x.slug])
    login(client, world.user(name))
    response = client.post(url, {"item": "profil"})
    if name == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == {"agent_x": 302, "daect": 403}.get(name, 404)
    assert Confirmation.objects.filter(item="profil").exists() is (name == "agent_x")


def test_unknown_campaign_or_authority_is_404(client, world, campaign):
    login(client, world.user("daect"))
    assert client.get(reverse("campaigns:detail", args=[1999])).status_code == 404
    assert client.get(reverse("campaigns:checklist", args=[2026, "nulle-part"])).status_code == 404
    # A foreign authority has no checklist.
    assert client.get(reverse("campaigns:checklist", args=[2026, world.foreign_a.slug])).status_code == 404


def test_opening_goes_through_a_confirmation_step(client, world):
    login(client, world.user("daect"))
    closes = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    data = {"year": "2026", "closes_on": closes, "reminder_days": "14, 3"}
    response = client.post(reverse("campaigns:open"), data)
    assert response.status_code == 200
    assert "Ouvrir la campagne 2026 ?" in response.content.decode()
    assert "2 collectivités seront invitées" in response.content.decode()
    assert not Campaign.objects.exists()
    response = client.post(reverse("campaigns:open"), {**data, "step": "confirm"})
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.year, campaign.reminder_days, campaign.opened_by) == (2026, [14, 3], world.user("daect"))
    assert CampaignAuthority.objects.filter(campaign=campaign).count() == 2
    response = client.get(response["Location"])
    assert "La campagne 2026 est ouverte" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "2026", "closes_on": "2001-01-01", "reminder_days": "14"}, "postérieure"),
        ({"year": "2026", "closes_on": "demain", "reminder_days": "14"}, "Saisissez une date valide"),
        ({"year": "2026", "closes_on": "2099-05-31", "reminder_days": "14, trois"}, "« trois »"),
        ({"year": "2026", "closes_on": "2099-05-31", "reminder_days": "0"}, "entre 1 et 365"),
        ({"year": "1800", "closes_on": "2099-05-31", "reminder_days": "3"}, "2000"),
    ],
)
def test_opening_with_bad_input_says_why_and_opens_nothing(client, world, data, message):
    login(client, world.user("daect"))
    for step in ("", "confirm"):
        response = client.post(reverse("campaigns:open"), {**data, "step": step})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Campaign.objects.exists()


def test_opening_while_one_is_open_is_refused(client, world, campaign):
    login(client, world.user("daect"))
    response = client.get(reverse("campaigns:open"))
    assert 'id="already-open"' in response.content.decode()
    closes = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    data = {"year": "2027", "closes_on": closes, "reminder_days": "3", "step": "confirm"}
    client.post(reverse("campaigns:open"), data)
    assert Campaign.objects.count() == 1


def test_agent_confirms_item_by_item_then_all(client, world, campaign):
    login(client, world.user("agent_x"))
    checklist_url = reverse("campaigns:checklist", args=[campaign.year, world.authority_x.slug])
    confirm_url = reverse("campaigns:confirm", args=[campaign.year, world.authority_x.slug])
    response = client.post(confirm_url, {"item": f"projet:{world.project_x.slug}"}, follow=True)
    body = response.content.decode()
    assert "1 élément(s) confirmé(s)" in body
    assert "1 élément(s) confirmé(s) sur 4" in body
    assert Project.all_objects.get(pk=world.project_x.pk).last_confirmed_at is not None
    response = client.post(confirm_url, {"all": "1"}, follow=True)
    assert "3 élément(s) confirmé(s)" in response.content.decode()
    assert 'id="all-confirmed"' in response.content.decode()
    assert CampaignAuthority.objects.get(organisation=world.authority_x).completed_at is not None
    # A stale or forged item: a clear message, nothing changed.
    response = client.post(confirm_url, {"item": f"projet:{world.project_y.slug}"}, follow=True)
    assert "Élément inconnu" in response.content.decode()
    assert Confirmation.objects.count() == 4
    assert client.get(checklist_url).status_code == 200


def test_public_pages_show_the_date_of_last_confirmation(client, world, campaign):
    authority_url = reverse("atlas:french_authority", args=[world.authority_x.slug])
    assert "jamais confirmée" in client.get(authority_url).content.decode()
    login(client, world.user("agent_x"))
    client.post(
        reverse("campaigns:confirm", args=[campaign.year, world.authority_x.slug]),
        {"item": ["profil", "contacts", f"projet:{world.project_x.slug}"]},
    )
    client.logout()
    today = timezone.localdate()
    from django.utils.formats import date_format

    shown = date_format(today, "j F Y")
    body = client.get(authority_url).content.decode()
    assert f'<dd id="last-confirmed">{shown}</dd>' in body
    body = client.get(reverse("atlas:project", args=[world.project_x.slug])).content.decode()
    assert f'<dd id="last-confirmed">{shown}</dd>' in body


def test_daect_follows_progress_and_closes(client, world, campaign):
    login(client, world.user("agent_y"))
    client.post(reverse("campaigns:confirm", args=[campaign.year, world.authority_y.slug]), {"all": "1"})
    login(client, world.user("daect"))
    body = client.get(reverse("campaigns:detail", args=[campaign.year])).content.decode()
    assert "1 collectivités sur 2 ont tout confirmé (50 %)" in body
    assert "Nouvelle-Aquitaine" in body and "Grand Est" in body
    body = client.get(reverse("campaigns:detail", args=[campaign.year]) + "?region=75").content.decode()
    assert "Aucune : toutes ont confirmé." in body
    assert client.get(reverse("campaigns:detail", args=[campaign.year]) + "?region=XX").status_code == 404
    assert client.get(reverse("campaigns:detail", args=[campaign.year]) + "?page=9").status_code == 404
    response = client.get(reverse("campaigns:close", args=[campaign.year]))
    assert 'id="close-form"' in response.content.decode()
    response = client.post(reverse("campaigns:close", args=[campaign.year]), follow=True)
    assert "La campagne 2026 est close." in response.content.decode()
    campaign.refresh_from_db()
    assert not campaign.is_open
    # The agents' buttons are gone, with the reason.
    login(client, world.user("agent_x"))
    body = client.get(
        reverse("campaigns:checklist", args=[campaign.year, world.authority_x.slug])
    ).content.decode()
    assert "La campagne 2026 est close." in body and 'id="confirm-all"' not in body


def test_progress_page_queries_are_bounded(client, world, campaign, django_assert_max_num_queries):
    from coopdec.atlas.tests import factories as f

    for _ in range(30):
        org = f.CommuneAuthorityFactory()
        CampaignAuthority.objects.create(campaign=campaign, organisation=org, region_code="44")
    login(client, world.user("daect"))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("campaigns:detail", args=[campaign.year]))
    assert response.status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("campaigns:index")).status_code == 200


def test_checklist_queries_do_not_grow_with_the_sheets(
    client, world, campaign, django_assert_max_num_queries
):
    from coopdec.atlas.tests import factories as f

    for i in range(15):
        f.ProjectFactory(partnership=world.partnership_x, title=f"Projet {i}")
    login(client, world.user("agent_x"))
    with django_assert_max_num_queries(18):
        response = client.get(reverse("campaigns:checklist", args=[campaign.year, world.authority_x.slug]))
    assert (
        response.content.decode().count('class="fr-grid-row fr-grid-row--middle fr-mb-2w checklist-item"')
        == 19
    )


def test_a_confirmation_shows_on_a_sheet_already_cached(client, world, campaign):
    sheet_url = reverse("atlas:project", args=[world.project_x.slug])
    assert "jamais confirmée" in client.get(sheet_url).content.decode()
    login(client, world.user("agent_x"))
    client.post(
        reverse("campaigns:confirm", args=[campaign.year, world.authority_x.slug]),
        {"item": f"projet:{world.project_x.slug}"},
    )
    client.logout()
    client.cookies.clear()
    assert "jamais confirmée" not in client.get(sheet_url).content.decode()
