import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 at Django's default cost takes most of a second per password on the shared machine, and the
    personas alone hash seven: the tests hash with MD5 (never used outside tests)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
