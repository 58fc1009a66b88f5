"""import_atlas fed damaged and hostile files (issue 5): each gives a French message naming the file (and the
line), writes nothing, raises no Python error, and stays within a bounded time and memory.

Cases: files cut short (mid-row, mid-quoted value, mid-UTF-8 character), oversized values and lines, a
million-line file with one error near its end, header-only files, wrong encodings (Latin-1, UTF-16,
Windows-1252, NUL bytes), an XLSX zip bomb under a CSV name or beside the CSV files, an XML "billion
laughs" in the directory or given as the mapping, hostile JSON mappings (deep, huge, wrong shapes, patterns
leaving the directory), symbolic links to files outside the directory, and a FIFO.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import threading
import time
import tracemalloc
import zipfile

import pytest
from django.core.management import CommandError, call_command

from coopdec.atlas.models import Project
from coopdec.exports import reader

from .conftest import atlas_counts, empty_atlas, export

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""
# Uncompressed size of the zip bomb's sheet: 256 MiB of XML from about 250 KB of file.
BOMB_SIZE = 256 * 1024 * 1024


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """An XLSX-shaped zip whose sheet inflates to ``BOMB_SIZE`` bytes (made once for the module)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    chunk = b" " * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(BOMB_SIZE // len(chunk)):
                sheet.write(chunk)
    assert path.stat().st_size < 1024 * 1024
    return path.read_bytes()


@pytest.fixture
def exported(atlas, tmp_path):
    """The small Atlas as files, and a database emptied of it, so that any import would write rows."""
    directory = export(tmp_path / "atlas")
    empty_atlas()
    return directory


def run_import(directory, *options):
    """Run the import; return (error or None, its messages, seconds, peak traced memory in bytes)."""
    stderr = io.StringIO()
    tracemalloc.start()
    started = time.monotonic()
    try:
        call_command("import_atlas", str(directory), *options, stderr=stderr, verbosity=0)
        error = None
    except CommandError as raised:
        error = raised
    finally:
        seconds = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return error, stderr.getvalue().splitlines(), seconds, peak


def failed_import(directory, *options, seconds=20, megabytes=50):
    """The import's messages, after checking it failed in French, wrote nothing and stayed within bounds."""
    before = atlas_counts()
    error, messages, took, peak = run_import(directory, *options)
    assert error is not None, "the import should have failed"
    assert atlas_counts() == before
    assert took < seconds, f"{took:.1f} s"
    assert peak < megabytes * 1024 * 1024, f"{peak / 1e6:.0f} MB"
    if messages:
        assert "rien n'a été importé" in str(error)
        return messages
    return [str(error)]  # the mapping itself was refused: its message is the error's


def line_of(path, text) -> int:
    """The line (from 1) of the file on which ``text`` starts."""
    content = path.read_bytes()
    return content[: content.index(text.encode())].count(b"\n") + 1


# ---------------------------------------------------------------------------------------------- cut short


def test_file_cut_in_the_middle_of_a_row(exported):
    path = exported / "organisations.csv"
    content = path.read_bytes().rstrip(b"\r\n")
    last_line = content.count(b"\n") + 1
    start = content.rindex(b"\n") + 1
    # The last row keeps its first three values (slugs and factory names hold no comma).
    cut = start + len(b",".join(content[start:].split(b",")[:3]))
    path.write_bytes(content[:cut])
    width = len(content[: content.index(b"\r\n")].split(b","))
    slug = content[start:].split(b",")[0].decode()
    messages = failed_import(exported)
    assert messages[0] == f"organisations.csv, ligne {last_line} : 3 valeurs au lieu de {width}"
    # The organisation of the cut row is then unknown to the rows that name it, which say so.
    assert messages[1:]
    assert all(f"identifiant « {slug} » absent de organisations.csv" in message for message in messages[1:])


def test_file_cut_inside_a_quoted_value(exported):
    path = exported / "projects.csv"
    content = path.read_bytes()
    # The Saint-Louis description is quoted and spans two lines; cut after its first one.
    cut = content.index(b"Seconde ligne")
    path.write_bytes(content[:cut])
    lines = content[:cut].count(b"\n")
    assert failed_import(exported) == [
        f"projects.csv, ligne {lines} : guillemet ouvert jamais refermé : le fichier est peut-être tronqué"
    ]


def test_file_cut_inside_a_utf8_character(exported):
    path = exported / "partnerships.csv"
    content = path.read_bytes()
    accent = content.index("–".encode())  # three bytes: keep the first only
    path.write_bytes(content[: accent + 1])
    line = content[:accent].count(b"\n") + 1
    assert failed_import(exported) == [
        f"partnerships.csv, ligne {line} : le fichier n'est pas encodé en UTF-8 (octet 0xe2 illisible)"
    ]


# ---------------------------------------------------------------------------------------------- oversized


def test_a_value_over_the_limit_is_refused_and_one_under_it_is_imported(exported):
    path = exported / "projects.csv"
    content = path.read_text(encoding="utf-8")
    line = line_of(path, "Seconde ligne")
    # The csv module's own limit (131,072 characters) is raised: a long description still imports...
    long = "x" * 200_000
    path.write_text(content.replace("Seconde ligne", long), encoding="utf-8", newline="")
    error, messages, _took, _peak = run_import(exported)
    assert (error, messages) == (None, [])
    assert long in Project.objects.get(slug="patrimoine-saint-louis").description
    empty_atlas()
    # ...and a value over the portal's limit is refused with the limit said in French.
    over = "x" * (reader.MAX_FIELD_CHARS + 1)
    path.write_text(content.replace("Seconde ligne", over), encoding="utf-8", newline="")
    assert failed_import(exported) == [f"projects.csv, ligne {line} : valeur de plus de 1 000 000 caractères"]


def test_a_line_without_end_stops_at_the_line_limit(exported):
    """A file with no line end (or a dump of zeros) is not read whole into memory."""
    path = exported / "contacts.csv"
    with open(path, "wb") as handle:
        handle.write(b"project,name,function,email,phone\r\n")
        handle.write(b"a" * (reader.MAX_LINE_BYTES + 10))
    assert failed_import(exported, megabytes=3 * reader.MAX_LINE_BYTES // 1_000_000) == [
        "contacts.csv, ligne 2 : ligne de plus de 4 065 536 octets : ce n'est pas un fichier CSV d'export"
    ]


@pytest.mark.slow
def test_a_very_long_file_with_one_error_near_the_end(exported):
    """The file is read as a stream; its records are kept for the checks between files (about 350 bytes
    each: ``Record`` has slots, repeated codes and links are shared), and the one error is found.

    A million lines under ``make stress`` (hypothesis profile "stress"); a quarter of that in the suite,
    with the same memory bound per line (the million took 48 s of the suite's time)."""
    path = exported / "volunteers.csv"
    lines = 1_000_000 if os.environ.get("HYPOTHESIS_PROFILE") == "stress" else 250_000
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("project,programme,programme_label,count,year\r\n")
        row = "patrimoine-saint-louis,vsi,Volontariat de solidarité internationale (VSI),2,2023\r\n"
        handle.writelines(row for _ in range(lines - 10))
        handle.write("patrimoine-saint-louis,vsi,,beaucoup,2023\r\n")
        handle.writelines(row for _ in range(8))
    # tracemalloc slows allocation down: the time bound is loose, the memory bound is the point.
    assert failed_import(exported, seconds=180 * lines // 1_000_000, megabytes=600 * lines // 1_000_000) == [
        f"volunteers.csv, ligne {lines - 8}, colonne « count » : nombre entier attendu, « beaucoup » reçu"
    ]


def test_header_only_files_are_an_empty_import(exported):
    """Files with their header and no row are what the export of an empty Atlas gives: accepted."""
    for path in exported.glob("*.csv"):
        content = path.read_bytes()
        path.write_bytes(content[: content.index(b"\r\n") + 2])
    before = atlas_counts()
    error, messages, _took, _peak = run_import(exported)
    assert (error, messages) == (None, [])
    after = atlas_counts()
    assert after.pop("DataLoad") == before.pop("DataLoad") + 1  # the run is recorded, nothing else
    assert after == before


def test_a_header_only_file_that_others_point_to_is_reported_on_their_lines(exported):
    path = exported / "projects.csv"
    content = path.read_bytes()
    path.write_bytes(content[: content.index(b"\r\n") + 2])
    messages = failed_import(exported)
    assert messages
    assert all("absent de projects.csv et de la base" in message for message in messages)
    files = {message.split(",")[0] for message in messages}
    assert files == {
        "project_themes.csv",
        "financings.csv",
        "participants.csv",
        "contacts.csv",
        "volunteers.csv",
    }


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("population", "1" * 30, "nombre de 30 chiffres, hors limites"),
        ("population", "-5", "-5 hors limites (de 0 à 2147483647)"),
        ("geonames_id", "99999999999", "99999999999 hors limites (de 0 à 2147483647)"),
        ("latitude", "1e400", "1E+400 hors limites (de -90 à 90)"),
        ("longitude", "-181", "-181 hors limites (de -180 à 180)"),
        ("latitude", "1_0", "nombre attendu (point décimal), « 1_0 » reçu"),
        ("population", "١٢", "nombre entier attendu, « ١٢ » reçu"),
    ],
)
def test_numbers_the_database_cannot_hold_are_refused_before_writing(exported, column, value, message):
    """Without these checks SQLite stored some and PostgreSQL failed in the middle of the transaction."""
    from .test_import_errors import set_cell

    line = set_cell(exported / "organisations.csv", "dresde-de", column, value)
    assert failed_import(exported) == [f"organisations.csv, ligne {line}, colonne « {column} » : {message}"]


