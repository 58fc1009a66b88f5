"""The public API against its own OpenAPI document, with schemathesis, in process (WSGI, no network).

The document is read from the portal itself (``/api/openapi.json``), then schemathesis draws requests for
every operation (valid ones and, as its default generation does, invalid ones) and checks each answer: not a
server error, a status code the document declares, a content type it declares, a body that matches the
declared schema. Every request is a GET that must not write: the database is compared before and after.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coopdec.api import openapi

from .conftest import assert_unchanged, rolled_back, snapshot

# About 25 CPU-seconds: schemathesis adds its own deterministic "coverage" requests to the examples.
pytestmark = [pytest.mark.fuzz, pytest.mark.slow, pytest.mark.django_db]

SERVER = "localhost"  # the Host header schemathesis's WSGI client sends
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class _Application(WSGIHandler):
    """Django's WSGI application, which re-raises a view's exception (as the test client does) instead of
    answering 500, so that a server error fails with its traceback."""

    def __init__(self):
        super().__init__()
        self.errors: list[BaseException] = []

    def __call__(self, environ, start_response):
        self.errors.clear()
        response = super().__call__(environ, start_response)
        if self.errors:
            raise self.errors[0]
        return response

    def record(self, sender, request=None, **kwargs):
        import sys

        self.errors.append(sys.exc_info()[1])


APPLICATION = _Application()
# The document as /api/openapi.json serves it (coopdec/api/tests check that the page serves this one). Read
# when the module is collected: schemathesis's loader from a fixture does not run under pytest 9 (it sets
# the test node's private ``_nodeid``, which pytest no longer has).
schema = schemathesis.openapi.from_dict(openapi.document(f"http://{SERVER}"))
schema.app = APPLICATION


@pytest.fixture
def in_process(fuzz_world):
    """Requests to the WSGI application inside the test's transaction, on the personas' small world.

    Django closes "old" database connections when a request starts and ends; inside the test's transaction
    that would break it, so the test client turns this off, and so does this fixture."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.got_request_exception.connect(APPLICATION.record)
    yield
    signals.got_request_exception.disconnect(APPLICATION.record)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
def test_api_answers_as_its_document_says(case, in_process):
    with rolled_back():
        before = snapshot()
        response = case.call()
        after = snapshot()
    case.validate_response(response, checks=CHECKS)
    assert_unchanged(before, after, context=f"{case.method} {case.formatted_path} {case.query!r}")


def test_the_document_tested_is_the_one_served(client, db):
    assert client.get("/api/openapi.json", HTTP_HOST=SERVER).json() == openapi.document(f"http://{SERVER}")
