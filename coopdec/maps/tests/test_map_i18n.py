"""The map page hands map.js the singular and plural forms of one plural message."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def config_of(html: str) -> dict:
    found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found[1])


def test_project_count_forms(client, reference_data):
    strings = config_of(client.get("/atlas/carte/").content.decode())["i18n"]
    assert strings["projects_one"] == "%(n)s projet"
    assert strings["projects_many"] == "%(n)s projets"
