"""The public directory of correspondents, its CSV and XLSX exports, and a correspondent's public contact."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coopdec.exports.formats import download
from coopdec.exports.formats.csv import csv_chunks
from coopdec.exports.formats.xlsx import xlsx_chunks
from coopdec.geo.models import Continent, Country
from coopdec.orgs.policies import actor_for

from ..directory import COLUMNS, covered_countries, directory_rows
from ..forms import ProfileForm
from ..models import CorrespondentProfile
from ..policies import correspondent_only
from .common import crumbs, directory_crumb, require_role


class BadFilter(Exception):
    pass


def _filters(request) -> tuple[Country | None, Continent | None]:
    """The ``pays`` and ``continent`` filters of the query string; an unknown code raises BadFilter."""
    country_code = request.GET.get("pays", "").strip().upper()
    continent_code = request.GET.get("continent", "").strip().upper()
    country = continent = None
    # PostgreSQL refuses NUL in any text: such a code is looked up nowhere (it names nothing).
    if "\x00" in country_code + continent_code:
        raise BadFilter(_("Les codes de pays et de continent ne contiennent pas de caractère nul."))
    if country_code:
        country = Country.objects.filter(iso2=country_code).first()
        if country is None:
            raise BadFilter(_("Aucun pays ne porte le code « %(code)s ».") % {"code": country_code[:10]})
    if continent_code:
        continent = Continent.objects.filter(code=continent_code).first()
        if continent is None:
            raise BadFilter(
                _("Aucun continent ne porte le code « %(code)s ».") % {"code": continent_code[:10]}
            )
    return country, continent


def directory(request):
    status, error, rows = 200, "", []
    country = continent = None
    try:
        country, continent = _filters(request)
    except BadFilter as bad:
        status, error = 400, str(bad)
    else:
        rows = directory_rows(country=country, continent=continent)
    query = request.GET.urlencode()
    context = {
        "title": _("Annuaire des correspondants coopération décentralisée"),
        "rows": rows,
        "error": error,
        "country": country,
        "continent": continent,
        "countries": covered_countries(),
        "continents": Continent.objects.order_by("name_fr"),
        "query": query,
        "is_correspondent": bool(actor_for(request).correspondent_countries),
        **crumbs(_("Correspondants")),
    }
    return render(request, "correspondents/directory.html", context, status=status)


def export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    try:
        country, continent = _filters(request)
    except BadFilter as bad:
        return render(
            request,
            "correspondents/bad_filter.html",
            {"title": _("Requête incorrecte"), "message": str(bad), **crumbs(_("Requête incorrecte"))},
            status=400,
        )
    rows = directory_rows(country=country, continent=continent)
    if fmt == "csv":
        chunks = csv_chunks(COLUMNS, rows, bom=request.GET.get("bom") == "1")
    else:
        chunks = xlsx_chunks(COLUMNS, rows, sheet_title="Correspondants")
    return download(chunks, fmt, "correspondants")


@login_required
def profile(request):
    actor = actor_for(request)
    require_role(request, correspondent_only(actor), "correspondents.profile")
    profile = CorrespondentProfile.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            CorrespondentProfile.objects.update_or_create(user=request.user, defaults=form.cleaned_data)
            messages.success(request, _("Vos coordonnées publiques sont enregistrées."))
            return redirect("correspondents:profile")
    else:
        form = ProfileForm(
            initial={
                "public_email": profile.public_email if profile else "",
                "public_phone": profile.public_phone if profile else "",
            }
        )
    context = {
        "title": _("Mes coordonnées dans l'annuaire"),
        "form": form,
        "account_email": request.user.email,
        **crumbs(_("Mes coordonnées"), directory_crumb()),
    }
    return render(request, "correspondents/profile.html", context)
