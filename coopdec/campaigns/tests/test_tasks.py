"""What the campaign leaves waiting for whom."""

import datetime

import pytest
from django.utils import timezone

from coopdec.campaigns import actions
from coopdec.campaigns.checklist import checklist
from coopdec.campaigns.tasks import tasks_for
from coopdec.orgs.policies import actor_for
from coopdec.orgs.tests.personas import PERSONA_NAMES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_tasks_matrix(world, campaign, name, django_assert_max_num_queries):
    actor = actor_for(world.user(name))
    with django_assert_max_num_queries(3):
        tasks = tasks_for(actor)
    if name in ("agent_x", "agent_y"):
        authority = world.authority_x if name == "agent_x" else world.authority_y
        assert [t.url for t in tasks] == [f"/espace/campagnes/2026/collectivites/{authority.slug}/"]
        assert tasks[0].kind == "campaign" and tasks[0].due == campaign.closes_on
        assert authority.name in tasks[0].title
    else:
        assert tasks == []


def test_done_authorities_and_closed_campaigns_leave_the_inbox(world, campaign):
    keys = [item.key for item in checklist(campaign, world.authority_x).items]
    actions.confirm(campaign, world.authority_x, keys, by=world.user("agent_x"))
    assert tasks_for(actor_for(world.user("agent_x"))) == []
    assert len(tasks_for(actor_for(world.user("agent_y")))) == 1
    actions.close_campaign(campaign, by=world.user("daect"))
    assert tasks_for(actor_for(world.user("agent_y"))) == []


def test_daect_is_asked_to_close_once_the_date_has_passed(world, campaign):
    assert tasks_for(actor_for(world.user("daect"))) == []
    campaign.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    campaign.save()
    tasks = tasks_for(actor_for(world.user("daect")))
    assert [t.url for t in tasks] == ["/espace/campagnes/2026/cloturer/"]
