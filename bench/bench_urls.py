"""The portal's URLs plus a minimal view, for bench/pages.py only (never included by coopdec.urls).

The minimal view is the baseline of the page benchmark: it goes through the same middleware as every page
but touches neither the database nor a template, so the ratio page/minimal shows what the page itself costs.
"""

from django.http import HttpResponse
from django.urls import path

from coopdec.urls import handler500  # noqa: F401 - the portal's 503 page when the database is away
from coopdec.urls import urlpatterns as portal_urlpatterns


def minimal(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/minimal/", minimal, name="bench_minimal"), *portal_urlpatterns]
