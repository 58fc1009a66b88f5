"""The map page and the GeoJSON documents it draws from.

The endpoints take the search page's query string (all its results, never one page) plus their own
parameters; a bad value gets a 400 with French messages. Their answers may be cached for a few minutes by
browsers and proxies: they depend only on the query string and on the data.
"""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coopdec.atlas.models import Partnership, Theme
from coopdec.search.query import ensure_fresh

from . import aggregates, geojson, links, params
from .legend import class_of, classes

CACHE_SECONDS = 300


def _geojson_response(request, build) -> HttpResponse:
    """The document ``build()`` returns, kept in the cache while the search index does not change.

    Every write to a project refreshes the index and so changes its generation, hence the key; what
    the index does not see (an authority's coordinates) shows within ``CACHE_SECONDS``, as it would
    anyway through the browser's cache.
    """
    generation, _stale = ensure_fresh()
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    key = f"maps:{connection.alias}:{generation}:{get_language()}:{path}"
    body = cache.get(key)
    if body is None:
        body = json.dumps(build(), ensure_ascii=False, separators=(",", ":"))
        cache.set(key, body, CACHE_SECONDS)
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _bad_request(errors: list[str]) -> JsonResponse:
    return JsonResponse({"erreurs": errors}, status=400, json_dumps_params={"ensure_ascii": False})


def _projects_or_errors(request, *extra_errors):
    search_params, errors = params.search_params(request.GET)
    errors = [*errors, *(e for group in extra_errors for e in group)]
    if errors:
        return None, errors
    return params.matching(search_params), []


@require_GET
def countries(request):
    projects, errors = _projects_or_errors(request)
    if errors:
        return _bad_request(errors)
    return _geojson_response(
        request,
        lambda: geojson.areas(
            aggregates.country_outlines(), aggregates.projects_by_country(projects), links.country()
        ),
    )


@require_GET
def france(request):
    level, level_errors = params.parse_level(request.GET)
    projects, errors = _projects_or_errors(request, level_errors)
    if errors:
        return _bad_request(errors)
    url_for = links.region() if level == "region" else links.department()

    def build():
        document = geojson.areas(
            aggregates.area_outlines(level), aggregates.projects_by_area(projects, level), url_for
        )
        return {**document, "level": level}

    return _geojson_response(request, build)


@require_GET
def points(request):
    zoom, zoom_errors = params.parse_zoom(request.GET)
    bbox, bbox_errors = params.parse_bbox(request.GET)
    extent_errors = [] if zoom_errors or bbox_errors else params.check_extent(bbox, zoom)
    projects, errors = _projects_or_errors(request, zoom_errors, bbox_errors, extent_errors)
    if errors:
        return _bad_request(errors)
    return _geojson_response(
        request, lambda: geojson.points(aggregates.authority_points(projects, zoom, bbox), zoom)
    )


def _table(rows: list[dict], url_for) -> dict:
    map_classes = classes([row["projects"] for row in rows])
    for row in rows:
        row["url"] = url_for(row["code"])
        row["class"] = class_of(row["projects"], map_classes)
    return {"rows": rows, "classes": map_classes, "total": len(rows)}


def _themes(selected: list[str]) -> list[dict]:
    """Top-level themes, each with its sub-themes, and whether the search selects them."""
    english = (get_language() or "fr").startswith("en")
    tree: dict[str, dict] = {}
    children: list[tuple[str, dict]] = []
    for theme in Theme.objects.order_by("position", "code"):
        entry = {"code": theme.code, "name": theme.name_en if english else theme.name_fr}
        entry["checked"] = theme.code in selected
        if theme.parent_id:
            children.append((theme.parent_id, entry))
        else:
            tree[theme.code] = {**entry, "children": []}
    for parent, entry in children:
        if parent in tree:
            tree[parent]["children"].append(entry)
    return list(tree.values())


def _search_url(query: str) -> str | None:
    """The search page's list of these results, when the search app serves it."""
    try:
        url = reverse("search:index")
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


@require_GET
def index(request):
    view, view_errors = params.parse_view(request.GET)
    search_params, search_errors = params.search_params(request.GET)
    ensure_fresh()
    projects = params.matching(search_params)
    query = params.canonical_query(search_params)
    kinds = search_params.filters.get("partnership_kind") or list(Partnership.Kind.values)
    # The form sets themes and partnership kinds; the rest of the search rides along unchanged.
    hidden = [
        (key, value)
        for key, values in params.search_querydict(request.GET).lists()
        if key not in ("theme", "partnership_kind", "sort", "page", "page_size")
        for value in values
    ]
    countries_table = _table(aggregates.projects_by_country(projects), links.country())
    regions_table = _table(aggregates.projects_by_area(projects, "region"), links.region())
    departments_table = _table(aggregates.projects_by_area(projects, "departement"), links.department())
    config = {
        "urls": {
            "countries": reverse("maps:countries"),
            "france": reverse("maps:france"),
            "points": reverse("maps:points"),
        },
        "query": query,
        "view": view,
        "tiles": settings.MAP_TILES_URL,
        "attribution": getattr(settings, "MAP_TILES_ATTRIBUTION", ""),
        "maxZoom": aggregates.MAX_ZOOM,
        "detailZoom": aggregates.DETAIL_ZOOM,
        "i18n": {
            # One plural message, its singular and plural forms (map.js picks one by the count).
            "projects_one": ngettext("%(n)s projet", "%(n)s projets", 1),
            "projects_many": ngettext("%(n)s projet", "%(n)s projets", 2),
            "country_page": _("Voir la page du pays"),
            "region_page": _("Voir la page de la région"),
            "department_page": _("Voir la page du département"),
            "authority_page": _("Voir la page de la collectivité"),
            "zoom_in": _("Zoomer sur ce groupe"),
            "cluster_title": _("Groupe de %(n)s collectivités : activez pour zoomer"),
            "french": _("Collectivité française"),
            "foreign": _("Autorité locale étrangère"),
            "loading": _("Chargement de la carte…"),
            "loaded": _("Carte à jour."),
            "error": _("Les données de la carte n'ont pas pu être chargées : réessayez plus tard."),
            "kinds_none": _("Choisissez au moins une nature de partenariat."),
            "map_label": _("Carte interactive : utilisez les flèches pour vous déplacer, + et − pour zoomer"),
        },
    }
    context = {
        "title": _("Carte de la coopération décentralisée"),
        "breadcrumb_data": {"links": [], "current": _("Carte")},
        "errors": [*view_errors, *search_errors],
        "view": view,
        "query": query,
        "search_url": _search_url(query),
        "has_search": bool(query),
        "project_total": projects.order_by().count(),
        "selected_themes": len(search_params.filters.get("theme", [])),
        "themes": _themes(search_params.filters.get("theme", [])),
        "kinds": [
            {"code": code, "label": label, "checked": code in kinds}
            for code, label in Partnership.Kind.choices
        ],
        "hidden": hidden,
        "countries": countries_table,
        "regions": regions_table,
        "departments": departments_table,
        "config": config,
    }
    return render(request, "maps/index.html", context)
