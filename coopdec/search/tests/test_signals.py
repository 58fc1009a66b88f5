"""The index follows single-object writes once their transaction commits."""

import pytest
from django.http import QueryDict

from coopdec.atlas.history import delete_tracked, save_tracked
from coopdec.atlas.models import Project
from coopdec.atlas.tests import factories as f
from coopdec.search import index
from coopdec.search.models import SearchDocument
from coopdec.search.query import parse_params, search

pytestmark = pytest.mark.django_db


def found(q: str) -> list[str]:
    params, errors = parse_params(QueryDict(f"q={q}"))
    assert not errors
    return [hit.project.slug for hit in search(params).page]


def test_a_tracked_save_reindexes_the_project(reference_data, django_capture_on_commit_callbacks):
    project = f.ProjectFactory(title="Restauration du marché couvert")
    index.rebuild()
    assert found("marche couvert") == [project.slug]
    project = Project.objects.get(pk=project.pk)
    project.title = "Adduction d'eau potable"
    with django_capture_on_commit_callbacks(execute=True):
        save_tracked(project, by_label="agent")
    assert found("adduction") == [project.slug]
    assert found("marche couvert") == []


def test_renaming_an_authority_reindexes_its_projects(reference_data, django_capture_on_commit_callbacks):
    project = f.ProjectFactory(title="Échanges scolaires")
    foreign = f.ForeignAuthorityFactory(name="Commune de Podor", country=f.country("SN"))
    project.partnership.foreign.add(foreign)
    index.rebuild()
    assert found("podor") == [project.slug]
    foreign.name = "Commune de Matam"
    with django_capture_on_commit_callbacks(execute=True):
        foreign.save()
    assert found("matam") == [project.slug]
    assert found("podor") == []


def test_a_deleted_project_leaves_the_index(reference_data, django_capture_on_commit_callbacks):
    project = f.ProjectFactory(title="Coopération hospitalière")
    index.rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        delete_tracked(Project.objects.get(pk=project.pk), by_label="agent")
    assert not SearchDocument.objects.filter(project_id=project.pk).exists()
    assert found("hospitaliere") == []