def test_amounts_beyond_the_stored_digits_are_refused(exported):
    from .test_import_errors import set_cell

    path = exported / "financings.csv"
    line = set_cell(path, "patrimoine-saint-louis", "amount", "1000000000000.00")
    assert failed_import(exported) == [
        f"financings.csv, ligne {line}, colonne « amount » : 1000000000000.00 hors limites "
        "(de -999999999999.99 à 999999999999.99)"
    ]
    set_cell(path, "patrimoine-saint-louis", "amount", "12.345")
    assert failed_import(exported) == [
        f"financings.csv, ligne {line}, colonne « amount » : 12.345 : 2 décimales au plus"
    ]


def test_a_long_bad_value_is_not_echoed_whole(exported):
    from .test_import_errors import set_cell

    line = set_cell(exported / "partnerships.csv", "strasbourg-dresde", "kind", "k" * 5000)
    (message,) = failed_import(exported)
    assert message.startswith(f"partnerships.csv, ligne {line}, colonne « kind » : valeur inconnue « kkk")
    assert len(message) < 300


# ---------------------------------------------------------------------------------------------- encodings


def test_latin1(exported):
    path = exported / "organisations.csv"
    text = path.read_text(encoding="utf-8")
    # The first accented letter of the file, which Latin-1 writes as one byte that is not UTF-8.
    index = next(i for i, char in enumerate(text) if 127 < ord(char) < 256)
    line = text[:index].count("\n") + 1
    path.write_bytes(text.encode("latin-1", errors="replace"))
    assert failed_import(exported) == [
        f"organisations.csv, ligne {line} : le fichier n'est pas encodé en UTF-8 "
        f"(octet 0x{ord(text[index]):02x} illisible)"
    ]


