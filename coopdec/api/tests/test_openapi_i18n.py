"""The API's documentation texts are marked for translation and read in the page's language."""

import json

import pytest
from django.utils.functional import Promise

from coopdec.api import openapi

pytestmark = pytest.mark.django_db


def test_endpoint_texts_are_translatable():
    for _path, _name, summary, description, parameters, _answers, _example in openapi.ENDPOINTS:
        assert isinstance(summary, Promise) and isinstance(description, Promise)
        for parameter in parameters:
            assert isinstance(parameter["description"], Promise), parameter["name"]


def test_document_and_table_hold_plain_strings():
    document = openapi.document("http://testserver")
    json.dumps(document)  # nothing lazy left
    projects = document["paths"]["/api/v1/projects"]["get"]
    assert projects["summary"] == "Projets : recherche, facettes, exports"
    formats = next(p for p in projects["parameters"] if p["name"] == "format")
    expected = "json (par défaut) ou un fichier envoyé en flux : csv, xlsx, geojson, pdf."
    assert formats["description"] == expected
    table = openapi.endpoints()
    assert all(type(endpoint["description"]) is str for endpoint in table)


@pytest.mark.parametrize(("url", "lang"), [("/api/", "fr"), ("/en/api/", "en")])
def test_documentation_page_in_both_languages(client, url, lang):
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<html lang="{lang}"' in content
    assert "GET /api/v1/projects" in content
