"""A server error the fuzz tests found in the accounts pages (coopdec/fuzz_tests), kept as plain tests."""

import pytest
from django.urls import reverse

from coopdec.orgs.tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("next_url", ["²", "espace", "accounts:account", "javascript:alert(1)"])
def test_login_with_a_next_that_is_not_a_path_lands_on_the_default_page(client, world, next_url):
    """``redirect()`` took a bare word for the name of a URL pattern and raised NoReverseMatch (a 500)."""
    response = client.post(
        reverse("accounts:login"), {"identifier": "agent_x", "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:home")


def test_login_with_a_next_path_of_the_site_lands_there(client, world):
    response = client.post(
        reverse("accounts:login"), {"identifier": "agent_x", "password": PASSWORD, "next": "/atlas/?page=2"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/atlas/?page=2"
