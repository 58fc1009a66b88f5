#!/usr/bin/env python3
"""Load test: the portal served as in production, driven by locust at 50, 100 and 200 concurrent users.

1. The database (PostgreSQL, a database of its own, ``--database-url``) is dropped, created and filled as
   ``make data`` does: migrate, load_reference, generate_demo --scale 1 --seed 42, create_demo_accounts (with
   DEBUG=true for that command alone: it refuses to run otherwise, its passwords being public),
   rebuild_search_index, then ANALYZE. ``--reuse`` takes the database as it is (it must hold projects and
   the demonstration accounts).
2. The words, facets, project slugs and the editors' sheets the users need are read from the database
   into a JSON file (``bench/out/load/data.json``) that the locustfile reads.
3. gunicorn serves the portal on 127.0.0.1 with DEBUG=false and the portal's own settings and URLs (the
   environment of bench/pages.py, without its bench settings: their URLconf lacks the portal's 503 page), as
   ``--workers`` workers of ``--worker-class`` (sync, or gthread with ``--threads``), and writes an access
   log with the time each request spent in the server.
4. For each level of ``--users`` (default 50,100,200), one after the other on the same server, locust runs
   headless (bench/load/locustfile.py: 9 visitors for 1 editor, 1–5 s of think time) for ``--run-time``
   seconds, stopping by itself, or earlier after ``--max-requests`` requests.
5. locust's stats CSV is read back: per level and per endpoint, requests, requests/s, p50, p95, p99, max,
   failures, and the server's own p50/p95 from the access log (the rest of the latency is waiting for a
   worker); per level, the load average and the CPU used by the machine, the server's workers, PostgreSQL
   and locust. The section is printed and appended to bench/RESULTS.md with the machine and the commit.

Everything runs on 127.0.0.1; nothing leaves the machine.

    .venv/bin/python bench/load.py                                    # prepare coopdec_load, 50/100/200
    .venv/bin/python bench/load.py --reuse --users 50 --run-time 10 --no-record   # a quick check
    .venv/bin/python bench/load.py --reuse --worker-class gthread --workers 2 --threads 4
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import math
import os
import platform
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402 - bench/pages.py, beside this file

ROOT = pages.ROOT
HOST = pages.HOST
RESULTS = pages.RESULTS
OUT = ROOT / "bench" / "out" / "load"
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/coopdec_load"
# A page that needs no database: the server is ready when it answers 200.
READY_PATH = "/mentions-legales/"
TICKS = os.sysconf("SC_CLK_TCK")
# Endpoints whose p95 the target is about (at 200 users: under 500 ms, and no error at all).
TARGET_ENDPOINTS = ("search", "sheet")
TARGET_MS = 500

# Run in a child process with the benchmark's environment: what the users of the locustfile need.
FACTS = r"""
import collections, json, random, re, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import F
from django.http import QueryDict
from coopdec.accounts import demo
from coopdec.atlas import policies
from coopdec.atlas.models import Project
from coopdec.orgs.policies import actor_for
from coopdec.search import query
from coopdec.search.text import STOPWORDS

options = json.loads(sys.argv[1])
rng = random.Random(options["seed"])
slugs = list(Project.objects.order_by("pk").values_list("slug", flat=True))
if options["slugs"]:
    slugs = sorted(rng.sample(slugs, min(options["slugs"], len(slugs))))
# Words of the titles, the most frequent first, as people type them (accents kept).
counts = collections.Counter(
    word for title in Project.objects.values_list("title", flat=True).iterator()
    for word in re.findall(r"\w{4,}", title.lower()) if word not in STOPWORDS and not word.isdigit()
)
common = [word for word, _n in counts.most_common(200)]
words = common[:40] + rng.sample(common[40:], min(20, len(common[40:])))
# Facet values as the search engine counts them over the whole Atlas, the most frequent of each facet.
everything = query.search(query.parse_params(QueryDict(""))[0])
facets = {
    facet: [value.code for value in values[:15]]
    for facet, values in everything.facets.items()
    if facet in ("theme", "country", "continent", "region", "authority_kind", "partnership_kind", "status")
    and values
}
# Small search results for the CSV export: a country and a theme, 1 to 200 projects.
exports = []
for country in facets.get("country", []):
    for theme in facets.get("theme", []):
        text = f"country={country}&theme={theme}"
        if 1 <= query.search(query.parse_params(QueryDict(text))[0]).count <= 200:
            exports.append(text)
    if len(exports) >= 30:
        break
