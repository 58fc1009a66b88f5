"""The home page: key figures, the demonstration banner, the English version."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from coopdec.atlas.history import save_tracked
from coopdec.atlas.models import DataLoad
from coopdec.atlas.tests.factories import PartnershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def back_to_french():
    """A request to /en/ leaves English active in the thread: later reverse() calls would build /en/ URLs."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


BANNER = 'id="demo-banner"'


def figure_tiles(content: str) -> list[str]:
    """The numbers shown in the "En chiffres" tiles, in order."""
    section = content.split('id="key-figures"', 1)[1].split("</ul>", 1)[0]
    return [part.split("</p>", 1)[0] for part in section.split('class="fr-tile__title">')[1:]]


def test_home_page_shows_the_live_figures(client, django_assert_max_num_queries):
    partnership = PartnershipFactory()
    for _ in range(3):
        ProjectFactory(partnership=partnership)
    # 5 figures, the latest projects, the demonstration banner and django-dsfr's site configuration (2).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("atlas:home"))
    assert response.status_code == 200
    assert response.context["figures"]["projects"] == 3
    # projects, partnerships, French authorities, foreign authorities, countries
    assert figure_tiles(response.content.decode()) == ["3", "1", "1", "1", "1"]


def test_home_figures_are_kept_until_the_atlas_changes(client, django_user_model, django_assert_num_queries):
    partnership = PartnershipFactory()
    ProjectFactory(partnership=partnership)
    assert figure_tiles(client.get("/").content.decode())[0] == "1"
    # Computed once per state of the data: an anonymous visitor's page costs one query (that state).
    with django_assert_num_queries(1):
        assert figure_tiles(client.get("/").content.decode())[0] == "1"
    # A tracked write (a new history row) is a new state: the figures follow at once.
    new = ProjectFactory.build(slug="nouveau", partnership=partnership)
    save_tracked(new, by=django_user_model.objects.create_user("agent"), m2m={"themes": []})
    assert figure_tiles(client.get("/").content.decode())[0] == "2"
    # So does a bulk load (a new DataLoad row), which also brings the demonstration banner.
    DataLoad.objects.create(
        kind=DataLoad.Kind.DEMO, started_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    assert BANNER in client.get("/").content.decode()


def test_signed_in_user_gets_the_same_figures_rendered_for_them(client, django_user_model):
    ProjectFactory()
    client.get("/")
    client.force_login(django_user_model.objects.create_user("agent"))
    response = client.get("/")
    assert response.context["figures"]["projects"] == 1


def test_large_figures_are_grouped_by_thousands(client, monkeypatch):
    figures = {
        "projects": 12700,
        "partnerships": 4800,
        "french_authorities": 4800,
        "foreign_authorities": 10000,
    }
    monkeypatch.setattr("coopdec.atlas.figures.key_figures", lambda: {**figures, "countries": 144})
    tiles = figure_tiles(client.get(reverse("atlas:home")).content.decode())
    assert tiles[0].replace("\xa0", " ").replace("\u202f", " ") == "12 700"
    assert tiles[-1] == "144"


def test_no_demonstration_banner_without_demo_data(client):
    DataLoad.objects.create(
        kind=DataLoad.Kind.IMPORT, started_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    assert BANNER not in client.get(reverse("atlas:home")).content.decode()


def test_demonstration_banner_when_demo_data_was_generated(client):
    DataLoad.objects.create(
        kind=DataLoad.Kind.DEMO, started_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    content = client.get(reverse("atlas:home")).content.decode()
    assert BANNER in content
    assert "Données de démonstration" in content


def test_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr"' in content
    assert "En chiffres" in content
    # The switch offers the same page in English, as a link.
    assert '<a class="fr-btn fr-icon-translate-2" href="/en/" hreflang="en" lang="en">English</a>' in content


def test_english_version(client):
    response = client.get("/en/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="en"' in content
    assert 'href="/" hreflang="fr" lang="fr">Français</a>' in content  # the switch offers French back
    assert response.context["LANGUAGE_CODE"] == "en"


def test_language_switch_links_to_the_same_page_in_the_other_language(client, reference_data):
    french = client.get("/atlas/pays/SN/?page_projets=1").content.decode()
    assert 'href="/en/atlas/pays/SN/?page_projets=1" hreflang="en" lang="en">English</a>' in french
    english = client.get("/en/atlas/pays/SN/?page_projets=1").content.decode()
    assert 'href="/atlas/pays/SN/?page_projets=1" hreflang="fr" lang="fr">Français</a>' in english


def test_page_shell_carries_no_csrf_token(client):
    """No form in the header: nothing personal in a public page, which can then be cached whole."""
    response = client.get("/")
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert settings.CSRF_COOKIE_NAME not in response.cookies
