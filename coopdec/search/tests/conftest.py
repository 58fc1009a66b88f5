import pytest
from django.core.cache import cache

from coopdec.search import columns


@pytest.fixture(autouse=True)
def empty_cache():
    """Facet counts and columns are cached per index generation, which rolled-back tests reuse."""
    cache.clear()
    columns._loaded.clear()
    yield
    cache.clear()
    columns._loaded.clear()
