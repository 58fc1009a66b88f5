"""What a saved search holds: a query string checked by the search's own parser, kept in canonical form.

The search page and the map page own their parameters (``coopdec.search.query.parse_params``,
``coopdec.maps.params``); this module only asks them. A value they refuse is reported in French and the
search is not saved: a saved search that silently dropped a filter would alert its owner on projects
outside what they asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from coopdec.maps import params as map_params
from coopdec.search import query as search_query

from .models import SavedSearch

# Keys of the save link itself, not of the search.
OWN_KEYS = ("type",)
# Paging belongs to one visit, not to the search.
DROPPED_KEYS = ("page", "page_size", "format", "bom")


@dataclass
class Checked:
    kind: str
    query: str  # canonical query string of the search (without the map's view)
    view: str  # the map's view, "" for a search
    params: search_query.SearchParams
    errors: list[str]


def _search_part(querydict: QueryDict) -> QueryDict:
    search = querydict.copy()
    for key in (*OWN_KEYS, *DROPPED_KEYS):
        search.pop(key, None)
    return search


def canonical_query(params: search_query.SearchParams, kind: str) -> str:
    """The search's criteria as a query string in a stable order; a search keeps its sort, a map has none."""
    text = map_params.canonical_query(params)
    if kind == SavedSearch.Kind.SEARCH and params.sort != "relevance":
        text = "&".join(part for part in (text, urlencode([("sort", params.sort)])) if part)
    return text


def check(querydict: QueryDict, kind: str) -> Checked:
    """Validate the criteria of a search (``kind`` "recherche") or of a map (``kind`` "carte")."""
    errors: list[str] = []
    if kind not in SavedSearch.Kind.values:
        errors.append(
            _("Nature inconnue « %(value)s » : choisissez « recherche » ou « carte ».") % {"value": kind[:40]}
        )
        kind = SavedSearch.Kind.SEARCH
    search = _search_part(querydict)
    view = ""
    if kind == SavedSearch.Kind.MAP:
        view, view_errors = map_params.parse_view(search)
        errors += view_errors
        search = map_params.search_querydict(search)
    params, param_errors = search_query.parse_params(search)
    errors += param_errors
    return Checked(kind=kind, query=canonical_query(params, kind), view=view, params=params, errors=errors)


def check_saved(saved: SavedSearch) -> Checked:
    """Check a saved search again (a theme or a funder it names may have been removed since)."""
    querydict = QueryDict(saved.query)
    if saved.kind == SavedSearch.Kind.MAP and saved.view:
        querydict = querydict.copy()
        querydict["vue"] = saved.view
    return check(querydict, saved.kind)


def describe(params: search_query.SearchParams) -> list[tuple[str, str]]:
    """The criteria in words, (name, values), for pages and mails (one query for funders at most)."""
    names = search_query.facet_names()
    active = params.active_filters()
    labels = search_query.facet_labels({facet: set(codes) for facet, codes in active.items()})
    lines = []
    if params.q:
        lines.append((_("Mots-clés"), params.q))
    for facet in search_query.FACETS:
        codes = active.get(facet)
        if codes:
            lines.append((names[facet], ", ".join(labels[facet].get(code, code) for code in codes)))
    if params.year_min is not None or params.year_max is not None:
        lines.append((_("Année de début"), f"{params.year_min or '…'} – {params.year_max or '…'}"))
    return lines


def suggested_name(lines: list[tuple[str, str]], kind: str) -> str:
    """A default name built from the criteria (the person may change it)."""
    if not lines:
        return _("Tous les projets (carte)") if kind == SavedSearch.Kind.MAP else _("Tous les projets")
    text = " ; ".join(values for _name, values in lines)
    return text if len(text) <= 150 else text[:149] + "…"
