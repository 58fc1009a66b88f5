"""Automatic accessibility checks on every public page (those listed in the accessibility statement).

They parse each page and check what can be checked without a browser: the page language, one title of
level 1 and no skipped heading level, skip links, tables with a caption and scoped header cells, a label
for every form field, the current page marked in the breadcrumb.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.utils import translation

from coopdec.atlas.tests.factories import (
    ContactFactory,
    FinancingFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def back_to_french():
    yield
    translation.activate(settings.LANGUAGE_CODE)


class PageAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.headings: list[int] = []
        self.tables = 0
        self.captions = 0
        self.unscoped_th: list[str] = []
        self.skiplinks = False
        self.fields_without_label: list[str] = []
        self.labels: set[str] = set()
        self.fields: list[tuple[str, bool]] = []
        self.current_crumb = False
        self.in_thead = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "html":
            self.lang = attrs.get("lang")
        elif len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th" and not attrs.get("scope"):
            self.unscoped_th.append(str(attrs))
        elif tag == "div" and "fr-skiplinks" in classes:
            self.skiplinks = True
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            named = bool(attrs.get("aria-label") or attrs.get("title"))
            self.fields.append((attrs.get("id") or "", named))
        elif tag == "a" and "fr-breadcrumb__link" in classes and attrs.get("aria-current") == "page":
            self.current_crumb = True

    def problems(self, with_breadcrumb: bool) -> list[str]:
        found = []
        if self.lang not in ("fr", "en"):
            found.append(f"html lang={self.lang!r}")
        if self.headings.count(1) != 1:
            found.append(f"{self.headings.count(1)} h1")
        for before, after in zip(self.headings, self.headings[1:], strict=False):
            if after > before + 1:
                found.append(f"heading h{before} followed by h{after}")
        if self.tables != self.captions:
            found.append(f"{self.tables} tables, {self.captions} captions")
        if self.unscoped_th:
            found.append(f"th without scope: {self.unscoped_th[:2]}")
        if not self.skiplinks:
            found.append("no skip links")
        for field_id, named in self.fields:
            if not named and field_id not in self.labels:
                found.append(f"field {field_id!r} without label")
        if with_breadcrumb and not self.current_crumb:
            found.append("no current page in the breadcrumb")
        return found


@pytest.fixture
def project():
    partnership = PartnershipFactory()
    project = ProjectFactory(slug="fiche", partnership=partnership, start_date=datetime.date(2020, 1, 1))
    FinancingFactory(project=project)
    ParticipantFactory(project=project)
    ContactFactory(project=project)
    VolunteerFactory(project=project)
    return project


def public_pages(project) -> list[tuple[str, bool]]:
    french = project.partnership.french_members.get().organisation
    foreign = project.partnership.foreign.get()
    pages = [
        ("/", False),
        ("/atlas/", True),
        ("/atlas/continents/AF/", True),
        ("/atlas/pays/SN/", True),
        (f"/atlas/autorites/{foreign.slug}/", True),
        ("/atlas/regions/44/", True),
        ("/atlas/departements/67/", True),
        (f"/atlas/collectivites/{french.slug}/", True),
        ("/atlas/projets/fiche/", True),
        ("/atlas/pays/SN/?page_projets=x", True),
        ("/accessibilite/", True),
        ("/mentions-legales/", True),
    ]
    return pages + [("/en" + url, crumb) for url, crumb in pages]


def test_every_public_page_passes_the_automatic_checks(client, project, reference_data):
    failures = {}
    for url, with_breadcrumb in public_pages(project):
        response = client.get(url)
        assert response.status_code in (200, 400), url
        audit = PageAudit()
        audit.feed(response.content.decode())
        if problems := audit.problems(with_breadcrumb):
            failures[url] = problems
    assert failures == {}
