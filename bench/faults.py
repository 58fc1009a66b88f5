#!/usr/bin/env python3
"""Faults and bad input, with their figures in bench/RESULTS.md (issue 5, docs/reliability.md).

Runs the tests marked ``fuzz`` or ``faults`` (coopdec/fuzz_tests, the hostile-file and formula tests,
coopdec/fault_tests) with the hypothesis profile ``stress`` (400 examples per property; ``--profile ci``
for the suite's 25), on SQLite by default or on the database of ``DATABASE_URL``. Each fault scenario
appends its figures to a JSON-lines file (``FAULTS_RESULTS``, see coopdec/fault_tests/conftest.py); the
fuzz tests count the requests they checked. The section appended to bench/RESULTS.md gives the date, the
machine, the commit, the database, the tests' outcome and time, the fuzz requests and one row per scenario.

    .venv/bin/python bench/faults.py                      # what `make stress` runs
    .venv/bin/python bench/faults.py --profile ci --no-record
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coopdec_stress .venv/bin/python bench/faults.py

The exit status is pytest's: a failed test fails `make stress`, after the section is written.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402 - bench/load.py, beside this file (machine, commit)

ROOT = load.ROOT
RESULTS = load.RESULTS
# Figures of a scenario left out of its row (long, or said by the other columns).
LEFT_OUT = {"test", "backend", "at", "load", "scenario", "figures", "rows"}


def run_tests(profile: str, results: Path, extra: list[str]) -> tuple[int, str, float]:
    env = {**os.environ, "HYPOTHESIS_PROFILE": profile, "FAULTS_RESULTS": str(results)}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "fuzz or faults", *extra]
    started = time.monotonic()
    # The output goes to the terminal as it comes and is kept for the summary lines.
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    for line in process.stdout:
        sys.stdout.write(line)
        lines.append(line)
    return process.wait(), "".join(lines), time.monotonic() - started


def scenario_rows(results: Path) -> list[str]:
    rows = []
    if not results.exists():
        return rows
    for line in results.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        figures = ", ".join(f"{key} {value}" for key, value in entry.items() if key not in LEFT_OUT)
        rows.append(f"| {entry.get('scenario', entry['test'])} | {entry['backend']} | {figures} |")
    return rows


def section(code: int, output: str, seconds: float, profile: str, results: Path) -> str:
    summary = re.findall(r"^=+ (.*(?:passed|failed|error).*) =+$", output, re.MULTILINE)
    fuzz = re.findall(r"^fuzz: ([\d,]+) requests checked", output, re.MULTILINE)
    database = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]
    lines = [
        f"## Faults and bad input — {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"- machine: {load.machine()}",
        f"- commit: {load.commit()}",
        f"- database: {'PostgreSQL ' + database if database else 'SQLite'} (the tests' own databases)",
        f'- tests: `pytest -m "fuzz or faults"`, hypothesis profile `{profile}`, load average '
        f"{load.loads(os.getloadavg())} at the end",
        f"- outcome: {summary[-1] if summary else 'no summary line'} (exit status {code}), "
        f"{seconds / 60:.1f} min; fuzz requests checked: {fuzz[-1] if fuzz else 'not counted'}",
        "",
        "| scenario | database | figures |",
        "|---|---|---|",
        *scenario_rows(results),
        "",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--profile", default="stress", choices=("ci", "stress"))
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-record", action="store_true", help="print only, append nothing")
    parser.add_argument("pytest_args", nargs="*", help="more arguments for pytest (after --)")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "faults.jsonl"
        code, output, seconds = run_tests(options.profile, results, options.pytest_args)
        text = section(code, output, seconds, options.profile, results)
    print("\n" + text)
    if not options.no_record:
        with options.output.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)
    return code


if __name__ == "__main__":
    sys.exit(main())
