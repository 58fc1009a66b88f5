"""Server errors the fuzz tests found in the correspondents' pages (coopdec/fuzz_tests), kept as plain tests.

PostgreSQL refuses the NUL character in any text; these failed there (500) and passed on SQLite.
"""

import pytest
from django.urls import reverse

from coopdec.orgs.tests.personas import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["pays", "continent"])
@pytest.mark.parametrize("url", ["/correspondants/", "/correspondants/export/csv/"])
def test_directory_filter_with_a_nul_character_is_a_400_in_french(client, db, url, name):
    response = client.get(url, {name: "SN\x00"})

    assert response.status_code == 400
    assert "Les codes de pays et de continent ne contiennent pas de caractère nul." in response.text


def test_inventory_type_ahead_with_a_nul_character_suggests_nothing(client, world):
    login(client, world.user("correspondent_a"))

    response = client.get(
        reverse("correspondents:lookup", args=["francaises"]), {"french_query": "Stras\x00"}
    )

    assert response.status_code == 200
    assert world.authority_x.name not in response.text


@pytest.mark.parametrize("field", ["french_authority", "foreign_authority"])
def test_inventory_authority_with_a_nul_character_is_refused_in_french(client, world, field):
    from coopdec.correspondents.models import InventoriedPartnership

    login(client, world.user("correspondent_a"))
    data = {
        "french_authority": world.authority_x.slug,
        "foreign_authority": world.foreign_a.slug,
        "kind": "jumelage",
        "title": "Jumelage Strasbourg – Saint-Louis",
        "start_date": "2019-06-01",
        "_save": "",
    }
    data[field] = data[field] + "\x00"

    response = client.post(reverse("correspondents:record"), data)

    assert response.status_code == 200
    assert "Choisissez" in response.text or "n&#x27;est pas dans vos pays" in response.text
    assert not InventoriedPartnership.objects.exists()


def test_coordination_of_a_code_with_a_nul_character_is_a_404(client, world):
    login(client, world.user("correspondent_a"))

    response = client.get("/correspondants/coordination/SN%00/")

    assert response.status_code == 404