def test_utf16_with_its_byte_order_mark(exported):
    path = exported / "projects.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    assert failed_import(exported) == [
        "projects.csv, ligne 1 : le fichier est encodé en UTF-16 : enregistrez-le au format « CSV UTF-8 »"
    ]


def test_utf16_without_byte_order_mark_shows_as_nul_bytes(exported):
    path = exported / "projects.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    assert failed_import(exported) == [
        "projects.csv, ligne 1 : octet nul (0x00) dans le texte : le fichier est binaire ou encodé en UTF-16"
    ]


def test_windows_1252_curly_quotes(exported):
    path = exported / "partnerships.csv"
    # The title comes before the labels (with their "é"): the apostrophe is the line's first non-ASCII.
    text = path.read_text(encoding="utf-8").replace(
        "Grand Est, Saint-Louis", "Grand Est, l’île de Saint-Louis"
    )
    path.write_bytes(text.encode("cp1252"))
    line = line_of(path, "Grand Est, l")
    assert failed_import(exported) == [
        f"partnerships.csv, ligne {line} : le fichier n'est pas encodé en UTF-8 (octet 0x92 illisible)"
    ]


def test_a_nul_byte_in_a_value(exported):
    """A NUL character cannot be stored in PostgreSQL text: refused at reading, with its line."""
    path = exported / "projects.csv"
    content = path.read_bytes()
    line = line_of(path, "Seconde ligne")
    path.write_bytes(content.replace(b"Seconde ligne", b"Seconde\x00ligne"))
    assert failed_import(exported) == [
        f"projects.csv, ligne {line} : octet nul (0x00) dans le texte : le fichier est binaire ou encodé en "
        "UTF-16"
    ]


