"""Concurrent edits of one sheet (issue 5, docs/reliability.md): no lost update.

Many clients post the same sheet's edit page at the same moment (``edit_clients.py``: threads, each with
its own test client, session and database connection, on a database of its own — a SQLite file in WAL
mode or a PostgreSQL database, as in production; the suite's in-memory SQLite database cannot be shared by
threads). Exactly one save per version succeeds, the others get the conflict page (409) with their input
kept; the history has one row per successful save, with consecutive versions; every accepted value is in
it; and clients that retry on conflict all get their edit in.

The last test is of an edit racing a campaign's confirmation, which changes a sheet without a new version.
"""

from __future__ import annotations

import datetime
import json
import time
from collections import Counter, defaultdict
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from coopdec.atlas.models import Change, Project
from coopdec.atlas.space import forms as space_forms
from coopdec.atlas.tests.test_space_editing import form_data, signed_in

pytestmark = pytest.mark.faults

CLIENTS, ROUNDS, MARKERS = 6, 4, 2


@pytest.fixture(scope="module")
def edits(reference_db, backend, tmp_path_factory):
    """The two scenarios, run once on a copy of the reference database; (result, seconds)."""
    _engine, prefix = backend
    db = reference_db.clone(prefix + "edits", tmp_path_factory.mktemp("faults-edits-var"))
    try:
        child = db.start_module("coopdec.fault_tests.edit_clients", str(CLIENTS), str(ROUNDS), str(MARKERS))
        status = child.finish(600)
        seconds = time.monotonic() - child.started
        assert status == 0, child.output[-5000:]
        yield json.loads(child.output.strip().splitlines()[-1]), seconds
    finally:
        db.drop()


@pytest.mark.slow
def test_many_clients_posting_one_version_at_once_one_save_wins_each_time(edits, record):
    result, seconds = edits
    assert result["errors"] == []
    race = result["race"]
    answers = race["answers"]
    assert len(answers) == CLIENTS * ROUNDS
    assert Counter(answer["status"] for answer in answers).keys() <= {302, 409}

    winners = {}
    for r in range(ROUNDS):
        this_round = [answer for answer in answers if answer["round"] == r]
        # Everyone started from the same version; exactly one save took it.
        assert {answer["sent_version"] for answer in this_round} == {r + 1}
        [winner] = [answer for answer in this_round if answer["status"] == 302]
        winners[r + 2] = winner
        for refused in (answer for answer in this_round if answer["status"] == 409):
            # The person's own values are all in the form again, now at the version that won.
            assert refused["kept_title"] == refused["title"]
            assert refused["kept_results"] == refused["results"]
            assert refused["kept_version"] == r + 2

    # One history row per successful save, consecutive versions, nobody's save claiming another's.
    history = race["history"]
    assert [change["version"] for change in history] == list(range(2, ROUNDS + 2))
    for change in history:
        winner = winners[change["version"]]
        assert (change["by"], change["title"], change["results"]) == (
            winner["user"],
            winner["title"],
            winner["results"],
        )
    last = winners[ROUNDS + 1]
    assert race["stored"] == {"title": last["title"], "results": last["results"], "version": ROUNDS + 1}
    record(
        scenario="concurrent edits, one version at a time",
        clients=CLIENTS,
        rounds=ROUNDS,
        saved=len(history),
        refused_409=sum(1 for answer in answers if answer["status"] == 409),
        seconds_both_scenarios=round(seconds, 1),
    )


@pytest.mark.slow
def test_clients_retrying_on_conflict_all_get_their_edit_in(edits, record):
    result, _seconds = edits
    assert result["errors"] == []
    append = result["append"]
    answers = append["answers"]
    assert Counter(answer["status"] for answer in answers).keys() <= {302, 409}
    accepted = [answer for answer in answers if answer["status"] == 302]
    markers = [f"[marqueur c{i} n{k}]" for i in range(CLIENTS) for k in range(MARKERS)]
    assert sorted(answer["marker"] for answer in accepted) == sorted(markers)  # each landed once

    # Nothing lost: every marker is in the stored text, once.
    text = append["stored"]["results"]
    assert all(text.count(marker) == 1 for marker in markers), text
    history = append["history"]
    saves = len(markers)
    assert [change["version"] for change in history] == list(range(2, saves + 2))
    assert append["stored"]["version"] == saves + 1
    # Every accepted edit is the history row of the version after the one it was made on.
    by_version = {change["version"]: change for change in history}
    for answer in accepted:
        assert by_version[answer["sent_version"] + 1]["results"] == answer["results"]
    attempts = defaultdict(int)
    for answer in answers:
        attempts[answer["client"], answer["marker"]] += 1
    record(
        scenario="concurrent edits, retry until saved",
        clients=CLIENTS,
        edits=saves,
        posts=len(answers),
        refused_409=len(answers) - saves,
        most_attempts_for_one_edit=max(attempts.values()),
    )


@pytest.mark.django_db
def test_a_confirmation_during_an_edit_is_not_taken_back(world):
    """Regression: a campaign's confirmation sets ``last_confirmed_at`` without a new version. An edit
    whose copy of the sheet was read before it wrote the old date back (no conflict, since the version had
    not moved), and its history row showed the editor undoing the confirmation."""
    from coopdec.campaigns import actions

    campaign, _count = actions.open_campaign(
        year=2026,
        closes_on=timezone.localdate() + datetime.timedelta(days=30),
        reminder_days=[14, 3],
        by=world.user("daect"),
    )
    project = world.project_x
    before = Project.all_objects.get(pk=project.pk).last_confirmed_at
    client = signed_in(world, "agent_x")
    url = reverse("space:project_edit", args=[project.slug])
    data = form_data(client.get(url), "project-form")
    original_is_valid = space_forms.ProjectSheet.is_valid

    def confirmed_meanwhile(sheet):
        # Between the page's reading of the sheet and its save, as another agent's request would.
        valid = original_is_valid(sheet)
        actions.confirm(campaign, world.authority_x, [f"projet:{project.slug}"], by=world.user("agent_x"))
        return valid

    with mock.patch.object(space_forms.ProjectSheet, "is_valid", confirmed_meanwhile):
        response = client.post(url, {**data, "title": "Titre revu pendant la campagne", "_save": "1"})
    assert response.status_code == 302
    stored = Project.all_objects.get(pk=project.pk)
    assert stored.title == "Titre revu pendant la campagne"
    assert stored.last_confirmed_at is not None and stored.last_confirmed_at != before
    assert stored.last_confirmed_at > timezone.now() - datetime.timedelta(minutes=1)
    change = Change.objects.get(project=stored)
    assert sorted(change.diff) == ["title"]
