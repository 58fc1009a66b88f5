"""GET /api/v1/stats: the key figures, computed live from the database."""

import pytest
from django.urls import reverse

from coopdec.atlas.tests.factories import (
    CommuneAuthorityFactory,
    ForeignAuthorityFactory,
    PartnershipFactory,
    ProjectFactory,
    RegionAuthorityFactory,
    country,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats"


def stats(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response.json()


def test_the_url_is_the_documented_one():
    assert reverse("api:stats") == URL


def test_json_with_the_documented_keys(client):
    response = client.get(URL)
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) >= {
        "projects",
        "partnerships",
        "french_authorities",
        "foreign_authorities",
        "countries",
    }


def test_empty_database_counts_zero(client):
    assert stats(client) == {
        "projects": 0,
        "partnerships": 0,
        "french_authorities": 0,
        "foreign_authorities": 0,
        "countries": 0,
    }


def test_counts_move_with_the_data(client):
    strasbourg = CommuneAuthorityFactory()
    senegal_town = ForeignAuthorityFactory(country=country("SN"))
    partnership = PartnershipFactory(french=[strasbourg], foreign=[senegal_town])
    ProjectFactory(partnership=partnership)
    assert stats(client) == {
        "projects": 1,
        "partnerships": 1,
        "french_authorities": 1,
        "foreign_authorities": 1,
        "countries": 1,
    }

    # A second partnership of the same authority with a German town, with two projects.
    german_town = ForeignAuthorityFactory(country=country("DE"))
    second = PartnershipFactory(french=[strasbourg, RegionAuthorityFactory()], foreign=[german_town])
    ProjectFactory(partnership=second)
    ProjectFactory(partnership=second)
    assert stats(client) == {
        "projects": 3,
        "partnerships": 2,
        "french_authorities": 2,
        "foreign_authorities": 2,
        "countries": 2,
    }

    second.projects.all().delete()
    assert stats(client)["projects"] == 1


def test_only_engaged_authorities_count(client):
    # Authorities with no partnership are reference entries, not engaged ones.
    CommuneAuthorityFactory()
    ForeignAuthorityFactory(country=country("ML"))
    ForeignAuthorityFactory(country=country("BF"))
    assert stats(client)["french_authorities"] == 0
    assert stats(client)["foreign_authorities"] == 0
    assert stats(client)["countries"] == 0

    PartnershipFactory(foreign=[ForeignAuthorityFactory(country=country("MA"))])
    figures = stats(client)
    assert (figures["french_authorities"], figures["foreign_authorities"], figures["countries"]) == (1, 1, 1)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_get_only(client, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_constant_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(5):
        ProjectFactory()
    with django_assert_max_num_queries(5):
        client.get(URL)