# ---------------------------------------------------------------------------------------------- hostile


def test_a_zip_bomb_under_a_csv_name_is_refused_without_being_opened(exported, zip_bomb):
    (exported / "projects.csv").write_bytes(zip_bomb)
    assert failed_import(exported, seconds=10, megabytes=20) == [
        "projects.csv, ligne 1 : le fichier est un classeur ou une archive (XLSX, ODS ou ZIP), pas un "
        "fichier CSV : enregistrez-le au format « CSV UTF-8 » et relancez l'import"
    ]


def test_a_workbook_instead_of_a_csv_file_is_named_in_the_message(exported, zip_bomb):
    (exported / "projects.csv").unlink()
    (exported / "projects.xlsx").write_bytes(zip_bomb)
    messages = failed_import(exported, seconds=10, megabytes=20)
    assert messages[0] == (
        "projects.csv : fichier absent du dossier (projects.xlsx présent : seuls les fichiers CSV sont lus ; "
        "enregistrez-le au format « CSV UTF-8 » sous le nom projects.csv)"
    )


def test_other_files_beside_the_csv_files_are_not_read(exported, zip_bomb):
    """A zip bomb and a billion-laughs XML in the directory change nothing: only the tables' files are
    read."""
    (exported / "atlas.xlsx").write_bytes(zip_bomb)
    (exported / "atlas.xml").write_bytes(BILLION_LAUGHS)
    error, messages, took, peak = run_import(exported)
    assert (error, messages) == (None, [])
    assert Project.objects.count() == 2
    assert took < 20 and peak < 50 * 1024 * 1024


def test_a_billion_laughs_given_as_the_mapping(exported, tmp_path):
    mapping = tmp_path / "mapping.xml"
    mapping.write_bytes(BILLION_LAUGHS)
    assert failed_import(exported, "--mapping", str(mapping), seconds=5, megabytes=10) == [
        f"fichier de correspondance illisible {mapping} : ce n'est pas du JSON valide (ligne 1, colonne 1)"
    ]


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"[" * 100_000 + b"]" * 100_000, "imbrication de plus de 20 niveaux"),
        (b'{"a": ' * 50 + b"1" + b"}" * 50, "imbrication de plus de 20 niveaux"),
        (
            b'{"description": "' + b"x" * (2 * 1024 * 1024) + b'"}',
            "plus de 1 048 576 octets : ce n'est pas une correspondance de colonnes",
        ),
        (b"\xff\xfe{\x00}\x00", "le fichier n'est pas encodé en UTF-8"),
        (b"[]", "un objet JSON { … } est attendu"),
    ],
    ids=["deep-list", "deep-object", "huge", "utf16", "list"],
)
def test_unreadable_mappings(exported, tmp_path, content, reason):
    mapping = tmp_path / "mapping.json"
    mapping.write_bytes(content)
    assert failed_import(exported, "--mapping", str(mapping), seconds=5, megabytes=20) == [
        f"fichier de correspondance illisible {mapping} : {reason}"
    ]


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"tables": []}, "correspondance invalide : « tables » doit être un objet { table : [ règles par "),
        ({"files": "*.csv"}, "correspondance invalide : « files » doit être une liste de motifs"),
        ({"files": ["../*.csv"]}, "motif de fichier « ../*.csv » refusé : seuls les fichiers du dossier"),
        ({"files": ["/etc/passwd"]}, "motif de fichier « /etc/passwd » refusé"),
        ({"files": ["sub/../../x.csv"]}, "motif de fichier « sub/../../x.csv » refusé"),
        ({"delimiter": ";;"}, "correspondance invalide : « delimiter » doit être un seul caractère"),
        ({"encoding": "klingon"}, "encodage inconnu « klingon »"),
        ({"encoding": "utf-16"}, "encodage « utf-16 » non pris en charge"),
        ({"encoding": "rot13"}, "encodage « rot13 » non pris en charge"),
        ({"translations": {"t": ["a"]}}, "correspondance invalide : « translations » doit être"),
        ({"tables": {"projects": [{"title": "x"}]}}, "projects.title doit être un objet de règle"),
        (
            {"tables": {"projects": [{"title": {"column": "T", "split": ""}}]}},
            "projects.title.split doit être un texte non vide",
        ),
        (
            {"tables": {"projects": [{"title": {"column": "T", "lookup": "users"}}]}},
            "table de correspondance inconnue « users »",
        ),
        ({"tabels": {}}, "clé inconnue dans la correspondance : tabels"),
    ],
)
def test_mappings_of_the_wrong_shape(exported, tmp_path, spec, message):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(spec), encoding="utf-8")
    (refusal,) = failed_import(exported, "--mapping", str(mapping), seconds=5, megabytes=10)
    assert message in refusal


