#!/usr/bin/env python3
"""PostgreSQL restarted under load: do requests fail cleanly, and does the portal recover by itself?

The portal is served as bench/load.py serves it (gunicorn, DEBUG=false, PostgreSQL on 127.0.0.1, a database
of its own, prepared as `make data` does unless ``--reuse``); locust runs a lighter load (``--users``, 30 by
default, bench/load/locustfile.py) for ``--run-time`` seconds and, ``--restart-at`` seconds in, PostgreSQL is
restarted (``pg_ctlcluster --skip-systemctl-redirect <version> main restart``: every database of the
server stops for a few seconds, other people's included). The locustfile writes every request (time,
endpoint, status, milliseconds, the <title> of 5xx pages) to a file, and a probe connects to PostgreSQL every
0.1 s to time the outage. Measured:

- the requests that failed while the database was away, by status and page title (the portal should answer
  its own 503 page, "Service momentanément indisponible", at once rather than hang);
- the time from PostgreSQL accepting connections again to the first successful request, and to the last
  failed one (after which every request succeeds);
- that the gunicorn workers are the same processes before and after (no worker killed or restarted: the
  persistent connections are replaced through Django's CONN_HEALTH_CHECKS).

The figures are printed and appended to bench/RESULTS.md.

    .venv/bin/python bench/pg_restart.py                      # prepare coopdec_load, 30 users, 60 s
    .venv/bin/python bench/pg_restart.py --reuse --run-time 40 --restart-at 15
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import load  # bench/load.py, beside this file

OUT = load.OUT
PORTAL_503 = "Service momentanément indisponible"
PORTAL_500 = "Erreur du serveur"
# After PostgreSQL is back, requests may still fail for this long (a worker's next request notices the
# dead connection and reconnects); anything failing later means the portal did not recover by itself.
RECOVERY_SECONDS = 5.0


def cluster() -> tuple[str, str]:
    versions = sorted(
        os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".") if p.isdigit()]
    )
    if not versions:
        raise SystemExit("no PostgreSQL cluster under /etc/postgresql: this script restarts the local server")
    return versions[-1], "main"


def pg_command(action: str) -> list[str]:
    version, name = cluster()
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action]


def pg_online() -> bool:
    version, name = cluster()
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True).stdout
    return any(
        line.split()[:2] == [version, name] and "online" in line.split()[3] for line in listing.splitlines()
    )


@dataclass
class Outage:
    command_start: float = 0.0
    command_end: float = 0.0
    first_refused: float = 0.0  # the probe's first failed connection
    back: float = 0.0  # the probe's first successful connection after that
    command_output: str = ""


def probe(url: str, outage: Outage, stop: threading.Event) -> None:
    """Connect every 0.1 s: when the database stops accepting connections, and when it accepts them again."""
    import psycopg

    while not stop.is_set():
        try:
            with psycopg.connect(url, connect_timeout=2) as connection:
                connection.execute("SELECT 1")
            if outage.first_refused and not outage.back:
                outage.back = time.time()
                return
        except psycopg.OperationalError:
            if not outage.first_refused and outage.command_start:
                outage.first_refused = time.time()
        time.sleep(0.1)


@dataclass
class Event:
    at: float  # when the request started
    end: float
    name: str
    status: int
    ms: float
    title: str
    error: str

    @property
    def ok(self) -> bool:
        return 0 < self.status < 400 or self.status == 409


def read_events(path: Path) -> list[Event]:
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 6:
            continue
        ended, name, status, ms, title, error = parts
        end = float(ended)
        events.append(Event(end - float(ms) / 1000, end, name, int(status), float(ms), title, error))
    return sorted(events, key=lambda e: e.at)


def restart_under_load(options) -> dict:
    env, _data, database = load.setup(options)
    events_file = OUT / "pg_restart_events.tsv"
    events_file.unlink(missing_ok=True)
    server = load.start_server(env, options, OUT / "pg_restart_access.log")
    outage = Outage()
    stop_probe = threading.Event()
    try:
        load.warm_up(server, options)
        workers_before = load.snapshot(server.process.pid).workers
        result: dict = {}

        def run() -> None:
            result["locust_cpu"] = load.run_locust(
                server.url,
                options.users,
                options.run_time,
                options,
                OUT / "pg_restart",
                {"LOAD_EVENTS": str(events_file)},
            )

        runner = threading.Thread(target=run)
        runner.start()
        time.sleep(options.restart_at)
        prober = threading.Thread(target=probe, args=(options.database_url, outage, stop_probe), daemon=True)
        prober.start()
        print(f"restarting PostgreSQL: {' '.join(pg_command('restart'))}", flush=True)
        outage.command_start = time.time()
        done = subprocess.run(pg_command("restart"), capture_output=True, text=True)
        outage.command_end = time.time()
        outage.command_output = (done.stdout + done.stderr).strip()[:300]
        runner.join()
        prober.join(timeout=5)
        workers_after = load.snapshot(server.process.pid).workers
        server_alive = server.process.poll() is None
    finally:
        stop_probe.set()
        load.pages.stop(server.process)
        if not pg_online():
            # Never leave the machine without its database server.
            subprocess.run(pg_command("start"), check=False)
    return {
        "database": database,
        "server": server.description,
        "events": read_events(events_file),
        "outage": outage,
        "restart_status": done.returncode,
        "workers_before": workers_before,
        "workers_after": workers_after,
        "server_alive": server_alive,
    }


def analyse(found: dict) -> dict:
    events: list[Event] = found["events"]
    outage: Outage = found["outage"]
    start = outage.command_start
    back = outage.back or outage.command_end
    refused = outage.first_refused or start
    failed = [e for e in events if not e.ok]
    # In flight when the restart began (their connection was cut) or sent before the database was back.
    during = [e for e in failed if e.end >= start and e.at <= back]
    first_success = next((e for e in events if e.at >= back and e.ok), None)
    last_failure = max((e for e in failed if e.end >= start), key=lambda e: e.at, default=None)
    statuses = Counter((e.status, e.title or e.error or "") for e in failed)
    refused_window = [e for e in events if refused <= e.at <= back]
    return {
        "requests": len(events),
        "during": during,
        "statuses": statuses,
        "down_seconds": (back - refused) if outage.first_refused and outage.back else None,
        "command_seconds": outage.command_end - outage.command_start,
        "first_success": (first_success.at - back) if first_success else None,
        "last_failure": (last_failure.at - back) if last_failure else None,
        "late": [e for e in failed if e.at > back + RECOVERY_SECONDS],
        "before": [e for e in failed if e.end < start],
        "slowest_failure": max((e.ms for e in during), default=0.0),
        "refused_requests": len(refused_window),
        "refused_slowest": max((e.ms for e in refused_window), default=0.0),
        "portal_pages": all(e.title.startswith((PORTAL_503, PORTAL_500)) for e in failed if e.status >= 500),
        "after_ok": sum(e.ok for e in events if e.at > back + RECOVERY_SECONDS),
        "after_total": sum(1 for e in events if e.at > back + RECOVERY_SECONDS),
    }


def report(found: dict, figures: dict, options) -> str:
    outage: Outage = found["outage"]
    restarted = found["workers_before"] - found["workers_after"]
    recovered = (
        not figures["late"]
        and figures["after_total"] > 0
        and found["server_alive"]
        and not restarted
        and figures["down_seconds"] is not None
    )
    lines = [
        "",
        f"## PostgreSQL restart under load — {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        "",
        f"- machine: {load.machine()}",
        f"- commit: {load.commit()}",
        f"- database: {found['database']}",
        f"- server: {found['server']}",
        f"- load: {options.users} users of bench/load/locustfile.py (9 visitors for 1 editor, "
        f"{options.think[0]:g}–{options.think[1]:g} s think time) for {options.run_time:g} s; PostgreSQL "
        f"restarted {options.restart_at:g} s in with `{' '.join(pg_command('restart'))}` (exit status "
        f"{found['restart_status']}, {figures['command_seconds']:.1f} s)",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| requests in the run | {figures['requests']:,} |",
        "| database unreachable (probe, connection every 0.1 s) | "
        + (f"{figures['down_seconds']:.1f} s |" if figures["down_seconds"] is not None else "never seen |"),
        f"| requests failed from the restart command to the database being back | {len(figures['during'])} |",
        f"| slowest of those (in flight when it stopped) | {figures['slowest_failure']:.0f} ms |",
        f"| requests sent while connections were refused | {figures['refused_requests']} |",
        f"| slowest answer to those | {figures['refused_slowest']:.0f} ms |",
        "| first success after the database was back | "
        + (f"{figures['first_success']:+.2f} s |" if figures["first_success"] is not None else "none |"),
        "| last failure, from the database being back | "
        + (f"{figures['last_failure']:+.2f} s |" if figures["last_failure"] is not None else "none |"),
        f"| failures more than {RECOVERY_SECONDS:g} s after it was back | {len(figures['late'])} |",
        f"| requests after that, succeeded | {figures['after_ok']:,} of {figures['after_total']:,} |",
        f"| failures before the restart command | {len(figures['before'])} |",
        f"| gunicorn workers replaced | {len(restarted)} of {len(found['workers_before'])} |",
        "",
        "Failed requests by status and page: "
        + (
            "; ".join(
                f"{status} « {title} » ×{n}" if title else f"{status or 'no answer'} ×{n}"
                for (status, title), n in figures["statuses"].most_common()
            )
            or "none"
        )
        + ".",
        "",
        (
            "The portal answered its own error pages and recovered by itself."
            if recovered and figures["portal_pages"]
            else "NOT CLEAN: "
            + ", ".join(
                reason
                for reason, bad in (
                    ("failures long after the database was back", bool(figures["late"])),
                    ("5xx pages that are not the portal's own", not figures["portal_pages"]),
                    ("gunicorn workers were replaced", bool(restarted)),
                    ("the server stopped", not found["server_alive"]),
                    ("no request after the outage", not figures["after_total"]),
                    ("the probe never saw the database refuse a connection", figures["down_seconds"] is None),
                )
                if bad
            )
            + "."
        ),
    ]
    if outage.command_output and found["restart_status"]:
        lines += ["", f"pg_ctlcluster said: {outage.command_output}"]
    if options.note:
        lines += ["", options.note]
    return "\n".join(lines) + "\n"


def main() -> None:
    options = load.parse_options(
        description=__doc__.split("\n\n")[0],
        extra=add_options,
        defaults={"users": "30", "run_time": 60.0, "warmup": 20.0},
    )
    options.users = options.levels[0]
    if not 0 < options.restart_at < options.run_time:
        raise SystemExit("--restart-at must fall within --run-time")
    found = restart_under_load(options)
    figures = analyse(found)
    text = report(found, figures, options)
    sys.stdout.write(text)
    if not options.no_record:
        with options.output.open("a", encoding="utf-8") as results:
            results.write(text)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--restart-at", type=float, default=20.0, help="seconds into the run (default 20)")


if __name__ == "__main__":
    main()
