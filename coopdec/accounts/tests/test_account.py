""" "Mon compte" for every persona, and the account links of the header."""

import pytest
from django.urls import reverse

from coopdec.orgs.models import Membership
from coopdec.orgs.tests.personas import PERSONA_NAMES, login

from .helpers import text

pytestmark = pytest.mark.django_db

OWN_ORGANISATION = {
    "agent_x": "authority_x",
    "agent_y": "authority_y",
    "correspondent_a": "embassy_a",
    "correspondent_b": "embassy_b",
    "prefecture_r": "prefecture_r",
    "daect": "ministry",
    "operator": "operator_org",
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_account_page_shows_only_ones_own_account(client, world, persona, django_assert_max_num_queries):
    login(client, world.user(persona))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:account"))
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:login") + "?next=" + reverse("accounts:account")
        return
    assert response.status_code == 200
    html = text(response)
    user = world.user(persona)
    assert user.email in html
    own = getattr(world, OWN_ORGANISATION[persona])
    assert own.name in html
    others = {getattr(world, name).name for name in OWN_ORGANISATION.values()} - {own.name}
    for name in others:
        assert name not in html.split('id="memberships"')[1].split("</ul>")[0], (persona, name)
    assert reverse("accounts:password_change") in html


def test_a_pending_membership_is_shown_as_waiting_for_daect(client, world):
    user = world.user("agent_x")
    Membership.objects.create(
        user=user, organisation=world.authority_y, role=Membership.Role.AGENT, function="Élue"
    )
    login(client, user)
    html = text(client.get(reverse("accounts:account")))
    table = html.split('id="memberships"')[1].split("</ul>")[0]
    assert "Département de la Gironde" in table
    assert "En attente de validation par la DAECT" in table
    assert "Actif" in table  # the membership in Strasbourg


def test_header_links_for_anonymous_visitors_have_no_form(client, db):
    html = text(client.get(reverse("atlas:home")))
    header = html.split("<header")[1].split("</header>")[0]
    assert f'href="{reverse("accounts:login")}"' in header
    assert "Se connecter" in header
    assert "Se déconnecter" not in header
    assert "csrfmiddlewaretoken" not in header  # the anonymous page stays cacheable whole


def test_header_links_for_signed_in_people(client, world):
    login(client, world.user("agent_x"))
    html = text(client.get(reverse("atlas:home")))
    header = html.split("<header")[1].split("</header>")[0]
    assert f'href="{reverse("workspace:home")}"' in header
    assert "Mon espace" in header
    assert f'action="{reverse("accounts:logout")}"' in header and 'method="post"' in header
    assert "Se connecter" not in header
