import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from coopdec.atlas.models import Change, Partnership, Project
from coopdec.orgs.models import Organisation

from .conftest import atlas_counts

pytestmark = pytest.mark.django_db

MAPPING = Path(__file__).resolve().parents[1] / "mappings" / "atlas_zone.json"
SAMPLE = Path(__file__).resolve().parent / "files" / "zone_afrique"


def test_zone_files_come_in_through_the_example_mapping(reference_data):
    call_command("import_atlas", str(SAMPLE), "--mapping", str(MAPPING), verbosity=0)
    assert Project.objects.count() == 5
    project = Project.objects.get(slug="atlas-1041")
    assert project.title == "Restauration du patrimoine bâti de l'île de Saint-Louis"
    assert (str(project.start_date), str(project.end_date), project.status) == (
        "2019-01-01",
        "2023-12-31",
        "termine",
    )
    assert sorted(project.themes.values_list("code", flat=True)) == [
        "culture-patrimoine",
        "education-formation",
    ]
    assert sorted(Project.objects.get(slug="atlas-3105").themes.values_list("code", flat=True)) == [
        "culture-patrimoine",
        "gouvernance-locale",
    ]
    assert Project.objects.get(slug="atlas-2077").status == "en_cours"  # the mapping's default

    # Two projects of Strasbourg with Saint-Louis: one French authority, one partner, one partnership.
    strasbourg = Organisation.objects.get(code="67482")
    assert (strasbourg.kind, strasbourg.commune_id, strasbourg.department_id, strasbourg.region_id) == (
        "commune",
        "67482",
        "67",
        "44",
    )
    assert Project.objects.get(slug="atlas-1042").partnership == project.partnership
    partnership = project.partnership
    assert partnership.kind == Partnership.Kind.CONVENTION
    assert partnership.french_members.get().organisation == strasbourg
    assert partnership.foreign.get().country_id == "SN"
    assert Organisation.objects.get(name="Ouagadougou").country_id == "BF"
    assert Organisation.objects.get(name="District autonome d'Abidjan").country_id == "CI"
    metropole = Organisation.objects.get(code="246700488")
    assert (metropole.kind, metropole.epci_id) == ("epci", "246700488")
    assert Project.objects.get(slug="atlas-4001").partnership.kind == Partnership.Kind.OTHER_ACTION


def test_importing_the_zone_files_twice_changes_nothing(reference_data):
    call_command("import_atlas", str(SAMPLE), "--mapping", str(MAPPING), verbosity=0)
    before = atlas_counts()
    call_command("import_atlas", str(SAMPLE), "--mapping", str(MAPPING), verbosity=0)
    after = atlas_counts()
    assert after.pop("DataLoad") == before.pop("DataLoad") + 1
    assert after == before
    assert not Change.objects.exists()


def failed(directory):
    before = atlas_counts()
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_atlas", str(directory), "--mapping", str(MAPPING), stderr=stderr, verbosity=0)
    assert atlas_counts() == before
    return stderr.getvalue().splitlines()


def test_errors_in_a_zone_file_name_the_source_file_line_and_column(reference_data, tmp_path):
    shutil.copytree(SAMPLE, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "afrique_subsaharienne.csv"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace(";Mali;", ";Atlantide;")
        .replace("Agriculture", "Astrologie"),
        encoding="utf-8",
    )
    messages = failed(tmp_path)
    assert (
        "afrique_subsaharienne.csv, ligne 4, colonne « Pays » : code pays inconnu « Atlantide »" in messages
    )
    assert (
        "afrique_subsaharienne.csv, ligne 4, colonne « Thématiques » : "
        "code de thématique inconnu « Astrologie »" in messages
    )


def test_a_zone_file_missing_a_mapped_column_is_refused(reference_data, tmp_path):
    shutil.copytree(SAMPLE, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "cote_ivoire.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Thématiques", "Secteurs"), encoding="utf-8")
    assert failed(tmp_path) == ["cote_ivoire.csv, ligne 1, colonne « Thématiques » : colonne absente"]


def test_a_latin1_zone_file_is_refused(reference_data, tmp_path):
    shutil.copytree(SAMPLE, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "cote_ivoire.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    messages = failed(tmp_path)
    assert len(messages) == 1
    assert messages[0].startswith("cote_ivoire.csv, ligne 1 : le fichier n'est pas encodé en UTF-8")
