"""E-mail alerts of saved searches: the projects that appeared since the last run.

A project "appears" in a search when it is created or published (a draft made public) after the saved
search's ``alert_since`` and matches the search today. Each run covers ``(alert_since, run_end]`` and moves
``alert_since`` to ``run_end`` in the same transaction as it queues the mail (sent after commit), under a
lock on the saved search: running the command twice, or twice at once, never mails the same project twice.

``run_end`` lags the clock by ``SETTLE``: a project written by a long transaction (an import) carries the
time of its insert, not of its commit, and would otherwise fall between two runs unseen.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coopdec.atlas.models import Project
from coopdec.search import query as search_query

from . import saved
from .models import SavedSearch

SETTLE = datetime.timedelta(minutes=30)
LISTED = 50  # project titles listed in one mail; the rest are counted, with a link to the search
DEFAULT_BASE_URL = "http://localhost:8000"


class IndexNotReady(Exception):
    """The search index misses many projects (a rebuild is due): alerts would miss them for good."""


@dataclass
class Report:
    sent: int = 0
    nothing_new: int = 0
    suspended: list[str] = field(default_factory=list)  # "user: name — errors"


def base_url(explicit: str | None = None) -> str:
    return (explicit or getattr(settings, "SITE_URL", "") or DEFAULT_BASE_URL).rstrip("/")


def new_projects(params: search_query.SearchParams, since, until) -> QuerySet[Project]:
    """Published projects matching ``params`` created or published in ``(since, until]``, newest first."""
    matching = search_query.matching_projects(replace(params, sort="date"))
    return matching.filter(
        Q(created_at__gt=since, created_at__lte=until) | Q(published_at__gt=since, published_at__lte=until)
    )


def _message(item: SavedSearch, projects: list[Project], total: int, since, root: str) -> EmailMessage:
    with translation.override(item.language or settings.LANGUAGE_CODE):
        context = {
            "item": item,
            "kind": str(item.get_kind_display()).lower(),
            "total": total,
            "since": timezone.localtime(since),
            "projects": [(p.title, root + reverse("atlas:project", args=[p.slug])) for p in projects],
            "more": total - len(projects),
            "results_url": root + item.target_url(),
            "manage_url": root + item.get_absolute_url(),
        }
        subject = _("Nouveaux projets pour « %(name)s »") % {"name": item.name}
        body = render_to_string("workspace/alert_email.txt", context)
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[item.owner.email]
    )


def _run_one(pk: int, run_end, root: str, report: Report) -> None:
    with transaction.atomic():
        item = SavedSearch.objects.select_for_update().select_related("owner").filter(pk=pk).first()
        if item is None or not item.alert or not item.owner.is_active:
            return
        since = item.alert_since or item.created_at
        if since >= run_end:
            return
        checked = saved.check_saved(item)
        if checked.errors:
            # Left as it is: once the owner fixes the search, the next run covers the whole gap.
            report.suspended.append(f"{item.owner.get_username()}: {item.name} — {' '.join(checked.errors)}")
            return
        found = new_projects(checked.params, since, run_end)
        listed = list(found.only("title", "slug")[:LISTED])
        total = len(listed) if len(listed) < LISTED else found.count()
        item.alert_since = run_end
        fields = ["alert_since"]
        if listed and item.owner.email:
            message = _message(item, listed, total, since, root)
            transaction.on_commit(message.send)
            item.last_alert_at = timezone.now()
            fields.append("last_alert_at")
            report.sent += 1
        else:
            report.nothing_new += 1
        item.save(update_fields=fields)


def send_alerts(*, now=None, root: str | None = None) -> Report:
    """Mail every owner of an alert whose search has new projects; see the module's docstring."""
    now = now or timezone.now()
    _generation, stale = search_query.ensure_fresh()
    if stale:
        raise IndexNotReady(
            _(
                "L'index de recherche est incomplet : reconstruisez-le (rebuild_search_index) avant "
                "d'envoyer les alertes."
            )
        )
    run_end = now - SETTLE
    root = base_url(root)
    report = Report()
    pks = (
        SavedSearch.objects.filter(alert=True, owner__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in list(pks):
        _run_one(pk, run_end, root, report)
    return report
