"""The search page, its htmx partial, and the crossed table (HTML and CSV)."""

import csv
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coopdec.spreadsheet import spreadsheet_safe

from .query import FACETS, crosstab, facet_names, parse_params, search

FACET_LIMIT = 12  # values shown per facet on the page (the most frequent, plus those selected)


def _pairs(params) -> list[tuple[str, str]]:
    """The search as query-string pairs, in a stable order (the state links and exports carry)."""
    pairs = [("q", params.q)] if params.q else []
    pairs += [(facet, value) for facet in FACETS for value in params.filters.get(facet, ())]
    pairs += [
        (name, str(v)) for name, v in (("year_min", params.year_min), ("year_max", params.year_max)) if v
    ]
    return pairs


def _project_url(slug: str) -> str:
    try:
        return reverse("atlas:project", args=[slug])
    except NoReverseMatch:  # the project sheet is being built in the atlas app; same path
        return f"/atlas/projets/{slug}/"


def _tags(params) -> list[dict]:
    """Active filters, each with the link that removes it."""
    pairs = _pairs(params)
    names = facet_names()
    tags = []
    for pair in pairs:
        rest = [p for p in pairs if p != pair]
        name, value = pair
        if name == "q":
            label = _("Mots-clés : %(q)s") % {"q": value}
        elif name == "year_min":
            label = _("Début à partir de %(year)s") % {"year": value}
        elif name == "year_max":
            label = _("Début jusqu'en %(year)s") % {"year": value}
        else:
            label = f"{names[name]} : {value}"  # replaced below by the value's label
        tags.append({"pair": pair, "label": label, "href": "?" + urlencode(rest)})
    return tags


@require_GET
def index(request):
    params, errors = parse_params(request.GET)
    result = search(params, facet_limit=FACET_LIMIT)
    names = facet_names()
    labels = {(f, v.code): v.label for f, values in result.facets.items() for v in values}
    tags = _tags(params)
    for tag in tags:
        name, value = tag["pair"]
        if (name, value) in labels:
            tag["label"] = f"{names[name]} : {labels[(name, value)]}"
    state = _pairs(params)
    query = urlencode(state)
    sort_query = urlencode(state + ([("sort", params.sort)] if params.sort != "relevance" else []))
    pages = []
    for number in sorted({1, params.page - 1, params.page, params.page + 1, result.page_count}):
        if 1 <= number <= result.page_count:
            pages.append(
                {"number": number, "href": "?" + urlencode([*state, ("sort", params.sort), ("page", number)])}
            )
    context = {
        "title": _("Rechercher un projet"),
        "params": params,
        "result": result,
        "errors": errors + result.errors,
        "facets": [(f, names[f], result.facets[f]) for f in FACETS],
        "tags": tags,
        "sorts": [
            ("relevance", _("Pertinence")),
            ("date", _("Date de début (récent d'abord)")),
            ("title", _("Titre (A → Z)")),
        ],
        "hits": [{"hit": h, "url": _project_url(h.project.slug)} for h in result.page],
        "pages": pages,
        "previous": next((p for p in pages if p["number"] == params.page - 1), None),
        "next": next((p for p in pages if p["number"] == params.page + 1), None),
        "query": query,
        "sort_query": sort_query,
        "exports": [
            (fmt, f"/api/v1/projects?{urlencode([*state, ('format', fmt)])}")
            for fmt in ("csv", "xlsx", "geojson")
        ],
        "map_url": "/atlas/carte/" + (f"?{query}" if query else ""),
        "crosstab_url": reverse("search:crosstab") + (f"?{query}" if query else ""),
    }
    template = "search/_zone.html" if request.htmx else "search/index.html"
    return render(request, template, context)


@require_GET
def crosstab_view(request):
    params, errors = parse_params(request.GET)
    names = facet_names()
    rows = request.GET.get("rows") or "region"
    cols = request.GET.get("cols") or "continent"
    table = None
    for place, value in ((_("les lignes"), rows), (_("les colonnes"), cols)):
        if value not in FACETS:
            message = _("Facette inconnue « %(value)s » pour %(place)s : choisissez-en une dans la liste.")
            errors.append(message % {"value": value[:40], "place": place})
    if not errors or (rows in FACETS and cols in FACETS):
        if rows == cols:
            errors.append(_("Choisissez deux facettes différentes pour les lignes et les colonnes."))
        else:
            table = crosstab(params, rows, cols)
    state = _pairs(params)
    if table and request.GET.get("format") == "csv":
        return _crosstab_csv(table, names)
    if request.GET.get("format") not in (None, "", "csv"):
        errors.append(_("Format inconnu : seul « csv » est proposé au téléchargement."))
    context = {
        "title": _("Tableau croisé"),
        "params": params,
        "errors": errors,
        "table": table,
        "rows": rows,
        "cols": cols,
        "rows_name": names.get(rows, ""),
        "cols_name": names.get(cols, ""),
        "facet_choices": [(f, names[f]) for f in FACETS],
        "state": state,
        "search_url": reverse("search:index") + (f"?{urlencode(state)}" if state else ""),
        "csv_url": "?" + urlencode([*state, ("rows", rows), ("cols", cols), ("format", "csv")]),
        "col_totals": [table.col_totals.get(c, 0) for c, _l in table.col_values] if table else [],
        "lines": [
            {
                "code": code,
                "label": label,
                "cells": [table.cell(code, c) for c, _l in table.col_values],
                "total": table.row_totals.get(code, 0),
            }
            for code, label in table.row_values
        ]
        if table
        else [],
    }
    return render(request, "search/crosstab.html", context, status=200)


def _crosstab_csv(table, names) -> HttpResponse:
    """The cross-table as CSV; labels (funders' and organisations' names are typed by people) go through
    ``spreadsheet_safe``, like every CSV the portal writes (docs/opendata.md)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tableau-{table.rows}-{table.cols}.csv"'
    response.write("\ufeff")  # so that spreadsheet software reads the accents as UTF-8
    writer = csv.writer(response)
    safe = spreadsheet_safe
    col_codes = [c for c, _l in table.col_values]
    writer.writerow(
        [_("%(rows)s (code)") % {"rows": names[table.rows]}, names[table.rows]]
        + [safe(str(label)) for _c, label in table.col_values]
        + [_("Total")]
    )
    writer.writerow(["", _("(code)")] + [safe(str(c)) for c in col_codes] + [""])
    for code, label in table.row_values:
        writer.writerow(
            [safe(str(code)), safe(str(label))]
            + [table.cell(code, c) for c in col_codes]
            + [table.row_totals.get(code, 0)]
        )
    writer.writerow(["", _("Total")] + [table.col_totals.get(c, 0) for c in col_codes] + [table.total])
    return response
