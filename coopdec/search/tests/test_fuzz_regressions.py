"""Server errors the fuzz tests found in the search's parameters (coopdec/fuzz_tests), kept as plain tests.

PostgreSQL refuses the NUL character in any text; these failed there (500) and passed on SQLite.
"""

import pytest
from django.http import QueryDict

from coopdec.search.query import parse_params

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("facet", ["theme", "country", "continent", "region", "department", "funder"])
def test_a_facet_value_with_a_nul_character_is_an_unknown_value(facet):
    params, errors = parse_params(QueryDict(f"{facet}=SN%00"))

    assert params.filters == {}
    assert errors == [f"Valeur inconnue « SN\ufffd » pour le filtre « {_name(facet)} » : filtre ignoré."]


def test_keywords_with_a_nul_character_are_ignored_with_a_message():
    params, errors = parse_params(QueryDict("q=eau%00potable"))

    assert params.q == ""
    assert errors == ["Les mots-clés contiennent un caractère nul : ils ont été ignorés."]


def test_the_search_page_answers_a_nul_character(client):
    response = client.get("/atlas/recherche/", {"q": "\x00", "country": "\x00"})

    assert response.status_code == 200
    assert "Les mots-clés contiennent un caractère nul" in response.text


def _name(facet):
    from coopdec.search.query import facet_names

    return facet_names()[facet]


@pytest.mark.parametrize("q", ["eau \uff9e", "\uff9e eau", "eau \u037a", "\ufe70 patrimoine"])
def test_a_word_that_normalises_to_nothing_is_left_out(client, q):
    """U+FF9E (halfwidth katakana voiced sound mark) is a word character that normalises to nothing: with
    another word, PostgreSQL got the tsquery "'eau' & '':*" and refused it (a 500)."""
    from coopdec.search.text import parse_terms

    assert "" not in parse_terms(q).words
    response = client.get("/atlas/recherche/", {"q": q, "sort": "relevance"})

    assert response.status_code == 200
