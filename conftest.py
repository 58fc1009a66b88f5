"""Shared fixtures: reference data loaded once per test session."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def reference_data(django_db_setup, django_db_blocker):
    """The full reference data (countries, French geography, themes), loaded once for the session.

    Tests that use it must not delete reference rows; tests run in transactions rolled back after each.
    """
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)
    yield
