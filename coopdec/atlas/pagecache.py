"""Whole rendered pages for anonymous visitors, kept in the cache.

A public page is the same for every visitor who is not signed in: same address, same language, same data.
Rendering its shell (the State design system's header, menu and footer, about 18 kB) costs more than the
data behind it once that is cached, so such pages are stored whole and served without rendering.

A page is served from, or stored into, the cache only when nothing about the visitor can be in it: a
GET or HEAD request without a query string, without a session cookie (so no signed-in user and no stored
message), without a message cookie, from a user who is not authenticated, and not an htmx request. It is
stored only when building it left nothing personal behind: a 200 answer that sets no cookie, asked for no
CSRF token (``get_token`` marks the request when a form put one in the page) and is not marked private.
So a header that one day shows a form, or a page built for a signed-in user, is never cached; it only
makes that page slower.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language


def is_anonymous_visit(request: HttpRequest) -> bool:
    """Whether the request carries nothing that could make its page differ from another visitor's."""
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return False
    if request.headers.get("HX-Request"):
        return False
    user = getattr(request, "user", None)
    # Without a session cookie this costs no query; another authentication scheme would be caught here.
    return user is None or not user.is_authenticated


def is_storable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether ``response``, built for an anonymous visit, holds nothing of that visitor."""
    if response.status_code != 200 or getattr(response, "streaming", False) or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # a CSRF token was put in the page: it belongs to this visitor only
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def page_key(request: HttpRequest, version: str) -> str:
    """A short key of printable characters (as memcached wants) for the page's language, path and version."""
    state = f"{get_language()}\n{request.path}\n{version}".encode()
    return "page:" + hashlib.blake2b(state, digest_size=16).hexdigest()


def anonymous_page(
    request: HttpRequest, version: str, build: Callable[[bool], HttpResponse], seconds: int
) -> HttpResponse:
    """The page at ``request.path`` for ``version`` of its data, from the cache for anonymous visits.

    ``build(whole)`` renders the page as usual; ``whole`` says that the page is to be cached whole, so
    that ``build`` need not also cache its parts (the default in-memory cache holds 300 entries: a page
    cached twice over keeps half as many pages). ``version`` names the state of the data the page shows
    (its cache key changes when they change); ``seconds`` bounds how long anything not covered by
    ``version`` (a name shown on the page, the demonstration banner) may stay out of date.
    """
    if not is_anonymous_visit(request):
        return build(False)
    key = page_key(request, version)
    stored = cache.get(key)
    if stored is not None:
        content, content_type = stored
        response = HttpResponse(content, content_type=content_type)
    else:
        response = build(True)
        if is_storable(request, response):
            cache.set(key, (response.content, response["Content-Type"]), seconds)
    # Shared HTTP caches must not give this anonymous page to a visitor who has signed in.
    patch_vary_headers(response, ("Cookie",))
    return response
