"""The public JSON API: projects (the search engine's filters and facets), authorities, countries, stats.

Every list takes ``?format=csv|xlsx|geojson`` (``pdf`` too for projects: a search report) and is then
streamed through the writers of ``coopdec.exports.formats``. Bad parameters answer 400 with the French
messages in ``errors``; nothing reaches the ORM unchecked. Labels are French, whatever the
``Accept-Language``: the API is read by programs, which want one stable vocabulary.
"""

from __future__ import annotations

import dataclasses
import datetime
from functools import wraps

from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coopdec.atlas.figures import key_figures
from coopdec.atlas.models import Partnership, Project
from coopdec.exports.formats import download
from coopdec.exports.formats.columns import AUTHORITY_COLUMNS, COUNTRY_COLUMNS, PROJECT_COLUMNS
from coopdec.exports.formats.csv import csv_chunks
from coopdec.exports.formats.geojson import coordinates_geometry, geojson_chunks, project_geometry
from coopdec.exports.formats.pdf import REPORT_MAX_ROWS, project_sheet_pdf, search_report_pdf
from coopdec.exports.formats.rows import project_rows, rows_for
from coopdec.exports.formats.sheet import project_sheet
from coopdec.exports.formats.xlsx import xlsx_chunks
from coopdec.search import query

from . import lists, openapi, payloads

LIST_FORMATS = ("json", "csv", "xlsx", "geojson")


def french(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override("fr"):
            return view(request, *args, **kwargs)

    return wrapper


def bad_request(errors: list[str]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False})


def ok(payload) -> JsonResponse:
    return JsonResponse(payload, safe=False, json_dumps_params={"ensure_ascii": False})


def output_format(request, allowed: tuple[str, ...]) -> tuple[str, list[str]]:
    value = (request.GET.get("format") or "json").strip().lower()
    if value in allowed:
        return value, []
    return "json", [
        _("Format inconnu « %(value)s » : choisissez parmi %(allowed)s.")
        % {"value": value[:40], "allowed": ", ".join(allowed)}
    ]


def bom_flag(request, errors: list[str]) -> bool:
    value = (request.GET.get("bom") or "0").strip().lower()
    if value not in ("0", "1", "true", "false"):
        errors.append(_("Le paramètre « bom » vaut 1 ou 0 (reçu « %(value)s »).") % {"value": value[:40]})
    return value in ("1", "true")


def page_link(request, page: int | None) -> str | None:
    if page is None:
        return None
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def stream_list(request, fmt: str, columns, rows, geometry, filename: str, errors: list[str]):
    bom = bom_flag(request, errors)
    if errors:
        return bad_request(errors)
    if fmt == "csv":
        chunks = csv_chunks(columns, rows, bom=bom)
    elif fmt == "xlsx":
        chunks = xlsx_chunks(columns, rows, sheet_title=filename.split("-")[0].capitalize())
    else:
        chunks = geojson_chunks(columns, rows, geometry)
    return download(chunks, fmt, f"{filename}-{stamp()}")


@require_GET
def stats(request):
    """Key figures of the Atlas, computed live."""
    return JsonResponse(key_figures())


# --------------------------------------------------------------------------------------------- projects


def criteria(params: query.SearchParams, result_facets) -> list[tuple[str, str]]:
    """The active criteria of a search, in words, for the PDF report."""
    names = query.facet_names()
    lines = []
    if params.q:
        lines.append((_("Mots-clés"), params.q))
    for facet, codes in params.active_filters().items():
        labels = {value.code: value.label for value in result_facets.get(facet, [])}
        lines.append((names[facet], ", ".join(labels.get(code, code) for code in codes)))
    if params.year_min is not None or params.year_max is not None:
        lines.append((_("Année de début"), f"{params.year_min or '…'} – {params.year_max or '…'}"))
    return lines


def report_figures(queryset) -> list[tuple[str, list[tuple[str, int]]]]:
    """Counts of every matching project by theme, country and status (three grouped queries)."""
    ids = queryset.order_by().values("pk")
    by_theme = (
        Project.themes.through.objects.filter(project_id__in=ids)
        .values_list("theme__name_fr")
        .annotate(n=Count("project_id", distinct=True))
        .order_by("-n", "theme__name_fr")
    )
    by_country = (
        Partnership.foreign.through.objects.filter(partnership__projects__in=ids)
        .values_list("organisation__country__name_fr")
        .annotate(n=Count("partnership__projects", distinct=True))
        .order_by("-n", "organisation__country__name_fr")
    )
    by_status = (
        Project.objects.filter(pk__in=ids)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by("-n", "status")
    )
    status_labels = dict(Project.Status.choices)
    return [
        (_("Par thématique"), list(by_theme)),
        (_("Par pays partenaire"), [(name or _("Pays non renseigné"), n) for name, n in by_country]),
        (_("Par statut"), [(str(status_labels.get(code, code)), n) for code, n in by_status]),
    ]


