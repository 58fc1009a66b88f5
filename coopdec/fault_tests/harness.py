"""Child processes of the fault tests: commands run against a database of their own, watched while they
run, killed with SIGKILL, and probed afterwards.

The test process never opens these databases through Django (its own connection is the test database):
children get ``DATABASE_URL`` and ``COOPDEC_VAR_DIR`` in their environment, as in production. The
backend follows the test run's: a SQLite file per database, or a PostgreSQL database per database created
beside the test database (named after it) and dropped at the end.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess  # noqa: S404 - the tests start the project's own commands with fixed arguments
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
MANAGE = str(ROOT / "manage.py")


class ChildFailed(AssertionError):
    pass


class Child:
    """A running child process whose stdout and stderr are read as they come (progress bars included)."""

    # Every child started, so that a failed test leaves none running (``kill_leftovers``).
    started_children: list[Child] = []

    def __init__(self, args: list[str], env: dict):
        self.args = args
        self.started = time.monotonic()
        self.process = subprocess.Popen(  # noqa: S603 - our interpreter and our own manage.py / modules
            args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        Child.started_children.append(self)
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._readers = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream) -> None:
        while chunk := stream.read1(65536):
            with self._lock:
                self._chunks.append(chunk)

    @property
    def output(self) -> str:
        with self._lock:
            return b"".join(self._chunks).decode("utf-8", "replace")

    def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float = 120) -> float:
        """Poll the output until ``condition(output)`` holds; return the seconds since the start.

        Fails if the child ends first (it was then not killed mid-way) or after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self.output):
                return time.monotonic() - self.started
            if self.process.poll() is not None:
                self._drain()
                raise ChildFailed(
                    f"{what}: the child ended first ({self.process.returncode}):\n{self.output}"
                )
            time.sleep(0.005)
        self.kill()
        raise ChildFailed(f"{what}: not seen after {timeout} s:\n{self.output[-3000:]}")

    def kill(self) -> int:
        """SIGKILL, as ``kill -9`` sends it; returns the exit status (-9 when the signal did it)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        status = self.process.wait(timeout=60)
        self._drain()
        return status

    def finish(self, timeout: float = 300) -> int:
        status = self.process.wait(timeout=timeout)
        self._drain()
        return status

    def _drain(self) -> None:
        for reader in self._readers:
            reader.join(timeout=10)


def kill_leftovers() -> None:
    """Kill the children still running (those of a test that failed before it killed or awaited them)."""
    while Child.started_children:
        child = Child.started_children.pop()
        if child.process.poll() is None:
            child.kill()


def progress(output: str, label: str) -> tuple[int, int | None]:
    """The last position of the tqdm bar named ``label`` in ``output``: (done, total or None)."""
    found = re.findall(re.escape(label) + r":[^\r\n]*?(\d+)(?:/(\d+))?(?: lignes)? \[", output)
    if not found:
        return 0, None
    done, total = found[-1]
    return int(done), int(total) if total else None


@dataclass
class Database:
    """A database of its own for child processes, with its own var folder (media files, exports)."""

    backend: Backend
    name: str
    var_dir: Path

    @property
    def url(self) -> str:
        return self.backend.url(self.name)

    def env(self, **extra: str) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST", "DJANGO_")) and key != "DATABASE_URL"
        }
        env.update(
            DATABASE_URL=self.url,
            COOPDEC_VAR_DIR=str(self.var_dir),
            DJANGO_SETTINGS_MODULE="coopdec.settings",
            PYTHONUNBUFFERED="1",
            # The progress bars are what the tests watch: drawn as if on a terminal, however narrow.
            COLUMNS="200",
        )
        env.update(extra)
        return env

    def start(self, *args: str) -> Child:
        """``manage.py args…`` in a child process."""
        return Child([sys.executable, MANAGE, *args], self.env())

    def start_module(self, module: str, *args: str) -> Child:
        return Child([sys.executable, "-m", module, *args], self.env())

    def run(self, *args: str, timeout: float = 600) -> tuple[str, float]:
        """``manage.py args…`` to its end; returns (output, seconds). A failure shows the output."""
        child = self.start(*args)
        status = child.finish(timeout)
        seconds = time.monotonic() - child.started
        if status != 0:
            raise ChildFailed(f"manage.py {' '.join(args)} failed ({status}):\n{child.output[-5000:]}")
        return child.output, seconds

    def probe(self, *args: str) -> dict:
        """What ``coopdec.fault_tests.probe`` reads in this database (see there)."""
        child = self.start_module("coopdec.fault_tests.probe", *args)
        status = child.finish(300)
        if status != 0:
            raise ChildFailed(f"probe failed ({status}):\n{child.output[-5000:]}")
        return json.loads(child.output.strip().splitlines()[-1])

    def writer_active(self) -> bool:
        """Whether a transaction that has written (and not committed) is open on this database."""
        return self.backend.writer_active(self.name)

    def clone(self, name: str, var_dir: Path) -> Database:
        self.backend.clone(self.name, name)
        var_dir.mkdir(parents=True, exist_ok=True)
        return Database(self.backend, name, var_dir)

    def drop(self) -> None:
        self.backend.drop(self.name)


class Backend(ABC):
    """Where the child processes' databases live: SQLite files in a folder, or PostgreSQL databases."""

    @abstractmethod
    def url(self, name: str) -> str:
        """The ``DATABASE_URL`` of database ``name``."""

    @abstractmethod
    def create_empty(self, name: str) -> None:
        """Make ``name`` an empty database (dropping any earlier one)."""

    @abstractmethod
    def clone(self, source: str, name: str) -> None:
        """Make ``name`` a copy of ``source`` as a reader sees it (committed data only)."""

    @abstractmethod
    def drop(self, name: str) -> None:
        """Remove ``name`` if it exists."""

    @abstractmethod
    def writer_active(self, name: str) -> bool:
        """Whether a connection holds an open write transaction on ``name`` (a command is mid-way)."""


