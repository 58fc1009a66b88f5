import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Facet counts are cached per index generation, and rolled-back tests reuse generation numbers."""
    cache.clear()
    yield
    cache.clear()
