"""Coordination views: a foreign territory, the French authorities active there, their projects."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from coopdec.orgs.policies import ALLOWED, NOT_SIGNED_IN, actor_for, refused

from .. import coordination as read
from ..policies import territories
from .common import crumbs, page_of, require_role


def coordination_crumb() -> tuple[str, str]:
    return (_("Coordination"), reverse("correspondents:coordination_index"))


@login_required
def coordination_index(request):
    actor = actor_for(request)
    if not actor.is_authenticated:
        decision = refused(NOT_SIGNED_IN)
    elif actor.is_daect or actor.correspondent_countries:
        decision = ALLOWED
    else:
        decision = refused(_("La coordination est ouverte aux correspondants des ambassades et à la DAECT."))
    require_role(request, decision, "geo.territory")
    context = {
        "title": _("Coordination par territoire"),
        "countries": read.countries_with_activity(actor),
        **crumbs(_("Coordination")),
    }
    return render(request, "correspondents/coordination_index.html", context)


@login_required
def coordination(request, code: str):
    territory = territories.get_or_404(request, "coordinate", code=code)
    actor = actor_for(request)
    page = page_of(request, read.authorities(actor, territory))
    links = [coordination_crumb()]
    if territory.subdivision is not None:
        links.append(
            (territory.country.name_fr, reverse("correspondents:coordination", args=[territory.country.iso2]))
        )
    context = {
        "title": _("Coordination : %(name)s") % {"name": territory.name},
        "territory": territory,
        "page": page,
        "blocks": read.blocks(actor, territory, list(page.object_list)),
        "subdivisions": read.subdivisions_with_activity(territory.country)
        if territory.subdivision is None
        else [],
        "can_propose": territory.country.iso2 in actor.correspondent_countries,
        **crumbs(territory.name, *links),
    }
    return render(request, "correspondents/coordination.html", context)
