"""Error pages: in the design system, in French, saying why where a policy gave a reason."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.urls import path
from django.views.defaults import page_not_found, permission_denied

from coopdec.pages.errors import server_error

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


def _raise(error):
    def view(request):
        raise error

    return view


urlpatterns = [
    # Test-only URLs (ROOT_URLCONF points here in the two tests below): views that fail as a lost database
    # connection and as a bug do, behind the portal's own error handler.
    path("base-indisponible/", _raise(OperationalError("server closed the connection unexpectedly"))),
    path("bogue/", _raise(ZeroDivisionError("division by zero"))),
]
handler500 = "coopdec.pages.errors.server_error"


@pytest.fixture
def failing_urls(settings, client):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


def test_lost_database_gives_503_with_retry_after(failing_urls):
    response = failing_urls.get("/base-indisponible/")
    content = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Service momentanément indisponible" in content
    assert "le service reprend de lui-même" in content
    # The security headers are still set on the error page.
    assert "Content-Security-Policy" in response


def test_other_errors_give_the_portal_500_page(failing_urls):
    response = failing_urls.get("/bogue/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Erreur inattendue" in response.content.decode()


def test_error_pages_render_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        try:
            raise InterfaceError("connection already closed")
        except InterfaceError:
            response = server_error(request_for("/atlas/"))
    assert response.status_code == 503
