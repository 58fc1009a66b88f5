import csv
import io

import pytest
from django.core.management import CommandError, call_command

from .conftest import atlas_counts, empty_atlas, export

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(atlas, tmp_path):
    """The small Atlas as files, and a database emptied of it, so that any import would write rows."""
    directory = export(tmp_path)
    empty_atlas()
    return directory


def rewrite(path, change):
    """Apply ``change`` to the rows (header first) of a CSV file and write it back."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows = change(rows)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def set_cell(path, key, column, value):
    """Set ``column`` to ``value`` on the first row whose first cell is ``key``; return its line number.

    The line number counts records, which is the file's line while no earlier cell spans several lines.
    """
    found = []

    def change(rows):
        index = rows[0].index(column)
        for number, row in enumerate(rows[1:], start=2):
            if row[0] == key and not found:
                row[index] = value
                found.append(number)
        return rows

    rewrite(path, change)
    assert found, key
    return found[0]


def failed_import(directory, *options):
    """Run the import, expect it to fail; return its messages after checking nothing was written."""
    before = atlas_counts()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_atlas", str(directory), *options, stderr=stderr, verbosity=0)
    assert atlas_counts() == before
    return stderr.getvalue().splitlines()


def test_missing_column(exported):
    rewrite(exported / "partnerships.csv", lambda rows: [row[:2] + row[3:] for row in rows])
    assert failed_import(exported) == ["partnerships.csv, ligne 1, colonne « kind » : colonne absente"]


def test_unknown_country_code(exported):
    line = set_cell(exported / "organisations.csv", "dresde-de", "country", "XX")
    assert failed_import(exported) == [
        f"organisations.csv, ligne {line}, colonne « country » : code pays inconnu « XX »"
    ]


def test_unknown_commune_theme_and_kind_are_all_reported(exported):
    commune_line = set_cell(exported / "organisations.csv", "ville-de-strasbourg", "code", "99999")
    kind_line = set_cell(exported / "partnerships.csv", "strasbourg-dresde", "kind", "amitie")
    theme_line = set_cell(exported / "project_themes.csv", "echanges-scolaires-dresde", "theme", "astrologie")
    assert sorted(failed_import(exported)) == [
        f"organisations.csv, ligne {commune_line}, colonne « code » : "
        "code INSEE de commune inconnu « 99999 »",
        f"partnerships.csv, ligne {kind_line}, colonne « kind » : valeur inconnue « amitie » "
        "(valeurs admises : convention, jumelage, hors_convention)",
        f"project_themes.csv, ligne {theme_line}, colonne « theme » : "
        "code de thématique inconnu « astrologie »",
    ]


def test_duplicate_identifier(exported):
    rewrite(exported / "projects.csv", lambda rows: [*rows, rows[1]])
    # Line 5 of the file: the second project's description spans lines 3 and 4.
    assert failed_import(exported) == [
        "projects.csv, ligne 5, colonne « slug » : identifiant en double « echanges-scolaires-dresde » "
        "(déjà à la ligne 2)"
    ]


def test_latin1_file_is_refused_with_its_line(exported):
    path = exported / "projects.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    messages = failed_import(exported)
    assert len(messages) == 1
    assert messages[0].startswith("projects.csv, ligne 2 : le fichier n'est pas encodé en UTF-8")


def test_empty_file(exported):
    (exported / "contacts.csv").write_bytes(b"")
    assert failed_import(exported) == ["contacts.csv : le fichier est vide"]


def test_missing_file(exported):
    (exported / "volunteers.csv").unlink()
    assert failed_import(exported) == ["volunteers.csv : fichier absent du dossier"]


def test_link_to_an_identifier_in_no_file_and_not_in_the_database(exported):
    line = set_cell(exported / "financings.csv", "patrimoine-saint-louis", "project", "projet-fantome")
    assert failed_import(exported) == [
        f"financings.csv, ligne {line}, colonne « project » : identifiant « projet-fantome » absent de "
        "projects.csv et de la base"
    ]


def test_bad_values_are_reported_by_type(exported):
    line = set_cell(exported / "financings.csv", "patrimoine-saint-louis", "amount", "12 000,50")
    messages = failed_import(exported)
    assert messages == [
        f"financings.csv, ligne {line}, colonne « amount » : "
        "nombre attendu (point décimal), « 12 000,50 » reçu"
    ]


def test_two_leads_for_one_partnership(exported):
    rewrite(
        exported / "partnership_members.csv",
        lambda rows: [
            [*row[:-1], "true"] if i and row[0] == "grand-est-saint-louis" else row
            for i, row in enumerate(rows)
        ],
    )
    messages = failed_import(exported)
    assert len(messages) == 2
    assert all("deuxième chef de file pour « grand-est-saint-louis »" in message for message in messages)


def test_an_error_in_an_update_leaves_the_database_as_it_was(atlas, tmp_path):
    directory = export(tmp_path)
    set_cell(directory / "projects.csv", "patrimoine-saint-louis", "title", "Titre modifié")
    set_cell(directory / "organisations.csv", "dresde-de", "country", "XX")
    failed_import(directory)
    from coopdec.atlas.models import Project

    assert Project.objects.get(slug="patrimoine-saint-louis").title != "Titre modifié"


def test_many_errors_are_cut_after_the_first_200_unless_all_are_asked(exported):
    def spoil(rows):
        kind = rows[0].index("kind")
        for row in rows[1:]:
            row[kind] = "amitie"
        return rows

    path = exported / "partnerships.csv"
    # 250 partnerships of an unknown kind: at least 250 problems.
    rewrite(path, lambda rows: [rows[0]] + [[f"p-{n}", *rows[1][1:]] for n in range(250)])
    rewrite(path, spoil)
    lines = failed_import(exported)
    assert len(lines) == 201
    assert lines[-1].startswith("… et ") and "--all-errors" in lines[-1]
    every = failed_import(exported, "--all-errors")
    assert len(every) > 201 and every[:200] == lines[:200]
