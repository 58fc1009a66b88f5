import csv
import json

import pytest
from django.core.management import call_command

from coopdec.atlas.models import Change, DataLoad, Financing, Project
from coopdec.exports.atlas_tables import TABLES

from .conftest import atlas_counts, empty_atlas, export

pytestmark = pytest.mark.django_db


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_writes_one_documented_file_per_table(atlas, tmp_path):
    export(tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert [resource["path"] for resource in package["resources"]] == [table.filename for table in TABLES]
    for resource in package["resources"]:
        with open(tmp_path / resource["path"], encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [field["name"] for field in resource["schema"]["fields"]]
        assert all(field["description"] for field in resource["schema"]["fields"])
    projects = next(r for r in package["resources"] if r["name"] == "projects")["schema"]
    assert projects["primaryKey"] == ["slug"]
    assert projects["foreignKeys"] == [
        {"fields": ["partnership"], "reference": {"resource": "partnerships", "fields": ["slug"]}}
    ]
    status = next(f for f in projects["fields"] if f["name"] == "status")
    assert status["constraints"]["required"] is True
    assert "en_cours" in status["constraints"]["enum"]
    slug = next(f for f in projects["fields"] if f["name"] == "slug")
    assert slug["constraints"]["unique"] is True


def test_export_puts_labels_beside_codes(atlas, tmp_path):
    export(tmp_path)
    organisations = {row["slug"]: row for row in read(tmp_path / "organisations.csv")}
    strasbourg = organisations["ville-de-strasbourg"]
    assert (strasbourg["kind"], strasbourg["kind_label"]) == ("commune", "Commune")
    assert (strasbourg["commune_insee"], strasbourg["commune_name"]) == ("67482", "Strasbourg")
    dresden = organisations["dresde-de"]
    assert (dresden["country"], dresden["country_name"], dresden["latitude"]) == (
        "DE",
        "Allemagne",
        "51.05089",
    )
    assert organisations["region-grand-est"]["last_confirmed_at"] == "2024-03-01T09:30:00+00:00"
    themes = read(tmp_path / "project_themes.csv")
    assert {(row["theme"], row["theme_label"]) for row in themes} >= {
        ("culture-patrimoine", "Culture et patrimoine"),
        ("education-formation", "Éducation et formation"),
    }
    members = read(tmp_path / "partnership_members.csv")
    leads = {row["partnership"]: row["organisation"] for row in members if row["is_lead"] == "true"}
    assert leads == {"grand-est-saint-louis": "region-grand-est", "strasbourg-dresde": "ville-de-strasbourg"}
    financings = read(tmp_path / "financings.csv")
    assert [(row["year"], row["kind"], row["amount"]) for row in financings] == [
        ("2022", "daect", "25000.00"),
        ("2022", "fonds_propres", "12500.50"),
        ("2023", "fonds_propres", "25000.00"),
    ]
    description = read(tmp_path / "projects.csv")[1]["description"]
    assert description == 'Première ligne, avec virgule\nSeconde ligne « citée » et "guillemets"'


def test_export_then_empty_then_import_then_export_gives_identical_files(atlas, tmp_path):
    first = export(tmp_path / "first")
    empty_atlas()
    assert Project.objects.count() == 0
    call_command("import_atlas", str(first), verbosity=0)
    second = export(tmp_path / "second")
    for table in TABLES:
        assert (second / table.filename).read_bytes() == (first / table.filename).read_bytes(), table.filename
    assert (second / "datapackage.json").read_bytes() == (first / "datapackage.json").read_bytes()
    load = DataLoad.objects.get()
    assert load.kind == DataLoad.Kind.IMPORT
    assert load.counts["projets_crees"] == 2


def test_importing_twice_changes_nothing(atlas, tmp_path):
    directory = export(tmp_path)
    call_command("import_atlas", str(directory), verbosity=0)
    before = atlas_counts()
    versions = dict(Project.objects.values_list("slug", "version"))
    call_command("import_atlas", str(directory), verbosity=0)
    after = atlas_counts()
    # Only the record of the run itself is new.
    assert after.pop("DataLoad") == before.pop("DataLoad") + 1
    assert after == before
    assert Change.objects.count() == 0
    assert dict(Project.objects.values_list("slug", "version")) == versions
    assert DataLoad.objects.order_by("-pk").first().counts.get("projets_modifies", 0) == 0


def test_an_update_is_recorded_in_the_history(atlas, tmp_path):
    directory = export(tmp_path)
    path = directory / "projects.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Chantiers-écoles", "Ateliers"), encoding="utf-8"
    )
    path = directory / "financings.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("12500.50", "13000"), encoding="utf-8")
    call_command("import_atlas", str(directory), "--by", "Fichier DAECT 2025", verbosity=0)
    project = Project.objects.get(slug="patrimoine-saint-louis")
    assert project.version == 2
    # The Dresden project has the factory's description; the Saint-Louis one its own, and new financing.
    assert Change.objects.count() == 2
    change = Change.objects.get(project=project)
    assert (change.action, change.version) == (Change.Action.UPDATE, 2)
    assert change.changed_by_label == "Fichier DAECT 2025"
    assert set(change.diff) == {"financings"}
    assert any("12500.50" in line for line in change.diff["financings"]["old"])
    assert any("13000.00" in line for line in change.diff["financings"]["new"])
    assert Financing.objects.filter(project=project, amount="13000").exists()
    other = Change.objects.get(project__slug="echanges-scolaires-dresde")
    assert other.diff == {
        "description": {
            "old": "Chantiers-écoles de restauration de façades coloniales avec les services municipaux.",
            "new": "Ateliers de restauration de façades coloniales avec les services municipaux.",
        }
    }
