import pytest
from django.core.cache import cache

from coopdec.search import columns
from coopdec.workspace.models import SavedSearch


@pytest.fixture(autouse=True)
def empty_search_cache():
    """Facet counts and columns are cached per index generation, which rolled-back tests reuse."""
    cache.clear()
    columns._loaded.clear()
    yield
    cache.clear()
    columns._loaded.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Extractions are written under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def saved_search(world):
    """agent_x's saved search of projects in Senegal (X's published sheet matches)."""
    return SavedSearch.objects.create(
        owner=world.user("agent_x"), name="Sénégal", query="country=SN", kind=SavedSearch.Kind.SEARCH
    )


@pytest.fixture
def saved_map(world):
    return SavedSearch.objects.create(
        owner=world.user("agent_x"),
        name="Carte du Mali",
        query="country=ML",
        view="regions",
        kind=SavedSearch.Kind.MAP,
    )
