"""What the correspondents' workflows leave waiting for a person, for the workspace inbox.

- corrections to accept or refuse: for the agents of the sheet's French authorities and for DAECT staff;
- inventoried partnerships to confirm or decline: for the agents of the French authority asked.

Two queries; at most ``LIMIT`` tasks of each kind, the last one then pointing to the whole list.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coopdec.orgs.policies import Actor
from coopdec.orgs.tasks import Task

from .policies import corrections, inventory

LIMIT = 50


def _capped(rows: list, make, more) -> list[Task]:
    tasks = [make(row) for row in rows[:LIMIT]]
    if len(rows) > LIMIT:
        tasks[-1] = more
    return tasks


def tasks_for(actor: Actor) -> list[Task]:
    if not actor.is_authenticated or not (actor.authority_ids or actor.is_daect):
        return []
    tasks: list[Task] = []
    pending = list(
        corrections.queryset(actor, "decide")
        .order_by("proposed_at", "pk")
        .values("uuid", "object_title", "proposed_by_label", "proposed_at")[: LIMIT + 1]
    )
    tasks += _capped(
        pending,
        lambda row: Task(
            title=_("Accepter ou refuser la correction de « %(title)s »") % {"title": row["object_title"]},
            url=reverse("correspondents:correction", args=[row["uuid"]]),
            kind="correction",
            detail=_("Proposée par %(who)s le %(date)s")
            % {"who": row["proposed_by_label"], "date": date_format(row["proposed_at"], "j F Y")},
        ),
        Task(
            title=_("Voir toutes les corrections en attente"),
            url=reverse("correspondents:corrections") + "?etat=proposee",
            kind="correction",
        ),
    )
    if actor.authority_ids:
        waiting = list(
            inventory.queryset(actor, "decide")
            .order_by("recorded_at", "pk")
            .values("uuid", "partnership_title", "french_authority__name", "recorded_by_label")[: LIMIT + 1]
        )
        tasks += _capped(
            waiting,
            lambda row: Task(
                title=_("Confirmer ou décliner le partenariat « %(title)s » (%(name)s)")
                % {"title": row["partnership_title"], "name": row["french_authority__name"]},
                url=reverse("correspondents:inventoried", args=[row["uuid"]]),
                kind="inventory",
                detail=_("Relevé par %(who)s") % {"who": row["recorded_by_label"]},
            ),
            Task(
                title=_("Voir tous les partenariats à confirmer"),
                url=reverse("correspondents:inventory") + "?etat=a_confirmer",
                kind="inventory",
            ),
        )
    return tasks
