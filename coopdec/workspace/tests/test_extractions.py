"""Saved extractions: files written from a saved search, kept per person, within limits, owner-only."""

import html
import io
import json
import tracemalloc

import openpyxl
import pytest
from django.urls import reverse

from coopdec.orgs.tests.personas import PERSONA_NAMES, login
from coopdec.workspace import extractions
from coopdec.workspace.models import Extraction, SavedSearch

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return html.unescape(response.content.decode())


def content(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_extraction_writes_the_published_projects_of_the_search(world, saved_search, media_root, fmt):
    item = extractions.extract(saved_search, fmt)
    path = media_root / "extractions" / str(world.user("agent_x").pk) / f"{item.uuid}.{fmt}"
    assert item.path == path and path.is_file()
    assert not list(path.parent.glob("*.part"))
    data = path.read_bytes()
    # X's published sheet is in Senegal; its draft never leaves the space, Y's sheet is in Mali.
    assert (item.rows, item.size) == (1, len(data))
    assert item.name == "Sénégal" and item.query == "country=SN" and item.saved_search == saved_search
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        assert "Patrimoine de Saint-Louis" in text
        assert "Brouillon" not in text and "Ségou" not in text
    elif fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == 2
        assert "Patrimoine de Saint-Louis" in rows[1]
    else:
        features = json.loads(data)["features"]
        assert [f["properties"]["title"] for f in features] == ["Patrimoine de Saint-Louis"]


def test_map_extraction_uses_the_maps_search(world, saved_map):
    item = extractions.extract(saved_map, "csv")
    assert item.rows == 1
    assert "Eau potable à Ségou" in item.path.read_text(encoding="utf-8-sig")


def test_extract_page_creates_lists_and_downloads(client, world, saved_search):
    login(client, world.user("agent_x"))
    response = client.post(reverse("workspace:extract", args=[saved_search.uuid]), {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:extraction_list")
    item = Extraction.objects.get()
    listing = page(client.get(reverse("workspace:extraction_list")))
    assert "Sénégal" in listing and "CSV" in listing
    assert "Extraction prête : 1 projet" in listing
    download = client.get(reverse("workspace:extraction_download", args=[item.uuid]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="senegal-')
    assert download["Content-Type"].startswith("text/csv")
    assert "no-store" in download["Cache-Control"]
    assert content(download) == item.path.read_bytes()
    # The saved search's page lists its extractions.
    assert reverse("workspace:extraction_download", args=[item.uuid]) in page(
        client.get(saved_search.get_absolute_url())
    )


def test_unknown_format_creates_nothing(client, world, saved_search):
    login(client, world.user("agent_x"))
    response = client.post(
        reverse("workspace:extract", args=[saved_search.uuid]), {"format": "pdf"}, follow=True
    )
    assert "Choisissez un format parmi CSV, XLSX et GeoJSON" in page(response)
    assert not Extraction.objects.exists()
    with pytest.raises(extractions.ExtractionRefused):
        extractions.extract(saved_search, "pdf")


def test_search_made_invalid_since_is_not_extracted(world):
    item = SavedSearch.objects.create(owner=world.user("agent_x"), name="Vieux", query="theme=disparu")
    with pytest.raises(extractions.ExtractionRefused, match="Valeur inconnue « disparu »"):
        extractions.extract(item, "csv")
    assert not Extraction.objects.exists()


def test_delete_asks_for_confirmation_then_removes_the_file(
    client, world, saved_search, django_capture_on_commit_callbacks
):
    item = extractions.extract(saved_search, "csv")
    login(client, world.user("agent_x"))
    url = reverse("workspace:extraction_delete", args=[item.uuid])
    confirm = client.get(url)
    assert 'id="delete-form"' in page(confirm)
    assert item.path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not Extraction.objects.exists()
    assert not item.path.exists()


def test_deleting_the_saved_search_keeps_its_extractions(client, world, saved_search):
    item = extractions.extract(saved_search, "csv")
    login(client, world.user("agent_x"))
    confirm = page(client.get(reverse("workspace:saved_delete", args=[saved_search.uuid])))
    assert "Son extraction reste dans votre espace." in confirm
    client.post(reverse("workspace:saved_delete", args=[saved_search.uuid]))
    item.refresh_from_db()
    assert item.saved_search is None and item.path.exists()
    assert "Sénégal" in page(client.get(reverse("workspace:extraction_list")))


def test_missing_file_is_404(client, world, saved_search):
    item = extractions.extract(saved_search, "csv")
    item.path.unlink()
    login(client, world.user("agent_x"))
    assert client.get(reverse("workspace:extraction_download", args=[item.uuid])).status_code == 404


# ------------------------------------------------------------------------------------------------ limits


def test_number_of_files_is_limited(client, world, saved_search, settings):
    settings.WORKSPACE_EXTRACTIONS_MAX_COUNT = 2
    extractions.extract(saved_search, "csv")
    extractions.extract(saved_search, "geojson")
    login(client, world.user("agent_x"))
    response = client.post(
        reverse("workspace:extract", args=[saved_search.uuid]), {"format": "xlsx"}, follow=True
    )
    assert "Vous conservez déjà 2 extractions, le maximum" in page(response)
    assert Extraction.objects.count() == 2
    assert "Votre espace d'extractions est plein" in page(client.get(reverse("workspace:extraction_list")))
    # Another person's room is their own.
    other = SavedSearch.objects.create(owner=world.user("agent_y"), name="Mali", query="country=ML")
    assert extractions.extract(other, "csv").rows == 1


def test_a_file_past_the_space_left_is_not_kept(client, world, saved_search, settings, media_root):
    first = extractions.extract(saved_search, "csv")
    settings.WORKSPACE_EXTRACTIONS_MAX_BYTES = first.size + 100
    login(client, world.user("agent_x"))
    response = client.post(
        reverse("workspace:extract", args=[saved_search.uuid]), {"format": "geojson"}, follow=True
    )
    assert "Ce fichier dépasserait l'espace qui vous reste" in page(response)
    assert "Rien n'a été conservé." in page(response)
    assert Extraction.objects.count() == 1
    folder = media_root / "extractions" / str(world.user("agent_x").pk)
    assert [p.name for p in folder.iterdir()] == [first.path.name]


def test_writing_holds_constant_memory(tmp_path):
    """Blocks go to disk as they come: 32 MB written with a peak far below the file's size."""
    block = b"x" * (64 * 1024)
    tracemalloc.start()
    try:
        size = extractions.write_file(tmp_path / "big.csv", (block for _n in range(512)), limit=10**9)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size == 512 * len(block) == (tmp_path / "big.csv").stat().st_size
    assert peak < 1024 * 1024


def test_write_stops_at_the_limit_and_leaves_nothing(tmp_path):
    chunks_read = []

    def chunks():
        for n in range(100):
            chunks_read.append(n)
            yield b"y" * 1000

    with pytest.raises(extractions.ExtractionRefused):
        extractions.write_file(tmp_path / "f.csv", chunks(), limit=5500)
    assert len(chunks_read) == 6  # stopped as soon as the limit was passed, not at the end
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------ the matrix


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_matrix_someone_elses_extraction(client, world, saved_search, name):
    item = extractions.extract(saved_search, "csv")
    login(client, world.user(name))
    download = client.get(reverse("workspace:extraction_download", args=[item.uuid]))
    confirm = client.get(reverse("workspace:extraction_delete", args=[item.uuid]))
    delete = client.post(reverse("workspace:extraction_delete", args=[item.uuid]))
    if name == "agent_x":
        assert (download.status_code, confirm.status_code, delete.status_code) == (200, 200, 302)
        assert not Extraction.objects.exists()
    elif name == "anonymous":
        for response in (download, confirm, delete):
            assert response.status_code == 302 and "/compte/" in response["Location"]
        assert Extraction.objects.exists()
    else:
        assert (download.status_code, confirm.status_code, delete.status_code) == (404, 404, 404)
        assert Extraction.objects.exists() and item.path.exists()


def test_list_queries_are_bounded(client, world, saved_search, django_assert_max_num_queries):
    user = world.user("agent_x")
    Extraction.objects.bulk_create(
        Extraction(owner=user, saved_search=saved_search, name=f"E{n}", format="csv", rows=n, size=n * 100)
        for n in range(40)
    )
    login(client, user)
    client.get(reverse("workspace:extraction_list"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("workspace:extraction_list"))
    assert page(response).count("/telecharger/") == 40


def test_files_go_with_the_account(world, saved_search, django_capture_on_commit_callbacks):
    item = extractions.extract(saved_search, "csv")
    with django_capture_on_commit_callbacks(execute=True):
        world.user("agent_x").delete()
    assert not Extraction.objects.exists()
    assert not item.path.exists()
