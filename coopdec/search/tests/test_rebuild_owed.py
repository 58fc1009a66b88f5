"""The search says its results may be incomplete while a full rebuild is owed (an import or a rebuild was
interrupted: documents may hold old text although every project has one), and stops saying it once done."""

import pytest
from django.urls import reverse

from coopdec.atlas.tests import factories as f
from coopdec.search import index
from coopdec.search.models import IndexState

pytestmark = pytest.mark.django_db


def warned(client) -> bool:
    return 'id="search-stale"' in client.get(reverse("search:index"), {"q": "forage"}).content.decode()


def test_an_owed_rebuild_shows_until_a_rebuild_ends(client):
    f.ProjectFactory(title="Forage à Podor")
    index.rebuild()
    assert not warned(client)
    index.mark_stale()  # what import_atlas writes with the Atlas's rows, and rebuild at its start
    assert warned(client)
    assert warned(client)  # not cached as fresh
    index.rebuild()
    assert not warned(client)


def test_an_index_only_ever_refreshed_project_by_project_is_not_owed_a_rebuild(client):
    """``rebuilt_at`` is empty on such a database (no full rebuild ever), which is no reason to warn."""
    IndexState.objects.update_or_create(pk=1, defaults={"rebuilt_at": None, "rebuild_owed": False})
    f.ProjectFactory(title="Forage à Podor")  # indexed by the signal after commit, or by the search itself
    assert not warned(client)
    assert index.rebuild_owed()  # what the commands read: --if-stale still rebuilds such an index
