"""The public directory, its exports and the correspondents' own contact details."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from coopdec.atlas.tests import factories as f
from coopdec.correspondents.directory import directory_rows
from coopdec.correspondents.models import CorrespondentProfile
from coopdec.geo.models import Continent
from coopdec.orgs.models import Membership
from coopdec.orgs.tests.personas import PERSONA_NAMES, login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def africa(world):
    continent, _ = Continent.objects.get_or_create(
        code="AF", defaults={"name_fr": "Afrique", "name_en": "Africa"}
    )
    for iso2 in ("SN", "ML", "BF"):
        country = f.country(iso2)
        country.continent = continent
        country.save()
    europe, _ = Continent.objects.get_or_create(
        code="EU", defaults={"name_fr": "Europe", "name_en": "Europe"}
    )
    germany = f.country("DE")
    germany.continent = europe
    germany.save()
    return continent


def test_rows_one_per_country_with_only_published_contact(world, africa):
    # The embassy in Mali also covers Burkina Faso.
    world.embassy_b.countries.add(f.country("BF"))
    CorrespondentProfile.objects.create(
        user=world.user("correspondent_b"), public_email="coop.bamako@example.org"
    )
    rows = directory_rows()
    assert [(r.country_code, r.name) for r in rows] == [
        ("BF", "Correspondent B"),
        ("ML", "Correspondent B"),
        ("SN", "Correspondent A"),
    ]
    assert rows[0].email == "coop.bamako@example.org" and rows[0].phone == ""
    assert rows[2].email == ""  # A published nothing; the account's address is never shown
    assert [r.country_code for r in directory_rows(country=f.country("ML"))] == ["ML"]
    assert len(directory_rows(continent=africa)) == 3


def test_pending_or_inactive_correspondents_are_not_listed(world):
    world.user("correspondent_b").memberships.update(status=Membership.Status.PENDING)
    user = world.user("correspondent_a")
    user.is_active = False
    user.save()
    assert directory_rows() == []


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_directory_is_public(client, world, africa, name):
    login(client, world.user(name))
    response = client.get(reverse("correspondents:directory"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ambassade de France au Sénégal" in body and "Ambassade de France au Mali" in body
    assert "correspondent_a@example.org" not in body
    for fmt in ("csv", "xlsx"):
        assert client.get(reverse("correspondents:export", args=[fmt])).status_code == 200


def test_filters_and_bad_filters(client, world, africa):
    url = reverse("correspondents:directory")
    body = client.get(url, {"pays": "ml"}).content.decode()
    assert "Ambassade de France au Mali" in body and "Ambassade de France au Sénégal" not in body
    body = client.get(url, {"continent": "EU"}).content.decode()
    assert "Aucun correspondant pour ce choix." in body
    response = client.get(url, {"pays": "ZZ"})
    assert response.status_code == 400
    assert "Aucun pays ne porte le code « ZZ »." in response.content.decode()
    response = client.get(url, {"continent": "XX"})
    assert response.status_code == 400
    response = client.get(reverse("correspondents:export", args=["csv"]), {"pays": "ZZ"})
    assert response.status_code == 400
    assert client.get(reverse("correspondents:export", args=["pdf"])).status_code == 404


def test_csv_and_xlsx_exports(client, world, africa):
    CorrespondentProfile.objects.create(user=world.user("correspondent_a"), public_phone="+221 33 839 51 00")
    response = client.get(reverse("correspondents:export", args=["csv"]), {"continent": "AF"})
    assert response["Content-Disposition"] == 'attachment; filename="correspondants.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["country_code"], r["embassy"], r["phone"]) for r in rows] == [
        ("ML", "Ambassade de France au Mali", ""),
        # A cell starting with + is prefixed with ' so that a spreadsheet shows it as text (docs/opendata.md).
        ("SN", "Ambassade de France au Sénégal", "'+221 33 839 51 00"),
    ]
    assert rows[1]["continent"] == "Afrique" and rows[1]["function"] == "Chargé de mission"
    response = client.get(reverse("correspondents:export", args=["xlsx"]), {"pays": "SN"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:5] == ("Code pays", "Pays", "Continent", "Ambassade", "Nom")
    assert values[1][0] == "SN" and values[1][7] == "+221 33 839 51 00"


def test_directory_queries_are_bounded(client, world, django_assert_max_num_queries):
    for i in range(15):
        embassy = f.EmbassyFactory(name=f"Ambassade {i}", country=f.country("DE"))
        make_user(f"corr_{i}", embassy, Membership.Role.CORRESPONDENT)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("correspondents:directory"))
    assert response.content.decode().count('<th scope="row">') == 17


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_profile_matrix(client, world, name):
    login(client, world.user(name))
    response = client.get(reverse("correspondents:profile"))
    if name == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if name.startswith("correspondent") else 403)


def test_a_correspondent_publishes_their_contact(client, world):
    login(client, world.user("correspondent_a"))
    url = reverse("correspondents:profile")
    response = client.post(url, {"public_email": "pas-un-courriel", "public_phone": "appelez-moi"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Saisissez une adresse de courriel valide" in body and "ne contient que des chiffres" in body
    assert not CorrespondentProfile.objects.exists()
    client.post(url, {"public_email": "coop.dakar@example.org", "public_phone": "+221 33 839 51 00"})
    assert "coop.dakar@example.org" in client.get(reverse("correspondents:directory")).content.decode()
    client.post(url, {"public_email": "", "public_phone": ""})
    assert "coop.dakar@example.org" not in client.get(reverse("correspondents:directory")).content.decode()
