"""The Atlas in a real browser: search with facets, the map's clusters, an export download, the language
switch, narrow screens, and axe's accessibility rules on the main pages."""

import csv
import io
import re

import pytest
from django.urls import reverse

# The django_db mark is what makes pytest-django create the test database when this module runs alone;
# the data itself is committed once for the module by the ``atlas_site`` fixture.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# A word of the demonstration vocabulary that many project titles and descriptions carry, typed without
# its accent to check the accent-blind search in the browser too.
KEYWORD = "eau"


def count_in(text: str) -> int:
    """The number at the start of "12 projets trouvés" (thousands separated by a space or not)."""
    match = re.match(r"\s*([\d\s\u202f\u00a0]+)", text)
    assert match, text
    return int(re.sub(r"\D", "", match.group(1)))


def first_project_url(atlas_site) -> str:
    from coopdec.atlas.models import Project

    slug = Project.objects.order_by("pk").values_list("slug", flat=True).first()
    return atlas_site.url + reverse("atlas:project", args=[slug])


def test_search_with_keyword_and_theme_facet(page, atlas_site):
    page.goto(atlas_site.url + "/atlas/recherche/")
    everything = count_in(page.locator("#result-count").inner_text())
    assert everything > 0

    # Typing updates the results through htmx, without submitting the form.
    with page.expect_response(lambda r: "/atlas/recherche/?" in r.url and "q=" + KEYWORD in r.url):
        page.locator("#search-q").fill(KEYWORD)
    page.wait_for_function(
        "n => !document.querySelector('#result-count').textContent.startsWith(n + ' ')", arg=str(everything)
    )
    with_keyword = count_in(page.locator("#result-count").inner_text())
    assert 0 < with_keyword < everything
    assert page.locator("#search-hits mark").count() > 0, "les mots trouvés sont surlignés"

    # Tick the theme whose count beside it is the smallest yet not zero: the results must then be exactly
    # that many, the count announced beside the box before it was ticked.
    boxes = page.locator("#facet-theme input[type=checkbox]")
    assert boxes.count() > 1
    options = []
    for i in range(boxes.count()):
        box = boxes.nth(i)
        label = page.locator(f"label[for='{box.get_attribute('id')}'] .fr-hint-text").inner_text()
        options.append((count_in(label), box.get_attribute("id"), box.get_attribute("value")))
    expected, box_id, theme = min(option for option in options if option[0] > 0)
    assert expected < with_keyword
    with page.expect_response(lambda r: f"theme={theme}" in r.url):
        page.locator(f"label[for='{box_id}']").click()
    page.wait_for_function(
        "n => document.querySelector('#result-count').textContent.trim().startsWith(n + ' ')",
        arg=str(expected),
    )
    assert count_in(page.locator("#result-count").inner_text()) == expected
    assert page.locator(f"#facet-theme input[value='{theme}']").is_checked()
    # The address follows the search, so that it can be shared or reloaded.
    assert f"q={KEYWORD}" in page.url and f"theme={theme}" in page.url
    # One removable tag per active criterion: the keyword and the theme.
    assert page.locator("#active-filters .fr-tag").count() == 2
    assert page.outside_requests == []


def test_map_shows_clustered_authorities_without_tile_server(page, atlas_site):
    page.goto(atlas_site.url + "/atlas/carte/")
    # Points arrive from the GeoJSON endpoint after load: clusters (a number in a circle) or single dots.
    page.wait_for_selector("#map .maps-cluster", state="attached")
    clusters = page.locator("#map .maps-cluster")
    assert clusters.count() > 0
    assert any(count_in(clusters.nth(i).inner_text()) > 1 for i in range(clusters.count()))
    # Countries are shaded (one SVG path per country with projects), and no tile was asked for.
    assert page.locator("#map path.leaflet-interactive").count() > 0
    assert page.locator("#map img.leaflet-tile").count() == 0
    assert page.outside_requests == []


def test_csv_export_of_a_search(page, atlas_site):
    from coopdec.exports.formats.columns import PROJECT_COLUMNS

    page.goto(atlas_site.url + f"/atlas/recherche/?q={KEYWORD}")
    shown = count_in(page.locator("#result-count").inner_text())
    with page.expect_download() as info:
        page.locator("#search-exports a", has_text="CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[0] == [column.name for column in PROJECT_COLUMNS]
    # The export holds every result of the search, not one page of them.
    assert len(rows) - 1 == shown


def test_language_switch_there_and_back(page, atlas_site):
    page.goto(atlas_site.url + "/atlas/")
    assert page.locator("html").get_attribute("lang") == "fr"
    french_title = page.locator("h1").inner_text()

    # A link to the same page at its English address, named in English for screen readers.
    switch = page.locator("header a[hreflang=en]").first
    assert switch.get_attribute("lang") == "en"
    switch.click()
    page.wait_for_url(re.compile(r"/en/atlas/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() != french_title

    page.locator("header a[hreflang=fr][lang=fr]").first.click()
    page.wait_for_url(re.compile(r"^" + re.escape(atlas_site.url) + r"/atlas/$"))
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == french_title


@pytest.mark.parametrize("path", ["/", "/atlas/recherche/", "sheet", "/atlas/carte/"])
def test_no_horizontal_scroll_at_360_px(browser, atlas_site, path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(first_project_url(atlas_site) if path == "sheet" else atlas_site.url + path)
        page.wait_for_load_state("load")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 360, f"{path} : {width} px de large"
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/atlas/", "sheet", "/atlas/recherche/", "/atlas/carte/"])
def test_axe_finds_no_violation(page, atlas_site, path):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(first_project_url(atlas_site) if path == "sheet" else atlas_site.url + path)
    page.wait_for_load_state("load")
    if path == "/atlas/carte/":
        page.wait_for_selector("#map .maps-cluster", state="attached")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