# The accounts that may edit sheets without a second factor: the authorities' agents.
editors, left_out = [], {}
for account in demo.ACCOUNTS:
    user = User.objects.filter(username=account.email, is_active=True).first()
    if user is None or account.two_factor:
        continue
    mine = policies.projects.queryset(actor_for(user), "edit").order_by("pk")
    # A sheet whose dates the edit form refuses (end before start: demonstration data drawn so) cannot be
    # saved as it is: its editor would get 400 for the dates, not for the load. Counted, left out.
    refused = mine.filter(end_date__lt=F("start_date"))
    left_out[account.email] = refused.count()
    sheets = list(mine.exclude(pk__in=refused.values("pk")).values_list("slug", flat=True))
    if sheets:
        editors.append({"email": account.email, "sheets": sheets})
editors.sort(key=lambda e: -len(e["sheets"]))
version = ""
if connection.vendor == "postgresql":
    connection.ensure_connection()
    version = str(connection.pg_version)
print(json.dumps({
    "projects": Project.objects.count(), "vendor": connection.vendor, "version": version,
    "name": str(connection.settings_dict["NAME"]).rsplit("/", 1)[-1],
    "slugs": slugs, "words": words, "facets": facets, "exports": exports, "editors": editors,
    "left_out": left_out,
}))
"""


# --- Database ---------------------------------------------------------------------------------------------


def check_loopback(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("--database-url must be a PostgreSQL database (postgres://…), as in production")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1", None, ""):
        raise SystemExit(f"the database must be on this machine (127.0.0.1), not {parts.hostname}")
    return parts


def recreate_database(url: str) -> None:
    """Drop and create the database of ``url`` (refused unless its name says it is a bench database)."""
    import psycopg
    from psycopg import sql

    parts = check_loopback(url)
    name = parts.path.lstrip("/")
    if not re.search(r"(load|bench|stress)", name):
        raise SystemExit(
            f"refusing to drop the database {name!r}: its name must contain load, bench or stress "
            "(or pass --reuse to use it as it is)"
        )
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare(env: dict[str, str], url: str) -> list[str]:
    """Fill a new database as `make data` does; returns the steps with their wall times."""
    recreate_database(url)
    manage = [sys.executable, "manage.py"]
    steps = [
        (["migrate", "--noinput"], {}),
        (["load_reference"], {}),
        (["generate_demo", "--scale", "1", "--seed", "42"], {}),
        # Refused with DEBUG off (public passwords): DEBUG=true for this command alone.
        (["create_demo_accounts"], {"DEBUG": "true"}),
        (["rebuild_search_index"], {}),
    ]
    done = []
    for args, extra in steps:
        started = time.perf_counter()
        print(f"prepare: manage.py {' '.join(args)}", flush=True)
        subprocess.run(
            [*manage, *args], cwd=ROOT, env={**env, **extra}, check=True, stdout=subprocess.DEVNULL
        )
        done.append(f"{args[0]} {time.perf_counter() - started:.0f} s")
    import psycopg

    # generate_demo analyses its tables; the search index and the accounts came after it.
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ANALYZE")
    return done


def write_data(env: dict[str, str], slugs: int, seed: int, path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", FACTS, json.dumps({"slugs": slugs, "seed": seed})],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(output.strip().splitlines()[-1])
    for key in ("slugs", "words", "facets", "exports", "editors"):
        if not data[key]:
            raise SystemExit(f"the database gives no {key} for the users: prepare it (without --reuse)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


# --- Server -----------------------------------------------------------------------------------------------

# Tab-separated so that an empty query string keeps its column.
ACCESS_FORMAT = "%(m)s\t%(U)s\t%(q)s\t%(s)s\t%(L)s"


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    access_log: Path
    description: str

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def start_server(env: dict[str, str], options, access_log: Path) -> Server:
    port = pages.free_port()
    access_log.parent.mkdir(parents=True, exist_ok=True)
    access_log.write_text("")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(options.workers),
        "--worker-class",
        options.worker_class,
        "--bind",
        f"{HOST}:{port}",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
        # gunicorn's default: a worker stuck for 30 s is killed and replaced (counted as a restart).
        "--timeout",
        "30",
        "--access-logfile",
        str(access_log),
        "--access-logformat",
        ACCESS_FORMAT,
        "coopdec.wsgi:application",
    ]
    description = f"gunicorn {metadata.version('gunicorn')}, {options.workers} {options.worker_class} workers"
    if options.worker_class == "gthread":
        command[command.index("--bind") : command.index("--bind")] = ["--threads", str(options.threads)]
        description += f" × {options.threads} threads"
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start-up with exit code {process.returncode}")
        try:
            import asyncio

            status, _elapsed = asyncio.run(pages.fetch(port, READY_PATH))
        except OSError:
            time.sleep(0.2)
            continue
        if status != "200":
            pages.stop(process)
            raise SystemExit(f"{READY_PATH} answered {status}: check ALLOWED_HOSTS and the settings")
        description += (
            " (timeout 30 s), DEBUG=false, the portal's settings: in-memory cache per worker, persistent "
            "database connections with health checks"
        )
        return Server(process, port, access_log, description)
    pages.stop(process)
    raise SystemExit("gunicorn did not answer within 60 s")


# --- CPU accounting (from /proc) ------------------------------------------------------------------------


def _stat(pid: str) -> tuple[str, int, int] | None:
    """(command, parent pid, CPU ticks) of a process, or None when it has gone."""
    try:
        line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    command = line[line.index("(") + 1 : line.rindex(")")]
    rest = line[line.rindex(")") + 2 :].split()
    return command, int(rest[1]), int(rest[11]) + int(rest[12])


@dataclass
class Snapshot:
    at: float
    busy: int  # CPU ticks of the whole machine, not idle
    total: int
    server: dict[int, int]  # pid → CPU ticks, gunicorn's master and workers
    postgres: dict[int, int]  # pid → CPU ticks, every PostgreSQL process (other databases' too)
    master: int
    ours: dict[int, int] = field(default_factory=dict)  # the backends connected to the bench's database

    @property
    def workers(self) -> set[int]:
        return set(self.server) - {self.master}


def snapshot(server_pid: int, database: str = "") -> Snapshot:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    server: dict[int, int] = {}
    postgres: dict[int, int] = {}
    ours: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        found = _stat(entry)
        if found is None:
            continue
        command, parent, ticks = found
        if int(entry) == server_pid or parent == server_pid:
            server[int(entry)] = ticks
        elif command.startswith("postgres"):
            postgres[int(entry)] = ticks
            if database and f" {database} " in _title(entry):
                ours[int(entry)] = ticks
    return Snapshot(time.monotonic(), sum(fields) - idle, sum(fields), server, postgres, server_pid, ours)


def _title(pid: str) -> str:
    """A PostgreSQL backend's process title: "postgres: 15/main: user database host(port) state"."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def used(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU seconds used between two snapshots by the processes alive at the second one (a process that
    ended in between is not counted: short-lived PostgreSQL backends of other databases, mostly)."""
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items()) / TICKS


# --- locust ---------------------------------------------------------------------------------------------


@dataclass
class Level:
    users: int
    seconds: float = 0.0
    rows: list[dict] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    server_times: dict[str, list[float]] = field(default_factory=dict)
    load_before: tuple = ()
    load_after: tuple = ()
    cpu: dict[str, float] = field(default_factory=dict)
    restarted_workers: int = 0


def run_locust(
    url: str,
    users: int,
    seconds: float,
    options,
    prefix: Path,
    extra_env: dict[str, str] | None = None,
    only: tuple[str, str] | None = None,
) -> float:
    """One headless locust run, bounded in time (and requests); returns locust's own CPU seconds.

    ``only``: (tag, user class) to run the tasks of one tag alone.
    """
    env = {
        **os.environ,
        "LOAD_DATA": str(options.data_file),
        "LOAD_MAX_REQUESTS": str(options.max_requests),
        "LOAD_THINK_MIN": str(options.think[0]),
        "LOAD_THINK_MAX": str(options.think[1]),
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        url,
        "--users",
        str(users),
        "--spawn-rate",
        str(options.spawn_rate),
        "--run-time",
        f"{seconds:g}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    if only is not None:
        # The user class first: --tags takes every word that follows it.
        command += [only[1], "--tags", only[0]]
    with open(f"{prefix}.log", "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + seconds + 60
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                # locust must stop by itself; if it does not, it is stopped and the run says so.
                process.send_signal(signal.SIGINT)
                deadline = time.monotonic() + 30
                print(f"locust overran its {seconds:g} s at {users} users: interrupted", flush=True)
            time.sleep(0.5)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"locust ended with exit code {process.returncode}: see {prefix}.log")
    return usage.ru_utime + usage.ru_stime


def read_stats(prefix: Path) -> tuple[list[dict], list[dict]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        with open(f"{prefix}_failures.csv", encoding="utf-8") as source:
            failures = list(csv.DictReader(source))
    return rows, failures


def endpoint(method: str, path: str, query: str) -> str:
    """The locustfile's name of a request seen in the access log."""
    if path == "/":
        return "home"
    if path.startswith("/atlas/recherche/"):
        return "search"
    if path.startswith("/atlas/projets/"):
        return "sheet"
    if path == "/atlas/carte/":
        return "map"
    if path.endswith("pays.geojson"):
        return "map: countries GeoJSON"
    if path.endswith("points.geojson"):
        return "map: points GeoJSON"
    if path == "/api/v1/projects":
        return "export: CSV" if "format=csv" in query else "API: projects"
    if path == "/compte/connexion/":
        return "login: password" if method == "POST" else "login: form"
    if path == "/espace/atlas/projets/":
        return "space: sheets list"
    if path.startswith("/espace/atlas/projets/") and path.endswith("/modifier/"):
        return "space: save" if method == "POST" else "space: edit form"
    if path.startswith("/espace/atlas/projets/"):
        return "space: sheet"
    return "other"


