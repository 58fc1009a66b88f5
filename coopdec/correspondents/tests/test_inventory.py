"""Inventoried partnerships: recorded unpublished, confirmed (published) or declined by the French
authority; the pages for every persona."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from coopdec.atlas.models import Change, Partnership
from coopdec.atlas.tests import factories as f
from coopdec.correspondents import inventory
from coopdec.correspondents.models import InventoriedPartnership
from coopdec.geo.models import Subdivision
from coopdec.orgs.models import Organisation
from coopdec.orgs.tests.personas import PERSONA_NAMES, login

from .conftest import BASE, reload

pytestmark = pytest.mark.django_db

VIEWERS = {"correspondent_a", "agent_x", "daect"}


def test_recording_creates_an_unpublished_partnership_with_history(world, entry_x):
    partnership = entry_x.partnership
    assert not partnership.published
    assert not Partnership.objects.filter(pk=partnership.pk).exists()  # the public manager hides it
    assert list(partnership.french_members.values_list("organisation", "is_lead")) == [
        (world.authority_x.pk, True)
    ]
    foreign = partnership.foreign.get()
    assert (foreign.name, foreign.country_id, foreign.kind) == (
        "Commune de Podor",
        "SN",
        "autorite_etrangere",
    )
    assert entry_x.foreign_created and entry_x.status == "a_confirmer"
    change = Change.objects.get(partnership=partnership)
    assert change.action == "creation" and change.changed_by == world.user("correspondent_a")
    assert "inventorié par Correspondent A" in change.comment


def test_recording_mails_the_french_authority(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = inventory.record(
            by=world.user("correspondent_a"),
            french=world.authority_y,
            foreign=world.foreign_a,
            kind="convention",
            title="Coopération Gironde – Saint-Louis",
            start_date=datetime.date(2022, 1, 1),
            base_url=BASE,
        )
    assert [m.to for m in mail.outbox] == [["agent_y@example.org"]]
    assert f"{BASE}/correspondants/inventaire/{entry.uuid}/" in mail.outbox[0].body
    assert not entry.foreign_created


def test_a_duplicate_is_refused(world, entry_x):
    with pytest.raises(inventory.InventoryError, match="figure déjà"):
        inventory.record(
            by=world.user("correspondent_a"),
            french=world.authority_x,
            foreign=entry_x.foreign_authority,
            kind="jumelage",
            title="Encore",
            start_date=datetime.date(2019, 6, 1),
            base_url=BASE,
        )
    assert InventoriedPartnership.objects.count() == 1


def test_confirming_publishes(world, entry_x, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inventory.confirm(entry_x, by=world.user("agent_x"))
    partnership = reload(entry_x.partnership)
    assert partnership.published and partnership.published_at and partnership.last_confirmed_at
    assert partnership.version == 2
    assert Change.objects.filter(
        partnership=partnership, comment__contains="confirmé par Ville de Strasbourg"
    )
    entry = reload(entry_x)
    assert (entry.status, entry.decided_by) == ("confirme", world.user("agent_x"))
    assert [m.to for m in mail.outbox] == [["correspondent_a@example.org"]]
    with pytest.raises(inventory.InventoryError, match="déjà été confirmé"):
        inventory.decline(entry, "Non", by=world.user("agent_x"))


def test_declining_keeps_it_unpublished_with_the_reason(world, entry_x):
    with pytest.raises(inventory.InventoryError, match="motif"):
        inventory.decline(entry_x, "", by=world.user("agent_x"))
    inventory.decline(entry_x, "Ce jumelage a pris fin en 2015.", by=world.user("agent_x"))
    entry = reload(entry_x)
    assert (entry.status, entry.reason) == ("decline", "Ce jumelage a pris fin en 2015.")
    assert not reload(entry_x.partnership).published


def test_the_publication_gate_applies(world, entry_x):
    partnership = reload(entry_x.partnership)
    partnership.start_date = None
    partnership.save()
    with pytest.raises(inventory.InventoryError, match="date de signature"):
        inventory.confirm(entry_x, by=world.user("agent_x"))
    assert reload(entry_x).status == "a_confirmer"


# --- Pages ---------------------------------------------------------------------------------------------


def expected(name, allowed, ok=200, refused=404):
    if name == "anonymous":
        return 302
    return ok if name in allowed else refused


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_list_matrix(client, world, entry_x, name):
    login(client, world.user(name))
    response = client.get(reverse("correspondents:inventory"))
    assert response.status_code == (302 if name == "anonymous" else 200)
    if response.status_code == 200:
        body = response.content.decode()
        assert (entry_x.partnership_title in body) is (name in VIEWERS)
        assert ('id="record-link"' in body) is name.startswith("correspondent")


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_record_and_lookup_matrix(client, world, name):
    login(client, world.user(name))
    correspondents = {"correspondent_a", "correspondent_b"}
    assert client.get(reverse("correspondents:record")).status_code == expected(
        name, correspondents, refused=403
    )
    response = client.get(reverse("correspondents:lookup", args=["francaises"]), {"french_query": "stras"})
    assert response.status_code == expected(name, correspondents, refused=403)
    if response.status_code == 200:
        assert world.authority_x.slug in response.content.decode()


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_detail_matrix(client, world, entry_x, name):
    login(client, world.user(name))
    response = client.get(reverse("correspondents:inventoried", args=[entry_x.uuid]))
    assert response.status_code == expected(name, VIEWERS)
    if response.status_code == 200:
        body = response.content.decode()
        assert ('id="confirm-form"' in body) is (name == "agent_x")


@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize("action", ["inventoried_confirm", "inventoried_decline"])
def test_decide_matrix(client, world, entry_x, name, action):
    login(client, world.user(name))
    response = client.post(reverse(f"correspondents:{action}", args=[entry_x.uuid]), {"reason": "Inconnu."})
    if name == "anonymous":
        assert response.status_code == 302 and "/compte/" in response["Location"]
    elif name == "agent_x":
        assert response.status_code == 302
    elif name in VIEWERS:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert (reload(entry_x).status != "a_confirmer") is (name == "agent_x")


def test_foreign_lookup_stays_in_the_correspondents_countries(client, world):
    login(client, world.user("correspondent_b"))
    url = reverse("correspondents:lookup", args=["etrangeres"])
    body = client.get(url, {"foreign_query": "Commune"}).content.decode()
    assert world.foreign_b.slug in body and world.foreign_a.slug not in body
    assert "Aucune suggestion" in client.get(url, {"foreign_query": "S"}).content.decode()
    assert client.get(reverse("correspondents:lookup", args=["autres"])).status_code == 404


def record_data(world, **extra):
    return {
        "french_query": "Strasbourg",
        "french_authority": world.authority_x.slug,
        "foreign_query": "",
        "foreign_authority": "",
        "new_foreign_name": "",
        "new_foreign_country": "",
        "new_foreign_subdivision": "",
        "new_foreign_level": "municipal",
        "kind": "convention",
        "title": "Coopération Strasbourg – Matam",
        "start_date": "2021-03-15",
        "_save": "1",
        **extra,
    }


def test_recording_through_the_page(client, world):
    Subdivision.objects.get_or_create(code="SN-MT", defaults={"country": f.country("SN"), "name": "Matam"})
    login(client, world.user("correspondent_a"))
    url = reverse("correspondents:record")
    # Searching (without JavaScript) shows suggestions and records nothing.
    response = client.post(url, {"french_query": "strasb", "_search": "french"})
    assert f'value="{world.authority_x.slug}"' in response.content.decode()
    data = record_data(
        world, new_foreign_name="Région de Matam", new_foreign_country="SN", new_foreign_subdivision="sn-mt"
    )
    response = client.post(url, data, follow=True)
    entry = InventoriedPartnership.objects.get()
    assert "Partenariat enregistré, non publié" in response.content.decode()
    assert entry.foreign_authority.subdivision_id == "SN-MT"
    assert entry.partnership.start_date == datetime.date(2021, 3, 15)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"french_authority": ""}, "Choisissez la collectivité française"),
        ({"french_authority": "commune-inconnue"}, "Choisissez la collectivité française"),
        ({}, "Choisissez l&#x27;autorité étrangère"),
        ({"foreign_authority": "FOREIGN_B"}, "pas dans vos pays"),
        ({"foreign_authority": "FOREIGN_A", "new_foreign_name": "Podor"}, "pas les deux"),
        ({"new_foreign_name": "Podor"}, "Choisissez le pays"),
        ({"new_foreign_name": "Podor", "new_foreign_country": "ML"}, "Choisissez le pays"),
        (
            {"new_foreign_name": "Podor", "new_foreign_country": "SN", "new_foreign_subdivision": "SN-XX"},
            "SN-XX",
        ),
        ({"new_foreign_name": "FOREIGN_A_NAME", "new_foreign_country": "SN"}, "existe déjà"),
        ({"foreign_authority": "FOREIGN_A", "start_date": ""}, "Ce champ est obligatoire"),
        ({"foreign_authority": "FOREIGN_A", "start_date": "15/13/2021"}, "Saisissez une date valide"),
        ({"foreign_authority": "FOREIGN_A", "kind": "autre"}, "Sélectionnez un choix valide"),
    ],
)
def test_recording_with_bad_input_says_why(client, world, extra, message):
    swap = {
        "FOREIGN_A": world.foreign_a.slug,
        "FOREIGN_B": world.foreign_b.slug,
        "FOREIGN_A_NAME": world.foreign_a.name,
    }
    extra = {key: swap.get(value, value) for key, value in extra.items()}
    login(client, world.user("correspondent_a"))
    organisations = Organisation.objects.count()
    response = client.post(reverse("correspondents:record"), record_data(world, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not InventoriedPartnership.objects.exists()
    assert Organisation.objects.count() == organisations


def test_a_duplicate_through_the_page(client, world):
    login(client, world.user("correspondent_a"))
    data = record_data(world, foreign_authority=world.foreign_a.slug, kind=world.partnership_x.kind)
    response = client.post(reverse("correspondents:record"), data)
    assert "figure déjà dans l&#x27;Atlas" in response.content.decode()
    assert not InventoriedPartnership.objects.exists()


def test_confirming_and_declining_through_the_page(client, world, entry_x):
    login(client, world.user("agent_x"))
    detail = reverse("correspondents:inventoried", args=[entry_x.uuid])
    assert (
        reverse("space:partnership", args=[entry_x.partnership.slug]) in client.get(detail).content.decode()
    )
    response = client.post(reverse("correspondents:inventoried_decline", args=[entry_x.uuid]), {"reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("correspondents:inventoried_confirm", args=[entry_x.uuid]), follow=True)
    assert "Partenariat confirmé" in response.content.decode()
    client.logout()
    public = client.get(reverse("atlas:french_authority", args=[world.authority_x.slug])).content.decode()
    assert "Jumelage Strasbourg – Podor" in public


def test_list_queries_are_bounded(client, world, django_assert_max_num_queries):
    for i in range(25):
        inventory.record(
            by=world.user("correspondent_a"),
            french=world.authority_x,
            new_foreign={
                "name": f"Commune {i}",
                "country": f.country("SN"),
                "subdivision": None,
                "level": "municipal",
            },
            kind="convention",
            title=f"Partenariat {i}",
            start_date=datetime.date(2020, 1, 1),
            base_url=BASE,
        )
    for name in ("daect", "agent_x", "correspondent_a"):
        login(client, world.user(name))
        with django_assert_max_num_queries(14):
            response = client.get(reverse("correspondents:inventory"))
        assert response.content.decode().count('<a href="/correspondants/inventaire/') == 20
