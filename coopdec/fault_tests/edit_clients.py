"""Many people editing one sheet at once through the real edit page:
``python -m coopdec.fault_tests.edit_clients CLIENTS ROUNDS MARKERS``, on a database of its own with the
reference data (the personas' small world is built in it).

Each client is a thread with its own Django test client, its own session (an agent of the sheet's
authority) and so its own database connection. Two scenarios, printed as one JSON line at the end:

- ``race``: in each of ROUNDS rounds, every client reads the form of the draft sheet, waits for the others,
  and all post their own title and results at once with the version they read.
- ``append``: on the published sheet, every client adds MARKERS markers of its own to the results, one
  edit each, reading the form again and retrying whenever its save is refused.

What the test checks (``test_concurrent_edits.py``) is the answers, the history rows and the stored sheet.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback

MAX_ATTEMPTS = 200


def history(project) -> list[dict]:
    from coopdec.atlas.models import Change

    return [
        {
            "version": change.version,
            "action": change.action,
            "by": change.changed_by.username if change.changed_by else None,
            "title": change.diff.get("title", {}).get("new"),
            "results": change.diff.get("results", {}).get("new"),
            "fields": sorted(change.diff),
        }
        for change in Change.objects.filter(project=project).select_related("changed_by").order_by("pk")
    ]


def stored(project) -> dict:
    from coopdec.atlas.models import Project

    fresh = Project.all_objects.get(pk=project.pk)
    return {"title": fresh.title, "results": fresh.results, "version": fresh.version}


def run_threads(target, count: int) -> list[str]:
    errors: list[str] = []

    def guarded(i):
        from django.db import connection

        try:
            target(i)
        except Exception:  # noqa: BLE001 - reported to the test, which fails on it
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def main(count: int, rounds: int, markers: int) -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopdec.settings")
    django.setup()
    from django.db import transaction
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from coopdec.atlas.tests.test_space_editing import form_data
    from coopdec.orgs.models import Membership
    from coopdec.orgs.tests.personas import build_world, login, make_user

    setup_test_environment()
    with transaction.atomic():
        world = build_world()
        users = [make_user(f"editor_{i}", world.authority_x, Membership.Role.AGENT) for i in range(count)]
    clients = []
    for user in users:
        client = Client()
        login(client, user)
        clients.append(client)

    # Race: everyone reads version v, then everyone posts at once.
    draft = world.draft_x
    url = reverse("space:project_edit", args=[draft.slug])
    barrier = threading.Barrier(count, timeout=300)
    race: list[dict] = []
    lock = threading.Lock()

    def racer(i):
        client = clients[i]
        for r in range(rounds):
            try:
                data = form_data(client.get(url), "project-form")
            finally:
                barrier.wait()  # all have read before anyone posts
            title, results = f"Titre r{r} c{i}", f"Résultats de la manche {r} du client {i}"
            response = client.post(url, {**data, "title": title, "results": results, "_save": "1"})
            entry = {
                "round": r,
                "client": i,
                "user": users[i].username,
                "sent_version": int(data["expected_version"]),
                "title": title,
                "results": results,
                "status": response.status_code,
            }
            if response.status_code == 409:
                kept = form_data(response, "project-form")
                entry.update(
                    kept_title=kept["title"],
                    kept_results=kept["results"],
                    kept_version=int(kept["expected_version"]),
                )
            with lock:
                race.append(entry)
            barrier.wait()  # the round is over before anyone reads again

    race_errors = run_threads(racer, count)

    # Read, add one's marker, save; refused, read again and redo.
    sheet = world.project_x
    url = reverse("space:project_edit", args=[sheet.slug])
    append: list[dict] = []

    def appender(i):
        client = clients[i]
        for k in range(markers):
            marker = f"[marqueur c{i} n{k}]"
            for attempt in range(1, MAX_ATTEMPTS + 1):
                data = form_data(client.get(url), "project-form")
                results = f"{data['results']} {marker}".strip()
                response = client.post(url, {**data, "results": results, "_save": "1"})
                with lock:
                    append.append(
                        {
                            "client": i,
                            "marker": marker,
                            "attempt": attempt,
                            "sent_version": int(data["expected_version"]),
                            "results": results,
                            "status": response.status_code,
                        }
                    )
                if response.status_code != 409:
                    break

    append_errors = run_threads(appender, count)

    result = {
        "clients": count,
        "rounds": rounds,
        "markers": markers,
        "errors": race_errors + append_errors,
        "race": {"answers": race, "history": history(draft), "stored": stored(draft)},
        "append": {"answers": append, "history": history(sheet), "stored": stored(sheet)},
    }
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(*(int(value) for value in sys.argv[1:4]))
