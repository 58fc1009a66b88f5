"""Inventoried partnerships: the list, recording one (with type-ahead), reading, confirming, declining."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coopdec.geo.models import Country
from coopdec.orgs.models import Organisation
from coopdec.orgs.policies import actor_for

from .. import inventory as actions
from ..forms import InventoryForm, ReasonForm
from ..models import InventoriedPartnership
from ..policies import correspondent_only, inventory
from .common import base_url, crumbs, page_of, require_role

SUGGESTIONS = 10
STATUS_FILTERS = dict(InventoriedPartnership.Status.choices)


def inventory_crumb() -> tuple[str, str]:
    return (_("Partenariats inventoriés"), reverse("correspondents:inventory"))


def suggestions(queryset, query: str) -> list[Organisation]:
    query = query.strip()[:100]
    if len(query) < 2 or "\x00" in query:  # PostgreSQL refuses NUL in any text
        return []
    return list(queryset.filter(name__icontains=query).order_by("name", "pk")[:SUGGESTIONS])


def french_queryset():
    return Organisation.objects.french_authorities().select_related("department")


def foreign_queryset(actor):
    return (
        Organisation.objects.foreign_authorities()
        .filter(country_id__in=actor.correspondent_countries)
        .select_related("country", "subdivision")
    )


@login_required
def inventory_list(request):
    actor = actor_for(request)
    status = request.GET.get("etat", "")
    if status and status not in STATUS_FILTERS:
        raise Http404(_("Cet état n'existe pas."))
    qs = inventory.queryset(actor, "view").order_by("-recorded_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    context = {
        "title": _("Partenariats inventoriés"),
        "page": page_of(request, qs),
        "status": status,
        "statuses": InventoriedPartnership.Status.choices,
        "can_record": correspondent_only(actor),
        **crumbs(_("Partenariats inventoriés")),
    }
    return render(request, "correspondents/inventory_list.html", context)


@login_required
def lookup(request, kind: str):
    """Type-ahead suggestions (an htmx fragment of radio buttons), for correspondents."""
    actor = actor_for(request)
    require_role(request, correspondent_only(actor), "correspondents.inventory")
    if kind == "francaises":
        found = suggestions(french_queryset(), request.GET.get("french_query", ""))
        name = "french_authority"
    elif kind == "etrangeres":
        found = suggestions(foreign_queryset(actor), request.GET.get("foreign_query", ""))
        name = "foreign_authority"
    else:
        raise Http404
    return render(request, "correspondents/_options.html", {"options": found, "name": name, "selected": ""})


@login_required
def record(request):
    actor = actor_for(request)
    require_role(request, correspondent_only(actor), "correspondents.inventory")
    countries = list(Country.objects.filter(iso2__in=actor.correspondent_countries).order_by("name_fr"))
    french_options: list[Organisation] = []
    foreign_options: list[Organisation] = []
    if request.method == "POST":
        form = InventoryForm(request.POST, countries=countries)
        french_options = suggestions(french_queryset(), request.POST.get("french_query", ""))
        foreign_options = suggestions(foreign_queryset(actor), request.POST.get("foreign_query", ""))
        # "Chercher" (without JavaScript) only shows the suggestions again; "Enregistrer" records.
        if "_save" in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                entry = actions.record(
                    by=request.user,
                    french=data["french"],
                    foreign=data["foreign"],
                    new_foreign=data["new_foreign"],
                    kind=data["kind"],
                    title=data["title"],
                    start_date=data["start_date"],
                    base_url=base_url(request),
                )
            except actions.InventoryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Partenariat enregistré, non publié : %(name)s est invitée à le confirmer.")
                    % {"name": data["french"].name},
                )
                return redirect("correspondents:inventoried", entry.uuid)
        # The authority already chosen stays on the list, whatever was typed since.
        for chosen, options in (
            (form.french_choice(), french_options),
            (form.foreign_choice(), foreign_options),
        ):
            if chosen is not None and chosen not in options:
                options.insert(0, chosen)
    else:
        form = InventoryForm(countries=countries)
    context = {
        "title": _("Inventorier un partenariat"),
        "form": form,
        "french_options": french_options,
        "foreign_options": foreign_options,
        "french_selected": request.POST.get("french_authority", ""),
        "foreign_selected": request.POST.get("foreign_authority", ""),
        "french_query": request.POST.get("french_query", ""),
        "foreign_query": request.POST.get("foreign_query", ""),
        **crumbs(_("Inventorier un partenariat"), inventory_crumb()),
    }
    return render(request, "correspondents/record.html", context)


def _detail_context(request, entry, **extra) -> dict:
    actor = actor_for(request)
    return {
        "title": entry.partnership_title,
        "entry": entry,
        "decision": inventory.check(actor, "decide", entry),
        "reason_form": extra.pop("reason_form", None) or ReasonForm(),
        **crumbs(entry.partnership_title, inventory_crumb()),
        **extra,
    }


@login_required
def inventoried(request, uuid):
    entry = inventory.get_or_404(request, "view", uuid=uuid)
    return render(request, "correspondents/inventoried.html", _detail_context(request, entry))


@login_required
@require_POST
def inventoried_confirm(request, uuid):
    entry = inventory.get_or_404(request, "view", uuid=uuid)
    inventory.require(request, "decide", entry)
    try:
        actions.confirm(entry, by=request.user)
    except actions.InventoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Partenariat confirmé : il est publié dans l'Atlas."))
    return redirect("correspondents:inventoried", entry.uuid)


@login_required
@require_POST
def inventoried_decline(request, uuid):
    entry = inventory.get_or_404(request, "view", uuid=uuid)
    inventory.require(request, "decide", entry)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "correspondents/inventoried.html",
            _detail_context(request, entry, reason_form=form),
            status=400,
        )
    try:
        actions.decline(entry, form.cleaned_data["reason"], by=request.user)
    except actions.InventoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Partenariat décliné : il reste non publié, avec votre motif."))
    return redirect("correspondents:inventoried", entry.uuid)
