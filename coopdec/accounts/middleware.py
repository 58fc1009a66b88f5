"""Two-factor authentication enforced on every page (after django-otp's OTPMiddleware).

A signed-in person whose session is not verified by a second factor is sent:

- to the code step, when they have set up an application (they signed in some other way than our login
  page, e.g. before turning it on in another session);
- to the set-up page, when their roles make it mandatory (DAECT, embassy correspondent, prefecture) and
  they have no application yet.

Only the pages needed to get out of that state are left open: the set-up and code pages, logging out, and
static files. The admin's own login form is replaced by ours, so that its sign-ins go through the lock-out
and the second factor too.
"""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from coopdec.orgs.policies import actor_for

from . import twofactor

OPEN_VIEWS = {
    ("accounts", "login_otp"),
    ("accounts", "otp_setup"),
    ("accounts", "logout"),
}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + urlsplit(settings.STATIC_URL).path.lstrip("/")

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and (match.namespace, match.url_name) == ("admin", "login"):
            next_url = request.GET.get("next") or reverse("admin:index")
            return redirect(_with_next(reverse("accounts:login"), next_url))
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.path.startswith(self.static_prefix):
            return None
        if match is not None and (match.namespace, match.url_name) in OPEN_VIEWS:
            return None
        if twofactor.has_two_factor(user):
            target = "accounts:login_otp"
        elif twofactor.is_mandatory(actor_for(request)):
            target = "accounts:otp_setup"
        else:
            return None
        url = _with_next(reverse(target), request.get_full_path() if request.method == "GET" else "")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
