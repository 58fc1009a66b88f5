#!/usr/bin/env python3
"""Page throughput: requests/s and p50/p95 latency of portal pages next to a minimal Django view.

The portal is served as in production: DEBUG=false, gunicorn with ``--workers`` sync workers (default: one
per processor) on 127.0.0.1, the settings of bench/bench_settings.py (the portal's own, plus the minimal view
of bench/bench_urls.py, which the portal's URLs never include). A load generator in this process (asyncio,
loopback only) keeps ``--concurrency`` requests in flight and stops by itself after ``--duration`` seconds or
``--max-requests`` requests per target, whichever comes first. Targets, in this order:

1. ``minimal``: a view returning a short HttpResponse through the same middleware;
2. ``sheet (cold)``: ``/atlas/projets/<slug>/`` once for each of ``--slugs`` fixed projects (every 1 in N
   by primary key), on fresh workers whose cache has never seen a sheet;
3. ``sheet (cached)``: the same slugs in a loop, after warm-up passes that fill every worker's cache; it
   takes turns with the minimal view in ``--rounds`` slices each, so both see the same load from other
   processes (the machine is shared) and their ratio is steadier than either figure;
4. ``home``: ``/``;
5. ``search``: ``/atlas/recherche/`` with a query and a facet (the "both" queries of bench/search.py).

Nothing is written to the database (GET requests only), so the shared var/coopdec.sqlite3 can be used as is.
Figures are printed and appended to bench/RESULTS.md with the machine, commit, database, server, concurrency
and load average (other processes on the machine share its processors with the server and the generator).

    .venv/bin/python bench/pages.py                              # var/coopdec.sqlite3
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/coopdec_bench
    .venv/bin/python bench/pages.py --duration 10 --concurrency 4 --no-record

Without gunicorn installed, the pages are measured in-process with Django's test client, one request at a
time, and the results say so: that measures the view and middleware code, not a server.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import importlib.util
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
HOST = "127.0.0.1"

# Search queries with keywords and at least one facet, the same as bench/search.py's "both" set.
SEARCHES = [
    "q=eau&country=SN",
    "q=eau&continent=AF&status=en_cours",
    "q=formation&region=11",
    "q=ecole&partnership_kind=jumelage&continent=EU",
    "q=sante&theme=sante&country=ML&country=BF",
    "q=culture&department=33&department=67",
    "q=agriculture&authority_kind=region&year_min=2012",
    "q=developpement&funder=agence-francaise-de-developpement",
    "q=gouvernance locale&continent=AF&sort=date",
    "q=tourisme&country=MA&country=TN",
    "q=climat&theme=environnement-climat-energie&status=en_cours&year_max=2022",
    "q=jeun&region=84&region=44",
]

# Printed by a child process with the benchmark's environment: the fixed slugs and what the database is.
FACTS = """
import json
import django
django.setup()
from django.db import connection
from coopdec.atlas.models import Project
count = Project.objects.count()
wanted = int(__import__("sys").argv[1])
step = max(1, count // wanted) if wanted else 1
slugs = list(Project.objects.order_by("pk").values_list("slug", flat=True)[::step][:wanted])
settings = connection.settings_dict
name = str(settings["NAME"]).rsplit("/", 1)[-1]
version = ""
if connection.vendor == "postgresql":
    connection.ensure_connection()
    version = str(connection.pg_version)
print(json.dumps({"projects": count, "slugs": slugs, "vendor": connection.vendor, "name": name,
                  "version": version}))
"""


@dataclass
class Run:
    target: str
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    # CPU time of the load generator itself during the run, to show its share of the 2 processors.
    generator_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000


def environment(database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-key-not-for-production-" + "x" * 20,
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "WARNING",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def facts(env: dict[str, str], slugs: int) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", FACTS, str(slugs)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# --- Load generator ---------------------------------------------------------------------------------------


async def fetch(port: int, path: str) -> tuple[str, float]:
    """One request on its own connection (gunicorn's sync workers close every connection anyway)."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, port)
    # Behind the production proxy every request arrives as https; without this header the production
    # settings would answer every request with a redirect to https.
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-Proto: https\r\n"
        "Accept-Language: fr\r\nConnection: close\r\n\r\n"
    )
    writer.write(request.encode("ascii"))
    await writer.drain()
    response = await reader.read()
    writer.close()
    elapsed = time.perf_counter() - started
    status = response[9:12].decode("ascii", "replace") if response.startswith(b"HTTP/") else "invalid"
    return status, elapsed


async def load(port: int, paths: list[str], concurrency: int, duration: float, max_requests: int) -> Run:
    run = Run("")
    deadline = time.perf_counter() + duration
    issued = 0

    async def worker() -> None:
        nonlocal issued
        while issued < max_requests and time.perf_counter() < deadline:
            path = paths[issued % len(paths)]
            issued += 1
            try:
                status, elapsed = await fetch(port, path)
            except OSError as error:
                status, elapsed = type(error).__name__, 0.0
            if status == "200":
                run.latencies.append(elapsed)
            else:
                run.errors[f"{status} {path}"] = run.errors.get(f"{status} {path}", 0) + 1
            run.requests += 1

    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    run.generator_cpu = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
    return run


def measure(
    target: str, port: int, paths: list[str], options, requests: int | None = None, share: int = 1
) -> Run:
    """``requests`` requests (a warm-up, a cold pass), or a timed run bounded by 1/``share`` of the limits."""
    run = asyncio.run(
        load(
            port,
            paths,
            options.concurrency,
            options.duration / share if requests is None else 3600,
            max(1, options.max_requests // share) if requests is None else requests,
        )
    )
    run.target = target
    print(
        f"{target}: {run.requests} requests in {run.seconds:.1f} s = {run.rate:.0f}/s, "
        f"p50 {run.percentile(50):.1f} ms, p95 {run.percentile(95):.1f} ms, "
        f"errors {sum(run.errors.values())}",
        flush=True,
    )
    return run


def merge(runs: list[Run]) -> Run:
    merged = Run(runs[0].target)
    for run in runs:
        merged.requests += run.requests
        merged.seconds += run.seconds
        merged.latencies += run.latencies
        merged.generator_cpu += run.generator_cpu
        for key, count in run.errors.items():
            merged.errors[key] = merged.errors.get(key, 0) + count
    return merged


# --- Server -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
        # Let a slow cold page finish instead of killing the worker under load.
        "--timeout",
        "120",
        "coopdec.wsgi:application",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start-up with exit code {server.returncode}")
        try:
            status, _ = asyncio.run(fetch(port, "/bench/minimal/"))
        except OSError:
            time.sleep(0.2)
            continue
        if status != "200":
            server.terminate()
            raise SystemExit(f"/bench/minimal/ answered {status}: check ALLOWED_HOSTS and the settings")
        return server, port
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def served_runs(env: dict[str, str], paths: dict[str, list[str]], options) -> list[Run]:
    server, port = start_gunicorn(env, options.workers)
    try:
        # Warm-up of the minimal view only: it fills no page cache, so the first sheets are really cold.
        measure("warm-up", port, paths["minimal"], options, requests=20 * options.concurrency)
        cold = measure("sheet (cold)", port, paths["sheet"], options, requests=len(paths["sheet"]))
        # Each worker has its own in-memory cache: a few passes make it very likely that every worker holds
        # every sheet before the cached run.
        measure("warm-up", port, paths["sheet"], options, requests=4 * options.workers * len(paths["sheet"]))
        # The minimal view and the cached sheet take turns in short slices, so that both sides of the ratio
        # see the same load from the other processes on the machine.
        slices = {"minimal": [], "sheet (cached)": []}
        for _ in range(options.rounds):
            for target, urls in (("minimal", paths["minimal"]), ("sheet (cached)", paths["sheet"])):
                slices[target].append(measure(target, port, urls, options, share=options.rounds))
        runs = [merge(slices["minimal"]), cold, merge(slices["sheet (cached)"])]
        measure("warm-up", port, paths["home"], options, requests=10 * options.concurrency)
        runs.append(measure("home", port, paths["home"], options))
        searches = paths["search"]
        measure("warm-up", port, searches, options, requests=4 * options.workers * len(searches))
        runs.append(measure("search", port, paths["search"], options))
        return runs
    finally:
        stop(server)


def in_process_runs(env: dict[str, str], paths: dict[str, list[str]], options) -> list[Run]:
    """Fallback without a WSGI server: Django's test client, one request at a time, in this process."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_ACCEPT_LANGUAGE="fr", SERVER_NAME=HOST)

    def run(target: str, urls: list[str], requests: int | None = None) -> Run:
        result = Run(target)
        limit = options.max_requests if requests is None else requests
        deadline = time.perf_counter() + (options.duration if requests is None else 3600)
        begun = time.perf_counter()
        while result.requests < limit and time.perf_counter() < deadline:
            url = urls[result.requests % len(urls)]
            started = time.perf_counter()
            status = str(client.get(url).status_code)
            if status == "200":
                result.latencies.append(time.perf_counter() - started)
            else:
                result.errors[f"{status} {url}"] = result.errors.get(f"{status} {url}", 0) + 1
            result.requests += 1
        result.seconds = time.perf_counter() - begun
        print(f"{target}: {result.rate:.0f}/s, p50 {result.percentile(50):.1f} ms", flush=True)
        return result

    run("warm-up", paths["minimal"], 200)
    runs = [run("minimal", paths["minimal"])]
    runs.append(run("sheet (cold)", paths["sheet"], len(paths["sheet"])))
    run("warm-up", paths["sheet"], len(paths["sheet"]))
    runs.append(run("sheet (cached)", paths["sheet"]))
    run("warm-up", paths["home"], 10)
    runs.append(run("home", paths["home"]))
    run("warm-up", paths["search"], len(paths["search"]))
    runs.append(run("search", paths["search"]))
    return runs


# --- Report -----------------------------------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def report(runs: list[Run], info: dict, options, load_before, load_after) -> str:
    by_target = {run.target: run for run in runs}
    minimal = by_target["minimal"].rate
    kilobytes = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
    dirty = git("status", "--porcelain")
    lines = [
        "",
        f"## Page throughput — {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"- machine: {platform.node()}, {os.cpu_count()} CPU (nproc), {kilobytes // 1024} MB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        f"- commit: {git('rev-parse', '--short', 'HEAD')}" + (" (with uncommitted changes)" if dirty else ""),
        f"- database: {info['database']}; {info['projects']:,} projects",
        f"- server: {info['server']}",
        f"- load generator: {info['generator']}",
        "- load average (1, 5, 15 min): "
        f"{' '.join(f'{v:.2f}' for v in load_before)} at start, {' '.join(f'{v:.2f}' for v in load_after)} "
        "at end (other engineers' processes share the machine)",
        "",
        "| target | requests | seconds | requests/s | p50 (ms) | p95 (ms) | max (ms) | errors | vs minimal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        worst = max(run.latencies) * 1000 if run.latencies else 0.0
        lines.append(
            f"| {run.target} | {run.requests:,} | {run.seconds:.1f} | {run.rate:,.0f} | "
            f"{run.percentile(50):.1f} | {run.percentile(95):.1f} | {worst:.1f} | "
            f"{sum(run.errors.values())} | {run.rate / minimal if minimal else 0:.2f} |"
        )
    cached = by_target["sheet (cached)"].rate / minimal if minimal else 0
    cold = by_target["sheet (cold)"].rate / minimal if minimal else 0
    verdict = "met" if cached >= 0.5 else "MISSED"
    lines += [
        "",
        f"Ratio project sheet / minimal view: **{cached:.2f}** cached, {cold:.2f} cold "
        f"(target ≥ 0.50 for the sheet: {verdict}).",
    ]
    errors = {key: n for run in runs for key, n in run.errors.items()}
    if errors:
        lines.append("Errors: " + "; ".join(f"{key} ×{n}" for key, n in list(errors.items())[:10]) + ".")
    if options.note:
        lines += ["", options.note]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL, else var/coopdec.sqlite3 (read only)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (default 8)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per target (default 15)")
    parser.add_argument("--max-requests", type=int, default=10000, help="requests per target (default 10000)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="turns of minimal view and cached sheet (default 3)"
    )
    parser.add_argument("--slugs", type=int, default=200, help="project sheets in the fixed set")
    parser.add_argument("--in-process", action="store_true", help="use Django's test client, no server")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-record", action="store_true", help="print only, append nothing")
    parser.add_argument("--note", default="", help="a sentence appended under the table")
    options = parser.parse_args()
    for name in ("workers", "concurrency", "duration", "max_requests", "slugs", "rounds"):
        if getattr(options, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")

    env = environment(options.database_url or os.environ.get("DATABASE_URL"))
    found = facts(env, options.slugs)
    if not found["slugs"]:
        raise SystemExit("The database holds no project: run `make data` (or generate_demo) first.")
    paths = {
        "minimal": ["/bench/minimal/"],
        "sheet": [f"/atlas/projets/{slug}/" for slug in found["slugs"]],
        "home": ["/"],
        "search": [
            "/atlas/recherche/?" + urllib.parse.urlencode(urllib.parse.parse_qsl(qs)) for qs in SEARCHES
        ],
    }
    database = f"{found['vendor']} ({found['name']})"
    if found["version"]:
        database += f", server {found['version']}"
    gunicorn = importlib.util.find_spec("gunicorn") is not None and not options.in_process
    load_before = os.getloadavg()
    if gunicorn:
        from importlib import metadata

        server = (
            f"gunicorn {metadata.version('gunicorn')}, {options.workers} sync workers, DEBUG=false, "
            "in-memory cache per worker (the default cache), one connection per request"
        )
        generator = (
            f"asyncio in the benchmark's process on {HOST}, concurrency {options.concurrency}, "
            f"up to {options.duration:g} s or {options.max_requests:,} requests per target; minimal view "
            f"and cached sheet in {options.rounds} alternating slices each"
        )
        runs = served_runs(env, paths, options)
    else:
        reason = "--in-process" if options.in_process else "gunicorn not installed"
        server = f"none: Django's test client in-process, DEBUG=false ({reason})"
        generator = "sequential, concurrency 1"
        runs = in_process_runs(env, paths, options)
    load_after = os.getloadavg()
    if gunicorn:
        cpu = sum(run.generator_cpu for run in runs)
        seconds = sum(run.seconds for run in runs)
        generator += f"; its own CPU time: {cpu:.1f} s over {seconds:.1f} s of measured runs"
    info = {
        "database": database,
        "projects": found["projects"],
        "server": server,
        "generator": generator,
    }
    text = report(runs, info, options, load_before, load_after)
    sys.stdout.write(text)
    if not options.no_record:
        with options.output.open("a", encoding="utf-8") as results:
            results.write(text)


if __name__ == "__main__":
    main()
