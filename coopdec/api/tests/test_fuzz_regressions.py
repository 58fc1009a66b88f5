"""Server errors the fuzz tests found in the API (coopdec/fuzz_tests), each kept as a plain test."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value",
    [
        "²",  # str.isdigit() accepts it, int() does not
        "9" * 5000,  # int() refuses more than 4,300 digits
        "١",  # Arabic-Indic one: int() reads it, the API asks for ASCII digits
        "0" * 30 + "1" * 10,
    ],
)
@pytest.mark.parametrize("name", ["page", "page_size"])
def test_authorities_page_numbers_not_plain_ascii_digits_are_a_400(client, name, value):
    response = client.get("/api/v1/authorities", {name: value})

    assert response.status_code == 400
    [message] = response.json()["errors"]
    assert message.startswith(f"Le paramètre « {name} » doit être un nombre entier de 1 à ")


def test_authorities_page_with_leading_zeros_is_still_read(client):
    response = client.get("/api/v1/authorities", {"page": "0001", "page_size": "0050"})

    assert response.status_code == 200
    assert response.json()["page"] == 1


@pytest.mark.parametrize("name", ["country", "region", "department"])
def test_authorities_filter_with_a_nul_character_is_an_unknown_value(client, name):
    response = client.get("/api/v1/authorities", {name: "SN\x00"})

    assert response.status_code == 400
    assert response.json()["errors"] == [f"Valeur inconnue « SN\ufffd » pour le paramètre « {name} »."]


def test_authorities_name_with_a_nul_character_is_a_400(client):
    response = client.get("/api/v1/authorities", {"q": "Stras\x00"})

    assert response.status_code == 400
    assert response.json()["errors"] == ["Le paramètre « q » contient un caractère nul."]


def test_countries_continent_with_a_nul_character_is_an_unknown_value(client):
    response = client.get("/api/v1/countries", {"continent": "AF\x00"})

    assert response.status_code == 400
    assert response.json()["errors"] == ["Valeur inconnue « AF\ufffd » pour le paramètre « continent »."]
