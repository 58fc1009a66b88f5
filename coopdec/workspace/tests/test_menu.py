"""The space's side menu leads each person to the tools their roles open, and to no other."""

import pytest
from django.urls import reverse

from coopdec.orgs.tests.personas import login

pytestmark = pytest.mark.django_db

NETWORK = {"correspondents:corrections", "correspondents:inventory"}
EXPECTED = {
    "agent_x": {"space:home", "campaigns:index", *NETWORK},
    "correspondent_a": {"correspondents:coordination_index", "correspondents:profile", *NETWORK},
    "daect": {
        "space:home",
        "campaigns:index",
        "orgs:personal_data",
        "admin:index",
        "correspondents:coordination_index",
        *NETWORK,
    },
    "operator": set(),
}
ALL = set().union(*EXPECTED.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_menu_follows_roles(client, world, name):
    login(client, world.user(name))
    html = client.get(reverse("workspace:home")).content.decode()
    for url_name in ALL:
        link = f'href="{reverse(url_name)}"'
        assert (link in html) is (url_name in EXPECTED[name]), url_name
