"""The search engine: parameters from a query string, matching projects, facets and crossed tables.

One interface, two full-text backends chosen by the database vendor (SQLite FTS5, PostgreSQL full text
with the ``coopdec_fr`` unaccented French configuration); filters and facet counts read the denormalised
``search_facetentry`` table, so they cost the same on both. Facets combine with AND across facets and OR
within one; a facet's counts are computed with every other active filter but not its own selection.

An index older than the data is never used silently: when documents are missing for a few projects they
are indexed on the spot; when many are missing (a rebuild is due or running), the result carries
``stale=True`` and a French warning the page shows.
"""

import hashlib
import heapq
import math
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coopdec.atlas.models import Partnership, PartnershipMember, Project, Theme
from coopdec.geo.models import Continent, Country, Department, Region
from coopdec.orgs.models import Organisation

from . import columns, index
from .models import SearchDocument
from .text import Terms, highlight, parse_terms

FACETS = (
    "theme",
    "country",
    "continent",
    "region",
    "department",
    "authority_kind",
    "partnership_kind",
    "funder",
    "status",
)
SORTS = ("relevance", "date", "title")
NUL = "\x00"
MAX_PAGE_SIZE = 100
YEAR_BOUNDS = (1900, 2100)
# Up to this many unindexed projects are indexed during the search itself; beyond, a rebuild is due.
AUTO_REFRESH_LIMIT = 500
BM25_WEIGHTS = "4.0, 1.0"  # a keyword in the title counts four times one in the rest of the document


def facet_names() -> dict[str, str]:
    return {
        "theme": _("Thématique"),
        "country": _("Pays partenaire"),
        "continent": _("Continent"),
        "region": _("Région française"),
        "department": _("Département"),
        "authority_kind": _("Type de collectivité"),
        "partnership_kind": _("Nature du partenariat"),
        "funder": _("Financeur"),
        "status": _("Statut du projet"),
    }


@dataclass
class SearchParams:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_min: int | None = None
    year_max: int | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20

    @property
    def terms(self) -> Terms:
        return parse_terms(self.q)

    def active_filters(self) -> dict[str, list[str]]:
        return {f: v for f, v in self.filters.items() if v}


@dataclass
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool


@dataclass
class Hit:
    project: Project
    title_html: str
    snippet: str


@dataclass
class SearchResult:
    params: SearchParams
    count: int
    page: list[Hit]
    facets: dict[str, list[FacetValue]]
    page_count: int
    errors: list[str]
    stale: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class CrossTable:
    rows: str
    cols: str
    row_values: list[tuple[str, str]]  # (code, label), by decreasing total
    col_values: list[tuple[str, str]]
    cells: dict[tuple[str, str], int]
    row_totals: dict[str, int]
    col_totals: dict[str, int]
    total: int

    def cell(self, row: str, col: str) -> int:
        return self.cells.get((row, col), 0)


# ---------------------------------------------------------------------------------------------- parameters


def _english() -> bool:
    return (get_language() or "fr").startswith("en")


def _known_values(facet: str, values: list[str]) -> set[str]:
    """The subset of ``values`` that are known codes for ``facet`` (one small query at most)."""
    if facet == "theme":
        return set(Theme.objects.filter(code__in=values).values_list("code", flat=True))
    upper = [v.upper() for v in values]
    if facet == "country":
        return set(Country.objects.filter(iso2__in=upper).values_list("iso2", flat=True))
    if facet == "continent":
        return set(Continent.objects.filter(code__in=upper).values_list("code", flat=True))
    if facet == "region":
        return set(Region.objects.filter(code__in=values).values_list("code", flat=True))
    if facet == "department":
        return set(Department.objects.filter(code__in=upper).values_list("code", flat=True))
    if facet == "authority_kind":
        return set(values) & set(Organisation.FRENCH_AUTHORITY_KINDS)
    if facet == "partnership_kind":
        return set(values) & set(Partnership.Kind.values)
    if facet == "funder":
        return set(Organisation.objects.filter(slug__in=values).values_list("slug", flat=True))
    if facet == "status":
        return set(values) & set(Project.Status.values)
    raise ValueError(facet)


