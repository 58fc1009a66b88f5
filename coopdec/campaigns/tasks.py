"""What the update campaign leaves waiting for a person, for the workspace inbox."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coopdec.orgs.models import Organisation
from coopdec.orgs.policies import Actor
from coopdec.orgs.tasks import Task

from .checklist import open_campaign
from .models import CampaignAuthority


def tasks_for(actor: Actor) -> list[Task]:
    """Agents: each of their authorities that has not confirmed everything in the open campaign.
    DAECT staff: closing the open campaign once its closing date has passed. Three queries at most."""
    if not actor.is_authenticated or not (actor.authority_ids or actor.is_daect):
        return []
    campaign = open_campaign()
    if campaign is None:
        return []
    tasks = []
    if actor.authority_ids:
        done = CampaignAuthority.objects.filter(
            campaign=campaign, organisation_id__in=actor.authority_ids, completed_at__isnull=False
        ).values("organisation_id")
        waiting = (
            Organisation.objects.filter(pk__in=actor.authority_ids)
            .exclude(pk__in=done)
            .order_by("name")
            .values_list("slug", "name")
        )
        for slug, name in waiting:
            tasks.append(
                Task(
                    title=_("Confirmer les informations de %(name)s (campagne %(year)s)")
                    % {"name": name, "year": campaign.year},
                    url=reverse("campaigns:checklist", args=[campaign.year, slug]),
                    kind="campaign",
                    due=campaign.closes_on,
                )
            )
    if actor.is_daect and campaign.closes_on < timezone.localdate():
        tasks.append(
            Task(
                title=_("Clôturer la campagne %(year)s : sa date de clôture est passée")
                % {"year": campaign.year},
                url=reverse("campaigns:close", args=[campaign.year]),
                kind="campaign",
                due=campaign.closes_on,
            )
        )
    return tasks
