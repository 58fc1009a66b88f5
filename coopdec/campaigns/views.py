"""The campaign's pages in the professional space: list, opening (with a confirmation step), progress,
closing, and each authority's checklist.

Every page goes through ``policies``: the campaign pages are for DAECT staff (others get 404 for a given
campaign, 403 with the reason for the list and the opening form), a checklist for the authority's agents
(DAECT staff may read it).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coopdec.geo.models import Region
from coopdec.orgs.models import Organisation
from coopdec.orgs.policies import actor_for

from . import actions
from .checklist import checklist, open_campaign, progress_by_region
from .forms import OpenCampaignForm
from .models import Campaign, CampaignAuthority
from .policies import campaigns, checklists

PER_PAGE = 25


def crumbs(current: str, *links: tuple[str, str]) -> dict:
    return {
        "breadcrumb_data": {
            "root_dir": reverse("atlas:home"),
            "links": [{"title": title, "url": url} for title, url in links],
            "current": current,
        }
    }


def campaigns_crumb() -> tuple[str, str]:
    return (_("Campagnes de mise à jour"), reverse("campaigns:index"))


def page_of(request, queryset, per_page: int = PER_PAGE):
    """A page of ``queryset`` from ``?page=``; a bad number is a 404 (a page that does not exist)."""
    try:
        return Paginator(queryset, per_page).page(request.GET.get("page", "1"))
    except (EmptyPage, PageNotAnInteger):
        raise Http404(_("Cette page de la liste n'existe pas.")) from None


@login_required
def index(request):
    campaigns.require(request, "view", None)
    actor = actor_for(request)
    current = open_campaign()
    context = {
        "title": _("Campagnes de mise à jour"),
        "current": current,
        "can_manage": campaigns.check(actor, "manage", None),
        **crumbs(_("Campagnes de mise à jour")),
    }
    if actor.is_daect:
        context["campaigns"] = Campaign.objects.annotate(
            total=Count("authorities"),
            done=Count("authorities", filter=Q(authorities__completed_at__isnull=False)),
        ).order_by("-year")
    if actor.authority_ids:
        done = {}
        if current is not None:
            done = dict(
                CampaignAuthority.objects.filter(
                    campaign=current, organisation_id__in=actor.authority_ids
                ).values_list("organisation_id", "completed_at")
            )
        context["my_authorities"] = [
            (org, done.get(org.pk))
            for org in Organisation.objects.filter(pk__in=actor.authority_ids).order_by("name")
        ]
    return render(request, "campaigns/index.html", context)


@login_required
def open_view(request):
    campaigns.require(request, "manage", None)
    current = open_campaign()
    context = {
        "title": _("Ouvrir une campagne de mise à jour"),
        "current": current,
        **crumbs(_("Ouvrir une campagne"), campaigns_crumb()),
    }
    if request.method == "POST" and current is None:
        form = OpenCampaignForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("step") != "confirm":
                # The confirmation step: what is about to happen, with the values as hidden fields.
                context.update(
                    form=form,
                    data=data,
                    concerned=actions.concerned_authorities().count(),
                    reminder_days=", ".join(str(d) for d in data["reminder_days"]),
                )
                return render(request, "campaigns/open_confirm.html", context)
            try:
                campaign, count = actions.open_campaign(
                    year=data["year"],
                    closes_on=data["closes_on"],
                    reminder_days=data["reminder_days"],
                    by=request.user,
                )
            except actions.CampaignError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("La campagne %(year)s est ouverte : %(n)s collectivités sont invitées à confirmer.")
                    % {"year": campaign.year, "n": count},
                )
                return redirect("campaigns:detail", campaign.year)
    else:
        form = OpenCampaignForm()
    context["form"] = form
    return render(request, "campaigns/open.html", context)


@login_required
def detail(request, year: int):
    campaign = campaigns.get_or_404(request, "manage", year=year)
    total, regions = progress_by_region(campaign)
    region = request.GET.get("region", "")
    waiting = (
        CampaignAuthority.objects.filter(campaign=campaign, completed_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    if region:
        # A code with a NUL character names no region (and PostgreSQL refuses it in a query).
        if "\x00" in region or not Region.objects.filter(code=region).exists():
            raise Http404(_("Aucune région ne porte ce code."))
        waiting = waiting.filter(region_code=region)
    context = {
        "title": str(campaign),
        "campaign": campaign,
        "total": total,
        "regions": regions,
        "region": region,
        "waiting_page": page_of(request, waiting),
        **crumbs(str(campaign), campaigns_crumb()),
    }
    return render(request, "campaigns/detail.html", context)


@login_required
def close(request, year: int):
    campaign = campaigns.get_or_404(request, "manage", year=year)
    if request.method == "POST":
        try:
            actions.close_campaign(campaign, by=request.user)
        except actions.CampaignError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("La campagne %(year)s est close.") % {"year": campaign.year})
        return redirect("campaigns:detail", campaign.year)
    total, _regions = progress_by_region(campaign)
    context = {
        "title": _("Clôturer la campagne %(year)s") % {"year": campaign.year},
        "campaign": campaign,
        "total": total,
        **crumbs(_("Clôturer"), campaigns_crumb(), (str(campaign), reverse("campaigns:detail", args=[year]))),
    }
    return render(request, "campaigns/close.html", context)


@login_required
def checklist_view(request, year: int, slug: str):
    campaign = campaigns.get_or_404(request, "view", year=year)
    organisation = checklists.get_or_404(request, "view", slug=slug)
    actor = actor_for(request)
    can_confirm = checklists.check(actor, "confirm", organisation)
    if can_confirm and not campaign.is_open:
        can_confirm = False
        closed_reason = _("La campagne %(year)s est close.") % {"year": campaign.year}
    else:
        closed_reason = can_confirm.reason
    links = [campaigns_crumb()]
    if campaigns.check(actor, "manage", campaign):
        links.append((str(campaign), reverse("campaigns:detail", args=[year])))
    context = {
        "title": _("Campagne %(year)s : %(name)s") % {"year": year, "name": organisation.name},
        "campaign": campaign,
        "organisation": organisation,
        "checklist": checklist(campaign, organisation),
        "contacts": list(organisation.contacts.all()),
        "can_confirm": bool(can_confirm),
        "refusal": closed_reason,
        **crumbs(organisation.name, *links),
    }
    return render(request, "campaigns/checklist.html", context)


@login_required
@require_POST
def confirm(request, year: int, slug: str):
    campaign = campaigns.get_or_404(request, "view", year=year)
    organisation = checklists.get_or_404(request, "view", slug=slug)
    checklists.require(request, "confirm", organisation)
    keys = request.POST.getlist("item")
    if request.POST.get("all"):
        keys = [item.key for item in checklist(campaign, organisation).missing]
        if not keys:
            messages.info(request, _("Tout est déjà confirmé."))
            return redirect("campaigns:checklist", year, slug)
    try:
        n = actions.confirm(campaign, organisation, keys, by=request.user)
    except actions.CampaignError as error:
        messages.error(request, str(error))
    else:
        if n:
            messages.success(request, _("%(n)s élément(s) confirmé(s). Merci.") % {"n": n})
        else:
            messages.info(request, _("Ces éléments étaient déjà confirmés."))
    return redirect("campaigns:checklist", year, slug)
