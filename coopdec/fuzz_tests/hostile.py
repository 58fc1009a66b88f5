"""Hypothesis strategies of hostile input: values, query strings and form data.

A value is drawn either from the parameter's own shape (a country code, a year, a page number, a format,
valid or nearly so) or from hostile text: NUL characters, digits Python's ``str.isdigit`` accepts but
``int`` refuses (superscripts), numbers too long for ``int`` (more than 4,300 digits), huge, negative and
non-finite numbers, impossible dates, SQL- and HTML-looking strings, right-to-left marks, emoji, very long
text, separators. Keys repeat (``?country=SN&country=ML``), unknown keys ride along, and a query string may
end with raw bytes that are not UTF-8.
"""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import strategies as st

# The values most likely to break a parser, each for a reason (the suite's deterministic matrix uses them).
NASTIEST = (
    "\x00",  # PostgreSQL refuses NUL in text: the driver raises before the query is sent
    "²",  # str.isdigit() is true, int() raises
    "9" * 5000,  # int() refuses strings of more than 4,300 digits
    "1e400",  # float("inf") once parsed
    "9999-99-99",
    "x" * 3000,
)

HOSTILE_TEXT = (
    *NASTIEST,
    "SN\x00",
    "-1",
    "' OR '1'='1",
    "",
    " ",
    "0",
    "00",
    "-0",
    "+1",
    "1.5",
    "1_000",
    " 7 ",
    "١٢",  # Arabic-Indic digits: int() accepts them
    "𝟗",
    "½",
    "Ⅻ",
    "NaN",
    "inf",
    "-inf",
    "nan,nan,nan,nan",
    "0000-00-00",
    "2024-02-30",
    "31/12/9999",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE atlas_project; --",
    "%",
    "%00",
    "%%",
    "\\",
    "../../etc/passwd",
    "{}",
    "[]",
    "null",
    "true",
    ",",
    ",,,",
    ", ,",
    "a,b,c,d,e",
    "\n",
    "\r\n",
    "\t",
    "\u202e",
    "\ufeff",
    "\u200b",
    "😀",
    "ﬁ",
    "ŉ",
    "İ",
    "ß" * 200,
    "*",
    '"',
    "AND",
    "NOT",
    "NEAR(a b)",
    "a:*",
    "!&|()",
    "é" * 121,
    "eau \uff9e",  # a word character that normalises to nothing (an empty word in a tsquery)
    "\u037a eau",
    "⑴",
)

# Text without surrogates (the test client encodes URLs and bodies as UTF-8).
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        ANY_TEXT,
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.from_regex(r"-?[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}", fullmatch=True),
    )


def value_for(shape: st.SearchStrategy[str] | None) -> st.SearchStrategy[str]:
    """A parameter's value: of its own shape, or hostile."""
    return hostile_text() if shape is None else st.one_of(shape, hostile_text())


def codes(*values: str) -> st.SearchStrategy[str]:
    """Known codes, their lower-case form, a comma-joined list of them, and unknown lookalikes."""
    known = st.sampled_from(values)
    return st.one_of(
        known,
        known.map(str.lower),
        st.lists(known, min_size=2, max_size=4).map(",".join),
        st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True),
    )


def integers(lo: int = -(10**7), hi: int = 10**7) -> st.SearchStrategy[str]:
    return st.integers(min_value=lo, max_value=hi).map(str)


UNKNOWN_NAMES = st.one_of(st.sampled_from(["", "utm_source", "page[]", "q[]", "__proto__", "é"]), ANY_TEXT)

# Raw endings: bytes that are not UTF-8, lone separators, a key without a value, a bad escape.
RAW_ENDINGS = ("", "&%FF%FE=%C0%AF", "&q=%E9t%E9", "&&&", "&=x", "&flag", "&a=%ZZ", ";", "&%00=%00")


@st.composite
def query_pairs(draw, shapes: dict[str, st.SearchStrategy[str] | None], max_pairs: int = 6):
    """(name, value) pairs: known names with their values (repeats allowed) and, sometimes, unknown names."""
    names = st.sampled_from(sorted(shapes)) if shapes else UNKNOWN_NAMES
    pairs = []
    for _i in range(draw(st.integers(min_value=0, max_value=max_pairs))):
        name = draw(st.one_of(names, UNKNOWN_NAMES) if shapes else names)
        pairs.append((name, draw(value_for(shapes.get(name)))))
    return pairs


def encode(pairs) -> str:
    """A query string of ``pairs``, UTF-8 percent-encoded."""
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs)


@st.composite
def query_strings(draw, shapes: dict[str, st.SearchStrategy[str] | None], max_pairs: int = 6) -> str:
    text = encode(draw(query_pairs(shapes, max_pairs)))
    return text + draw(st.sampled_from(RAW_ENDINGS))


@st.composite
def form_data(draw, shapes: dict[str, st.SearchStrategy[str] | None], *, base: dict | None = None):
    """POST data: ``base`` (valid values, when given) with some fields replaced, dropped or repeated by
    hostile values, and sometimes unknown fields."""
    data = {name: [value] if isinstance(value, str) else list(value) for name, value in (base or {}).items()}
    for name in draw(st.lists(st.sampled_from(sorted(shapes)), max_size=len(shapes), unique=True)):
        action = draw(st.sampled_from(["replace", "replace", "drop", "repeat"]))
        if action == "drop":
            data.pop(name, None)
        elif action == "repeat":
            data[name] = draw(st.lists(value_for(shapes[name]), min_size=2, max_size=3))
        else:
            data[name] = [draw(value_for(shapes[name]))]
    if draw(st.booleans()) and draw(st.booleans()):
        data[draw(UNKNOWN_NAMES)] = [draw(hostile_text())]
    return data
