"""Shared fixtures: reference data loaded once per test session."""

import os

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, settings

# Property-based tests (hypothesis, schemathesis): the suite runs a fixed, repeatable set of examples
# ("ci", the default); `make stress` runs many more, drawn afresh each time (HYPOTHESIS_PROFILE=stress).
# Database examples are not kept between runs (nothing is written under .hypothesis/). On PostgreSQL (CI's
# second run of the suite) "ci" draws 12 examples instead of 25: the same inputs ran on SQLite just before,
# the fixed matrix of the nastiest values (NUL, "²", 5,000 digits…) still runs in full, and the suite stays
# under 10 minutes there.
_QUIET = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.differing_executors]
_ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
settings.register_profile(
    "ci",
    max_examples=12 if _ON_POSTGRESQL else 25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_QUIET,
)
settings.register_profile(
    "stress", max_examples=400, deadline=None, database=None, suppress_health_check=_QUIET
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def reference_data(django_db_setup, django_db_blocker):
    """The full reference data (countries, French geography, themes), loaded once for the session.

    Tests that use it must not delete reference rows; tests run in transactions rolled back after each.
    """
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    # Loading into a developer's own database by mistake (a test collected without a database mark) would
    # rewrite it: only a test database is accepted.
    if "test" not in name and "memory" not in name:
        raise RuntimeError(f"reference_data refuses to load into a non-test database: {name}")
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)
    yield


@pytest.fixture(autouse=True)
def fresh_cache_and_language():
    """Each test starts with an empty cache and French active.

    The cache is per process and survives the rollback of a test's transaction, so a value cached by one
    test (a sheet, facet counts keyed by an index generation) could otherwise be served to the next; and a
    request to an /en/ page leaves English active for the reverse() calls that follow.
    """
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    """The personas and their small world (coopdec/orgs/tests/personas.py)."""
    from coopdec.orgs.tests.personas import build_world

    return build_world()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 at Django's default cost takes most of a second per password on a shared 2-core machine and
    the personas alone hash seven: tests hash with MD5 (never used outside tests)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
