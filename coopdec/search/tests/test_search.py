"""The search engine and its pages, on whichever database DATABASE_URL names (SQLite or PostgreSQL)."""

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse

from coopdec.atlas.models import Financing, Partnership, PartnershipMember, Project, Theme
from coopdec.atlas.tests import factories as f
from coopdec.search import index
from coopdec.search.query import crosstab, matching_projects, parse_params, search

pytestmark = pytest.mark.django_db
_serial = itertools.count()


def make_project(
    title,
    *,
    description="",
    themes=(),
    french=None,
    foreign=(),
    kind="convention",
    status="en_cours",
    start=2018,
    funders=(),
):
    n = next(_serial)
    partnership = Partnership.objects.create(slug=f"p-{n}", title=title, kind=kind)
    PartnershipMember.objects.create(partnership=partnership, organisation=french, is_lead=True)
    partnership.foreign.set(foreign)
    project = Project.objects.create(
        slug=f"projet-{n}",
        partnership=partnership,
        title=title,
        description=description,
        status=status,
        start_date=datetime.date(start, 3, 1) if start else None,
    )
    project.themes.set(Theme.objects.filter(code__in=themes))
    for funder in funders:
        Financing.objects.create(
            project=project, funder=funder, kind="autre", year=start or 2020, amount=1000
        )
    return project


@pytest.fixture
def corpus(reference_data):
    strasbourg = f.CommuneAuthorityFactory()
    gironde = f.DepartmentAuthorityFactory()
    grand_est = f.RegionAuthorityFactory()
    louga = f.ForeignAuthorityFactory(name="Commune de Louga", country=f.country("SN"))
    kayes = f.ForeignAuthorityFactory(name="Cercle de Kayes", country=f.country("ML"))
    munich = f.ForeignAuthorityFactory(name="Stadt München", country=f.country("DE"))
    afd = f.OperatorFactory(slug="afd")
    p = {
        "coop": make_project(
            "Coopération décentralisée pour l'eau potable",
            description="Forages et bornes-fontaines.",
            themes=["eau-assainissement"],
            french=strasbourg,
            foreign=[louga],
            start=2012,
            funders=[afd],
        ),
        "twin": make_project(
            "Échanges scolaires",
            description="Le jumelage relie deux écoles depuis trente ans.",
            themes=["education-formation"],
            french=gironde,
            foreign=[munich],
            kind="jumelage",
            status="termine",
            start=2005,
        ),
        "title": make_project(
            "Assainissement à Kayes",
            description="Latrines familiales.",
            themes=["eau-assainissement"],
            french=grand_est,
            foreign=[kayes],
            start=2020,
            funders=[afd],
        ),
        "body": make_project(
            "Gestion des déchets",
            description="Un volet d'assainissement complète la collecte.",
            themes=["eau-assainissement"],
            french=strasbourg,
            foreign=[kayes, louga],
            kind="hors_convention",
            status="en_preparation",
            start=2023,
        ),
        "xss": make_project(
            "Festival <b>culturel</b>",
            description="<script>alert(1)</script> Un forage & des concerts.",
            themes=["culture-patrimoine"],
            french=gironde,
            foreign=[munich],
            start=None,
        ),
    }
    index.rebuild()
    return p


def run(qs, **kwargs):
    params, errors = parse_params(QueryDict(qs))
    assert errors == []
    return search(params, **kwargs)


def slugs(result):
    return {hit.project.slug for hit in result.page}


def test_accents_case_and_plurals_do_not_matter(corpus):
    assert slugs(run("q=cooperation decentralisee potable")) == {corpus["coop"].slug}
    # The partnership kind is in the document: "coopération décentralisée" finds every convention.
    assert run("q=cooperation decentralisee").count == 3
    assert slugs(run("q=COOPÉRATION POTABLE")) == {corpus["coop"].slug}
    assert slugs(run("q=jumelages")) == {corpus["twin"].slug}
    assert slugs(run("q=ecoles+jumelage")) == {corpus["twin"].slug}
    assert run("q=forages").count == 2  # "Forages" and "forage"


