"""What accounts hand to the inbox: for DAECT staff, the "my organisation is missing" requests to answer."""

from __future__ import annotations

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import ngettext

from coopdec.orgs.policies import Actor
from coopdec.orgs.tasks import Task

from .models import OrganisationRequest


def tasks_for(actor: Actor) -> list[Task]:
    """One task summing up the organisation requests waiting (one query), for DAECT staff only."""
    if not actor.is_daect:
        return []
    waiting = OrganisationRequest.objects.filter(status=OrganisationRequest.Status.NEW).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    count = waiting["count"]
    if not count:
        return []
    url = (
        reverse("admin:accounts_organisationrequest_changelist")
        + f"?status__exact={OrganisationRequest.Status.NEW}"
    )
    return [
        Task(
            title=ngettext(
                "%(n)s demande d'ajout d'organisation à traiter",
                "%(n)s demandes d'ajout d'organisation à traiter",
                count,
            )
            % {"n": count},
            url=url,
            kind="organisation_request",
            detail=ngettext("reçue depuis le %(date)s", "la plus ancienne reçue le %(date)s", count)
            % {"date": formats.date_format(timezone.localtime(waiting["oldest"]), "j F Y")},
        )
    ]