def test_a_link_to_a_file_outside_the_directory_is_refused(exported):
    path = exported / "contacts.csv"
    path.unlink()
    path.symlink_to("/etc/passwd")
    messages = failed_import(exported)
    assert messages == ["contacts.csv : lien symbolique vers un fichier hors du dossier : refusé"]
    assert not any("root" in message for message in messages)


def test_a_link_inside_the_directory_is_read(exported):
    path = exported / "contacts.csv"
    path.rename(exported / "contacts-2025.csv")
    path.symlink_to("contacts-2025.csv")
    error, messages, _took, _peak = run_import(exported)
    assert (error, messages) == (None, [])


def release_fifo_readers(path, seconds: float) -> threading.Thread:
    """Should the import open the FIFO (the fault this guards against), it would wait for a writer for
    ever: a writer comes for a few seconds, ends at once, and the import reads an empty file instead."""

    def writer():
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:  # ENXIO: no reader yet
                time.sleep(0.05)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    return thread


def test_a_fifo_is_refused_rather_than_waited_on(exported):
    path = exported / "volunteers.csv"
    path.unlink()
    os.mkfifo(path)
    release_fifo_readers(path, seconds=15)
    assert failed_import(exported, seconds=5) == [
        "volunteers.csv : ce n'est pas un fichier ordinaire : refusé"
    ]


def test_mapped_files_may_not_leave_the_directory_through_links(reference_data, tmp_path):
    from .test_mapping import MAPPING, SAMPLE

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "zone.csv").write_bytes((SAMPLE / "cote_ivoire.csv").read_bytes())
    directory = tmp_path / "source"
    directory.mkdir()
    (directory / "afrique.csv").write_bytes((SAMPLE / "afrique_subsaharienne.csv").read_bytes())
    (directory / "zone.csv").symlink_to(outside / "zone.csv")
    (directory / "passwd.csv").symlink_to("/etc/passwd")
    assert sorted(failed_import(directory, "--mapping", str(MAPPING))) == [
        "passwd.csv : lien symbolique vers un fichier hors du dossier : refusé",
        "zone.csv : lien symbolique vers un fichier hors du dossier : refusé",
    ]


@contextlib.contextmanager
def address_space_cap(megabytes: int):
    """Cap this process's address space at its current size plus ``megabytes`` while the block runs: should
    the limit fail, the read ends in a MemoryError instead of taking the machine's memory."""
    with open("/proc/self/status", encoding="ascii") as status:
        size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, ((size_kb * 1024) + megabytes * 1024 * 1024, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_a_mapping_on_dev_zero_is_read_no_further_than_its_limit(exported):
    with address_space_cap(512):
        messages = failed_import(exported, "--mapping", "/dev/zero", seconds=5, megabytes=10)
    assert messages == [
        "fichier de correspondance illisible /dev/zero : plus de 1 048 576 octets : ce n'est pas une "
        "correspondance de colonnes"
    ]


def test_the_zip_bomb_is_a_bomb(zip_bomb):
    """The fixture really inflates to hundreds of megabytes (so the tests above mean something)."""
    with zipfile.ZipFile(io.BytesIO(zip_bomb)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size == BOMB_SIZE
        assert info.compress_size * 500 < info.file_size
        with archive.open(info) as sheet:
            assert sheet.read(1024) == b" " * 1024
