"""My organisation: its profile and its contacts (the élus and cadres in charge of international relations).

Kept by the organisation's own members and by DAECT staff (``coopdec.orgs.policies.organisations``, action
"edit"); anyone else gets the same 404 as for an organisation that does not exist. The ties to the reference
data (kind, official code, region, department, commune, EPCI, country) are shown, not edited: the next
``load_reference`` would undo such an edit.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coopdec.atlas.views import BadQuery, friendly_query_errors, paginate
from coopdec.orgs.models import Organisation, OrganisationContact
from coopdec.orgs.policies import actor_for, organisations

from .forms import NUL, NUL_MESSAGE, OrganisationContactForm, OrganisationProfileForm
from .views import SEARCH_MAX_LENGTH, crumbs

REFERENCE_FIELDS = ("kind", "code", "region", "department", "commune", "epci", "country", "subdivision")


def _org_crumbs(current: str, organisation: Organisation | None = None) -> dict:
    links = [(_("Mes organisations"), reverse("space:organisations"))]
    if organisation is not None:
        links.append((organisation.name, reverse("space:organisation", args=[organisation.slug])))
    return crumbs(current, *links)


def _organisation(request, slug):
    return organisations.get_or_404(
        request,
        "edit",
        queryset=Organisation.objects.select_related(
            "region", "department", "commune", "epci", "country", "subdivision"
        ),
        slug=slug,
    )


@login_required
@require_GET
@friendly_query_errors
def organisation_list(request):
    """The organisations the person keeps; straight to the profile when there is only one."""
    actor = actor_for(request)
    queryset = organisations.queryset(actor, "edit").order_by("name", "pk")
    query = request.GET.get("q", "").strip()
    if len(query) > SEARCH_MAX_LENGTH:
        raise BadQuery(_("La recherche est limitée à %(n)s caractères.") % {"n": SEARCH_MAX_LENGTH})
    if NUL in query:
        raise BadQuery(str(NUL_MESSAGE))
    if query:
        queryset = queryset.filter(name__icontains=query)
    elif not actor.is_daect:
        only = list(queryset[:2])
        if len(only) == 1:
            return redirect("space:organisation", only[0].slug)
    context = {
        "title": _("Mes organisations"),
        "page": paginate(request, queryset),
        "query": query,
        **crumbs(_("Mes organisations")),
    }
    return render(request, "space/organisation_list.html", context)


@login_required
@require_GET
def organisation_detail(request, slug):
    organisation = _organisation(request, slug)
    reference = [(organisation._meta.get_field("kind").verbose_name, organisation.get_kind_display())]
    reference += [
        (organisation._meta.get_field(name).verbose_name, getattr(organisation, name))
        for name in REFERENCE_FIELDS
        if name != "kind" and getattr(organisation, name)
    ]
    context = {
        "title": organisation.name,
        "organisation": organisation,
        "reference": reference,
        "contacts": organisation.contacts.all(),
        **_org_crumbs(organisation.name),
    }
    return render(request, "space/organisation_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    organisation = _organisation(request, slug)
    form = OrganisationProfileForm(request.POST or None, instance=organisation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Profil enregistré."))
            return redirect("space:organisation", organisation.slug)
        status = 400
        messages.error(request, _("Le profil n'a pas été enregistré : corrigez les erreurs signalées."))
    title = _("Modifier le profil")
    context = {"title": title, "organisation": organisation, "form": form, **_org_crumbs(title, organisation)}
    return render(request, "space/organisation_form.html", context, status=status)


def _contact_form_page(request, organisation, contact, title):
    form = OrganisationContactForm(request.POST or None, instance=contact)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Contact enregistré : %(name)s.") % {"name": form.instance.name})
            return redirect("space:organisation", organisation.slug)
        status = 400
        messages.error(request, _("Le contact n'a pas été enregistré : corrigez les erreurs signalées."))
    context = {
        "title": title,
        "organisation": organisation,
        "form": form,
        **_org_crumbs(title, organisation),
    }
    return render(request, "space/contact_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request, slug):
    organisation = _organisation(request, slug)
    return _contact_form_page(
        request, organisation, OrganisationContact(organisation=organisation), _("Ajouter un contact")
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, slug, pk):
    organisation = _organisation(request, slug)
    contact = get_object_or_404(OrganisationContact, organisation=organisation, pk=pk)
    return _contact_form_page(request, organisation, contact, _("Modifier un contact"))


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request, slug, pk):
    organisation = _organisation(request, slug)
    contact = get_object_or_404(OrganisationContact, organisation=organisation, pk=pk)
    if request.method == "POST":
        name = contact.name
        contact.delete()
        messages.success(request, _("Contact supprimé : %(name)s.") % {"name": name})
        return redirect("space:organisation", organisation.slug)
    title = _("Supprimer un contact")
    context = {
        "title": title,
        "organisation": organisation,
        "contact": contact,
        **_org_crumbs(title, organisation),
    }
    return render(request, "space/contact_confirm_delete.html", context)
