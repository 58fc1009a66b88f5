"""Databases of their own for the fault tests' child processes (see ``harness.py``).

``reference_db`` (migrations and reference data) is built once per session, ``demo_db`` (the demonstration
dataset at ``SCALE``, its export and its figures, from an uninterrupted run) too; each test works on copies.
Set ``FAULTS_RESULTS`` to a file name to have every scenario append its figures there (one JSON line each),
for docs/reliability.md.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from .harness import Database, PostgresBackend, SQLiteBackend, kill_leftovers

# About 2,600 projects: long enough to be caught mid-way, short enough for the suite.
SCALE = "0.2"
SEED = "42"


@pytest.fixture(scope="session")
def backend(tmp_path_factory):
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        # Named after the run's own database (test_ removed), so that two runs side by side do not meet.
        prefix = str(db["NAME"]).removeprefix("test_") + "_kill_"
        return PostgresBackend(db), prefix
    return SQLiteBackend(tmp_path_factory.mktemp("faults-db")), "faults_"


@pytest.fixture(scope="session")
def reference_db(backend, tmp_path_factory):
    engine, prefix = backend
    db = Database(engine, prefix + "ref", tmp_path_factory.mktemp("faults-ref-var"))
    engine.create_empty(db.name)
    db.run("migrate", "--noinput", "-v0")
    db.run("load_reference", "-v0")
    yield db
    db.drop()


@dataclass
class Demo:
    db: Database
    export: Path  # the files of an uninterrupted export_atlas
    state: dict  # the probe's reading after an uninterrupted generate_demo
    seconds: float  # how long the uninterrupted generate_demo took


@pytest.fixture(scope="session")
def demo_db(backend, reference_db, tmp_path_factory):
    _engine, prefix = backend
    db = reference_db.clone(prefix + "demo", tmp_path_factory.mktemp("faults-demo-var"))
    _output, seconds = db.run("generate_demo", "--scale", SCALE, "--seed", SEED, "--if-empty", "-v0")
    export = db.var_dir / "export"
    db.run("export_atlas", str(export), "-v0")
    yield Demo(db, export, db.probe(), seconds)
    db.drop()


@pytest.fixture
def scratch(backend, tmp_path):
    """``scratch(source)``: a copy of the database ``source`` for this test, dropped after it (with any
    child the test left running)."""
    _engine, prefix = backend
    made = []

    def copy(source: Database) -> Database:
        db = source.clone(f"{prefix}{uuid.uuid4().hex[:8]}", tmp_path / f"var{len(made)}")
        made.append(db)
        return db

    yield copy
    kill_leftovers()
    for db in made:
        db.drop()


@pytest.fixture
def record(request):
    """``record(**figures)``: append the scenario's figures to $FAULTS_RESULTS (nothing when unset)."""

    def write(**figures):
        target = os.environ.get("FAULTS_RESULTS")
        if not target:
            return
        from django.conf import settings

        line = {
            "test": request.node.name,
            "backend": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "load": os.getloadavg()[0],
            **figures,
        }
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")

    return write


@pytest.fixture(autouse=True)
def no_child_left():
    """A test that fails between starting a child and killing it leaves no process behind."""
    yield
    kill_leftovers()