def test_document_holds_authorities_partners_and_countries(corpus):
    assert slugs(run("q=munchen")) == {corpus["twin"].slug, corpus["xss"].slug}
    assert slugs(run("q=strasbourg louga")) == {corpus["coop"].slug, corpus["body"].slug}
    assert corpus["coop"].slug in slugs(run("q=senegal"))
    assert slugs(run("q=education")) == {corpus["twin"].slug}  # a theme's name


def test_title_ranks_above_body(corpus):
    result = run("q=assainissement&theme=eau-assainissement")
    ranked = [hit.project.slug for hit in result.page]
    assert ranked.index(corpus["title"].slug) < ranked.index(corpus["body"].slug)


def test_last_word_is_a_prefix(corpus):
    assert slugs(run("q=assain")) >= {corpus["title"].slug, corpus["body"].slug}
    assert slugs(run("q=jumel")) == {corpus["twin"].slug}
    assert run("q=assainissementz").count == 0


def test_snippets_are_escaped_and_highlighted(corpus):
    hit = run("q=forage&theme=culture-patrimoine").page[0]
    assert "&lt;script&gt;" in hit.snippet and "<script>" not in hit.snippet
    assert "<mark>forage</mark>" in hit.snippet
    assert "&lt;b&gt;" in hit.title_html
    assert "<mark>" not in run("q=festival").page[0].snippet.replace("<mark>Festival</mark>", "")


@pytest.mark.parametrize(
    ("qs", "expected"),
    [
        ("theme=eau-assainissement", {"coop", "title", "body"}),
        ("country=de", {"twin", "xss"}),
        ("continent=AF", {"coop", "title", "body"}),
        ("region=44", {"coop", "title", "body"}),
        ("region=75", {"twin", "xss"}),
        ("department=67", {"coop", "body"}),
        ("department=33", {"twin", "xss"}),
        ("authority_kind=region", {"title"}),
        ("partnership_kind=jumelage", {"twin"}),
        ("funder=afd", {"coop", "title"}),
        ("status=termine", {"twin"}),
        ("year_min=2012&year_max=2020", {"coop", "title"}),
        ("country=SN&country=ML", {"coop", "title", "body"}),
        ("country=SN&country=ML&status=en_cours", {"coop", "title"}),
        ("theme=eau-assainissement&department=67&q=dechets", {"body"}),
    ],
)
def test_filters_and_across_or_within(corpus, qs, expected):
    result = run(qs)
    assert slugs(result) == {corpus[k].slug for k in expected}
    assert result.count == len(expected)
    assert set(matching_projects(parse_params(QueryDict(qs))[0]).values_list("slug", flat=True)) == slugs(
        result
    )


def test_facet_counts_use_the_other_filters_only(corpus):
    result = run("country=SN&status=en_cours")
    counts = {f: {v.code: v.count for v in values} for f, values in result.facets.items()}
    # The country facet ignores its own selection but keeps status=en_cours.
    assert counts["country"] == {"SN": 1, "ML": 1, "DE": 1}
    assert {v.code for v in result.facets["country"] if v.selected} == {"SN"}
    # The status facet ignores status but keeps country=SN: "coop" en cours, "body" en préparation.
    assert counts["status"] == {"en_cours": 1, "en_preparation": 1}
    assert counts["theme"] == {"eau-assainissement": 1}
    unfiltered = {v.code: v.count for v in run("").facets["country"]}
    assert unfiltered == {"DE": 2, "ML": 2, "SN": 2}


def test_sorts_and_pagination(corpus):
    by_date = [h.project.slug for h in run("sort=date").page]
    assert by_date[:4] == [corpus[k].slug for k in ("body", "title", "coop", "twin")]
    assert by_date[-1] == corpus["xss"].slug  # no start date: last
    by_title = [h.project.title for h in run("sort=title").page]
    assert by_title[0] == "Assainissement à Kayes"
    page2 = run("sort=date&page=2&page_size=2")
    assert page2.page_count == 3 and page2.count == 5
    assert [h.project.slug for h in page2.page] == by_date[2:4]


