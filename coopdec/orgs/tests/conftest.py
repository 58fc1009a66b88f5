import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The personas' passwords are hashed with a fast hasher: the default one takes most of a world's setup
    time (seven accounts), and no test here is about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
