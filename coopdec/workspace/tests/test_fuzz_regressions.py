"""Refusals without a message the fuzz tests found in the personal space (coopdec/fuzz_tests), kept as plain
tests."""

import pytest
from django.urls import reverse

from coopdec.orgs.tests.personas import login
from coopdec.workspace.models import SavedSearch

pytestmark = pytest.mark.django_db


def test_saving_with_an_empty_form_says_a_name_is_needed(client, world):
    """An empty POST left the form unbound: a 400 page without any error shown."""
    login(client, world.user("agent_x"))

    response = client.post(reverse("workspace:save") + "?country=SN", {})

    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.text
    assert not SavedSearch.objects.exists()


def test_renaming_with_an_empty_form_says_a_name_is_needed(client, world, saved_search):
    login(client, world.user("agent_x"))

    response = client.post(reverse("workspace:saved", args=[saved_search.uuid]), {})

    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.text
    saved_search.refresh_from_db()
    assert saved_search.name == "Sénégal"


def test_saving_a_search_with_a_nul_character_in_its_keywords_is_refused(client, world):
    login(client, world.user("agent_x"))

    response = client.post(reverse("workspace:save") + "?q=eau%00", {"name": "Eau"})

    assert response.status_code == 400
    assert "Les mots-clés contiennent un caractère nul" in response.text
    assert not SavedSearch.objects.exists()
