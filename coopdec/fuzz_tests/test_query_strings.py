"""Every page that reads its query string, under hostile parameters: no server error, a refusal in French,
the database unchanged.

The pages are those whose views read ``request.GET`` (``grep request.GET coopdec/``): the search and its
crossed table, the map and its three GeoJSON documents, the API's lists and exports, the Atlas pages and
their paginations, the correspondents' directory and its exports, the sign-up type-ahead and the login's
``next``, and the lists, type-aheads and filters of the professional space (each for a persona who may open
it). A GET never writes, refused or not; the one table a GET may write is the audit log, for a refused
access (403) in the professional space.

Pages that hand their query string to a parser already tested here are listed once, to keep the suite
fast: the search's htmx partial (the search page's parser and context), the map's countries document
(the France and points documents share its parsing), the other Atlas pages with paginations (``paginate``,
tested on the country and French authority pages), the directory's XLSX export (the CSV's filters), the
space's list of sheets and foreign type-ahead (the partnerships' list and the French type-ahead), the
correspondents' inventory list and French type-ahead (the corrections' list and the foreign type-ahead).
Pages that read no parameter at all (home, sheets, stats, the OpenAPI document) are left to
test_api_schema.py and the apps' own tests.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from coopdec.orgs.tests.personas import login

from .conftest import AUDIT, assert_explained, assert_unchanged, check_answer, rolled_back, snapshot
from .hostile import NASTIEST, codes, encode, integers, query_strings

# Over 20 s on a shared machine (about 45 CPU-seconds, every page of the list with its matrix and examples).
pytestmark = [pytest.mark.fuzz, pytest.mark.slow, pytest.mark.django_db]

FORMATS = st.sampled_from(["json", "csv", "xlsx", "geojson", "pdf", "CSV", " csv ", "xml", "html"])
BOOLEANS = st.sampled_from(["0", "1", "true", "false", "TRUE", "yes", "2"])
PAGE = integers(-3, 10**7)

SEARCH = {
    "q": st.sampled_from(
        ["eau", "patrimoine saint", "jumelage*", "Ségou", "l'eau", '"eau"', "a", "OR", "eau \uff9e"]
    ),
    "theme": codes("eau-assainissement", "culture-patrimoine"),
    "country": codes("SN", "ML", "FR"),
    "continent": codes("AF", "EU"),
    "region": codes("44", "75"),
    "department": codes("67", "33", "2A"),
    "authority_kind": codes("commune", "departement", "region", "epci", "csp"),
    "partnership_kind": codes("convention", "jumelage", "hors_convention"),
    "funder": codes("afd-0", "afd-1", "meae-daect-0"),
    "status": codes("en_cours", "termine", "en_preparation", "suspendu"),
    "year_min": integers(1800, 2200),
    "year_max": integers(1800, 2200),
    "sort": st.sampled_from(["relevance", "date", "title", "-date", "pk"]),
    "page": PAGE,
    "page_size": integers(-3, 500),
}
FACET_NAMES = st.sampled_from(["theme", "country", "continent", "region", "department", "status", "x"])
BBOX = st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=3, max_size=5).map(
    lambda numbers: ",".join(repr(n) for n in numbers)
)
SPACE_LIST = {"q": st.sampled_from(["eau", "Brouillon", "a" * 201]), "etat": codes("brouillon", "publie")}
CORRESPONDENT_LIST = {"etat": codes("proposee", "acceptee", "refusee", "confirme"), "page": PAGE}
LOOKUP = {
    "french_query": st.sampled_from(["Stras", "gi", "Saint"]),
    "foreign_query": st.sampled_from(["Ség"]),
}


@dataclass(frozen=True)
class Page:
    id: str
    url: Callable[[object], str]
    shapes: dict = field(default_factory=dict)
    persona: str = "anonymous"
    htmx: bool = False
    # The parameters of the fixed matrix (all of ``shapes`` when None): pages that pass the search's
    # parameters to the search's own parser list only theirs, the search page takes the matrix of the rest.
    matrix: tuple | None = None
    # Tables this page may write on a refused access, with the reason in the comment where it is listed.
    tolerated: frozenset = frozenset()


def _url(name: str, *args) -> Callable[[object], str]:
    return lambda world: reverse(name, args=[a(world) if callable(a) else a for a in args])


# A refused access in the professional space (403) is written to the audit log.
SPACE = frozenset({AUDIT})

PAGES = [
    # Public pages
    Page("search", _url("search:index"), SEARCH),
    Page(
        "crosstab",
        _url("search:crosstab"),
        {**SEARCH, "rows": FACET_NAMES, "cols": FACET_NAMES, "format": FORMATS},
        matrix=("rows", "cols", "format"),
    ),
    Page(
        "map",
        _url("maps:index"),
        {**SEARCH, "vue": st.sampled_from(["monde", "regions", "departements"])},
        matrix=("vue",),
    ),
    Page(
        "map-france",
        _url("maps:france"),
        {**SEARCH, "level": st.sampled_from(["region", "departement"])},
        matrix=("level", "region"),
    ),
    Page(
        "map-points",
        _url("maps:points"),
        {**SEARCH, "zoom": integers(-2, 40), "bbox": BBOX},
        matrix=("zoom", "bbox"),
    ),
    Page(
        "api-projects",
        _url("api:projects"),
        {**SEARCH, "format": FORMATS, "bom": BOOLEANS},
        matrix=("format", "bom", "page", "q"),
    ),
    Page(
        "api-authorities",
        _url("api:authorities"),
        {
            "kind": codes("commune", "autorite_etrangere", "region"),
            "country": codes("SN", "ML"),
            "region": codes("44", "75"),
            "department": codes("67", "33"),
            "q": st.sampled_from(["Stras", "Ségou", "%", "_"]),
            "page": PAGE,
            "page_size": integers(-3, 500),
            "format": FORMATS,
            "bom": BOOLEANS,
        },
    ),
    Page(
        "api-countries",
        _url("api:countries"),
        {"continent": codes("AF", "EU"), "active": BOOLEANS, "format": FORMATS, "bom": BOOLEANS},
    ),
    Page("api-project", _url("api:project", lambda w: w.project_x.slug), {"format": FORMATS}),
    Page(
        "country",
        _url("atlas:country", "SN"),
        {"page_autorites": PAGE, "page_collectivites": PAGE, "page_projets": PAGE},
    ),
    Page(
        "french-authority",
        _url("atlas:french_authority", lambda w: w.authority_x.slug),
        {"page_partenariats": PAGE, "page_projets": PAGE},
        matrix=(),
    ),
    Page(
        "directory", _url("correspondents:directory"), {"pays": codes("SN", "ML"), "continent": codes("AF")}
    ),
    Page(
        "directory-csv",
        _url("correspondents:export", "csv"),
        {"pays": codes("SN"), "continent": codes("AF"), "bom": BOOLEANS},
        matrix=("bom",),
    ),
    Page("signup-search", _url("accounts:signup_search"), {"q": st.sampled_from(["Stras", "saint e"])}),
    Page(
        "login",
        _url("accounts:login"),
        {"next": st.sampled_from(["/espace/", "//evil.example", "javascript:x"])},
    ),
    # The professional space, each page for a persona who may open it
    Page(
        "space-partnerships",
        _url("space:partnerships"),
        {**SPACE_LIST, "page": PAGE},
        "agent_x",
        tolerated=SPACE,
    ),
    Page(
        "space-organisations",
        _url("space:organisations"),
        {"q": SPACE_LIST["q"], "page": PAGE},
        "daect",
        tolerated=SPACE,
        matrix=("q",),
    ),
    Page("space-lookup", _url("space:lookup", "francaises"), LOOKUP, "agent_x", tolerated=SPACE),
    Page(
        "space-history",
        _url("space:project_history", lambda w: w.project_x.slug),
        {"page": PAGE},
        "agent_x",
        tolerated=SPACE,
    ),
    Page(
        "workspace-save",
        _url("workspace:save"),
        {**SEARCH, "type": codes("recherche", "carte"), "vue": st.sampled_from(["monde", "regions"])},
        "agent_x",
        tolerated=SPACE,
        matrix=("type", "vue"),
    ),
    Page(
        "campaign",
        _url("campaigns:detail", 2026),
        {"region": codes("44", "75"), "page": PAGE},
        "daect",
        tolerated=SPACE,
    ),
    Page(
        "corrections",
        _url("correspondents:corrections"),
        CORRESPONDENT_LIST,
        "correspondent_a",
        tolerated=SPACE,
    ),
    Page(
        "inventory-lookup",
        _url("correspondents:lookup", "etrangeres"),
        LOOKUP,
        "correspondent_a",
        tolerated=SPACE,
    ),
    Page(
        "coordination",
        _url("correspondents:coordination", "SN"),
        {"page": PAGE},
        "correspondent_a",
        tolerated=SPACE,
    ),
]


@pytest.fixture
def campaign_2026(fuzz_world):
    from coopdec.campaigns import actions

    campaign, _count = actions.open_campaign(
        year=2026,
        closes_on=timezone.localdate() + datetime.timedelta(days=30),
        reminder_days=[14, 3],
        by=fuzz_world.user("daect"),
    )
    return campaign


def _get(client, page: Page, url: str, query: str):
    headers = {"HTTP_HX_REQUEST": "true"} if page.htmx else {}
    with rolled_back():
        before = snapshot()
        response = client.get(f"{url}?{query}", **headers)
        check_answer(response, f"GET {url}?{query!r}")
        after = snapshot()
    assert_unchanged(before, after, page.tolerated, f"GET {url}?{query!r}")
    return response


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.id)
def test_query_strings(page, fuzz_world, client, request):
    """First a fixed matrix: each parameter of the page's own, alone then repeated, with each of the values
    most likely to break a parser (hostile.NASTIEST), so that the suite's few drawn examples cannot miss
    them. Then hypothesis draws whole query strings: known names with values of their shape or hostile,
    repeated keys, unknown names, raw bytes that are not UTF-8."""
    if page.id == "campaign":
        request.getfixturevalue("campaign_2026")
    login(client, fuzz_world.user(page.persona))
    url = page.url(fuzz_world)
    for name in page.matrix if page.matrix is not None else sorted(page.shapes):
        for value in NASTIEST:
            _get(client, page, url, encode([(name, value)]))
        _get(client, page, url, encode([(name, value) for value in NASTIEST[:3]]))

    @given(query=query_strings(page.shapes))
    def drawn(query):
        _get(client, page, url, query)

    drawn()


@pytest.mark.parametrize("url", ["/atlas/recherche/", "/api/v1/projects", "/atlas/carte/points.geojson"])
def test_too_many_parameters_are_refused_in_french(client, db, url):
    """More than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) parameters: Django refuses the request itself (400),
    with the site's own error page, not Django's English one."""
    query = "&".join(f"country=X{i}" for i in range(1001))
    with rolled_back():
        before = snapshot()
        response = client.get(f"{url}?{query}")
        after = snapshot()
    assert response.status_code == 400
    assert_explained(response, f"GET {url} with 1,001 parameters")
    assert_unchanged(before, after)
