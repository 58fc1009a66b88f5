#!/usr/bin/env python3
"""Benchmarks: load_reference and generate_demo, then search, exports and pages, into bench/RESULTS.md.

Each scale runs in a database of its own (a throwaway SQLite file under a temporary directory, or the
PostgreSQL database given with --database-url, flushed first), so that a run measures what a newcomer's
first ``make run`` does. Every command runs as a separate process; its peak resident memory comes from
the kernel's accounting for that process (``os.wait4``), not from sampling. Once a scale's database is
filled, bench/search.py (which builds the search index first), bench/exports.py and bench/pages.py run
on it, each appending its own section; ``--skip`` leaves some of them out.

    .venv/bin/python bench/run.py                       # scales 1 and 10 on SQLite
    .venv/bin/python bench/run.py --scales 1            # only scale 1
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/coopdec_bench
    .venv/bin/python bench/run.py --scales 1 --skip exports,pages
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
# The benchmarks that run on each scale's database once generate_demo has filled it.
SUITES = ("search", "exports", "pages")


@dataclass
class Measure:
    step: str
    seconds: float
    peak_rss_mb: float


def run(args: list[str], env: dict[str, str], step: str | None = None) -> Measure:
    """Run ``manage.py args`` in its own process; fail loudly, with its output, if it fails."""
    command = [sys.executable, "manage.py", *args]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # Read the output while waiting, so a chatty command cannot block on a full pipe.
    output = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.stderr.write(output.decode(errors="replace"))
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return Measure(step or " ".join(args), seconds, usage.ru_maxrss / divisor)


def key_figures(env: dict[str, str]) -> dict:
    code = "import json; from coopdec.atlas.figures import key_figures; print(json.dumps(key_figures()))"
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def machine(database: str) -> dict[str, str]:
    meminfo = Path("/proc/meminfo")
    memory = "?"
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
        memory = f"{kilobytes / 1024 / 1024:.1f} GiB"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    return {
        "processors (nproc)": str(os.cpu_count()),
        "memory": memory,
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "Python": platform.python_version(),
        "Django": metadata.version("Django"),
        "commit": commit + (" (with uncommitted changes)" if dirty.strip() else ""),
        "database": database,
    }


def fresh_database(base_env: dict[str, str], database_url: str | None, workdir: Path, scale: int) -> dict:
    env = dict(base_env)
    if database_url:
        env["DATABASE_URL"] = database_url
        run(["migrate", "--noinput", "-v", "0"], env)
        run(["flush", "--noinput", "-v", "0"], env)
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / f'scale-{scale}.sqlite3'}"
        run(["migrate", "--noinput", "-v", "0"], env)
    return env


def suites(names: list[str], env: dict[str, str], scale: int, output: Path) -> None:
    """Run the other benchmarks on the database of this scale; each prints and appends its own section."""
    url = env["DATABASE_URL"]
    note = f"Run by bench/run.py on a fresh generate_demo --scale {scale} database."
    commands = {
        # --rebuild: a fresh database has no search index yet.
        "search": ["bench/search.py", "--rebuild", "--output", str(output), "--note", note],
        # exports.py always appends to bench/RESULTS.md: with another --output it only prints.
        "exports": ["bench/exports.py", "--database-url", url]
        + ([] if output.resolve() == RESULTS.resolve() else ["--no-record"]),
        "pages": ["bench/pages.py", "--database-url", url, "--output", str(output), "--note", note],
    }
    for name in names:
        print(f"scale {scale}: bench/{name}.py", flush=True)
        completed = subprocess.run([sys.executable, *commands[name]], cwd=ROOT, env=env)
        if completed.returncode != 0:
            raise SystemExit(f"bench/{name}.py failed with exit code {completed.returncode}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scales", default="1,10", help="comma-separated generate_demo scales (default 1,10)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--database-url",
        help="run on this database instead of throwaway SQLite files; it is FLUSHED before each scale",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--skip",
        default="",
        help=f"comma-separated benchmarks not to run after generate_demo, among {', '.join(SUITES)}",
    )
    options = parser.parse_args()
    scales = [int(scale) for scale in options.scales.split(",") if scale.strip()]
    skipped = {name.strip() for name in options.skip.split(",") if name.strip()}
    unknown = ", ".join(sorted(skipped - set(SUITES)))
    if unknown:
        parser.error(f"--skip: unknown {unknown}; known: {', '.join(SUITES)}")
    chosen = [name for name in SUITES if name not in skipped]

    with tempfile.TemporaryDirectory(prefix="coopdec-bench-") as tmp:
        workdir = Path(tmp)
        base_env = {**os.environ, "COOPDEC_VAR_DIR": str(workdir), "DEBUG": "true"}
        base_env.pop("DATABASE_URL", None)
        database = "PostgreSQL" if options.database_url else "SQLite (temporary file)"
        if options.database_url:
            version = subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "shell",
                    "-c",
                    "from django.db import connection; "
                    "connection.ensure_connection(); print(connection.pg_version)",
                ],
                cwd=ROOT,
                env={**base_env, "DATABASE_URL": options.database_url},
                capture_output=True,
                text=True,
            ).stdout.strip()
            database += f" (server {version})" if version else ""
        rows = []
        for scale in scales:
            env = fresh_database(base_env, options.database_url, workdir, scale)
            measure = run(["load_reference"], env, step="load_reference")
            rows.append((scale, measure, None))
            print(f"scale {scale}: load_reference {measure.seconds:.1f} s, {measure.peak_rss_mb:.0f} MB")
            args = ["generate_demo", "--scale", str(scale), "--seed", str(options.seed)]
            measure = run(args, env, step=" ".join(args))
            figures = key_figures(env)
            rows.append((scale, measure, figures))
            print(
                f"scale {scale}: generate_demo {measure.seconds:.1f} s, "
                f"{measure.peak_rss_mb:.0f} MB, {figures}"
            )
            suites(chosen, env, scale, options.output)

    info = machine(database)
    lines = [
        "",
        f"## {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        *[f"- {name}: {value}" for name, value in info.items()],
        "",
        "| scale | step | wall time (s) | peak memory (MB) | projects | partnerships | French auth. "
        "| foreign auth. | countries |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, measure, figures in rows:
        counts = (
            [
                f"{figures[key]:,}".replace(",", " ")
                for key in (
                    "projects",
                    "partnerships",
                    "french_authorities",
                    "foreign_authorities",
                    "countries",
                )
            ]
            if figures
            else [""] * 5
        )
        lines.append(
            f"| {scale} | `{measure.step}` | {measure.seconds:.1f} | {measure.peak_rss_mb:.0f} | "
            + " | ".join(counts)
            + " |"
        )
    text = "\n".join(lines) + "\n"
    if not options.output.exists():
        text = "# Benchmark results\n\nAppended by `make bench` (bench/run.py); see bench/README.md.\n" + text
    with options.output.open("a", encoding="utf-8") as results:
        results.write(text)
    print(text)


if __name__ == "__main__":
    main()
