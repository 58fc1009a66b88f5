"""What every fuzz test checks, and the small world it runs in.

For each drawn input (one hypothesis example):

- the answer is not a server error (the test client re-raises a view's exception, so a 500 fails the test
  with its traceback);
- a refusal (400, 409, or a form shown again with errors) carries a message a person can read, in French:
  the page's DSFR alert or the fields' error texts, or the ``errors`` list of a JSON answer;
- the database is unchanged by a refused input. "Unchanged" is checked on every model (django.apps): the
  row count of each table, and a digest of the whole content of every table outside the reference data.
  The reference tables (``geo``: 35,000 communes once loaded) are only counted: no page tested here writes
  them. The tables a refusal may legitimately write are listed by each test, each with its reason; the
  session table is always left out (a visitor's session is their own state, not the portal's data).

Examples do not leak into one another: each runs inside a savepoint that is rolled back afterwards, with
an empty cache (pytest-django rolls back once per test function, not per example).
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction

from coopdec.search import columns

# Counted, not read whole: large reference tables that none of the tested pages writes.
COUNTED_ONLY_APPS = frozenset({"geo"})
# Never compared: a visitor's session (sign-up steps, messages, a pending login) is theirs.
ALWAYS_TOLERATED = frozenset({"sessions.Session"})

# Tables a refused input may write, named once so that each test says which ones it tolerates and why.
AUDIT = "audit.AuditEvent"  # refused accesses (403), failed logins and codes: the audit trail of refusals
TOTP_DEVICE = "otp_totp.TOTPDevice"  # django-otp counts wrong codes on the device (throttling)


def _tables() -> list[tuple[str, str, bool]]:
    """(model label, SQL selecting the table, counted only) for every table of every model."""
    quote = connection.ops.quote_name
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label in ALWAYS_TOLERATED:
            continue
        if meta.app_label in COUNTED_ONLY_APPS:
            sql = f"SELECT COUNT(*) FROM {quote(meta.db_table)}"  # noqa: S608 - names from the models
        else:
            sql = f"SELECT * FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}"  # noqa: S608
        tables.append((meta.label, sql, meta.app_label in COUNTED_ONLY_APPS))
    return tables


def snapshot() -> dict[str, tuple[int, str]]:
    """(row count, content digest) of every table; the digest is empty for the counted-only apps.

    Read with plain SQL (the ORM's overhead on fifty models tripled the time of an example).
    """
    state = {}
    with connection.cursor() as cursor:
        for label, sql, counted_only in _tables():
            cursor.execute(sql)
            rows = cursor.fetchall()
            if counted_only:
                state[label] = (rows[0][0], "")
            else:
                state[label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def changed_tables(before: dict, after: dict) -> set[str]:
    return {label for label in before.keys() | after.keys() if before.get(label) != after.get(label)}


def assert_unchanged(before: dict, after: dict, tolerated=frozenset(), context: str = "") -> None:
    changed = changed_tables(before, after) - set(tolerated)
    assert not changed, f"a refused input changed {sorted(changed)} {context}"


# Requests sent by the fuzz tests of this run (fixed matrix and drawn examples), shown in the summary: the
# drawn examples run inside the tests, where hypothesis's own statistics do not see them.
SENT = {"requests": 0}


def pytest_terminal_summary(terminalreporter):
    if SENT["requests"]:
        terminalreporter.write_line(f"fuzz: {SENT['requests']} requests checked")


@contextmanager
def rolled_back():
    """One example: its writes undone (a savepoint rolled back), the cache emptied before it."""
    SENT["requests"] += 1
    cache.clear()
    columns._loaded.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --------------------------------------------------------------------------------------------- messages

# Classes of the DSFR's error and warning blocks, and of Django's plain error lists.
ERROR_CLASSES = ("fr-alert--error", "fr-alert--warning", "fr-error-text", "fr-message--error", "errorlist")
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"})
# Django's own messages when they were left untranslated, and its English error pages.
ENGLISH = re.compile(
    r"This field is required|Enter a valid|Ensure this value|Select a valid choice|is not a valid|"
    r"Null characters are not allowed|Bad Request|Not Found|Server Error|Forbidden|Page not found",
    re.IGNORECASE,
)


class _ErrorText(HTMLParser):
    """The text of the error blocks of a page, and its first <h1> (the title of an error page)."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.current: list[str] = []
        self.blocks: list[str] = []
        self.h1 = ""
        self.in_h1 = False

    def handle_starttag(self, tag, attrs):
        if tag == "h1" and not self.h1:
            self.in_h1 = True
        if tag in VOID_TAGS:
            return
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.depth += 1
        elif any(name in classes for name in ERROR_CLASSES):
            self.depth = 1
            self.current = []

    def handle_endtag(self, tag):
        if tag == "h1":
            self.in_h1 = False
        if tag in VOID_TAGS or not self.depth:
            return
        self.depth -= 1
        if not self.depth:
            text = " ".join(" ".join(self.current).split())
            if text:
                self.blocks.append(text)

    def handle_data(self, data):
        if self.depth:
            self.current.append(data)
        if self.in_h1:
            self.h1 += data


def body(response) -> bytes:
    """The whole body, streamed ones included (read once, inside the example: a streamed export runs its
    queries while it is read, and an error there is a server error too)."""
    if not hasattr(response, "fuzz_body"):
        response.fuzz_body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.fuzz_body


def error_messages(response) -> list[str]:
    """The messages a refusal shows: a JSON answer's ``errors`` (``erreurs`` for the map's documents), a
    page's error blocks, or the title of the site's error page (400, 403, 404)."""
    content_type = response.get("Content-Type", "")
    if "json" in content_type:
        payload = json.loads(body(response))
        return [str(m) for m in (payload.get("errors") or payload.get("erreurs") or [])]
    parser = _ErrorText()
    parser.feed(body(response).decode("utf-8", "replace"))
    found = list(parser.blocks)
    # The site's error pages (400, 403, 404) say "Erreur <status>" under their title, which is the message.
    if f"Erreur {response.status_code}" in body(response).decode("utf-8", "replace") and parser.h1.strip():
        found.append(" ".join(parser.h1.split()))
    return found


def assert_explained(response, context: str = "") -> list[str]:
    """A refusal says why, in French."""
    found = error_messages(response)
    assert found, f"{response.status_code} without any message {context}"
    english = [m for m in found if ENGLISH.search(m)]
    assert not english, f"English message(s) {english} {context}"
    return found


def check_answer(response, context: str = "") -> None:
    """Not a server error; a 400 or 409 says why in French; a 403 or 404 is the site's own page."""
    assert response.status_code < 500, f"{response.status_code} {context}"
    body(response)
    if response.status_code in (400, 403, 404, 409):
        assert_explained(response, context)


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def fuzz_world(world):
    """The personas' world with two themes on its sheets and the search index built."""
    from coopdec.atlas.tests import factories as f
    from coopdec.search import index

    water, heritage = f.theme("eau-assainissement"), f.theme("culture-patrimoine")
    world.project_x.themes.add(heritage)
    world.project_y.themes.add(water)
    index.rebuild()
    cache.clear()
    columns._loaded.clear()
    return world


# ------------------------------------------------------------------------------------------------- forms

REDIRECTS = (301, 302, 303)


def as_lists(data: dict | None) -> dict[str, list[str]]:
    """Form data with every value as a list (one value or several under one name)."""
    return {name: [value] if isinstance(value, str) else list(value) for name, value in (data or {}).items()}


def queued_errors(response) -> list[str]:
    """Error messages a redirect leaves for the next page (``messages.error`` before ``redirect``)."""
    from django.contrib.messages import constants, get_messages

    return [str(m) for m in get_messages(response.wsgi_request) if m.level >= constants.ERROR]


def encoded(data: dict[str, list[str]]) -> str:
    """A form body as a browser sends it (application/x-www-form-urlencoded, UTF-8, repeated keys)."""
    from urllib.parse import urlencode

    return urlencode([(name, value) for name, values in data.items() for value in values])


def post_form(
    client, url: str, data: dict[str, list[str]], *, tolerated=frozenset(), success=None, shown=None
):
    """POST ``data`` and check the outcome.

    - A redirect with no error message queued, or a page ``success(response)`` recognises (a download, a
      "request sent" page): accepted, the database may change.
    - A page shown again without any error, when ``shown(data)`` says this is legitimate (a "search" or
      "add a line" button, a confirmation step): nothing may change.
    - Anything else is a refusal: it must say why in French (a 400/409 page, errors on the form, or an
      error message queued before a redirect), and the database must be unchanged but for ``tolerated``.
    """
    context = f"POST {url} {data!r}"[:3000]
    # Messages left by an earlier example (a redirect nobody followed) must not be taken for this one's.
    client.cookies.pop("messages", None)
    with rolled_back():
        before = snapshot()
        response = client.post(url, encoded(data), content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, context
        body(response)
        after = snapshot()
    if response.status_code in REDIRECTS:
        errors = queued_errors(response)
        if not errors:
            return response
        english = [m for m in errors if ENGLISH.search(m)]
        assert not english, f"English message(s) {english} {context}"
    elif response.status_code == 200 and not error_messages(response):
        if success is not None and success(response):
            return response
        assert shown is not None and shown(data), f"refused without a message? {context}"
    else:
        assert_explained(response, context)
    assert_unchanged(before, after, tolerated, context)
    return response


def run_form(client, url: str, shapes: dict, *, base: dict | None = None, **checks) -> None:
    """The fixed matrix (every field of ``shapes`` at once set to each of hostile.NASTIEST), then the drawn
    examples (hostile.form_data: fields replaced, dropped or repeated, unknown fields added)."""
    from hypothesis import given

    from .hostile import NASTIEST, form_data

    start = as_lists(base)
    for value in NASTIEST:
        post_form(client, url, {**start, **{name: [value] for name in shapes}}, **checks)

    @given(data=form_data(shapes, base=base))
    def drawn(data):
        post_form(client, url, data, **checks)

    drawn()


def initial_data(*forms) -> dict[str, list[str]]:
    """What a browser would post for unbound ``forms`` (and formsets) shown as they are: the base that
    hypothesis then spoils field by field."""
    from django import forms as django_forms

    data: dict[str, list[str]] = {}
    parts = []
    for form in forms:
        if isinstance(form, django_forms.BaseFormSet):
            parts += [form.management_form, *form.forms]
        else:
            parts.append(form)
    for part in parts:
        for bound in part:
            value = bound.value()
            if value is None or value == "" or value is False:
                continue
            if value is True:
                data[bound.html_name] = ["on"]
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = [str(bound.field.widget.format_value(value))]
    return data
