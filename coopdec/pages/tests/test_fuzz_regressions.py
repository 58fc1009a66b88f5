"""A refusal without a French message the fuzz tests found (coopdec/fuzz_tests), kept as plain tests: requests
Django refuses before any view answered with its own English page, "Bad Request (400)"."""

import pytest

pytestmark = pytest.mark.django_db


def test_too_many_parameters_get_the_site_s_400_page_in_french(client):
    query = "&".join(f"theme=t{i}" for i in range(1001))  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1,000

    response = client.get(f"/atlas/recherche/?{query}")

    assert response.status_code == 400
    content = response.content.decode()
    assert "Requête incorrecte" in content
    assert "Erreur 400" in content
    assert "Bad Request" not in content


def test_a_body_too_large_gets_the_site_s_400_page_in_french(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post("/compte/connexion/", {"identifier": "x" * 2000, "password": "y"})

    assert response.status_code == 400
    assert "Requête incorrecte" in response.content.decode()