def server_times(access_log: Path, start: int, end: int) -> dict[str, list[float]]:
    """Seconds spent in the server per endpoint, for the access-log lines between two offsets."""
    times: dict[str, list[float]] = {}
    with open(access_log, "rb") as log:
        log.seek(start)
        chunk = log.read(end - start).decode("utf-8", "replace")
    for line in chunk.splitlines():
        parts = line.split("\t")
        if len(parts) != 5:
            continue
        method, path, query, status, seconds = parts
        name = endpoint(method, path, query)
        if name == "space: save" and status == "409":
            name = "space: save — 409 conflict"
        times.setdefault(name, []).append(float(seconds))
    return times


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))]


def run_level(server: Server, users: int, options) -> Level:
    level = Level(users)
    prefix = OUT / f"users-{users}"
    level.load_before = os.getloadavg()
    offset = server.access_log.stat().st_size
    before = snapshot(server.process.pid, options.database_name)
    print(f"{users} users for {options.run_time:g} s…", flush=True)
    locust_cpu = run_locust(server.url, users, options.run_time, options, prefix)
    after = snapshot(server.process.pid, options.database_name)
    time.sleep(1)  # the last access-log lines
    level.server_times = server_times(server.access_log, offset, server.access_log.stat().st_size)
    level.load_after = os.getloadavg()
    level.seconds = after.at - before.at
    level.rows, level.failures = read_stats(prefix)
    level.cpu = {
        "busy": (after.busy - before.busy) / max(1, after.total - before.total) * 100,
        "busy_seconds": (after.busy - before.busy) / TICKS,
        "server": used(before.server, after.server),
        "postgres": used(before.postgres, after.postgres),
        "ours": used(before.ours, after.ours),
        "locust": locust_cpu,
    }
    level.cpu["others"] = max(
        0.0, level.cpu["busy_seconds"] - level.cpu["server"] - level.cpu["postgres"] - locust_cpu
    )
    level.restarted_workers = len(before.workers - after.workers)
    total = next(row for row in level.rows if row["Name"] == "Aggregated")
    print(
        f"  {total['Request Count']} requests, {float(total['Requests/s']):.1f}/s, p50 {total['50%']} ms, "
        f"p95 {total['95%']} ms, failures {total['Failure Count']}; machine CPU {level.cpu['busy']:.0f} %",
        flush=True,
    )
    return level