def test_invalid_values_give_french_messages(corpus):
    params, errors = parse_params(
        QueryDict("country=ZZ&theme=nope&year_min=abc&year_max=3000&sort=x&page=-1")
    )
    assert len(errors) == 6
    assert any("ZZ" in e and "Pays partenaire" in e for e in errors)
    assert params.filters == {} and params.sort == "relevance" and params.page == 1
    result = search(parse_params(QueryDict("page=99"))[0])
    assert result.params.page == 1 and "n'existe pas" in result.errors[0]


def test_crosstab_totals(corpus):
    params, _errors = parse_params(QueryDict(""))
    table = crosstab(params, "region", "country")
    assert table.cell("44", "ML") == 2 and table.cell("44", "SN") == 2 and table.cell("75", "DE") == 2
    assert table.row_totals == {"44": 3, "75": 2}
    assert table.col_totals == {"SN": 2, "ML": 2, "DE": 2}
    assert table.total == 5
    filtered = crosstab(parse_params(QueryDict("status=en_cours"))[0], "theme", "continent")
    assert filtered.total == 3 and filtered.cell("eau-assainissement", "AF") == 2
    with pytest.raises(ValueError):
        crosstab(params, "region", "region")


def test_unindexed_project_is_indexed_on_the_fly(corpus):
    new = make_project(
        "Maraîchage solidaire", french=corpus["coop"].partnership.french_members.first().organisation
    )
    assert slugs(run("q=maraichage")) == {new.slug}
    assert run("").stale is False


def test_refresh_projects_follows_edits_and_deletions(corpus):
    project = corpus["twin"]
    project.title = "Échanges sportifs"
    project.save()
    index.refresh_projects([project.pk])
    assert slugs(run("q=sportifs")) == {project.slug}
    Project.objects.filter(pk=corpus["xss"].pk).delete()
    index.refresh_projects([corpus["xss"].pk])
    assert run("q=festival").count == 0


