"""Coordination per foreign territory: who may open it, and what it shows."""

import pytest
from django.urls import reverse

from coopdec.atlas.tests import factories as f
from coopdec.audit.models import AuditEvent
from coopdec.geo.models import Subdivision
from coopdec.orgs.models import OrganisationContact
from coopdec.orgs.tests.personas import PERSONA_NAMES, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def saint_louis(world):
    # get_or_create: with the session's reference data loaded, the real SN-SL is already there.
    region = Subdivision.objects.get_or_create(
        code="SN-SL", defaults={"country": f.country("SN"), "name": "Saint-Louis", "type": "Region"}
    )[0]
    world.foreign_a.subdivision = region
    world.foreign_a.save()
    OrganisationContact.objects.create(
        organisation=world.authority_x,
        category="elu",
        name="Élue Relations",
        function="Adjointe",
        email="elue@x.fr",
    )
    return region


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_index_matrix(client, world, name):
    login(client, world.user(name))
    response = client.get(reverse("correspondents:coordination_index"))
    if name == "anonymous":
        assert response.status_code == 302
        return
    allowed = {"correspondent_a", "correspondent_b", "daect"}
    assert response.status_code == (200 if name in allowed else 403)
    if name == "correspondent_a":
        body = response.content.decode()
        assert reverse("correspondents:coordination", args=["SN"]) in body
        assert reverse("correspondents:coordination", args=["ML"]) not in body
    if name == "daect":
        body = response.content.decode()
        assert "Sénégal</a> — 1 collectivité française" in body and "Mali</a>" in body


@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize("code", ["SN", "sn", "SN-SL"])
def test_territory_matrix(client, world, saint_louis, name, code):
    login(client, world.user(name))
    response = client.get(reverse("correspondents:coordination", args=[code]))
    if name == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if name in {"correspondent_a", "daect"} else 404)
    if response.status_code == 404:
        assert AuditEvent.objects.filter(
            kind="permission_denied", username=name, target__startswith="geo.territory"
        ).exists()
        return
    body = response.content.decode()
    assert world.authority_x.name in body and world.authority_y.name not in body
    assert world.project_x.title in body
    assert world.draft_x.title in body  # drafts included for those who may see them
    assert "Claire Brouillon" in body  # a project contact
    assert "Élue Relations" in body and "elue@x.fr" in body  # the authority's contacts
    proposes = reverse("correspondents:propose_correction", args=["projet", world.draft_x.slug]) in body
    assert proposes is (name == "correspondent_a")


def test_unknown_territory_is_404_like_a_forbidden_one(client, world):
    login(client, world.user("correspondent_a"))
    for code in ("ZZ", "SN-ZZ", "XX-YY-ZZ"):
        assert client.get(reverse("correspondents:coordination", args=[code])).status_code == 404
    # Mali is not A's country: the same answer.
    assert client.get(reverse("correspondents:coordination", args=["ML"])).status_code == 404


def test_subdivisions_are_offered_and_narrow_the_view(client, world, saint_louis):
    other = f.ForeignAuthorityFactory(name="Commune de Thiès", country=f.country("SN"))
    other_french = f.RegionAuthorityFactory()
    f.PartnershipFactory(french=[other_french], foreign=[other])
    login(client, world.user("daect"))
    body = client.get(reverse("correspondents:coordination", args=["SN"])).content.decode()
    assert reverse("correspondents:coordination", args=["SN-SL"]) in body
    assert other_french.name in body and "2 collectivités françaises actives" in body
    body = client.get(reverse("correspondents:coordination", args=["SN-SL"])).content.decode()
    assert other_french.name not in body and world.authority_x.name in body


def test_coordination_queries_are_bounded(client, world, django_assert_max_num_queries):
    for i in range(12):
        french = f.CommuneAuthorityFactory(name=f"Commune française {i}")
        OrganisationContact.objects.create(
            organisation=french, category="cadre", name=f"Cadre {i}", function="DRI"
        )
        partnership = f.PartnershipFactory(french=[french], foreign=[world.foreign_a])
        for j in range(3):
            project = f.ProjectFactory(partnership=partnership, title=f"Projet {i}-{j}", published=j != 2)
            f.ContactFactory(project=project, name=f"Contact {i}-{j}")
    login(client, world.user("correspondent_a"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("correspondents:coordination", args=["SN"]))
    body = response.content.decode()
    assert "13 collectivités françaises actives" in body
    assert body.count('class="fr-mb-6w coordination-authority"') == 13
    assert "Projet 11-2" in body  # a draft