@require_GET
@french
def projects(request):
    fmt, errors = output_format(request, (*LIST_FORMATS, "pdf"))
    params, param_errors = query.parse_params(request.GET)
    errors += param_errors
    if errors:
        return bad_request(errors)
    if fmt != "json":
        query.ensure_fresh()
        matching = query.matching_projects(params)
        if fmt == "pdf":
            result = query.search(dataclasses.replace(params, page=1, page_size=1))
            figures_of = query.matching_projects(dataclasses.replace(params, sort="date"))
            content = search_report_pdf(
                title=_("Rapport de recherche — projets de coopération décentralisée"),
                criteria=criteria(params, result.facets),
                count=result.count,
                figures=report_figures(figures_of),
                rows=project_rows(matching[:REPORT_MAX_ROWS]),
                generated_at=timezone.localtime(),
            )
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="rapport-projets-{stamp()}.pdf"'
            return response
        return stream_list(
            request, fmt, PROJECT_COLUMNS, project_rows(matching), project_geometry, "projets", errors
        )
    result = query.search(params)
    if result.errors:
        return bad_request(result.errors)
    base_url = request.build_absolute_uri(reverse("api:projects"))
    base_url = base_url + "/"
    rows = rows_for([hit.project for hit in result.page])
    page = params.page
    return ok(
        {
            "count": result.count,
            "page": page,
            "page_count": result.page_count,
            "next": page_link(request, page + 1 if page < result.page_count else None),
            "previous": page_link(request, page - 1 if page > 1 else None),
            "results": [
                payloads.project(row, base_url=base_url, snippet=hit.snippet)
                for row, hit in zip(rows, result.page, strict=True)
            ],
            "facets": {
                facet: [dataclasses.asdict(item) for item in items] for facet, items in result.facets.items()
            },
            "warnings": result.warnings,
        }
    )


@require_GET
@french
def project(request, slug: str):
    fmt, errors = output_format(request, ("json", "pdf"))
    if errors:
        return bad_request(errors)
    sheet = project_sheet(slug)
    if sheet is None:
        raise Http404(_("Aucun projet n'a cet identifiant."))
    if fmt == "pdf":
        response = HttpResponse(project_sheet_pdf(sheet), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{slug}.pdf"'
        return response
    base_url = request.build_absolute_uri(reverse("api:projects")) + "/"
    return ok(payloads.project_detail(sheet, base_url=base_url))


# ---------------------------------------------------------------------------------- authorities, countries


@require_GET
@french
def authorities(request):
    fmt, errors = output_format(request, LIST_FORMATS)
    queryset, filter_errors = lists.authority_queryset(request.GET)
    errors += filter_errors
    queryset = queryset.select_related(
        "region", "department__region", "commune__department__region", "epci", "country", "subdivision"
    )
    if fmt != "json":
        rows = queryset.iterator(chunk_size=2000)
        geometry = coordinates_geometry
        return stream_list(request, fmt, AUTHORITY_COLUMNS, rows, geometry, "collectivites", errors)
    page = lists.positive_int(request.GET, "page", 1, 10**6, errors)
    page_size = lists.positive_int(
        request.GET, "page_size", lists.DEFAULT_PAGE_SIZE, lists.MAX_PAGE_SIZE, errors
    )
    if errors:
        return bad_request(errors)
    items, count, page_count = lists.page_of(queryset, page, page_size, errors)
    if errors:
        return bad_request(errors)
    partnerships, projects_count = lists.engagement_counts([item.pk for item in items])
    return ok(
        {
            "count": count,
            "page": page,
            "page_count": page_count,
            "next": page_link(request, page + 1 if page < page_count else None),
            "previous": page_link(request, page - 1 if page > 1 else None),
            "results": [
                payloads.organisation(
                    item, partnerships=partnerships[item.pk], projects=projects_count[item.pk]
                )
                for item in items
            ],
        }
    )


@require_GET
@french
def countries(request):
    fmt, errors = output_format(request, LIST_FORMATS)
    items, list_errors = lists.country_list(request.GET)
    errors += list_errors
    if fmt != "json":
        return stream_list(request, fmt, COUNTRY_COLUMNS, items, coordinates_geometry, "pays", errors)
    if errors:
        return bad_request(errors)
    return ok({"count": len(items), "results": [payloads.country(item) for item in items]})


# -------------------------------------------------------------------------------------- documentation


@require_GET
def openapi_document(request):
    return ok(openapi.document(request.build_absolute_uri("/")[:-1]))


@require_GET
def documentation(request):
    base = request.build_absolute_uri("/")[:-1]
    return render(
        request,
        "api/documentation.html",
        {
            "title": _("API publique"),
            "endpoints": openapi.endpoints(),
            "base": base,
            "today": datetime.date.today(),
        },
    )