# --- Report ---------------------------------------------------------------------------------------------


def machine() -> str:
    kilobytes = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
    return (
        f"{platform.node()}, {os.cpu_count()} CPU (nproc), {kilobytes // 1024} MB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def commit() -> str:
    dirty = pages.git("status", "--porcelain", "--untracked-files=no")
    return pages.git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if dirty else "")


def loads(values: tuple) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def level_table(level: Level) -> list[str]:
    cpu = level.cpu
    lines = [
        "",
        f"### {level.users} users",
        "",
        f"Load average {loads(level.load_before)} before, {loads(level.load_after)} after. CPU over the "
        f"{level.seconds:.0f} s: machine {cpu['busy']:.0f} % busy ({cpu['busy_seconds']:.1f} CPU-s of "
        f"{level.seconds * (os.cpu_count() or 1):.0f}): gunicorn {cpu['server']:.1f} s, PostgreSQL "
        f"{cpu['postgres']:.1f} s (of which this database's backends {cpu['ours']:.1f} s), locust "
        f"{cpu['locust']:.1f} s, other processes "
        f"{cpu['others']:.1f} s."
        + (f" Workers restarted: {level.restarted_workers}." if level.restarted_workers else ""),
        "",
        "| endpoint | requests | req/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | failures "
        "| server p50 | server p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = sorted(level.rows, key=lambda row: (row["Name"] == "Aggregated", -int(row["Request Count"])))
    for row in rows:
        name = row["Name"]
        times = level.server_times.get(name, [])
        if name == "Aggregated":
            times = [t for values in level.server_times.values() for t in values]
            name = "**all**"
        server = (
            f"{percentile(times, 50) * 1000:.0f} | {percentile(times, 95) * 1000:.0f}" if times else "– | –"
        )
        lines.append(
            f"| {name} | {int(row['Request Count']):,} | {float(row['Requests/s']):.1f} | {row['50%']} | "
            f"{row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} | {row['Failure Count']} | "
            f"{server} |"
        )
    if level.failures:
        listed = "; ".join(
            f"{f['Method']} {f['Name']}: {f['Error'][:120]} ×{f['Occurrences']}" for f in level.failures[:8]
        )
        lines += ["", f"Failures: {listed}."]
    return lines


def verdict(levels: list[Level]) -> str:
    top = max(levels, key=lambda level: level.users)
    by_name = {row["Name"]: row for row in top.rows}
    failures = int(by_name["Aggregated"]["Failure Count"])
    p95 = {name: float(by_name[name]["95%"]) for name in TARGET_ENDPOINTS if name in by_name}
    met = failures == 0 and all(value < TARGET_MS for value in p95.values())
    figures = ", ".join(f"{name} {value:.0f} ms" for name, value in p95.items())
    return (
        f"At {top.users} users: {failures} failures, p95 {figures} (target: no failure and p95 under "
        f"{TARGET_MS} ms for search and sheet: {'met' if met else 'MISSED'})."
    )


def report(levels: list[Level], info: dict, options) -> str:
    lines = [
        "",
        f"## Load test — {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"- machine: {machine()}",
        f"- commit: {commit()}",
        f"- database: {info['database']}",
        f"- server: {info['server']}",
        f"- users: locust {metadata.version('locust')} (FastHttpUser), bench/load/locustfile.py: 9 anonymous "
        f"visitors for 1 signed-in editor, {options.think[0]:g}–{options.think[1]:g} s of think time, "
        f"spawned at {options.spawn_rate:g}/s, {options.run_time:g} s per level (spawning included) after "
        f"{options.warmup:g} s of warm-up at {min(options.levels)} users (not reported), at most "
        f"{options.max_requests:,} requests; on {HOST}, on the same processors as the server and PostgreSQL",
        "- failures: any status of 400 or more except the editors' 409 conflicts (their own line), a "
        "connection error or an answer after 30 s; 'server' columns: time spent inside gunicorn (access "
        "log), the rest of the latency is waiting for a worker",
    ]
    for level in levels:
        lines += level_table(level)
    lines += ["", verdict(levels)]
    if options.note:
        lines += ["", options.note]
    return "\n".join(lines) + "\n"


def parse_options(argv=None, *, description: str = "", extra=None, defaults: dict | None = None):
    """The options of this script; bench/pg_restart.py adds its own (``extra``) and other defaults."""
    parser = argparse.ArgumentParser(description=description or __doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help=f"default {DEFAULT_DATABASE}")
    parser.add_argument("--reuse", action="store_true", help="use the database as it is (no drop, no fill)")
    parser.add_argument(
        "--users", default="50,100,200", help="levels, one after the other (default 50,100,200)"
    )
    parser.add_argument("--run-time", type=float, default=60.0, help="seconds per level (default 60)")
    parser.add_argument(
        "--spawn-rate", type=float, default=20.0, help="users started per second (default 20)"
    )
    parser.add_argument("--max-requests", type=int, default=100_000, help="requests per level at most")
    parser.add_argument("--think", default="1,5", help="think time between two actions, min,max s (1,5)")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 2) + 1, help="default 2×CPU+1")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    parser.add_argument("--slugs", type=int, default=0, help="sheets visited: a random N, 0 = all (default)")
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds of unreported warm-up (30)")
    parser.add_argument(
        "--cpu-per-request",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="instead of the levels, run each task alone for SECONDS on one worker: CPU per request",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-record", action="store_true", help="print only, append nothing")
    parser.add_argument("--note", default="", help="a paragraph appended under the tables")
    if extra is not None:
        extra(parser)
    parser.set_defaults(**(defaults or {}))
    options = parser.parse_args(argv)
    try:
        options.levels = [int(v) for v in options.users.split(",") if v.strip()]
        options.think = tuple(float(v) for v in options.think.split(","))
    except ValueError:
        parser.error("--users and --think take numbers separated by commas")
    if not options.levels or min(options.levels) <= 0 or len(options.think) != 2:
        parser.error("--users needs positive numbers, --think two numbers")
    for name in ("run_time", "spawn_rate", "max_requests", "workers", "threads"):
        if getattr(options, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    options.data_file = OUT / "data.json"
    options.database_name = urllib.parse.urlsplit(options.database_url).path.lstrip("/")
    return options


def server_version(number: str) -> str:
    """PostgreSQL's version number as people write it: 150020 → 15.20."""
    return f"{int(number) // 10000}.{int(number) % 10000}" if number.isdigit() else number


def setup(options) -> tuple[dict[str, str], dict, str]:
    """Environment, data for the users, and a description of the database (prepared unless --reuse)."""
    check_loopback(options.database_url)
    env = {**pages.environment(options.database_url), "DJANGO_SETTINGS_MODULE": "coopdec.settings"}
    prepared = "reused as it was"
    if not options.reuse:
        prepared = "prepared as `make data` does (" + ", ".join(prepare(env, options.database_url)) + ")"
    data = write_data(env, options.slugs, options.seed, options.data_file)
    name = data["name"]
    database = (
        f"PostgreSQL {server_version(data['version'])} ({name}), {data['projects']:,} projects, {prepared}; "
        f"{len(data['slugs']):,} sheets visited at random, {len(data['words'])} words and "
        f"{sum(len(v) for v in data['facets'].values())} facet values for the searches, "
        f"{len(data['exports'])} small results for the CSV export, editors on "
        + " and ".join(f"{e['email'].split('@')[0]} ({len(e['sheets'])} sheets)" for e in data["editors"])
        + (
            f" ({sum(data['left_out'].values())} of their sheets left out: end date before start date, "
            "which the edit form refuses)"
            if sum(data["left_out"].values())
            else ""
        )
    )
    return env, data, database


# --- CPU per request -------------------------------------------------------------------------------------

# The locustfile's tasks, one tag each, with the user class that runs them.
CPU_TASKS = (
    ("home", "Visitor"),
    ("sheet", "Visitor"),
    ("search", "Visitor"),
    ("map", "Visitor"),
    ("api", "Visitor"),
    ("export", "Visitor"),
    ("space", "Editor"),
    ("edit", "Editor"),
)


# Requests a task makes (the others make one): the map page and its two GeoJSON; the edit form and its save.
REQUESTS_PER_TASK = {"map": 3, "edit": 2}
# Think times a task waits (the others one): the edit waits once more between its form and its save.
WAITS_PER_TASK = {"edit": 2}


def task_weights() -> dict[str, int]:
    """Each tag's task weight, read from the locustfile (the tag decorator sits on the task decorator)."""
    weights: dict[str, int] = {}
    for found in re.finditer(r'@tag\("(\w+)"\)\s*@task\((\d+)\)', LOCUSTFILE.read_text(encoding="utf-8")):
        weights[found[1]] = weights.get(found[1], 0) + int(found[2])
    return weights


@dataclass
class TaskCost:
    tag: str
    user: str
    requests: int
    tasks: int  # requests per task
    server_ms: float  # gunicorn's CPU per request
    database_ms: float  # the database's backends' CPU per request
    wall: dict[str, str]  # endpoint → p50 (ms), from locust

    @property
    def per_task_ms(self) -> float:
        return (self.server_ms + self.database_ms) * self.tasks


def measure_costs(env: dict[str, str], options) -> tuple[list[TaskCost], str]:
    """Each task alone, one user without think time, on one sync worker: CPU per request of the worker
    and of the database's backends (from /proc), so the figures hold whatever else the machine runs."""
    single = argparse.Namespace(
        **{**vars(options), "workers": 1, "worker_class": "sync", "think": (0.0, 0.0)}
    )
    server = start_server(env, single, OUT / "cpu_access.log")
    costs = []
    try:
        for tag, user in CPU_TASKS:  # a first pass warms the worker: imports, search columns, templates
            run_locust(server.url, 1, 3, single, OUT / f"cpu-warm-{tag}", only=(tag, user))
        for tag, user in CPU_TASKS:
            prefix = OUT / f"cpu-{tag}"
            before = snapshot(server.process.pid, options.database_name)
            run_locust(server.url, 1, options.cpu_per_request, single, prefix, only=(tag, user))
            after = snapshot(server.process.pid, options.database_name)
            rows, _failures = read_stats(prefix)
            # The editors' sign-in (two requests, one password hash) is part of their runs.
            counted = [r for r in rows if r["Name"] != "Aggregated" and not r["Name"].startswith("login")]
            requests = sum(int(r["Request Count"]) for r in rows if r["Name"] != "Aggregated")
            costs.append(
                TaskCost(
                    tag,
                    user,
                    requests,
                    REQUESTS_PER_TASK.get(tag, 1),
                    used(before.server, after.server) * 1000 / max(1, requests),
                    used(before.ours, after.ours) * 1000 / max(1, requests),
                    {r["Name"]: r["50%"] for r in counted},
                )
            )
            print(
                f"  {tag}: {requests} requests, {costs[-1].server_ms:.1f} + {costs[-1].database_ms:.1f} ms",
                flush=True,
            )
    finally:
        pages.stop(server.process)
    return costs, server.description


def cost_report(costs: list[TaskCost], info: dict, options) -> str:
    weights = task_weights()
    think = sum(options.think) / 2
    lines = [
        "",
        f"## Load test: CPU per request — {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"- machine: {machine()}",
        f"- commit: {commit()}",
        f"- database: {info['database']}",
        f"- server: {info['server']}",
        f"- method: each task of bench/load/locustfile.py alone, one user without think time, "
        f"{options.cpu_per_request:g} s each after a 3 s warm-up pass; CPU time of the gunicorn worker and "
        "of this database's PostgreSQL backends, read in /proc, divided by the requests (the editors' two "
        "sign-in requests and their password hash are included in their tasks' figures)",
        "",
        "| task | weight | requests | endpoints: p50 wall (ms) | gunicorn CPU / request (ms) | "
        "PostgreSQL CPU / request (ms) | CPU per task (ms) |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for cost in costs:
        wall = ", ".join(f"{name} {p50}" for name, p50 in cost.wall.items())
        lines.append(
            f"| {cost.tag} ({cost.user}) | {weights.get(cost.tag, 0)} | {cost.requests} | {wall} | "
            f"{cost.server_ms:.1f} | {cost.database_ms:.1f} | {cost.per_task_ms:.1f} |"
        )
    # A user picks its next task by weight; each task lasts its think times (response times left out):
    # CPU per second of one user = Σ weight × CPU per task / Σ weight × duration.
    per_second, share = {}, {}
    for user, part in (("Visitor", 0.9), ("Editor", 0.1)):
        mine = [c for c in costs if c.user == user]
        seconds = sum(weights.get(c.tag, 0) * WAITS_PER_TASK.get(c.tag, 1) * think for c in mine)
        for c in mine:
            share[c.tag] = part * weights.get(c.tag, 0) * c.per_task_ms / 1000 / max(seconds, 1e-9)
        per_second[user] = sum(share[c.tag] for c in mine) / part
    per_user = sum(share.values())
    processors = os.cpu_count() or 1
    ranked = sorted(share.items(), key=lambda item: -item[1])
    lines += [
        "",
        f"Mix (9 visitors for 1 editor, {think:g} s of mean think time, an edit waits twice): a visitor "
        f"needs {per_second['Visitor'] * 1000:.1f} ms of CPU per second, an editor "
        f"{per_second['Editor'] * 1000:.1f} ms; one user of the mix {per_user * 1000:.1f} ms, of which "
        + ", ".join(f"{tag} {value / per_user:.0%}" for tag, value in ranked[:4])
        + ". That is "
        + ", ".join(f"{per_user * n:.2f} CPU-s/s at {n} users" for n in options.levels)
        + f", against {processors} processors (load generator and other processes not counted): saturation "
        f"from about {processors / per_user:.0f} users on an otherwise idle machine.",
    ]
    if options.note:
        lines += ["", options.note]
    return "\n".join(lines) + "\n"


def warm_up(server: Server, options) -> None:
    """Fresh workers import, load the search columns and fill their caches at their first requests; a
    running portal did that long ago, so the measures start on warm workers."""
    if options.warmup:
        print(f"warm-up: {min(options.levels)} users for {options.warmup:g} s (not reported)", flush=True)
        run_locust(server.url, min(options.levels), options.warmup, options, OUT / "warmup")


def main() -> None:
    options = parse_options()
    env, _data, database = setup(options)
    if options.cpu_per_request:
        costs, server = measure_costs(env, options)
        text = cost_report(costs, {"database": database, "server": server}, options)
        sys.stdout.write(text)
        if not options.no_record:
            with options.output.open("a", encoding="utf-8") as results:
                results.write(text)
        return
    server = start_server(env, options, OUT / "access.log")
    levels = []
    try:
        warm_up(server, options)
        for users in options.levels:
            levels.append(run_level(server, users, options))
            time.sleep(5)  # the last users' requests end before the next level starts
    finally:
        pages.stop(server.process)
    text = report(levels, {"database": database, "server": server.description}, options)
    sys.stdout.write(text)
    if not options.no_record:
        with options.output.open("a", encoding="utf-8") as results:
            results.write(text)


if __name__ == "__main__":
    main()
