"""Addresses of the Atlas pages a map links to (countries, regions, departments, authorities).

A point map holds thousands of authorities: rather than one ``reverse()`` per feature, each address
pattern is reversed once with a marker in place of the key, then filled in.
"""

from collections.abc import Callable

from django.urls import reverse

MARKER = "__key__"


def _builder(name: str) -> Callable[[str], str]:
    pattern = reverse(name, args=[MARKER])
    return lambda key: pattern.replace(MARKER, key)


def country() -> Callable[[str], str]:
    return _builder("atlas:country")


def region() -> Callable[[str], str]:
    return _builder("atlas:region")


def department() -> Callable[[str], str]:
    return _builder("atlas:department")


def french_authority() -> Callable[[str], str]:
    return _builder("atlas:french_authority")


def foreign_authority() -> Callable[[str], str]:
    return _builder("atlas:foreign_authority")
