#!/usr/bin/env python3
"""Search latency: p50/p95 of ``coopdec.search.query.search`` over a fixed set of queries.

Runs against the database in ``DATABASE_URL`` (default var/coopdec.sqlite3), whose search index must be
built (``manage.py migrate && manage.py rebuild_search_index``, or ``--rebuild`` here). Each query is what
the search page asks for: count, one page of 20 hits with snippets, facet counts (12 values per facet).
Every query runs once to warm up, then ``--rounds`` times; the figures are per call, in milliseconds, and
are appended to bench/RESULTS.md with the machine, commit, database and dataset size.

    .venv/bin/python bench/search.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coopdec_bench .venv/bin/python bench/search.py --rebuild
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopdec.settings")

# (kind, query string): keywords alone, facets alone, and both; codes are real reference codes and
# funders are organisations every demo dataset holds.
QUERIES = [
    ("keywords", "q=eau"),
    ("keywords", "q=eau potable"),
    ("keywords", "q=cooperation decentralisee"),
    ("keywords", "q=jumelages"),
    ("keywords", "q=formation professionnelle"),
    ("keywords", "q=santé maternelle"),
    ("keywords", "q=agri"),
    ("keywords", "q=gestion des dechets"),
    ("keywords", "q=Sénégal"),
    ("keywords", "q=patrimoine&sort=date"),
    ("keywords", "q=jeunesse&sort=title"),
    ("keywords", "q=climat energie&page=3"),
    ("facets", ""),
    ("facets", "country=SN"),
    ("facets", "country=SN&country=ML&country=BF"),
    ("facets", "continent=EU&partnership_kind=jumelage"),
    ("facets", "theme=eau-assainissement&status=en_cours"),
    ("facets", "region=84&theme=culture-patrimoine"),
    ("facets", "department=67"),
    ("facets", "authority_kind=commune&continent=AF"),
    ("facets", "funder=agence-francaise-de-developpement"),
    ("facets", "funder=ministere-de-leurope-et-des-affaires-etrangeres-daect&year_min=2015"),
    ("facets", "year_min=2010&year_max=2015&sort=date"),
    ("facets", "status=termine&page=5&sort=title"),
    ("both", "q=eau&country=SN"),
    ("both", "q=eau&continent=AF&status=en_cours"),
    ("both", "q=formation&region=11"),
    ("both", "q=ecole&partnership_kind=jumelage&continent=EU"),
    ("both", "q=sante&theme=sante&country=ML&country=BF"),
    ("both", "q=culture&department=33&department=67"),
    ("both", "q=agriculture&authority_kind=region&year_min=2012"),
    ("both", "q=developpement&funder=agence-francaise-de-developpement"),
    ("both", "q=gouvernance locale&continent=AF&sort=date"),
    ("both", "q=tourisme&country=MA&country=TN"),
    ("both", "q=climat&theme=environnement-climat-energie&status=en_cours&year_max=2022"),
    ("both", "q=jeun&region=84&region=44"),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def machine() -> str:
    kilobytes = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "coopdec/search", "bench/search.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{platform.node()}, {os.cpu_count()} CPU, {kilobytes // 1024} MB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; commit {commit}"
        + (" (search files modified)" if dirty else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="migrate and rebuild the search index first")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--note", default="", help="a sentence appended under the table")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.http import QueryDict

    from coopdec.atlas.models import Project
    from coopdec.search.models import SearchDocument
    from coopdec.search.query import SearchParams, ensure_fresh, facet_counts, parse_params, search

    if args.rebuild:
        call_command("migrate", "search", verbosity=0)
        call_command("rebuild_search_index", verbosity=0)
    projects = Project.objects.count()
    documents = SearchDocument.objects.count()
    if projects != documents:
        raise SystemExit(
            f"The search index holds {documents} documents for {projects} projects: run "
            "`manage.py rebuild_search_index` (or this script with --rebuild) first."
        )

    timings: dict[str, list[float]] = {qs: [] for _kind, qs in QUERIES}
    # CPU time of this process beside wall time: on SQLite the database works inside the process, so on a
    # machine shared with other work (load average above the processor count) it is the steadier figure.
    cpu_timings: dict[str, list[float]] = {qs: [] for _kind, qs in QUERIES}
    load_before = os.getloadavg()
    counts: dict[str, int] = {}
    for round_number in range(args.rounds + 1):
        for _kind, qs in QUERIES:
            params, errors = parse_params(QueryDict(qs))
            if errors:
                raise SystemExit(f"{qs}: {errors}")
            # Measure the uncached path: drop every cached count but the unfiltered ones, which a
            # running site always holds.
            cache.clear()
            facet_counts(SearchParams(), ensure_fresh()[0])  # also loads the in-memory columns
            started, cpu_started = time.perf_counter(), time.process_time()
            result = search(params, facet_limit=12)
            elapsed = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu_started) * 1000
            counts[qs] = result.count
            if round_number:  # round 0 warms caches up
                timings[qs].append(elapsed)
                cpu_timings[qs].append(cpu)
    load_after = os.getloadavg()

    def summary(values: list[float], cpu: list[float]) -> str:
        return (
            f"{percentile(values, 50):.1f} | {percentile(values, 95):.1f} | {max(values):.1f} | "
            f"{statistics.mean(values):.1f} | {percentile(cpu, 50):.1f} | {percentile(cpu, 95):.1f}"
        )

    settings = connection.settings_dict
    name = Path(settings["NAME"]).name if connection.vendor == "sqlite" else settings["NAME"]
    database = f"{connection.vendor} ({name})"
    lines = [
        "",
        f"## Search latency — {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"Machine: {machine()}; database {database}; {projects:,} projects. `bench/search.py`: "
        f"{len(QUERIES)} queries (count, a page of 20 hits with snippets, facet counts; cached counts "
        "dropped before each call except the unfiltered ones), "
        f"{args.rounds} timed rounds after one warm-up round; milliseconds per query, wall time, then "
        "CPU time of the benchmark's process (which includes SQLite's work, not PostgreSQL's). Load "
        f"average (1 min) {load_before[0]:.2f} at start, {load_after[0]:.2f} at end.",
        "",
        "| queries | n | p50 | p95 | max | mean | CPU p50 | CPU p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in ("keywords", "facets", "both"):
        values = [t for k, qs in QUERIES if k == kind for t in timings[qs]]
        cpu = [t for k, qs in QUERIES if k == kind for t in cpu_timings[qs]]
        lines.append(f"| {kind} | {len(values)} | {summary(values, cpu)} |")
    everything = [t for values in timings.values() for t in values]
    all_cpu = [t for values in cpu_timings.values() for t in values]
    lines.append(f"| **all** | {len(everything)} | {summary(everything, all_cpu)} |")
    slowest = sorted(timings, key=lambda qs: -statistics.median(timings[qs]))[:3]
    lines.append("")
    lines.append(
        "Slowest (median ms, results): "
        + "; ".join(
            f"`{qs or '(no filter)'}` {statistics.median(timings[qs]):.1f} ({counts[qs]:,})" for qs in slowest
        )
        + "."
    )
    if args.note:
        lines += ["", args.note]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    with args.output.open("a", encoding="utf-8") as out:
        out.write(text)


if __name__ == "__main__":
    main()
