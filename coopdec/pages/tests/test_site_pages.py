"""The accessibility statement and the legal notice, and the links to them from every page."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def back_to_french():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_accessibility_statement_is_honest(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/accessibilite/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Déclaration d'accessibilité</h1>" in content
    assert "<strong>non conforme</strong>" in content
    assert "aucun audit" in content
    checks = content.split('id="automatic-checks"', 1)[1].split("</ul>", 1)[0]
    assert checks.count("<li>") >= 5
    assert "Défenseur des droits" in content


def test_legal_notice_names_publisher_licences_and_personal_data(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/mentions-legales/")
    assert response.status_code == 200
    content = response.content.decode()
    for expected in ("DAECT", "Hébergement", "AGPL-3.0-or-later", "Licence Ouverte", "Données personnelles"):
        assert expected in content


def test_footer_links_to_both_pages_everywhere(client):
    for url in ("/", "/atlas/", "/accessibilite/"):
        content = client.get(url).content.decode()
        assert 'href="/accessibilite/"' in content
        assert 'href="/mentions-legales/"' in content
        assert "Accessibilité : non conforme" in content


def test_breadcrumb_on_site_pages(client):
    content = client.get(reverse("pages:legal")).content.decode()
    assert 'class="fr-breadcrumb"' in content
    assert 'aria-current="page">Mentions légales<' in content


@pytest.mark.parametrize("url", ["/en/accessibilite/", "/en/mentions-legales/"])
def test_english_versions(client, url):
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="en"' in content
    assert 'href="/en/mentions-legales/"' in content


def test_english_texts(client):
    statement = client.get("/en/accessibilite/").content.decode()
    assert "<h1>Accessibility statement</h1>" in statement
    assert "<strong>not compliant</strong>" in statement
    notice = client.get("/en/mentions-legales/").content.decode()
    assert "<h1>Legal notice</h1>" in notice
    assert "Personal data" in notice