def _int_param(querydict, name: str, label: str, errors: list[str], lo: int, hi: int) -> int | None:
    raw = (querydict.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        errors.append(
            _("« %(value)s » n'est pas un nombre entier valable pour %(label)s : valeur ignorée.")
            % {"value": raw[:40], "label": label}
        )
        return None
    if not lo <= value <= hi:
        errors.append(
            _("%(label)s doit être compris entre %(lo)s et %(hi)s : valeur %(value)s ignorée.")
            % {"label": label, "lo": lo, "hi": hi, "value": value}
        )
        return None
    return value


def parse_params(querydict) -> tuple[SearchParams, list[str]]:
    """Read and validate search parameters; unknown values are dropped and reported in French.

    A facet takes several values as repeated keys (``?country=SN&country=ML``) or comma-separated.
    """
    errors: list[str] = []
    names = facet_names()
    params = SearchParams(q=(querydict.get("q") or "").strip()[:200])
    if NUL in params.q:
        # PostgreSQL refuses the character in any text (a server error once the words were saved or
        # matched); no one types it.
        errors.append(_("Les mots-clés contiennent un caractère nul : ils ont été ignorés."))
        params.q = ""
    for facet in FACETS:
        raw = [v.strip() for item in querydict.getlist(facet) for v in item.split(",") if v.strip()]
        raw = list(dict.fromkeys(v[:120] for v in raw))[:50]
        if not raw:
            continue
        # A value with a NUL character is no known code: it is reported below without being looked up.
        known = _known_values(facet, [v for v in raw if NUL not in v])
        kept = []
        for value in raw:
            normalised = value.upper() if facet in ("country", "continent", "department") else value
            if normalised in known:
                kept.append(normalised)
            else:
                errors.append(
                    _("Valeur inconnue « %(value)s » pour le filtre « %(facet)s » : filtre ignoré.")
                    % {"value": value[:40].replace(NUL, "\ufffd"), "facet": names[facet]}
                )
        if kept:
            params.filters[facet] = list(dict.fromkeys(kept))
    params.year_min = _int_param(querydict, "year_min", _("l'année de début minimale"), errors, *YEAR_BOUNDS)
    params.year_max = _int_param(querydict, "year_max", _("l'année de début maximale"), errors, *YEAR_BOUNDS)
    if params.year_min and params.year_max and params.year_min > params.year_max:
        errors.append(
            _("L'année minimale (%(min)s) dépasse l'année maximale (%(max)s) : les deux ont été inversées.")
            % {"min": params.year_min, "max": params.year_max}
        )
        params.year_min, params.year_max = params.year_max, params.year_min
    sort = (querydict.get("sort") or "relevance").strip()
    if sort in SORTS:
        params.sort = sort
    else:
        errors.append(_("Tri inconnu « %(value)s » : tri par pertinence.") % {"value": sort[:40]})
    params.page = _int_param(querydict, "page", _("le numéro de page"), errors, 1, 10**6) or 1
    size_label = _("le nombre de résultats par page")
    params.page_size = _int_param(querydict, "page_size", size_label, errors, 1, MAX_PAGE_SIZE) or 20
    return params, errors


# ----------------------------------------------------------------------------------------------- matching


def _match_expression(terms: Terms) -> str:
    """The backend's full-text query for ``terms`` (words are [a-z0-9_] only, so quoting is safe)."""
    if connection.vendor == "postgresql":
        parts = [f"'{w}'" for w in terms.words[:-1]] + [f"'{terms.words[-1]}':*"]
        return " & ".join(parts)
    parts = [f'"{s}"' for s in terms.stems] + [f'"{terms.prefix}"*']
    return " ".join(parts)


def _keyword_condition(terms: Terms) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return "d.vector @@ to_tsquery('coopdec_fr', %s)", [_match_expression(terms)]
    condition = "d.project_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
    return condition, [_match_expression(terms)]


def _conditions(params: SearchParams, *, exclude: str | None = None, keywords: bool = True):
    """SQL conditions on ``search_searchdocument d`` for the parameters, without facet ``exclude``."""
    sql, args = [], []
    if keywords and params.terms:
        condition, condition_args = _keyword_condition(params.terms)
        sql.append(condition)
        args += condition_args
    for facet, values in sorted(params.active_filters().items()):
        if facet == exclude:
            continue
        placeholders = ", ".join(["%s"] * len(values))
        in_facet = f"SELECT project_id FROM search_facetentry WHERE facet = %s AND value IN ({placeholders})"  # noqa: S608
        sql.append(f"d.project_id IN ({in_facet})")
        args += [facet, *values]
    if params.year_min is not None:
        sql.append("d.start_year >= %s")
        args.append(params.year_min)
    if params.year_max is not None:
        sql.append("d.start_year <= %s")
        args.append(params.year_max)
    return sql, args


def _ids_sql(params: SearchParams, *, exclude: str | None = None, keywords: bool = True) -> tuple[str, list]:
    conditions, args = _conditions(params, exclude=exclude, keywords=keywords)
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    return "SELECT d.project_id FROM search_searchdocument d" + where, args  # noqa: S608 — fixed fragments


def _is_unfiltered(params: SearchParams, exclude: str | None = None) -> bool:
    return not _conditions(params, exclude=exclude)[0]


def matching_projects(params: SearchParams) -> QuerySet:
    """Every matching project (no pagination), in the requested order.

    Relevance without keywords falls back to the date order (most recent start first).
    """
    terms = params.terms
    by_relevance = params.sort == "relevance" and terms
    sql, args = _ids_sql(params, keywords=not by_relevance)
    qs = Project.objects.all()
    if " WHERE " in sql:  # with no condition at all, every project matches
        qs = qs.filter(pk__in=RawSQL(sql, args))  # noqa: S611 — fixed fragments, values as params
    if by_relevance:
        match = _match_expression(terms)
        if connection.vendor == "postgresql":
            qs = qs.extra(  # noqa: S610 — fixed SQL, the user's words are a parameter
                tables=["search_searchdocument"],
                where=[
                    "search_searchdocument.project_id = atlas_project.id",
                    "search_searchdocument.vector @@ to_tsquery('coopdec_fr', %s)",
                ],
                params=[match],
                select={
                    "search_rank": "ts_rank_cd(search_searchdocument.vector, to_tsquery('coopdec_fr', %s))"
                },
                select_params=[match],
            ).order_by("-search_rank", "pk")
        else:
            qs = qs.extra(  # noqa: S610 — fixed SQL, the user's words are a parameter
                tables=["search_fts"],
                where=["search_fts.rowid = atlas_project.id", "search_fts MATCH %s"],
                params=[match],
                select={"search_rank": f"bm25(search_fts, {BM25_WEIGHTS})"},
            ).order_by("search_rank", "pk")
        return qs
    # Sorted through the index's own sort keys (indexed), which hold the project's title and start date.
    # The inner join (a matching project has its document) and the project id as the second key (not the
    # project, which would sort by its slug through one more join) let the database read them in the
    # order of the index instead of sorting every match.
    qs = qs.filter(search_document__isnull=False)
    if params.sort == "title":
        return qs.order_by("search_document__title", "search_document__project_id")
    return qs.order_by("-search_document__start_sort", "-search_document__project_id")


def _read_in_sort_order(offset: int, limit: int, count: int, documents: int) -> bool:
    """Whether reading the sort index in order, skipping what does not match, costs less than sorting the
    matches: it reads about (offset + limit) × documents / count index entries, sequentially, where a sort
    looks each match up (a matching tenth of the projects: 200 entries read for page 1 rather than
    1,300 rows sorted at scale 1, 130,000 at scale 100)."""
    return count > 0 and (offset + limit) * documents <= 10 * count * count


def _page_ids(
    params: SearchParams, offset: int, limit: int, *, count: int = 0, documents: int = 0
) -> list[int]:
    """The ids of one page of matching projects, in the order of ``matching_projects``.

    Read from the index's tables alone (covering indexes for the sorts, the full-text table for
    relevance) and not through ``matching_projects``, which would read every matching project's whole row
    (descriptions included) before sorting them: on thousands of matches that was most of a search's time.
    ``count`` (the number of matches) and ``documents`` (of the whole index) let a date or title sort on
    SQLite read its index in order when many projects match, which SQLite's planner does not choose by
    itself: it drives from the filters' lists and sorts every match. PostgreSQL weighs this with its
    statistics.
    """
    terms = params.terms
    by_relevance = params.sort == "relevance" and terms
    conditions, args = _conditions(params, keywords=not by_relevance)
    if (
        connection.vendor == "sqlite"
        and not by_relevance
        and _read_in_sort_order(offset, limit, count, documents)
    ):
        # A unary + keeps SQLite from using an index for a condition: it is then tested on each entry of
        # the sort index, read in order, instead of choosing the rows to sort.
        conditions = ["+" + condition for condition in conditions]
    if by_relevance and connection.vendor == "postgresql":
        match = _match_expression(terms)
        conditions.insert(0, "d.vector @@ to_tsquery('coopdec_fr', %s)")
        args.insert(0, match)
        sql = "SELECT d.project_id FROM search_searchdocument d"
        order = "ts_rank_cd(d.vector, to_tsquery('coopdec_fr', %s)) DESC, d.project_id"
        order_args = [match]
    elif by_relevance:
        conditions.insert(0, "search_fts MATCH %s")
        args.insert(0, _match_expression(terms))
        sql = (
            "SELECT d.project_id FROM search_fts"
            " JOIN search_searchdocument d ON d.project_id = search_fts.rowid"
        )
        order, order_args = f"bm25(search_fts, {BM25_WEIGHTS}), d.project_id", []
    elif params.sort == "title":
        sql = "SELECT d.project_id FROM search_searchdocument d"
        order, order_args = "d.title, d.project_id", []
    else:
        sql = "SELECT d.project_id FROM search_searchdocument d"
        order, order_args = "d.start_sort DESC, d.project_id DESC", []
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    sql += f" ORDER BY {order} LIMIT %s OFFSET %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*args, *order_args, limit, offset])
        return [row[0] for row in cursor.fetchall()]


# ------------------------------------------------------------------------------------------------- counts


# The check of the index against the Atlas (as many documents as published projects) counts both
# tables, which grows with the data; its answer is kept for one index state. Every index write renews the
# token and so forces a new check at once; a bulk load made without rebuilding the index (the token does
# not change) is noticed after at most FRESHNESS_CHECK_SECONDS.
FRESHNESS_CHECK_SECONDS = 30


def _index_token() -> tuple[str, bool]:
    """The index's token, and whether a full rebuild is owed (an interrupted bulk load or rebuild)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MAX(token), MAX(CASE WHEN rebuild_owed THEN 1 ELSE 0 END) FROM search_indexstate"
        )
        token, owed = cursor.fetchone()
        return token or "", bool(owed)


def _index_state() -> tuple[str, int, int]:
    """(generation token, published projects, documents) in one query."""
    # The projects are counted through their public manager, whose rule on drafts the index follows.
    projects_sql, projects_args = Project.objects.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT MAX(token) FROM search_indexstate),"  # noqa: S608 — SQL of the ORM
            f" (SELECT COUNT(*) FROM ({projects_sql}) AS published),"
            " (SELECT COUNT(*) FROM search_searchdocument)",
            projects_args,
        )
        generation, projects, documents = cursor.fetchone()
    return generation or "", projects, documents


def ensure_fresh() -> tuple[str, bool]:
    """Index what a few unrefreshed writes left out; return (generation, stale).

    Stale: the index has not as many documents as there are published projects, or a full rebuild is owed
    (a bulk load or a rebuild was interrupted: documents may hold old text). Only a fresh answer is cached.
    """
    token, owed = _index_token()
    key = f"search:fresh:{connection.alias}:{token}"
    checked = None if owed else cache.get(key)
    if checked is not None:
        return checked, False
    generation, projects, documents = _index_state()
    if projects == documents:
        # The generation is a random token renewed by every index write (never reused, even after a
        # rollback); the document count joins it in cache keys as a second guard.
        if not owed:
            cache.set(key, f"{generation}.{documents}", FRESHNESS_CHECK_SECONDS)
        return f"{generation}.{documents}", owed
    if projects > documents and projects - documents <= AUTO_REFRESH_LIMIT:
        index.refresh_projects(index.missing_project_ids(AUTO_REFRESH_LIMIT))
    elif projects < documents:
        index.remove_orphans()
    generation, projects, documents = _index_state()
    return f"{generation}.{documents}", projects != documents or owed


def _documents_of(generation: str) -> int:
    """The number of documents in the index, which ``ensure_fresh`` puts at the end of the generation."""
    return int(generation.rsplit(".", 1)[1])


def _count(params: SearchParams) -> int:
    sql, args = _ids_sql(params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS matching", args)  # noqa: S608
        return cursor.fetchone()[0]


def _group_counts(facets: list[str], params: SearchParams, exclude: str | None) -> dict[str, dict[str, int]]:
    placeholders = ", ".join(["%s"] * len(facets))
    sql = f"SELECT facet, value, COUNT(*) FROM search_facetentry WHERE facet IN ({placeholders})"  # noqa: S608
    args = facets
    if not _is_unfiltered(params, exclude):
        ids_sql, ids_args = _ids_sql(params, exclude=exclude)
        sql += f" AND project_id IN ({ids_sql})"
        args = [*args, *ids_args]
    counts: dict[str, dict[str, int]] = {f: {} for f in facets}
    with connection.cursor() as cursor:
        cursor.execute(sql + " GROUP BY facet, value", args)
        for facet, value, n in cursor.fetchall():
            counts[facet][value] = n
    return counts


def _unfiltered_counts(generation: str) -> dict[str, dict[str, int]]:
    """Counts over every project, cached until the index changes (the page with no filter, or one)."""
    key = f"search:facets:{connection.alias}:{generation}"
    counts = cache.get(key)
    if counts is None:
        counts = _group_counts(list(FACETS), SearchParams(), None)
        cache.set(key, counts, 3600)
    return counts


def _cache_key(params: SearchParams, generation: str) -> str:
    """What the facet counts depend on: the filters and keywords, not the sort or the page."""
    terms = params.terms
    state = repr(
        (terms.stems, terms.prefix, sorted(params.active_filters().items()), params.year_min, params.year_max)
    )
    digest = hashlib.sha256(state.encode()).hexdigest()[:32]
    return f"search:counts:{connection.alias}:{generation}:{digest}"


def facet_counts(params: SearchParams, generation: str) -> tuple[dict[str, dict[str, int]], int]:
    """Counts per facet value and the number of matching projects, cached for a few minutes per search
    (paging or sorting reuses them)."""
    key = _cache_key(params, generation)
    cached = cache.get(key)
    if cached is None:
        cached = _facet_counts_in_memory(params, generation)
        cache.set(key, cached, 300)
    return cached


def _facet_counts_in_memory(params: SearchParams, generation: str) -> tuple[dict[str, dict[str, int]], int]:
    cols = columns.columns(generation, FACETS)
    base = None
    if params.terms:
        if connection.vendor == "sqlite":
            # The full-text table alone: ids without a document fall outside the mask anyway.
            sql, args = (
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s",
                [_match_expression(params.terms)],
            )
        else:
            sql, args = _ids_sql(SearchParams(q=params.q))
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            base = cols.mask_of_ids([row[0] for row in cursor.fetchall()])
    if params.year_min is not None or params.year_max is not None:
        years = cols.year_mask(params.year_min, params.year_max)
        base = years if base is None else base & years
    masks = {facet: cols.facet_mask(facet, values) for facet, values in params.active_filters().items()}

    def combined(exclude: str | None):
        mask = base
        for facet, facet_mask in masks.items():
            if facet != exclude:
                mask = facet_mask if mask is None else mask & facet_mask
        return mask

    everything = combined(None)
    counts = {
        facet: cols.counts(facet, combined(facet) if facet in masks else everything) for facet in FACETS
    }
    total = len(cols.ids) if everything is None else int(everything.sum())
    return counts, total


def facet_counts_sql(params: SearchParams, generation: str) -> dict[str, dict[str, int]]:
    """The same counts computed by the database (the reference the in-memory counts are tested against)."""
    return _facet_counts(params, generation)


def _facet_counts(params: SearchParams, generation: str) -> dict[str, dict[str, int]]:
    active = params.active_filters()
    unfiltered = None
    counts: dict[str, dict[str, int]] = {}
    shared = [f for f in FACETS if f not in active]
    if shared:
        if _is_unfiltered(params):
            unfiltered = _unfiltered_counts(generation)
            counts.update({f: unfiltered[f] for f in shared})
        else:
            counts.update(_group_counts(shared, params, None))
    for facet in active:
        if _is_unfiltered(params, facet):
            unfiltered = unfiltered or _unfiltered_counts(generation)
            counts[facet] = unfiltered[facet]
        else:
            counts.update(_group_counts([facet], params, facet))
    return counts


# ------------------------------------------------------------------------------------------------- labels


def _reference_labels() -> dict[str, dict[str, str]]:
    english = _english()
    key = f"search:labels:{'en' if english else 'fr'}"
    labels = cache.get(key)
    if labels is None:
        name = "name_en" if english else "name_fr"
        labels = {
            "theme": dict(Theme.objects.values_list("code", name)),
            "country": dict(Country.objects.values_list("iso2", name)),
            "continent": dict(Continent.objects.values_list("code", name)),
            "region": dict(Region.objects.values_list("code", "name")),
            "department": {c: f"{n} ({c})" for c, n in Department.objects.values_list("code", "name")},
        }
        cache.set(key, labels, 600)
    return {
        **labels,
        "authority_kind": {k: str(v) for k, v in Organisation.Kind.choices},
        "partnership_kind": {k: str(v) for k, v in Partnership.Kind.choices},
        "status": {k: str(v) for k, v in Project.Status.choices},
    }


def facet_labels(codes_by_facet: dict[str, set[str]]) -> dict[str, dict[str, str]]:
    labels = _reference_labels()
    funders = codes_by_facet.get("funder")
    labels["funder"] = {}
    if funders:
        labels["funder"] = dict(Organisation.objects.filter(slug__in=funders).values_list("slug", "name"))
    return labels


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    """Facet values by decreasing count, then by code."""
    return -item[1], item[0]


def _facet_values(counts: dict[str, dict[str, int]], params: SearchParams, limit: int | None):
    result: dict[str, list[FacetValue]] = {}
    chosen: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        selected = set(params.filters.get(facet, ()))
        values = counts.get(facet, {})
        if limit is None:
            ranked = sorted(values.items(), key=_by_count)
        else:
            # The most frequent values only (thousands of funders: no need to sort them all), and the
            # selected ones wherever they rank.
            ranked = heapq.nsmallest(limit, values.items(), key=_by_count)
            shown = {c for c, _n in ranked}
            ranked += sorted(((c, values[c]) for c in selected - shown if c in values), key=_by_count)
        present = {c for c, _n in ranked}
        ranked += [(c, 0) for c in sorted(selected - present)]
        chosen[facet] = ranked
    labels = facet_labels({f: {c for c, _n in values} for f, values in chosen.items()})
    for facet, ranked in chosen.items():
        selected = set(params.filters.get(facet, ()))
        result[facet] = [
            FacetValue(code, labels[facet].get(code, code), n, code in selected) for code, n in ranked
        ]
    return result


# ------------------------------------------------------------------------------------------------- search


def _stale_warning() -> str:
    return _(
        "L'index de recherche est en cours de reconstruction : certains projets récents peuvent "
        "manquer dans ces résultats."
    )


def search(params: SearchParams, *, facet_limit: int | None = None) -> SearchResult:
    """One page of results with its facets. ``facet_limit`` keeps the most frequent values per facet
    (plus the selected ones)."""
    errors: list[str] = []
    generation, stale = ensure_fresh()
    counts, count = facet_counts(params, generation)
    page_count = max(1, math.ceil(count / params.page_size))
    if params.page > page_count:
        errors.append(
            _("La page %(page)s n'existe pas : dernière page (%(last)s) affichée.")
            % {"page": params.page, "last": page_count}
        )
        params.page = page_count
    offset = (params.page - 1) * params.page_size
    ids = _page_ids(params, offset, params.page_size, count=count, documents=_documents_of(generation))
    found = (
        Project.objects.select_related("partnership")
        .prefetch_related(
            "themes",
            Prefetch(
                "partnership__french_members",
                queryset=PartnershipMember.objects.select_related("organisation"),
            ),
            Prefetch("partnership__foreign", queryset=Organisation.objects.select_related("country")),
        )
        .in_bulk(ids)
    )
    projects = [found[pk] for pk in ids if pk in found]
    documents = SearchDocument.objects.in_bulk(ids) if ids else {}
    terms = params.terms
    hits = []
    for project in projects:
        document = documents.get(project.pk)
        body = document.body if document else project.objectives
        hits.append(Hit(project, highlight(project.title, terms), highlight(body, terms, window=40)))
    facets = _facet_values(counts, params, facet_limit)
    return SearchResult(
        params=params,
        count=count,
        page=hits,
        facets=facets,
        page_count=page_count,
        errors=errors,
        stale=stale,
        warnings=[_stale_warning()] if stale else [],
    )


def crosstab(params: SearchParams, rows: str, cols: str) -> CrossTable:
    """Projects counted by (row value, column value) among those matching ``params``.

    A project with several values of a facet (several countries, say) counts in each of its cells, so
    totals count distinct projects and may be less than the sum of their cells.
    """
    if rows not in FACETS or cols not in FACETS or rows == cols:
        raise ValueError(_("Choisissez deux facettes différentes parmi celles de la recherche."))
    ensure_fresh()
    ids_sql, ids_args = _ids_sql(params)
    join = (
        "FROM search_facetentry r JOIN search_facetentry c ON c.project_id = r.project_id AND c.facet = %s"
        f" WHERE r.facet = %s AND r.project_id IN ({ids_sql})"
    )
    # Totals through IN (…) rather than the join: on a join grouped by the inner table's value, SQLite
    # picks a nested loop that grows with the square of the data.
    with_col = "project_id IN (SELECT project_id FROM search_facetentry WHERE facet = %s)"
    totals = f"SELECT value, COUNT(*) FROM search_facetentry WHERE facet = %s AND {with_col}"  # noqa: S608
    totals += f" AND project_id IN ({ids_sql}) GROUP BY value"
    with connection.cursor() as cursor:
        cells_sql = f"SELECT r.value, c.value, COUNT(*) {join} GROUP BY r.value, c.value"  # noqa: S608
        cursor.execute(cells_sql, [cols, rows, *ids_args])
        cells = {(r, c): n for r, c, n in cursor.fetchall()}
        cursor.execute(totals, [rows, cols, *ids_args])
        row_totals = dict(cursor.fetchall())
        cursor.execute(totals, [cols, rows, *ids_args])
        col_totals = dict(cursor.fetchall())
        cursor.execute(
            f"SELECT COUNT(*) FROM ({ids_sql}) AS matching WHERE project_id IN"  # noqa: S608
            " (SELECT project_id FROM search_facetentry WHERE facet = %s)"
            " AND project_id IN (SELECT project_id FROM search_facetentry WHERE facet = %s)",
            [*ids_args, rows, cols],
        )
        total = cursor.fetchone()[0]
    labels = facet_labels({rows: set(row_totals), cols: set(col_totals)})

    def ordered(totals, facet):
        return [
            (code, labels[facet].get(code, code))
            for code, _n in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        ]

    return CrossTable(
        rows=rows,
        cols=cols,
        row_values=ordered(row_totals, rows),
        col_values=ordered(col_totals, cols),
        cells=cells,
        row_totals=row_totals,
        col_totals=col_totals,
        total=total,
    )
