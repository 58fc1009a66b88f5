"""What a fault test reads in a database of its own after a child was killed: ``python -m
coopdec.fault_tests.probe [--search WORD…]`` prints one JSON line.

Without ``--search`` nothing is written (the search's freshness check may index a few missing projects,
so it runs only when asked, after the checks of the index itself).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys


def state() -> dict:
    from django.db import connection
    from django.db.models import F, Max, Sum

    from coopdec.atlas.figures import key_figures
    from coopdec.atlas.models import (
        Change,
        Contact,
        DataLoad,
        Financing,
        Participant,
        Partnership,
        PartnershipMember,
        Project,
        Volunteer,
    )
    from coopdec.orgs.models import Organisation
    from coopdec.search import index
    from coopdec.search.models import FacetEntry, SearchDocument
    from coopdec.workspace.models import Extraction

    counts = {
        "organisations": Organisation.objects.count(),
        "organisation_countries": Organisation.countries.through.objects.count(),
        "partnerships": Partnership.all_objects.count(),
        "partnership_members": PartnershipMember.objects.count(),
        "partnership_foreign_partners": Partnership.foreign.through.objects.count(),
        "projects": Project.all_objects.count(),
        "project_themes": Project.themes.through.objects.count(),
        "financings": Financing.objects.count(),
        "participants": Participant.objects.count(),
        "contacts": Contact.objects.count(),
        "volunteers": Volunteer.objects.count(),
        "changes": Change.objects.count(),
    }
    versions = Project.all_objects.aggregate(max=Max("version"), sum=Sum("version"))
    fts = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM search_fts")
            fts = cursor.fetchone()[0]
    documents = SearchDocument.objects.count()
    return {
        "vendor": connection.vendor,
        "counts": counts,
        "figures": key_figures(),
        "versions": versions,
        "dataloads": [
            {"kind": load.kind, "parameters": load.parameters, "counts": load.counts}
            for load in DataLoad.objects.order_by("pk")
        ],
        "index": {
            "documents": documents,
            "facet_rows": FacetEntry.objects.count(),
            "fts_rows": fts,
            "projects_without_document": Project.objects.exclude(
                pk__in=SearchDocument.objects.values("project_id")
            ).count(),
            "orphans": index.has_orphans(),
            # Documents whose title is not the project's: written before the project last changed.
            "stale_titles": SearchDocument.objects.exclude(title=F("project__title")).count(),
            "rebuild_owed": index.rebuild_owed(),
        },
        "extractions": list(
            Extraction.objects.order_by("pk").values("uuid", "owner_id", "format", "rows", "size")
        ),
        # One digest of every project's slug, title and version: equal digests, equal sheets.
        "projects_digest": hashlib.sha256(
            json.dumps(
                list(Project.all_objects.order_by("slug").values_list("slug", "title", "version"))
            ).encode()
        ).hexdigest(),
    }


def searches(words: list[str]) -> dict:
    """How many projects the search finds for each word (and for no word), as the search page counts."""
    from django.http import QueryDict

    from coopdec.search import query

    found = {}
    for word in ["", *words]:
        params, errors = query.parse_params(QueryDict(f"q={word}" if word else ""))
        assert not errors, errors
        result = query.search(params)
        found[word] = {"count": result.count, "stale": result.stale}
    return found


def main(argv: list[str]) -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopdec.settings")
    parser = argparse.ArgumentParser()
    parser.add_argument("--search", nargs="*", default=None)
    options = parser.parse_args(argv)
    django.setup()
    result = state()
    if options.search is not None:
        result["search"] = searches(options.search)
    sys.stdout.write(json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
