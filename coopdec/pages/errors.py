"""The server-error page: 503 with Retry-After when the database cannot be reached, 500 otherwise.

Django calls ``handler500`` while the exception is being handled, so ``sys.exc_info()`` still names it. The
page is rendered without the request: context processors (the signed-in user, the session) would query the
database that has just failed, and an error page must not raise an error of its own.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("coopdec.errors")

# Seconds a client (or a load balancer) is told to wait before trying again while the database is away.
RETRY_AFTER = 30


def database_unavailable(error: BaseException | None) -> bool:
    """Connection lost, server restarting, or SQLite's write lock held past the busy timeout."""
    return isinstance(error, OperationalError | InterfaceError)


@requires_csrf_token
def server_error(request, template_name="500.html"):
    error = sys.exc_info()[1]
    if database_unavailable(error):
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path, error)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponse(loader.get_template(template_name).render(), status=500)
