"""Server errors the fuzz tests found in the map's documents (coopdec/fuzz_tests), kept as plain tests."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("zoom", ["9" * 5000, "0" * 4000 + "12345", "²"])
def test_points_zoom_too_long_or_not_ascii_is_a_400(client, zoom):
    response = client.get("/atlas/carte/points.geojson", {"zoom": zoom})

    assert response.status_code == 400
    [message] = response.json()["erreurs"]
    assert message.startswith("Le niveau de zoom doit être un nombre entier de 0 à ")


def test_points_zoom_with_leading_zeros_is_still_read(client):
    response = client.get("/atlas/carte/points.geojson", {"zoom": "0003"})

    assert response.status_code == 200
