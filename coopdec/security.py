"""Security headers that Django does not send by itself, and the helper that builds the CSP's image sources.

Django's own middleware sends ``X-Content-Type-Options``, ``Referrer-Policy``, ``Cross-Origin-Opener-Policy``
(SecurityMiddleware) and ``X-Frame-Options`` (XFrameOptionsMiddleware); django-csp sends the Content Security
Policy. This module adds ``Permissions-Policy``: the portal uses none of the browser's powerful features, so
every one a page could ask for is switched off, for the page and for anything it might embed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Features a page of the portal never needs. Only names that browsers know are listed: an unknown name
# makes Chromium print a warning on every page.
DISABLED_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "usb",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DISABLED_FEATURES)


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` to every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def tile_source(url_template: str) -> str | None:
    """The CSP source (scheme and host) of a Leaflet tile URL template, or None when there is none.

    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` gives ``https://*.tile.example.org``: a placeholder can
    only stand for the leftmost label of the host, the one place where CSP accepts a wildcard.
    """
    if not url_template:
        return None
    parts = urlsplit(url_template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(
            "MAP_TILES_URL must be an http(s) address such as "
            f"https://{{s}}.tiles.example.org/{{z}}/{{x}}/{{y}}.png, not {url_template!r}."
        )
    first, _, rest = parts.netloc.partition(".")
    if "{" in first:
        first = "*"
    if "{" in rest or "}" in rest or not first:
        raise ImproperlyConfigured(
            f"MAP_TILES_URL may hold a placeholder in the first label of its host only, not {url_template!r}."
        )
    return f"{parts.scheme}://{first}.{rest}" if rest else f"{parts.scheme}://{first}"
