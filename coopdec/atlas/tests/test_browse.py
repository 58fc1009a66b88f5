"""The browse pages of the Atlas: figures on a small known dataset, links, 404s, English, bounded queries."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from coopdec.atlas.tests.factories import (
    CommuneAuthorityFactory,
    ForeignAuthorityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    RegionAuthorityFactory,
    SpecialStatusAuthorityFactory,
    commune,
    country,
    theme,
)
from coopdec.orgs.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def back_to_french():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def figure(content: str, name: str) -> int:
    """A figure tile of the level, by its data-figure name."""
    match = re.search(rf'data-figure="{name}">([^<]*)<', content)
    return int(match.group(1).replace("\xa0", "").replace("\u202f", "").replace(",", ""))


def table(content: str, table_id: str) -> list[list[str]]:
    """The body rows of a table, as lists of cell texts without tags."""
    body = content.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells])
    return rows


@pytest.fixture
def atlas():
    """A small known Atlas.

    - Strasbourg (Grand Est, Bas-Rhin) with Saint-Louis (SN) and Kayes (ML): 2 projects (2019, 2021);
    - a second Strasbourg-area commune known only by its commune (no region or department of its own),
      with Saint-Louis: 1 project (2021) — it must still count in Grand Est and Bas-Rhin;
    - the Région Grand Est with Rabat (MA): 1 project (2021, education);
    - the Ville de Paris (Île-de-France) with Saint-Louis: 1 project (2010, water).
    """
    strasbourg = CommuneAuthorityFactory(slug="ville-de-strasbourg")
    bare = OrganisationFactory(
        slug="commune-sans-region",
        name="Commune sans région",
        kind=Organisation.Kind.COMMUNE,
        commune=commune("67482"),
    )
    grand_est = RegionAuthorityFactory(slug="region-grand-est")
    paris = SpecialStatusAuthorityFactory(slug="ville-de-paris")
    saint_louis = ForeignAuthorityFactory(slug="saint-louis", name="Commune de Saint-Louis")
    kayes = ForeignAuthorityFactory(slug="kayes", name="Commune de Kayes", country=country("ML"))
    rabat = ForeignAuthorityFactory(slug="rabat", name="Commune de Rabat", country=country("MA"))

    p1 = PartnershipFactory(slug="strasbourg-saint-louis", french=[strasbourg], foreign=[saint_louis, kayes])
    p2 = PartnershipFactory(slug="commune-saint-louis", french=[bare], foreign=[saint_louis])
    p3 = PartnershipFactory(slug="grand-est-rabat", french=[grand_est], foreign=[rabat])
    p4 = PartnershipFactory(slug="paris-saint-louis", french=[paris], foreign=[saint_louis])
    culture, water, education = (
        theme("culture-patrimoine"),
        theme("eau-assainissement"),
        theme("education-formation"),
    )
    ProjectFactory(slug="patrimoine", partnership=p1, start_date=datetime.date(2019, 5, 1), themes=[culture])
    ProjectFactory(
        slug="eau-kayes", partnership=p1, start_date=datetime.date(2021, 1, 1), themes=[water, culture]
    )
    ProjectFactory(slug="ecoles", partnership=p2, start_date=datetime.date(2021, 6, 1), themes=[education])
    ProjectFactory(
        slug="formation-rabat", partnership=p3, start_date=datetime.date(2021, 2, 1), themes=[education]
    )
    ProjectFactory(slug="eau-paris", partnership=p4, start_date=datetime.date(2010, 1, 1), themes=[water])
    return locals()


def get(client, url, max_queries, django_assert_max_num_queries):
    with django_assert_max_num_queries(max_queries):
        response = client.get(url)
    assert response.status_code == 200, response.content[:2000]
    return response.content.decode()


def test_country_page_figures(client, atlas, django_assert_max_num_queries):
    content = get(client, reverse("atlas:country", args=["SN"]), 20, django_assert_max_num_queries)
    assert "<h1>Sénégal</h1>" in content
    assert figure(content, "projects") == 4  # Strasbourg's two, the bare commune's, Paris's
    assert figure(content, "foreign_authorities") == 1  # Saint-Louis only: Kayes is in Mali
    assert figure(content, "french_authorities") == 3
    assert table(content, "themes-table")[:2] == [
        ["Culture et patrimoine", "2"],
        ["Eau et assainissement", "2"],
    ]
    assert table(content, "leaders-table")[0] == ["Ville de Strasbourg", "2"]
    assert table(content, "years-table") == [["2010", "1"], ["2019", "1"], ["2021", "2"]]
    assert table(content, "foreign-table") == [["Commune de Saint-Louis", "Municipalité", "3", "4"]]
    assert reverse("atlas:foreign_authority", args=["saint-louis"]) in content
    assert reverse("atlas:project", args=["eau-paris"]) in content


def test_region_counts_authorities_known_only_by_their_commune(client, atlas, django_assert_max_num_queries):
    content = get(client, reverse("atlas:region", args=["44"]), 20, django_assert_max_num_queries)
    assert figure(content, "french_authorities") == 3  # Strasbourg, the bare commune, the Région
    assert figure(content, "foreign_authorities") == 3  # Saint-Louis, Kayes, Rabat
    assert figure(content, "projects") == 4
    assert ["Bas-Rhin (67)", "2", "2", "3"] in table(content, "departments-table")
    assert table(content, "leaders-table")[0] == ["Sénégal", "3"]
    names = [row[0] for row in table(content, "french-table")]
    assert set(names) == {"Ville de Strasbourg", "Commune sans région", "Région Grand Est"}
    assert reverse("atlas:department", args=["67"]) in content


def test_department_page(client, atlas, django_assert_max_num_queries):
    content = get(client, reverse("atlas:department", args=["67"]), 20, django_assert_max_num_queries)
    assert figure(content, "french_authorities") == 2
    assert figure(content, "projects") == 3
    assert reverse("atlas:region", args=["44"]) in content  # up one level
    assert reverse("atlas:project", args=["ecoles"]) in content


def test_french_authority_page(client, atlas, django_assert_max_num_queries):
    content = get(
        client,
        reverse("atlas:french_authority", args=["commune-sans-region"]),
        22,
        django_assert_max_num_queries,
    )
    assert figure(content, "projects") == 1
    assert figure(content, "foreign_authorities") == 1
    # Its region and department are found through its commune.
    assert reverse("atlas:region", args=["44"]) in content
    assert reverse("atlas:department", args=["67"]) in content
    assert table(content, "partnership-table")[0][0].startswith("Coopération")


def test_foreign_authority_page(client, atlas, django_assert_max_num_queries):
    content = get(
        client, reverse("atlas:foreign_authority", args=["saint-louis"]), 20, django_assert_max_num_queries
    )
    assert figure(content, "french_authorities") == 3
    assert figure(content, "foreign_authorities") == 1
    assert figure(content, "projects") == 4
    assert reverse("atlas:country", args=["SN"]) in content
    assert reverse("atlas:french_authority", args=["ville-de-paris"]) in content


def test_browse_page_lists_regions_and_continents(
    client, atlas, reference_data, django_assert_max_num_queries
):
    content = get(client, reverse("atlas:browse"), 15, django_assert_max_num_queries)
    assert figure(content, "projects") == 5
    assert figure(content, "french_authorities") == 4
    assert figure(content, "foreign_authorities") == 3
    assert ["Afrique", "3", "3", "4", "5"] in table(content, "continents-table")
    assert ["Grand Est", "3", "3", "4"] in table(content, "regions-table")
    assert ["Île-de-France", "1", "1", "1"] in table(content, "regions-table")
    assert reverse("atlas:continent", args=["AF"]) in content


def test_continent_page(client, atlas, reference_data, django_assert_max_num_queries):
    content = get(client, reverse("atlas:continent", args=["AF"]), 15, django_assert_max_num_queries)
    assert figure(content, "foreign_authorities") == 3
    assert table(content, "countries-table") == [
        ["Sénégal", "1", "3", "4"],
        ["Mali", "1", "1", "2"],
        ["Maroc", "1", "1", "1"],
    ]
    assert reverse("atlas:country", args=["ML"]) in content


def test_english_names(client, atlas, reference_data):
    content = client.get("/en/atlas/pays/SN/").content.decode()
    assert "<h1>Senegal</h1>" in content
    assert "Culture and heritage" in content
    assert 'href="/en/atlas/projets/' in content
    assert "Projects by theme" in content
    assert "Leading French local authorities" in content
    content = client.get("/en/atlas/continents/AF/").content.decode()
    assert "<h1>Africa</h1>" in content


@pytest.mark.parametrize(
    "name, args",
    [
        ("continent", ["ZZ"]),
        ("country", ["XX"]),
        ("foreign_authority", ["nobody"]),
        ("foreign_authority", ["ville-de-strasbourg"]),  # a French authority is not a foreign one
        ("region", ["99"]),
        ("department", ["999"]),
        ("french_authority", ["saint-louis"]),
        ("french_authority", ["nobody"]),
        ("project", ["nothing"]),
    ],
)
def test_unknown_codes_and_slugs_are_404(client, atlas, name, args):
    assert client.get(reverse(f"atlas:{name}", args=args)).status_code == 404


@pytest.mark.parametrize("value", ["abc", "0", "-1", "99", "1.5"])
def test_bad_page_numbers_get_a_french_message(client, atlas, value):
    response = client.get(reverse("atlas:country", args=["SN"]), {"page_projets": value})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="query-error"' in content
    assert "page" in content.split('id="query-error"', 1)[1].split("</p>", 1)[0]


def test_lists_are_paginated(client, atlas):
    partnership = atlas["p4"]
    for n in range(25):
        ProjectFactory(slug=f"extra-{n:02}", partnership=partnership, start_date=datetime.date(2000, 1, 1))
    url = reverse("atlas:country", args=["SN"])
    first = client.get(url).content.decode()
    assert 'class="fr-pagination' in first
    assert "page_projets=2" in first
    second = client.get(url, {"page_projets": "2"}).content.decode()
    assert second.count('href="/atlas/projets/') < first.count('href="/atlas/projets/')


def grow(atlas, n: int):
    """Add ``n`` partnerships, each with its own authorities and two projects, in the same places."""
    for i in range(n):
        french = CommuneAuthorityFactory()
        foreign = ForeignAuthorityFactory()
        partnership = PartnershipFactory(french=[french], foreign=[foreign, atlas["kayes"]])
        ProjectFactory(partnership=partnership, start_date=datetime.date(2000 + i, 1, 1))
        ProjectFactory(partnership=partnership, themes=[theme("eau-assainissement")])


PAGES = [
    ("home", []),
    ("browse", []),
    ("continent", ["AF"]),
    ("country", ["SN"]),
    ("foreign_authority", ["kayes"]),
    ("region", ["44"]),
    ("department", ["67"]),
    ("french_authority", ["ville-de-strasbourg"]),
    ("project", ["eau-kayes"]),
]


def query_counts(client, django_assert_max_num_queries) -> dict[str, int]:
    cache.clear()  # the project sheet is cached: measure it built
    counts = {}
    for name, args in PAGES:
        with django_assert_max_num_queries(25) as captured:
            assert client.get(reverse(f"atlas:{name}", args=args)).status_code == 200
        counts[name] = len(captured)
    return counts


def test_query_counts_do_not_grow_with_the_data(client, atlas, reference_data, django_assert_max_num_queries):
    small = query_counts(client, django_assert_max_num_queries)
    grow(atlas, 30)
    assert query_counts(client, django_assert_max_num_queries) == small
