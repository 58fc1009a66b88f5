"""kill -9 during the long commands (issue 5, docs/reliability.md): each command is started in a child
process on a database of its own, watched until it is demonstrably mid-way (its progress, and a written but
uncommitted transaction where it writes), killed with SIGKILL, and then the data is checked and the command
run again to its end. "An interrupted import leaves nothing half done" (SPEC)."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import signal
import time

import pytest

from .conftest import SCALE, SEED
from .harness import progress

pytestmark = [pytest.mark.faults, pytest.mark.slow]

KILLED = -signal.SIGKILL
ATLAS_TABLES = (
    "organisations",
    "organisation_countries",
    "partnerships",
    "partnership_members",
    "partnership_foreign_partners",
    "projects",
    "project_themes",
    "financings",
    "participants",
    "contacts",
    "volunteers",
)


def bar_at_least(label: str, share: float):
    """The bar ``label`` has reached ``share`` of its total (and not its end)."""

    def reached(output: str) -> bool:
        done, total = progress(output, label)
        return bool(total) and share * total <= done < total

    return reached


def empty_atlas(state: dict) -> bool:
    return all(state["counts"][name] == 0 for name in ATLAS_TABLES)


def digests(folder) -> dict[str, str]:
    """SHA-256 of every file directly in ``folder`` (sub-folders left out)."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def renamed_export(export, target, first: int | None = None):
    """A copy of ``export`` where the ``first`` project titles (all by default) start with "Kiwano"."""
    shutil.copytree(export, target)
    with open(export / "projects.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    title = rows[0].index("title")
    for row in rows[1:][:first]:
        row[title] = "Kiwano " + row[title]
    with open(target / "projects.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return target


# --- generate_demo ------------------------------------------------------------------------------------


def test_generate_demo_killed_mid_way_leaves_nothing_and_reruns_to_the_same_figures(
    reference_db, demo_db, scratch, record
):
    """`make data` runs `generate_demo --if-empty`: had a killed run left part of a dataset, the next
    `make data` would skip the generation and serve half a dataset for good. The whole generation is one
    transaction, so the killed run leaves nothing and the rerun gives the uninterrupted run's figures."""
    db = scratch(reference_db)
    args = ("generate_demo", "--scale", SCALE, "--seed", SEED, "--if-empty")
    child = db.start(*args)
    killed_at = child.wait_for(bar_at_least("Jeu de démonstration", 0.3), "30 % of the projects generated")
    done_when_killed = progress(child.output, "Jeu de démonstration")
    writing = db.writer_active()
    assert child.kill() == KILLED
    assert writing, "the generation had an open transaction with rows written"

    after = db.probe()
    assert empty_atlas(after), after["counts"]
    assert not [load for load in after["dataloads"] if load["kind"] == "demo"]
    assert after["figures"] == dict.fromkeys(demo_db.state["figures"], 0)

    output, seconds = db.run(*args)
    assert "Jeu de démonstration généré" in output, output  # --if-empty did not skip it
    final = db.probe()
    assert final["figures"] == demo_db.state["figures"]
    assert final["counts"] == demo_db.state["counts"]
    assert final["projects_digest"] == demo_db.state["projects_digest"]
    assert [load["counts"] for load in final["dataloads"] if load["kind"] == "demo"] == [
        load["counts"] for load in demo_db.state["dataloads"] if load["kind"] == "demo"
    ]
    # And a third run, as `make data` again, leaves it alone.
    output, _seconds = db.run(*args)
    assert "La base contient déjà des projets" in output
    assert db.probe()["counts"] == demo_db.state["counts"]
    record(
        scenario="generate_demo killed",
        scale=SCALE,
        killed_after_s=round(killed_at, 1),
        progress_when_killed=done_when_killed,
        rows_after_kill=sum(after["counts"][name] for name in ATLAS_TABLES),
        rerun_s=round(seconds, 1),
        uninterrupted_s=round(demo_db.seconds, 1),
        figures=final["figures"],
    )


def test_generate_demo_replace_killed_mid_way_keeps_the_previous_dataset(demo_db, scratch, record):
    """--replace deletes the dataset and generates another in the same transaction: killed, the previous
    dataset is all there; run again, the new one is complete."""
    db = scratch(demo_db.db)
    args = ("generate_demo", "--scale", SCALE, "--seed", "7", "--replace")
    child = db.start(*args)
    killed_at = child.wait_for(bar_at_least("Jeu de démonstration", 0.3), "30 % of the new projects")
    assert child.kill() == KILLED

    after = db.probe()
    assert after["counts"] == demo_db.state["counts"]
    assert after["figures"] == demo_db.state["figures"]
    assert after["projects_digest"] == demo_db.state["projects_digest"]

    _output, seconds = db.run(*args)
    final = db.probe()
    assert [load["parameters"]["seed"] for load in final["dataloads"] if load["kind"] == "demo"] == [7]
    assert final["projects_digest"] != demo_db.state["projects_digest"]
    assert final["figures"]["projects"] > 0
    record(
        scenario="generate_demo --replace killed",
        killed_after_s=round(killed_at, 1),
        previous_dataset_kept=after["figures"] == demo_db.state["figures"],
        rerun_s=round(seconds, 1),
    )


# --- import_atlas -------------------------------------------------------------------------------------


def test_import_killed_mid_way_leaves_nothing_and_reruns_to_the_source_counts(
    reference_db, demo_db, scratch, record
):
    db = scratch(reference_db)
    child = db.start("import_atlas", str(demo_db.export))
    # Organisations and the countries they cover are written; partnerships are being written.
    killed_at = child.wait_for(lambda out: "Import : partenariats" in out, "the partnerships step")
    writing = db.writer_active()
    assert child.kill() == KILLED
    assert writing, "the import had an open transaction with rows written"

    after = db.probe()
    assert empty_atlas(after), after["counts"]
    assert not [load for load in after["dataloads"] if load["kind"] == "import"]  # no claim of success

    output, seconds = db.run("import_atlas", str(demo_db.export))
    assert "Import terminé" in output
    final = db.probe()
    source = demo_db.state
    assert {name: final["counts"][name] for name in ATLAS_TABLES} == {
        name: source["counts"][name] for name in ATLAS_TABLES
    }
    assert final["figures"] == source["figures"]
    assert final["projects_digest"] == source["projects_digest"]
    assert final["index"]["projects_without_document"] == 0
    assert not final["index"]["rebuild_owed"]
    loads = [load for load in final["dataloads"] if load["kind"] == "import"]
    assert len(loads) == 1 and loads[0]["counts"]["projets_crees"] == source["counts"]["projects"]

    # Once more: nothing changes (no new version, no history row), and the run says so.
    output, again = db.run("import_atlas", str(demo_db.export))
    second = db.probe()
    assert {k: v for k, v in second.items() if k != "dataloads"} == {
        k: v for k, v in final.items() if k != "dataloads"
    }
    assert not any(second["dataloads"][-1]["counts"].values())
    record(
        scenario="import_atlas killed",
        killed_after_s=round(killed_at, 1),
        rows_after_kill=sum(after["counts"][name] for name in ATLAS_TABLES),
        rerun_s=round(seconds, 1),
        second_rerun_s=round(again, 1),
        rows=final["counts"],
    )


def test_import_killed_during_its_index_rebuild_is_completed_by_the_next_run(
    demo_db, scratch, tmp_path, record
):
    """Regression: the import commits, then rebuilds the search index. Killed in between, every document
    was still there with its old text, so neither the rerun (nothing left to import, hence no rebuild) nor
    `rebuild_search_index --if-stale` (no document missing) rebuilt it: the search never found the imported
    titles. The import now marks the rebuild as owed in its own transaction."""
    db = scratch(demo_db.db)
    db.run("rebuild_search_index", "-v0")
    source = renamed_export(demo_db.export, tmp_path / "renamed")  # every project title
    child = db.start("import_atlas", str(source))
    killed_at = child.wait_for(lambda out: "Index de recherche" in out, "the index rebuild")
    assert child.kill() == KILLED

    after = db.probe()
    assert after["projects_digest"] != demo_db.state["projects_digest"]  # the import was committed
    assert after["index"]["stale_titles"] > 0  # the index was not brought up to date

    output, seconds = db.run("import_atlas", str(source))
    assert "projets_modifies : 0" in output  # nothing left to import…
    final = db.probe("--search", "kiwano")
    assert final["index"]["stale_titles"] == 0  # …but the index was rebuilt
    assert not final["index"]["rebuild_owed"]
    published = final["search"][""]["count"]
    assert final["search"]["kiwano"]["count"] == published == final["figures"]["projects"]
    output, _seconds = db.run("rebuild_search_index", "--if-stale")
    assert "à jour" in output
    record(
        scenario="import_atlas killed during its index rebuild",
        killed_after_s=round(killed_at, 1),
        stale_documents_after_kill=after["index"]["stale_titles"],
        rerun_s=round(seconds, 1),
        found_after_rerun=final["search"]["kiwano"]["count"],
    )


def test_rebuild_search_index_if_stale_redoes_an_interrupted_import_rebuild(demo_db, scratch, tmp_path):
    """The same interruption, repaired the way `make data` would: `rebuild_search_index --if-stale`."""
    db = scratch(demo_db.db)
    db.run("rebuild_search_index", "-v0")
    source = renamed_export(demo_db.export, tmp_path / "renamed", first=1)  # one sheet changed
    child = db.start("import_atlas", str(source))
    child.wait_for(lambda out: "Index de recherche" in out, "the index rebuild")
    assert child.kill() == KILLED
    output, _seconds = db.run("rebuild_search_index", "--if-stale")
    assert "projets indexés" in output
    final = db.probe("--search", "kiwano")
    assert final["search"]["kiwano"]["count"] == 1
    assert final["index"]["stale_titles"] == 0 and not final["index"]["rebuild_owed"]


# --- export_atlas -------------------------------------------------------------------------------------


def test_export_killed_mid_way_leaves_no_directory_that_looks_complete(demo_db, tmp_path, record):
    """Regression: files were written in place, datapackage.json last; killed mid-way, a directory held a
    truncated projects.csv beside complete-looking files (and, over an earlier export, that export's
    datapackage.json). Now the files are written in a staging folder and moved in at the end, and
    datapackage.json is removed first and written last."""
    db = demo_db.db
    expected = digests(demo_db.export)
    target = tmp_path / "export"
    figures = {}

    # 1. Into an empty directory.
    child = db.start("export_atlas", str(target))
    figures["killed_after_s"] = round(
        child.wait_for(lambda out: progress(out, "projects.csv")[0] >= 500, "500 projects written"), 1
    )
    assert child.kill() == KILLED
    assert digests(target) == {}, "no file under its final name"
    staged = target / ".export_atlas.part"
    figures["staged_after_kill"] = sorted(path.name for path in staged.iterdir())
    assert "projects.csv" in figures["staged_after_kill"]
    assert "datapackage.json" not in figures["staged_after_kill"]

    started = time.monotonic()
    db.run("export_atlas", str(target), "-v0")
    figures["rerun_s"] = round(time.monotonic() - started, 1)
    assert digests(target) == expected
    assert not staged.exists()

    # 2. Over that complete export: killed while replacing it, the directory no longer claims to be
    # complete, and the files it keeps are whole (the earlier ones, untouched).
    child = db.start("export_atlas", str(target))
    child.wait_for(lambda out: progress(out, "projects.csv")[0] >= 500, "500 projects written")
    assert child.kill() == KILLED
    left = digests(target)
    assert "datapackage.json" not in left
    assert left == {name: digest for name, digest in expected.items() if name != "datapackage.json"}

    db.run("export_atlas", str(target), "-v0")
    assert digests(target) == expected
    figures["files"] = len(expected)
    figures["projects_csv_sha256"] = expected["projects.csv"][:16]
    record(scenario="export_atlas killed", **figures)


# --- rebuild_search_index -----------------------------------------------------------------------------


def test_rebuild_search_index_killed_mid_way_is_consistent_and_redone(demo_db, scratch, record):
    db = scratch(demo_db.db)
    child = db.start("rebuild_search_index")
    # The first batch of 2,000 projects is committed; the second is being written.
    killed_at = child.wait_for(lambda out: progress(out, "Index de recherche")[0] >= 2000, "first batch")
    assert child.kill() == KILLED

    after = db.probe()
    index = after["index"]
    published = after["figures"]["projects"]
    assert index["documents"] == 2000  # whole batches only
    assert index["projects_without_document"] == published - 2000
    assert index["fts_rows"] in (None, index["documents"])  # SQLite's FTS table follows the documents
    assert not index["orphans"] and index["stale_titles"] == 0
    assert index["rebuild_owed"]

    output, seconds = db.run("rebuild_search_index", "--if-stale")
    assert "projets indexés" in output
    final = db.probe("--search", "eau")
    assert final["index"]["documents"] == published
    assert final["index"]["projects_without_document"] == 0
    assert final["index"]["fts_rows"] in (None, published)
    assert not final["index"]["rebuild_owed"]
    assert final["search"][""] == {"count": published, "stale": False}
    assert 0 < final["search"]["eau"]["count"] < published
    output, _seconds = db.run("rebuild_search_index", "--if-stale")
    assert "à jour" in output
    record(
        scenario="rebuild_search_index killed",
        killed_after_s=round(killed_at, 1),
        documents_after_kill=index["documents"],
        published=published,
        rerun_s=round(seconds, 1),
        found_eau=final["search"]["eau"]["count"],
    )


# --- saved extractions --------------------------------------------------------------------------------


def test_extraction_killed_while_writing_leaves_no_record_and_its_leftover_goes(demo_db, scratch, record):
    """A web worker killed while it writes a saved extraction: no record points at a half file (the file
    is written under a temporary name, renamed, then recorded). What it left on disk is removed by the
    owner's next extraction once it is an hour old (regression: it stayed for good)."""
    db = scratch(demo_db.db)
    db.run("rebuild_search_index", "-v0")
    child = db.start_module("coopdec.fault_tests.extraction_worker", "csv")
    child.wait_for(lambda out: "owner=" in out, "the worker's start")
    owner = child.output.split("owner=", 1)[1].split()[0]
    folder = db.var_dir / "media" / "extractions" / owner

    def partial_file(_output: str) -> bool:
        return any(path.suffix == ".part" and path.stat().st_size > 0 for path in folder.glob("*.part"))

    killed_at = child.wait_for(partial_file, "a half-written file")
    assert child.kill() == KILLED
    left = sorted(folder.iterdir())
    assert [path.suffix for path in left] == [".part"]
    leftover_size = left[0].stat().st_size
    assert db.probe()["extractions"] == []

    # An hour later (the file's time set back), the owner makes another extraction.
    an_hour_ago = time.time() - 3601
    os.utime(left[0], (an_hour_ago, an_hour_ago))
    child = db.start_module("coopdec.fault_tests.extraction_worker", "csv")
    assert child.finish() == 0, child.output
    _done, uuid, rows, size = child.output.strip().splitlines()[-1].split()
    [extraction] = db.probe()["extractions"]
    assert (str(extraction["uuid"]), extraction["rows"], extraction["size"]) == (uuid, int(rows), int(size))
    [kept] = folder.iterdir()
    assert kept.name == f"{uuid}.csv" and kept.stat().st_size == int(size)
    with open(kept, encoding="utf-8-sig", newline="") as handle:
        assert sum(1 for _row in csv.reader(handle)) == int(rows) + 1  # the header, then every row
    record(
        scenario="saved extraction killed",
        killed_after_s=round(killed_at, 1),
        leftover_bytes=leftover_size,
        rows=int(rows),
        size=int(size),
    )
