"""The project sheet: every section, totals by funder and year, history summary, links, bounded queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from coopdec.atlas.history import save_tracked
from coopdec.atlas.models import Financing
from coopdec.atlas.tests.factories import (
    CommuneAuthorityFactory,
    ContactFactory,
    FinancingFactory,
    ForeignAuthorityFactory,
    MinistryFactory,
    OperatorFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    RegionAuthorityFactory,
    VolunteerFactory,
    theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def back_to_french():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache():
    """Factories write without the history (no new version), so a cached sheet would hide their rows."""
    cache.clear()
    yield
    cache.clear()


def rows(content: str, table_id: str) -> list[list[str]]:
    body = content.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", "", c).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def sheet():
    lead = CommuneAuthorityFactory(slug="ville-de-strasbourg")
    member = RegionAuthorityFactory(slug="region-grand-est")
    partner = ForeignAuthorityFactory(slug="saint-louis", name="Commune de Saint-Louis")
    partnership = PartnershipFactory(
        french=[lead, member], foreign=[partner], title="Strasbourg – Saint-Louis"
    )
    project = ProjectFactory(
        slug="patrimoine",
        partnership=partnership,
        title="Patrimoine de Saint-Louis",
        context="Ville classée au patrimoine mondial.",
        history="Premiers échanges en 2005.",
        results="Douze artisans formés.",
        themes=[theme("culture-patrimoine"), theme("education-formation")],
        last_confirmed_at=datetime.datetime(2024, 3, 15, 12, tzinfo=datetime.UTC),
    )
    daect, afd = MinistryFactory(name="DAECT"), OperatorFactory(name="AFD")
    FinancingFactory(project=project, funder=daect, year=2021, amount=Decimal("10000"))
    FinancingFactory(project=project, funder=daect, year=2022, amount=Decimal("15000"))
    FinancingFactory(
        project=project, funder=afd, kind=Financing.Kind.AFD, year=2022, amount=Decimal("40000.50")
    )
    ParticipantFactory(project=project)
    ContactFactory(project=project, name="Claire Martin", email="claire@example.org")
    VolunteerFactory(project=project, count=3)
    return project


def test_sheet_shows_every_section(client, sheet, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        response = client.get(reverse("atlas:project", args=["patrimoine"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Patrimoine de Saint-Louis</h1>" in content
    for text in (
        "Former des artisans",  # objectives
        "Chantiers-écoles",  # description
        "Ville classée",  # context
        "Premiers échanges",  # history
        "Douze artisans",  # results
        "Culture et patrimoine",
        "Éducation et formation",
        "En cours",
        "15 mars 2024",  # last confirmation
        "1 janvier 2021",  # start date
        "Université Gaston-Berger",
        "Claire Martin",
        "mailto:claire@example.org",
        "Service civique",
        "Convention de coopération décentralisée",
    ):
        assert text in content, text
    for section in ("partnership", "financing", "participants", "contacts", "volunteers", "changes"):
        assert f'id="{section}"' in content


def test_sheet_links_to_its_authorities_and_country(client, sheet):
    content = client.get(reverse("atlas:project", args=["patrimoine"])).content.decode()
    members = content.split('id="french-members"', 1)[1].split("</ul>", 1)[0]
    assert members.index("ville-de-strasbourg") < members.index("region-grand-est")  # lead first
    assert "chef de file" in members
    assert reverse("atlas:foreign_authority", args=["saint-louis"]) in content
    assert reverse("atlas:country", args=["SN"]) in content
    # The breadcrumb goes through the lead authority.
    crumb = content.split('class="fr-breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert reverse("atlas:french_authority", args=["ville-de-strasbourg"]) in crumb


def test_financing_totals_by_funder_and_year(client, sheet):
    content = client.get(reverse("atlas:project", args=["patrimoine"])).content.decode()
    normal = content.replace("\u202f", " ").replace("\xa0", " ")
    assert "Montant total : 65 000,50 €" in normal
    assert [
        [c.replace("\u202f", " ").replace("\xa0", " ") for c in r] for r in rows(content, "totals-by-funder")
    ] == [
        ["AFD", "40 000,50 €"],
        ["DAECT", "25 000 €"],
    ]
    assert [
        [c.replace("\u202f", " ").replace("\xa0", " ") for c in r] for r in rows(content, "totals-by-year")
    ] == [
        ["2021", "10 000 €"],
        ["2022", "55 000,50 €"],
    ]
    assert len(rows(content, "financing-lines")) == 3


def test_history_summary_shows_the_last_change(client, sheet, django_user_model):
    content = client.get(reverse("atlas:project", args=["patrimoine"])).content.decode()
    assert "Aucune modification enregistrée" in content
    user = django_user_model.objects.create_user("agent")
    sheet.title = "Patrimoine bâti de Saint-Louis"
    save_tracked(sheet, by=user, expected_version=sheet.version)
    content = client.get(reverse("atlas:project", args=["patrimoine"])).content.decode()
    changes = content.split('id="changes"', 1)[1].split("</section>", 1)[0]
    assert "Dernière modification le" in changes
    assert "Version 2." in changes


def test_empty_sections_say_so(client):
    ProjectFactory(slug="vide")
    content = client.get(reverse("atlas:project", args=["vide"])).content.decode()
    assert "Aucune ligne de financement déclarée." in content
    assert "Aucun contact publié." in content


def test_sheet_in_english(client, sheet):
    content = client.get("/en/atlas/projets/patrimoine/").content.decode()
    assert '<html lang="en"' in content
    assert "Culture and heritage" in content


def test_sheet_queries_do_not_grow_with_its_rows(client, sheet, django_assert_num_queries):
    url = reverse("atlas:project", args=["patrimoine"])
    with django_assert_num_queries(14) as before:
        client.get(url)
    for year in range(2000, 2020):
        FinancingFactory(project=sheet, year=year)
        ContactFactory(project=sheet)
        ParticipantFactory(project=sheet)
        VolunteerFactory(project=sheet, year=year)
    cache.clear()
    with django_assert_num_queries(len(before)):
        assert client.get(url).status_code == 200


def test_a_cached_sheet_is_refreshed_by_a_tracked_save(
    client, sheet, django_user_model, django_assert_max_num_queries
):
    url = reverse("atlas:project", args=["patrimoine"])
    client.get(url)
    # From the cache: the sheet's versions and the demonstration banner.
    with django_assert_max_num_queries(5):
        assert "Patrimoine de Saint-Louis" in client.get(url).content.decode()
    sheet.title = "Patrimoine bâti de Saint-Louis"
    sheet.results = "Vingt artisans formés."
    save_tracked(sheet, by=django_user_model.objects.create_user("agent"), expected_version=sheet.version)
    content = client.get(url).content.decode()
    assert "<h1>Patrimoine bâti de Saint-Louis</h1>" in content
    assert "Vingt artisans formés." in content
