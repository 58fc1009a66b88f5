"""Export throughput and peak memory: every project of a database as CSV, XLSX and GeoJSON.

    .venv/bin/python bench/exports.py [--database-url URL] [--formats csv,xlsx,geojson] [--no-record]
                                      [--note TEXT]

Each format runs in its own process (so peak RSS is that export's), writing to /dev/null through the same
generators the API streams, and the figures are appended to bench/RESULTS.md. Point --database-url at a
large database (``generate_demo --scale 77`` makes about a million projects, ``--scale 100`` 1.3 million)
for the target of issue 3: 20,000 rows/s or more, under 150 MB.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
import django
django.setup()
from coopdec.atlas.models import Project
from coopdec.exports.formats.columns import PROJECT_COLUMNS
from coopdec.exports.formats.csv import csv_chunks
from coopdec.exports.formats.geojson import geojson_chunks, project_geometry
from coopdec.exports.formats.rows import project_rows
from coopdec.exports.formats.xlsx import xlsx_chunks
fmt = sys.argv[1]
rows = project_rows(Project.objects.order_by("slug"))
n = [0]
def count(rows):
    for row in rows:
        n[0] += 1
        yield row
writers = {
    "csv": lambda rows: csv_chunks(PROJECT_COLUMNS, rows),
    "xlsx": lambda rows: xlsx_chunks(PROJECT_COLUMNS, rows),
    "geojson": lambda rows: geojson_chunks(PROJECT_COLUMNS, rows, project_geometry),
}
start = time.perf_counter()
cpu_start = time.process_time()
size = 0
with open("/dev/null", "wb") as out:
    for chunk in writers[fmt](count(rows)):
        size += len(chunk)
        out.write(chunk)
elapsed = time.perf_counter() - start
cpu = time.process_time() - cpu_start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"format": fmt, "rows": n[0], "seconds": elapsed, "cpu_seconds": cpu, "bytes": size,
                  "peak_mb": peak}))
"""


def run(fmt: str, env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, fmt], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"{fmt} export failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--formats", default="csv,xlsx,geojson")
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--note", default="", help="a paragraph appended under the table")
    args = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coopdec.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench",
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    results = []
    for fmt in args.formats.split(","):
        figures = run(fmt, env)
        figures["rows_per_second"] = figures["rows"] / figures["seconds"] if figures["seconds"] else 0
        # CPU time of the export process (the database's too, for SQLite, which runs in it): on a shared
        # machine wall time measures the neighbours as much as the export.
        cpu = figures["cpu_seconds"]
        figures["rows_per_cpu_second"] = figures["rows"] / cpu if cpu else 0
        results.append(figures)
        print(
            f"{fmt}: {figures['rows']} rows in {figures['seconds']:.1f} s = "
            f"{figures['rows_per_second']:,.0f} rows/s "
            f"(CPU {figures['cpu_seconds']:.1f} s = {figures['rows_per_cpu_second']:,.0f} rows/CPU-s), "
            f"{figures['bytes'] / 1e6:.1f} MB written, peak RSS {figures['peak_mb']:.0f} MB"
        )
    if args.no_record:
        return
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    # Only the code this benchmark runs: other people's uncommitted work elsewhere does not change it.
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", "coopdec/exports", "bench/exports.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if changed:
        commit += " (with uncommitted changes to the exports)"
    database = (args.database_url or "sqlite (var/coopdec.sqlite3)").split("@")[-1]
    lines = [
        "",
        f"## Exports — {datetime.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Machine: {platform.node()}, {os.cpu_count()} CPU, Python {platform.python_version()}; "
        f"commit {commit}; database {database}. `bench/exports.py`: every project, ordered by slug, "
        "through the API's writers into /dev/null, one process per format; "
        f"load average at the end {os.getloadavg()[0]:.1f}.",
        "",
        "| format | rows | seconds | rows/s | CPU seconds | rows/CPU-s | MB written | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r['format']} | {r['rows']} | {r['seconds']:.1f} | {r['rows_per_second']:,.0f} | "
            f"{r['cpu_seconds']:.1f} | {r['rows_per_cpu_second']:,.0f} | "
            f"{r['bytes'] / 1e6:.1f} | {r['peak_mb']:.0f} |"
            for r in results
        ),
        "",
        *([args.note, ""] if args.note else []),
    ]
    with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as out:
        out.write("\n".join(lines))


if __name__ == "__main__":
    main()
