"""Index rows of projects that are gone, or no longer published, are found and removed (NOT EXISTS)."""

import pytest

from coopdec.atlas.models import Project
from coopdec.atlas.tests import factories as f
from coopdec.search import index
from coopdec.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_remove_orphans_keeps_published_projects_and_drops_the_others():
    kept, deleted, unpublished = (f.ProjectFactory() for _ in range(3))
    index.rebuild()
    assert set(SearchDocument.objects.values_list("project_id", flat=True)) >= {kept.pk, deleted.pk}
    # Writes that send no signal (bulk updates and deletes, as the importer and generate_demo do).
    Project.all_objects.filter(pk=unpublished.pk).update(published=False)
    Project.all_objects.filter(pk=deleted.pk).delete()
    assert index.has_orphans()
    index.remove_orphans()
    assert not index.has_orphans()
    assert set(SearchDocument.objects.values_list("project_id", flat=True)) == {kept.pk}
