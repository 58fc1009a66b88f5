"""The task inbox: what waits for a person, gathered from every app that creates work.

Each app that leaves work for someone exposes ``tasks_for(actor) -> list[Task]`` in its ``tasks`` module
(``coopdec.orgs.tasks.Task``). The workspace adds its own: for DAECT staff, the memberships waiting to be
granted (orgs, below every app, has no task module of its own). Tasks are sorted by due date (undated
last); the count of a kind is the number of its tasks, or for memberships the number waiting in all.
"""

from __future__ import annotations

import datetime
import importlib
from collections import Counter
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopdec.orgs.models import Membership
from coopdec.orgs.policies import Actor
from coopdec.orgs.tasks import Task

# The apps' task modules. Some are being written while this one is: a module that does not exist yet
# gives no task; any other import error is a bug and is raised.
SOURCES = (
    "coopdec.accounts.tasks",
    "coopdec.atlas.space.tasks",
    "coopdec.campaigns.tasks",
    "coopdec.correspondents.tasks",
)

# Pending items listed one by one in the inbox; beyond, the count and a link to the full list.
LISTED_PER_KIND = 20

KIND_LABELS = {
    "membership": gettext_lazy("Rôles à accorder"),
    "organisation_request": gettext_lazy("Demandes d'ajout d'organisation"),
    "campaign": gettext_lazy("Campagne de mise à jour"),
    "correction": gettext_lazy("Corrections proposées"),
    "inventory": gettext_lazy("Partenariats à confirmer"),
    "draft": gettext_lazy("Fiches à publier"),
}


@dataclass
class Inbox:
    tasks: list[Task]
    # (kind, label, count): the count may exceed the tasks listed for that kind.
    counts: list[tuple[str, str, int]]
    today: datetime.date

    @property
    def total(self) -> int:
        return sum(n for _kind, _label, n in self.counts)


def load_source(name: str):
    """The module ``name``, or None when it does not exist yet (only that exact module)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        return None


def sort_key(task: Task):
    return (task.due is None, task.due or datetime.date.max, str(task.title))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def _admin_url(name: str, *args, query: str = "") -> str | None:
    try:
        url = reverse(f"admin:{name}", args=args)
    except NoReverseMatch:  # the model is not (yet) in the back office
        return None
    return f"{url}?{query}" if query else url


def membership_tasks(actor: Actor) -> tuple[list[Task], int]:
    """For DAECT staff: memberships asked for at sign-up, waiting to be granted (oldest first)."""
    if not actor.is_daect:
        return [], 0
    pending = Membership.objects.filter(status=Membership.Status.PENDING)
    count = pending.count()
    if not count:
        return [], 0
    url = _admin_url("orgs_membership_changelist", query=f"status__exact={Membership.Status.PENDING}") or ""
    tasks = []
    for membership in pending.select_related("user", "organisation").order_by("requested_at", "pk")[
        :LISTED_PER_KIND
    ]:
        user = membership.user
        tasks.append(
            Task(
                title=_("Accorder le rôle « %(role)s » à %(person)s (%(organisation)s)")
                % {
                    "role": membership.get_role_display(),
                    "person": user.get_full_name() or user.get_username(),
                    "organisation": membership.organisation.name,
                },
                url=_admin_url("orgs_membership_change", membership.pk) or url,
                kind="membership",
                detail=_("Demandé le %(date)s") % {"date": date_format(membership.requested_at, "j F Y")},
            )
        )
    return tasks, count


def inbox_for(actor: Actor) -> Inbox:
    tasks: list[Task] = []
    counts: Counter[str] = Counter()
    for name in SOURCES:
        module = load_source(name)
        if module is None:
            continue
        found = list(module.tasks_for(actor))
        tasks += found
        counts.update(task.kind for task in found)
    found, count = membership_tasks(actor)
    tasks += found
    if count:
        counts["membership"] += count
    tasks.sort(key=sort_key)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], kind_label(item[0])))
    return Inbox(
        tasks=tasks,
        counts=[(kind, kind_label(kind), n) for kind, n in ordered],
        today=timezone.localdate(),
    )
