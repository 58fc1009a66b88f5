"""Error pages: in the design system, in French, saying why where a policy gave a reason."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views.defaults import page_not_found, permission_denied

pytestmark = pytest.mark.django_db


def request_for(path="/espace/atlas/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def test_403_shows_the_policy_reason():
    reason = "Cette fiche relève d'autres collectivités."
    response = permission_denied(request_for(), PermissionDenied(reason))
    content = response.content.decode()
    assert response.status_code == 403
    assert "Accès refusé" in content
    assert "Cette fiche relève d&#x27;autres collectivités." in content
    assert "/compte/connexion/?next=/espace/atlas/" in content


def test_404_does_not_tell_absent_from_hidden(client):
    response = client.get("/atlas/projets/aucune-fiche-de-ce-nom/")
    content = response.content.decode()
    assert response.status_code == 404
    assert "Page non trouvée" in content
    assert "ou vous n'avez pas le droit de la consulter" in content


def test_404_handler_renders_without_a_resolved_view():
    response = page_not_found(request_for("/nulle-part/"), Exception("x"))
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()
