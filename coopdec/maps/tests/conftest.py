import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """The map caches its documents by index generation, which every test's rollback sets back: start
    each test with an empty cache so that no test reads another's documents."""
    cache.clear()
    yield
    cache.clear()
