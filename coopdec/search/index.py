"""Writing the search index: ``refresh_projects(ids)`` for write paths, ``rebuild`` for the command.

A project's document holds its title, objectives, description, its themes' names, its French
authorities' names, its foreign partners' names and their countries. Its facet rows hold its theme codes
(with their parent themes, so a parent theme finds its children's projects), its status, its
partnership's kind, its partners' countries and continents, its French authorities' kinds, regions and
departments, and its funders' slugs.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import override

from coopdec.atlas.models import Financing, Partnership, PartnershipMember, Project, Theme
from coopdec.geo.models import Commune, Country
from coopdec.orgs.models import Organisation

from .models import FacetEntry, IndexState, SearchDocument
from .text import index_text

BATCH = 2000


class _Reference:
    """Small reference tables and organisations, read once per refresh rather than per project."""

    def __init__(self):
        self.themes = {t.code: t for t in Theme.objects.all()}
        self.countries = {c["iso2"]: c for c in Country.objects.values("iso2", "name_fr", "continent_id")}
        self.orgs: dict[int, dict] = {}

    def load_orgs(self, ids: Iterable[int]) -> None:
        missing = set(ids) - self.orgs.keys()
        if not missing:
            return
        rows = Organisation.objects.filter(pk__in=missing).values(
            "id",
            "name",
            "slug",
            "kind",
            "country_id",
            "region_id",
            "department_id",
            "department__region_id",
            "commune__department_id",
            "commune__department__region_id",
            "epci_id",
        )
        epcis = set()
        for row in rows:
            regions = {row["region_id"], row["department__region_id"], row["commune__department__region_id"]}
            departments = {row["department_id"], row["commune__department_id"]}
            row["regions"] = regions - {None}
            row["departments"] = departments - {None}
            if row["epci_id"]:
                epcis.add(row["epci_id"])
            self.orgs[row["id"]] = row
        if epcis:
            # An intercommunalité lies in the departments of its member communes.
            places = defaultdict(set)
            for c in Commune.objects.filter(epci_id__in=epcis).values(
                "epci_id", "department_id", "department__region_id"
            ):
                places[c["epci_id"]].add((c["department_id"], c["department__region_id"]))
            for row in self.orgs.values():
                for department, region in places.get(row["epci_id"], ()):
                    row["departments"].add(department)
                    row["regions"].add(region)


def _build(ids: list[int], ref: _Reference) -> tuple[list[SearchDocument], list[FacetEntry]]:
    projects = list(
        Project.objects.filter(pk__in=ids).values(
            "id",
            "title",
            "objectives",
            "description",
            "status",
            "start_date",
            "partnership_id",
            kind=F("partnership__kind"),
        )
    )
    partnership_ids = {p["partnership_id"] for p in projects}
    themes = defaultdict(list)
    for project_id, code in Project.themes.through.objects.filter(project_id__in=ids).values_list(
        "project_id", "theme_id"
    ):
        themes[project_id].append(code)
    french = defaultdict(list)
    for partnership_id, org_id in PartnershipMember.objects.filter(
        partnership_id__in=partnership_ids
    ).values_list("partnership_id", "organisation_id"):
        french[partnership_id].append(org_id)
    foreign = defaultdict(list)
    for partnership_id, org_id in Partnership.foreign.through.objects.filter(
        partnership_id__in=partnership_ids
    ).values_list("partnership_id", "organisation_id"):
        foreign[partnership_id].append(org_id)
    funders = defaultdict(set)
    for project_id, org_id in Financing.objects.filter(project_id__in=ids).values_list(
        "project_id", "funder_id"
    ):
        funders[project_id].add(org_id)
    ref.load_orgs(
        {o for orgs in french.values() for o in orgs}
        | {o for orgs in foreign.values() for o in orgs}
        | {o for orgs in funders.values() for o in orgs}
    )

    documents, entries = [], []
    for p in projects:
        pid = p["id"]
        facets: set[tuple[str, str]] = {("status", p["status"]), ("partnership_kind", p["kind"])}
        theme_names = []
        for code in themes[pid]:
            theme = ref.themes[code]
            theme_names.append(theme.name_fr)
            facets.add(("theme", code))
            if theme.parent_id:
                facets.add(("theme", theme.parent_id))
        french_names = []
        for org_id in french[p["partnership_id"]]:
            org = ref.orgs[org_id]
            french_names.append(org["name"])
            facets.add(("authority_kind", org["kind"]))
            facets.update(("region", r) for r in org["regions"])
            facets.update(("department", d) for d in org["departments"])
        foreign_names, country_names = [], []
        for org_id in foreign[p["partnership_id"]]:
            org = ref.orgs[org_id]
            foreign_names.append(org["name"])
            country = ref.countries.get(org["country_id"])
            if country:
                country_names.append(country["name_fr"])
                facets.add(("country", country["iso2"]))
                if country["continent_id"]:
                    facets.add(("continent", country["continent_id"]))
        facets.update(("funder", ref.orgs[org_id]["slug"]) for org_id in funders[pid])
        body = "\n".join(
            part
            for part in (
                p["objectives"],
                p["description"],
                ", ".join(theme_names),
                ", ".join(french_names),
                ", ".join(foreign_names),
                ", ".join(dict.fromkeys(country_names)),
                # "jumelage" or "coopération décentralisée" typed as keywords find those partnerships.
                str(Partnership.Kind(p["kind"]).label),
            )
            if part
        )
        start_year = p["start_date"].year if p["start_date"] else None
        documents.append(
            SearchDocument(
                project_id=pid,
                title=p["title"],
                body=body,
                start_year=start_year,
                start_sort=p["start_date"] or datetime.date.min,
            )
        )
        entries.extend(FacetEntry(project_id=pid, facet=f, value=v) for f, v in sorted(facets))
    return documents, entries


def _write(ids: list[int], documents: list[SearchDocument], entries: list[FacetEntry]) -> None:
    SearchDocument.objects.filter(project_id__in=ids).delete()
    FacetEntry.objects.filter(project_id__in=ids).delete()
    SearchDocument.objects.bulk_create(documents, batch_size=500)
    FacetEntry.objects.bulk_create(entries, batch_size=2000)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            placeholders = ",".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({placeholders})", ids)  # noqa: S608
            cursor.executemany(
                "INSERT INTO search_fts (rowid, title, body) VALUES (%s, %s, %s)",
                [(d.project_id, index_text(d.title), index_text(d.body)) for d in documents],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE search_searchdocument SET vector ="
                " setweight(to_tsvector('coopdec_fr', title), 'A')"
                " || setweight(to_tsvector('coopdec_fr', body), 'B')"
                " WHERE project_id = ANY(%s)",
                [ids],
            )


def mark_stale() -> None:
    """Record that the index owes a full rebuild (``rebuilt_at`` emptied), in the caller's transaction.

    A bulk load calls it in the transaction that writes the Atlas, and ``rebuild`` at its start: if the
    process dies before the rebuild ends (kill -9, a crash), the mark stays, and ``rebuild_owed`` tells
    ``import_atlas`` and ``rebuild_search_index --if-stale`` to rebuild when run again. Documents that
    exist but hold old text cannot be told apart from fresh ones otherwise.
    """
    IndexState.objects.get_or_create(pk=1)
    IndexState.objects.filter(pk=1).update(rebuilt_at=None, rebuild_owed=True)


def rebuild_owed() -> bool:
    """Whether no full rebuild has finished since the last bulk load (or ever)."""
    return not IndexState.objects.filter(pk=1, rebuilt_at__isnull=False).exists()


def _bump(*, rebuilt: bool = False) -> None:
    state, _created = IndexState.objects.get_or_create(pk=1)
    state.generation += 1
    state.token = uuid.uuid4().hex
    if rebuilt:
        state.rebuilt_at = timezone.now()
        state.rebuild_owed = False
    state.save()


def refresh_projects(ids: Iterable[int]) -> None:
    """Bring the index up to date for these project ids (created, changed or deleted).

    Write paths call it after saving a project or what its document holds (themes, partners, financings).
    """
    ids = sorted(set(ids))
    if not ids:
        return
    ref = _Reference()
    with override("fr"), transaction.atomic():
        for i in range(0, len(ids), BATCH):
            batch = ids[i : i + BATCH]
            _write(batch, *_build(batch, ref))
        _bump()


def rebuild(progress=None) -> int:
    """Refresh every project in place, batch by batch, then drop rows of projects that no longer exist.

    Idempotent; searches keep working during a rebuild (each batch is its own transaction). The rebuild
    is marked as owed first (``mark_stale``) and done at the end, so that an interrupted one is redone.
    Returns the number of projects indexed. ``progress`` is called with each batch's size.
    """
    with transaction.atomic():
        mark_stale()
    ref = _Reference()
    last_id, total = 0, 0
    while True:
        after = Project.objects.filter(pk__gt=last_id).order_by("pk")
        batch = list(after.values_list("pk", flat=True)[:BATCH])
        if not batch:
            break
        with override("fr"), transaction.atomic():
            _write(batch, *_build(batch, ref))
        last_id, total = batch[-1], total + len(batch)
        if progress:
            progress(len(batch))
    remove_orphans()
    with connection.cursor() as cursor:
        # Fresh statistics let the planner drive facet counts from the smaller side; on PostgreSQL,
        # VACUUM also marks the pages all-visible so that facet counts are index-only scans. (VACUUM
        # cannot run inside a transaction, as in tests: ANALYZE alone then.)
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        for table in ("search_facetentry", "search_searchdocument"):
            cursor.execute(("VACUUM ANALYZE " if vacuum else "ANALYZE ") + table)
    _bump(rebuilt=True)
    return total


def remove_orphans() -> None:
    """Delete index rows whose project is gone (a deleted project's FTS row has no cascade)."""
    with transaction.atomic():
        SearchDocument.objects.exclude(_project_exists()).delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM search_fts WHERE rowid NOT IN (SELECT project_id FROM search_searchdocument)"
                )


def has_orphans() -> bool:
    """Whether the index holds documents of projects that no longer exist."""
    return SearchDocument.objects.exclude(_project_exists()).exists()


def _project_exists() -> Exists:
    # NOT EXISTS, not NOT IN: PostgreSQL cannot plan "id NOT IN (subquery)" as an anti-join (NULL semantics),
    # and over 1.3 million projects the hashed subplan spills out of work_mem into a quadratic loop
    # (measured: rebuild_search_index stalled here for over 5 minutes at scale 100).
    return Exists(Project.objects.filter(pk=OuterRef("project_id")))


def missing_project_ids(limit: int) -> list[int]:
    """Ids of projects without a document (created without a refresh), at most ``limit`` of them."""
    return list(
        Project.objects.exclude(pk__in=SearchDocument.objects.values("project_id"))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
