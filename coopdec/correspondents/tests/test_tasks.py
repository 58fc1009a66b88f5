"""What waits for whom: corrections to decide, inventoried partnerships to confirm."""

import pytest

from coopdec.correspondents import corrections, inventory
from coopdec.correspondents.tasks import LIMIT, tasks_for
from coopdec.orgs.policies import actor_for
from coopdec.orgs.tests.personas import PERSONA_NAMES

from .conftest import BASE

pytestmark = pytest.mark.django_db

EXPECTED = {
    "agent_x": {"correction", "inventory"},
    "daect": {"correction"},
}


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_tasks_matrix(world, correction_x, entry_x, name, django_assert_max_num_queries):
    actor = actor_for(world.user(name))
    with django_assert_max_num_queries(2):
        tasks = tasks_for(actor)
    assert {t.kind for t in tasks} == EXPECTED.get(name, set())
    for task in tasks:
        assert task.url.startswith("/correspondants/")
        if task.kind == "correction":
            assert str(correction_x.uuid) in task.url and correction_x.object_title in task.title
        else:
            assert str(entry_x.uuid) in task.url


def test_decided_items_leave_the_inbox(world, correction_x, entry_x):
    corrections.refuse(correction_x, "Non.", by=world.user("daect"))
    inventory.confirm(entry_x, by=world.user("agent_x"))
    assert tasks_for(actor_for(world.user("agent_x"))) == []
    assert tasks_for(actor_for(world.user("daect"))) == []


def test_a_long_list_ends_with_a_link_to_all(world):
    for i in range(LIMIT + 3):
        corrections.propose(
            world.project_y, {"title": f"T {i}"}, "Source.", by=world.user("correspondent_b"), base_url=BASE
        )
    tasks = tasks_for(actor_for(world.user("agent_y")))
    assert len(tasks) == LIMIT
    assert tasks[-1].url.endswith("?etat=proposee")
