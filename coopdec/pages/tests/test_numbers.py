"""coopdec/numbers.py: whole numbers read without raising (each case below was a server error somewhere)."""

import pytest

from coopdec.numbers import bounded_int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", 7),
        ("007", 7),
        ("365", 365),
        ("0", None),
        ("366", None),
        ("", None),
        ("²", None),
        ("١٢", None),
        (" 7", None),
        ("-1", None),
        ("+1", None),
        ("1.5", None),
        ("9" * 5000, None),
        ("0" * 5000 + "3", 3),
    ],
)
def test_bounded_int(raw, expected):
    assert bounded_int(raw, 1, 365) == expected