def test_search_page(client, corpus, django_assert_max_num_queries):
    url = reverse("search:index")
    client.get(url)  # loads the in-memory facet columns, once per index generation
    with django_assert_max_num_queries(16):
        response = client.get(url, {"q": "assainissement", "country": "ML", "sort": "date"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Assainissement</mark> à Kayes" in html
    assert 'href="/atlas/projets/' in html
    assert "/api/v1/projects?q=assainissement&amp;country=ML&amp;format=csv" in html
    assert "/atlas/carte/?q=assainissement&amp;country=ML" in html
    assert "Retirer le filtre Pays partenaire : Mali" in html
    with django_assert_max_num_queries(16):
        partial = client.get(url, {"q": "assainissement"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    bad = client.get(url, {"country": "ZZ", "year_min": "x"})
    assert bad.status_code == 200 and "fr-alert" in bad.content.decode() and "ZZ" in bad.content.decode()


def test_query_count_does_not_grow_with_data(client, corpus, django_assert_max_num_queries):
    url = reverse("search:index")
    client.get(url)  # loads the in-memory facet columns, once per index generation
    cache.clear()
    with django_assert_max_num_queries(16) as before:
        client.get(url, {"q": "eau"})
    french = corpus["coop"].partnership.french_members.first().organisation
    for i in range(25):
        make_project(
            f"Eau potable {i}",
            french=french,
            foreign=[f.ForeignAuthorityFactory()],
            funders=[f.OperatorFactory()],
        )
    index.rebuild()
    client.get(url)
    cache.clear()
    with django_assert_max_num_queries(16) as after:
        response = client.get(url, {"q": "eau"})
    count = run("q=eau").count
    assert count >= 26 and f"{count} projets trouvés" in response.content.decode()
    assert len(after.captured_queries) == len(before.captured_queries) > 0


def test_crosstab_page_and_csv(client, corpus, django_assert_max_num_queries):
    url = reverse("search:crosstab")
    with django_assert_max_num_queries(12):
        response = client.get(url, {"rows": "region", "cols": "country", "status": "en_cours"})
    html = response.content.decode()
    assert response.status_code == 200 and "<caption>" in html and 'scope="row"' in html
    csv_response = client.get(url, {"rows": "region", "cols": "country", "format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[-1].endswith(",5")
    bad = client.get(url, {"rows": "nope", "cols": "nope"})
    assert bad.status_code == 200 and "Facette inconnue" in bad.content.decode()


@pytest.mark.parametrize(
    "qs",
    [
        "",
        "country=SN&status=en_cours",
        "q=eau&theme=eau-assainissement",
        "year_min=2010&region=44&funder=afd",
        "year_max=2015",
        "q=forage&year_min=2000&year_max=2030",
    ],
)
def test_in_memory_counts_equal_database_counts(corpus, qs):
    from coopdec.search.query import ensure_fresh, facet_counts, facet_counts_sql

    params, _errors = parse_params(QueryDict(qs))
    generation, _stale = ensure_fresh()
    counts, total = facet_counts(params, generation)
    assert counts == facet_counts_sql(params, generation)
    assert total == matching_projects(params).count()


def test_index_far_behind_is_said_not_hidden(client, corpus, monkeypatch):
    from coopdec.search import query

    monkeypatch.setattr(query, "AUTO_REFRESH_LIMIT", 0)
    french = corpus["coop"].partnership.french_members.first().organisation
    make_project("Maraîchage solidaire", french=french)
    result = run("q=maraichage")
    assert result.stale and result.count == 0 and "reconstruction" in result.warnings[0]
    page = client.get(reverse("search:index"), {"q": "maraichage"}).content.decode()
    assert 'id="search-stale"' in page
    index.rebuild()
    assert not run("q=maraichage").stale


@pytest.mark.parametrize(
    "qs",
    [
        "",
        "sort=title",
        "sort=date&status=en_cours",
        "q=assainissement",
        "q=eau&sort=title",
        "q=assainissement&country=ML&sort=relevance",
        "year_min=2000&sort=date",
    ],
)
def test_pages_follow_the_order_of_matching_projects(corpus, qs):
    """A search page reads its ids from the index alone; they must be the same projects, in the same
    order, as the page of ``matching_projects`` (exports and the API use that one)."""
    params, _errors = parse_params(QueryDict(qs))
    everything = list(matching_projects(params).values_list("slug", flat=True))
    assert everything
    pages = [run(f"{qs}&page_size=2&page={n}") for n in (1, 2, 3)]
    assert [h.project.slug for page in pages for h in page.page][: len(everything)] == everything


def test_freshness_check_is_kept_until_the_index_changes(corpus, django_assert_num_queries):
    from coopdec.search.query import ensure_fresh

    generation, stale = ensure_fresh()
    assert not stale
    # Kept: the index token only, not the two counts.
    with django_assert_num_queries(1):
        assert ensure_fresh() == (generation, False)
    # An index write renews the token: the check runs again, and finds a project missing from the index.
    new = make_project("Maraîchage solidaire", french=f.CommuneAuthorityFactory())
    index.refresh_projects([corpus["twin"].pk])
    assert slugs(run("q=maraichage")) == {new.slug}


def test_a_draft_does_not_make_the_index_look_stale(corpus):
    make_project("Brouillon de fiche", french=f.CommuneAuthorityFactory())
    Project.all_objects.filter(title="Brouillon de fiche").update(published=False)
    result = run("")
    assert not result.stale and result.count == 5
    assert run("q=brouillon").count == 0


def test_sort_index_is_read_in_order_only_when_many_projects_match():
    from coopdec.search.query import _read_in_sort_order

    # A tenth of 13,000 projects: page 1 reads about 200 index entries.
    assert _read_in_sort_order(0, 20, 1_300, 13_000)
    # 200 of them: page 1 reads about 1,300 entries, but the last page the whole index; 200 are sorted.
    assert _read_in_sort_order(0, 20, 200, 13_000)
    assert not _read_in_sort_order(180, 20, 200, 13_000)
    # Twenty matches among 1.3 million: the matches are sorted.
    assert not _read_in_sort_order(0, 20, 20, 1_300_000)
    assert not _read_in_sort_order(0, 20, 0, 13_000)
