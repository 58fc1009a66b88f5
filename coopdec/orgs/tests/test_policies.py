"""The access policies answer "may X do A to this?" and "which objects may X do A to?" alike."""

import pytest

from coopdec.atlas import policies
from coopdec.atlas.models import Project
from coopdec.orgs.policies import ANONYMOUS, actor_for
from coopdec.orgs.tests.personas import PERSONA_NAMES

pytestmark = pytest.mark.django_db

# Who may do what to X's draft sheet.
DRAFT_X = {
    "view": {"agent_x", "daect", "correspondent_a", "operator"},
    "edit": {"agent_x", "daect"},
    "publish": {"agent_x", "daect"},
    "history": {"agent_x", "daect", "correspondent_a", "operator"},
    "propose_correction": {"correspondent_a"},
}


@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize("action", sorted(DRAFT_X))
def test_draft_sheet_matrix(world, name, action):
    actor = actor_for(world.user(name))
    decision = policies.projects.check(actor, action, world.draft_x)
    assert bool(decision) is (name in DRAFT_X[action])
    if not decision:
        assert decision.reason
    # The list answer agrees with the object answer.
    listed = policies.projects.queryset(actor, action).filter(pk=world.draft_x.pk).exists()
    assert listed is bool(decision)


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_published_sheet_is_public(world, name):
    actor = actor_for(world.user(name))
    assert policies.projects.check(actor, "view", world.project_y)
    assert policies.projects.queryset(actor, "view").filter(pk=world.project_y.pk).exists()


def test_public_manager_hides_drafts(world):
    assert not Project.objects.filter(pk=world.draft_x.pk).exists()
    assert Project.all_objects.filter(pk=world.draft_x.pk).exists()


def test_anonymous_actor_has_no_roles(world):
    assert actor_for(None) is ANONYMOUS
    assert actor_for(world.user("agent_x")).roles == {"agent"}
    assert actor_for(world.user("correspondent_a")).correspondent_countries == {"SN"}
    assert actor_for(world.user("prefecture_r")).prefecture_regions == {"44"}


def test_pending_membership_gives_nothing(world):
    user = world.user("agent_y")
    user.memberships.update(status="en_attente")
    assert not policies.projects.check(actor_for(user), "edit", world.draft_y)