class SQLiteBackend(Backend):
    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.sqlite3"

    def url(self, name: str) -> str:
        return f"sqlite:///{self.path(name)}"

    def create_empty(self, name: str) -> None:
        self.drop(name)

    def clone(self, source: str, name: str) -> None:
        # The backup API copies the database as a reader sees it: pages still in a write-ahead log left by
        # a killed process are included, a half-written transaction is not.
        self.drop(name)
        with sqlite3.connect(self.path(source)) as src, sqlite3.connect(self.path(name)) as dst:
            src.backup(dst)
        src.close()
        dst.close()

    def drop(self, name: str) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path(name)}{suffix}").unlink(missing_ok=True)

    def writer_active(self, name: str) -> bool:
        # Another connection holds the write lock exactly when BEGIN IMMEDIATE cannot take it at once.
        connection = sqlite3.connect(self.path(name), timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        else:
            connection.execute("ROLLBACK")
            return False
        finally:
            connection.close()


class PostgresBackend(Backend):
    def __init__(self, settings_dict: dict):
        self.params = {
            "host": settings_dict.get("HOST") or "127.0.0.1",
            "port": int(settings_dict.get("PORT") or 5432),
            "user": settings_dict.get("USER") or "postgres",
            "password": settings_dict.get("PASSWORD") or None,
        }

    def url(self, name: str) -> str:
        p = self.params
        credentials = quote(p["user"]) + (":" + quote(p["password"]) if p["password"] else "")
        return f"postgres://{credentials}@{p['host']}:{p['port']}/{name}"

    def _execute(self, statement) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.params) as connection:
            connection.execute(statement)

    def create_empty(self, name: str) -> None:
        from psycopg import sql

        self.drop(name)
        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def clone(self, source: str, name: str) -> None:
        import psycopg
        from psycopg import sql

        self.drop(name)
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(source)
        )
        # A killed child's server process may take a moment to go: the template must have no session.
        for _attempt in range(100):
            try:
                self._execute(statement)
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.1)
        self._execute(statement)

    def drop(self, name: str) -> None:
        from psycopg import sql

        self._execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def writer_active(self, name: str) -> bool:
        # A session whose transaction has been given a transaction id has written something.
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.params) as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL",
                [name],
            ).fetchone()
        return row[0] > 0
