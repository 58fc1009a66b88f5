"""The search page in English names themes and countries in English."""

import pytest

from coopdec.atlas.tests import factories as f
from coopdec.search import index

pytestmark = pytest.mark.django_db


def test_result_cards_name_themes_in_english_on_english_pages(reference_data, client):
    from coopdec.atlas.models import Theme

    project = f.ProjectFactory(title="Réseau d'eau potable")
    project.themes.set([Theme.objects.get(code="eau-assainissement")])
    index.rebuild()
    english = client.get("/en/atlas/recherche/?q=potable").content.decode()
    # The theme tag on the result card (the facet list names themes in English already).
    assert '<p class="fr-tag fr-tag--sm">Water and sanitation</p>' in english
    assert '<p class="fr-tag fr-tag--sm">Eau et assainissement</p>' not in english
    french = client.get("/atlas/recherche/?q=potable").content.decode()
    assert '<p class="fr-tag fr-tag--sm">Eau et assainissement</p>' in french
