"""A worker that makes one saved extraction, as the workspace's page does in a web worker:
``python -m coopdec.fault_tests.extraction_worker FORMAT``.

It prints ``owner=<id>`` (the folder its file goes to) before it starts writing, then ``done <uuid> <rows>
<size>`` once the extraction is recorded. The account and its saved search ("Tous les projets", no
criteria) are created on first use and found again afterwards.
"""

from __future__ import annotations

import sys


def main(fmt: str) -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopdec.settings")
    django.setup()
    from django.contrib.auth.models import User

    from coopdec.workspace import extractions
    from coopdec.workspace.models import SavedSearch

    owner, _created = User.objects.get_or_create(username="faults-extraction", email="faults@example.org")
    saved, _created = SavedSearch.objects.get_or_create(owner=owner, name="Tous les projets", query="")
    sys.stdout.write(f"owner={owner.pk}\n")
    sys.stdout.flush()
    extraction = extractions.extract(saved, fmt)
    sys.stdout.write(f"done {extraction.uuid} {extraction.rows} {extraction.size}\n")


if __name__ == "__main__":
    main(sys.argv[1])
