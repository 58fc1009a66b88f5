"""Opening, confirming and closing a campaign: what each write changes, and what it refuses."""

import datetime

import pytest
from django.utils import timezone

from coopdec.atlas.models import Change, Partnership, Project
from coopdec.atlas.tests import factories as f
from coopdec.campaigns import actions
from coopdec.campaigns.checklist import checklist, progress_by_region
from coopdec.campaigns.models import Campaign, CampaignAuthority, Confirmation
from coopdec.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def test_opening_lists_engaged_authorities_and_those_with_agents(world):
    idle_with_agent = f.RegionAuthorityFactory()
    from coopdec.orgs.tests.personas import make_user

    make_user("agent_idle", idle_with_agent, "agent")
    f.RegionAuthorityFactory(slug="region-sans-rien", name="Région sans rien")  # neither: not concerned
    campaign, count = actions.open_campaign(
        year=2026,
        closes_on=timezone.localdate() + datetime.timedelta(days=10),
        reminder_days=[3, 14, 3],
        by=world.user("daect"),
    )
    listed = set(
        CampaignAuthority.objects.filter(campaign=campaign).values_list("organisation__slug", flat=True)
    )
    assert listed == {world.authority_x.slug, world.authority_y.slug, idle_with_agent.slug}
    assert count == 3
    assert campaign.reminder_days == [14, 3]
    regions = dict(
        CampaignAuthority.objects.filter(campaign=campaign).values_list("organisation_id", "region_code")
    )
    assert regions[world.authority_x.pk] == "44"
    assert regions[world.authority_y.pk] == "75"


def test_one_open_campaign_at_a_time_and_one_per_year(campaign, world):
    daect = world.user("daect")
    later = timezone.localdate() + datetime.timedelta(days=5)
    with pytest.raises(actions.CampaignError, match="déjà ouverte"):
        actions.open_campaign(year=2027, closes_on=later, reminder_days=[3], by=daect)
    actions.close_campaign(campaign, by=daect)
    with pytest.raises(actions.CampaignError, match="a déjà eu lieu"):
        actions.open_campaign(year=2026, closes_on=later, reminder_days=[3], by=daect)
    with pytest.raises(actions.CampaignError, match="postérieure"):
        actions.open_campaign(year=2027, closes_on=timezone.localdate(), reminder_days=[3], by=daect)
    assert Campaign.objects.count() == 1


def test_checklist_lists_profile_contacts_and_published_sheets_only(campaign, world):
    keys = [item.key for item in checklist(campaign, world.authority_x).items]
    assert keys == [
        "profil",
        "contacts",
        f"partenariat:{world.partnership_x.slug}",
        f"projet:{world.project_x.slug}",
    ]  # the draft is not there


def test_confirming_a_sheet_sets_its_date_without_a_new_version(campaign, world):
    agent = world.user("agent_x")
    version = world.project_x.version
    n = actions.confirm(
        campaign,
        world.authority_x,
        [f"projet:{world.project_x.slug}", f"partenariat:{world.partnership_x.slug}"],
        by=agent,
    )
    assert n == 2
    project = Project.all_objects.get(pk=world.project_x.pk)
    assert project.last_confirmed_at is not None
    assert project.version == version
    assert Partnership.all_objects.get(pk=world.partnership_x.pk).last_confirmed_at is not None
    assert not Change.objects.filter(project=project).exists()
    row = Confirmation.objects.get(campaign=campaign, item="projet")
    assert (row.confirmed_by, row.organisation, row.object_slug) == (agent, world.authority_x, project.slug)
    assert row.confirmed_at is not None
    # The authority itself is not confirmed until its profile and contacts are.
    assert Organisation.objects.get(pk=world.authority_x.pk).last_confirmed_at is None


def test_profile_and_contacts_together_date_the_authority(campaign, world):
    agent = world.user("agent_x")
    actions.confirm(campaign, world.authority_x, ["profil"], by=agent)
    assert Organisation.objects.get(pk=world.authority_x.pk).last_confirmed_at is None
    actions.confirm(campaign, world.authority_x, ["contacts"], by=agent)
    assert Organisation.objects.get(pk=world.authority_x.pk).last_confirmed_at is not None


def test_everything_confirmed_completes_the_authority_and_counts_in_progress(campaign, world):
    row = CampaignAuthority.objects.get(campaign=campaign, organisation=world.authority_x)
    keys = [item.key for item in checklist(campaign, world.authority_x).items]
    actions.confirm(campaign, world.authority_x, keys[:-1], by=world.user("agent_x"))
    row.refresh_from_db()
    assert row.completed_at is None
    assert actions.confirm(campaign, world.authority_x, keys, by=world.user("agent_x")) == 1  # only the last
    row.refresh_from_db()
    assert row.completed_at is not None and row.completed_by == world.user("agent_x")
    total, regions = progress_by_region(campaign)
    assert (total.done, total.total) == (1, 2)
    assert [(r.code, r.done, r.total) for r in regions] == [("44", 1, 1), ("75", 0, 1)]


def test_a_shared_sheet_is_confirmed_once_for_all_its_authorities(campaign, world):
    partner = f.EpciAuthorityFactory()
    world.partnership_x.french_members.create(organisation=partner)
    actions.confirm(campaign, world.authority_x, [f"projet:{world.project_x.slug}"], by=world.user("agent_x"))
    shared = {item.key: item.confirmed for item in checklist(campaign, partner).items}
    assert shared[f"projet:{world.project_x.slug}"] is True
    assert shared["profil"] is False
    # Confirming it again from the other authority records nothing new.
    assert (
        actions.confirm(campaign, partner, [f"projet:{world.project_x.slug}"], by=world.user("agent_y")) == 0
    )
    assert Confirmation.objects.filter(item="projet").count() == 1


def test_bad_input_changes_nothing(campaign, world):
    agent = world.user("agent_x")
    with pytest.raises(actions.CampaignError, match="Élément inconnu"):
        actions.confirm(campaign, world.authority_x, ["profil", f"projet:{world.project_y.slug}"], by=agent)
    with pytest.raises(actions.CampaignError, match="Élément inconnu"):
        actions.confirm(campaign, world.authority_x, [f"projet:{world.draft_x.slug}"], by=agent)
    with pytest.raises(actions.CampaignError, match="au moins un"):
        actions.confirm(campaign, world.authority_x, [], by=agent)
    assert not Confirmation.objects.exists()


def test_a_closed_campaign_takes_no_confirmation(campaign, world):
    actions.close_campaign(campaign, by=world.user("daect"))
    campaign.refresh_from_db()
    assert not campaign.is_open and campaign.closed_by == world.user("daect")
    with pytest.raises(actions.CampaignError, match="close"):
        actions.confirm(campaign, world.authority_x, ["profil"], by=world.user("agent_x"))
    with pytest.raises(actions.CampaignError, match="déjà close"):
        actions.close_campaign(campaign, by=world.user("daect"))
    assert not Confirmation.objects.exists()


def test_an_authority_not_listed_at_opening_is_added_when_it_confirms(campaign, world):
    newcomer = f.RegionAuthorityFactory()
    from coopdec.orgs.tests.personas import make_user

    agent = make_user("agent_new", newcomer, "agent")
    assert not CampaignAuthority.objects.filter(organisation=newcomer).exists()
    actions.confirm(campaign, newcomer, ["profil", "contacts"], by=agent)
    row = CampaignAuthority.objects.get(campaign=campaign, organisation=newcomer)
    assert row.region_code == "44"
    assert row.completed_at is not None  # nothing published: profile and contacts were all
