"""Server errors the fuzz tests found in the professional space's pages (coopdec/fuzz_tests), kept as plain
tests. Those about NUL characters fail on PostgreSQL only (it refuses them in any text), and pass on SQLite
before and after the fix."""

import pytest
from django.urls import reverse

from coopdec.atlas.models import Change, Partnership, Project
from coopdec.orgs.tests.personas import login

pytestmark = pytest.mark.django_db

NOT_NUMBERS = ["²", "9" * 5000, "١"]


def partnership_form(world, *, expected_version: str) -> dict:
    """A valid save of X's partnership but for ``expected_version``."""
    partnership = world.partnership_x
    return {
        "title": "Nouveau titre",
        "kind": partnership.kind,
        "status": partnership.status,
        "french": world.authority_x.slug,
        "lead": world.authority_x.slug,
        "foreign": world.foreign_a.slug,
        "expected_version": expected_version,
        "_save": "",
    }


@pytest.mark.parametrize("version", NOT_NUMBERS)
def test_partnership_save_with_a_version_that_is_no_plain_number_is_a_400(client, world, version):
    partnership = world.partnership_x
    login(client, world.user("agent_x"))
    data = partnership_form(world, expected_version=version)

    response = client.post(reverse("space:partnership_edit", args=[partnership.slug]), data)

    assert response.status_code == 400
    assert "Le formulaire est incomplet : rechargez la page avant de l&#x27;envoyer." in response.text
    assert Partnership.all_objects.get(pk=partnership.pk).title == partnership.title
    assert not Change.objects.filter(partnership=partnership).exists()


@pytest.mark.parametrize("version", NOT_NUMBERS)
def test_publication_with_a_version_that_is_no_plain_number_is_a_400(client, world, version):
    login(client, world.user("agent_x"))

    response = client.post(
        reverse("space:project_publish", args=[world.draft_x.slug]), {"expected_version": version}
    )

    assert response.status_code == 400
    assert "Le formulaire est incomplet" in response.text
    assert not Project.all_objects.get(pk=world.draft_x.pk).published


@pytest.mark.parametrize("total", NOT_NUMBERS)
def test_adding_a_line_with_a_count_of_lines_that_is_no_plain_number_shows_one_line(client, world, total):
    login(client, world.user("agent_x"))

    response = client.post(
        reverse("space:project_edit", args=[world.draft_x.slug]),
        {"title": "Brouillon", "_more": "financings", "financings-TOTAL_FORMS": total},
    )

    assert response.status_code == 200
    assert 'name="financings-TOTAL_FORMS" value="1"' in response.text


@pytest.mark.parametrize(
    "url", [reverse("space:partnerships"), reverse("space:projects"), reverse("space:organisations")]
)
def test_space_list_search_with_a_nul_character_is_a_400(client, world, url):
    login(client, world.user("daect"))

    response = client.get(url, {"q": "Stras\x00bourg"})

    assert response.status_code == 400
    assert "La saisie contient un caractère nul" in response.text


def test_type_ahead_with_a_nul_character_suggests_nothing(client, world):
    login(client, world.user("agent_x"))

    response = client.get(reverse("space:lookup", args=["francaises"]), {"french_query": "Stras\x00"})

    assert response.status_code == 200
    assert world.authority_x.name not in response.text


@pytest.mark.parametrize("field", ["french", "lead", "foreign"])
def test_partnership_member_with_a_nul_character_is_refused_in_french(client, world, field):
    partnership = world.partnership_x
    login(client, world.user("agent_x"))
    data = partnership_form(world, expected_version=str(partnership.version))
    data[field] = data[field] + "\x00"

    response = client.post(reverse("space:partnership_edit", args=[partnership.slug]), data)

    assert response.status_code == 400
    assert "La saisie contient un caractère nul, qui n&#x27;est pas accepté." in response.text
    assert Partnership.all_objects.get(pk=partnership.pk).title == partnership.title


def test_partnership_shown_again_with_a_nul_character_in_a_member(client, world):
    """ "Add a line" or "search" shows the members chosen: a slug with a NUL character is none of them."""
    login(client, world.user("agent_x"))

    response = client.post(
        reverse("space:partnership_create"),
        {"title": "Essai", "french": [world.authority_x.slug, "x\x00"], "foreign": "y\x00", "_lookup": ""},
    )

    assert response.status_code == 200
    assert world.authority_x.name in response.text


@pytest.mark.parametrize(
    "url",
    ["/atlas/continents/AF%00/", "/atlas/pays/SN%00/", "/atlas/regions/44%00/", "/atlas/departements/67%00/"],
)
def test_atlas_page_of_a_code_with_a_nul_character_is_a_404(client, db, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Page non trouvée" in response.text
