"""The back office is DAECT's: who may enter it and what they may do there both come from memberships.

- Entering: an active DAECT membership (``actor_for(request).is_daect``) whose session passed the second
  factor, or a superuser (the operator's account made with ``createsuperuser`` on the server; once it has a
  two-factor device, coopdec/accounts's middleware asks for it as for anybody). ``is_staff`` plays no
  part: revoking the DAECT membership closes the back office at the next request, and nobody gets in by a
  flag set by hand.
- Acting: :class:`DaectPermissionBackend` gives DAECT staff the model permissions of every coopdec app (the
  audit log and the reference geography read-only, as their admin pages are anyway), read access to user
  accounts and the removal of a lost two-factor device. No group to keep in step with new models.
- Signing in: the back office has no login form of its own, which would skip the two-factor step; it sends
  visitors to the portal's login page (``settings.LOGIN_URL``) and refuses signed-in people without the role.

This module is imported while Django loads its apps (``DaectAdminConfig`` stands for django.contrib.admin
in INSTALLED_APPS): models are imported inside functions only.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ALL_ACTIONS = frozenset({"add", "change", "delete", "view"})
# Apps outside coopdec whose objects DAECT staff may touch, and how.
OTHER_APPS = {
    "auth": frozenset({"view"}),
    "otp_totp": frozenset({"view", "delete"}),
    "otp_static": frozenset({"view", "delete"}),
}
# coopdec apps whose data has another source of truth (the log itself, the reference packages).
READ_ONLY_APPS = {"audit", "geo"}

REFUSED = _("L'administration est réservée aux agents de la DAECT.")


def daect_actions(app_label: str) -> frozenset[str]:
    """What DAECT staff may do to the models of ``app_label``."""
    from django.apps import apps

    if app_label in OTHER_APPS:
        return OTHER_APPS[app_label]
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return frozenset()
    if not config.name.startswith("coopdec."):
        return frozenset()
    return frozenset({"view"}) if app_label in READ_ONLY_APPS else ALL_ACTIONS


def second_factor_passed(user) -> bool:
    """Whether the session passed the second factor (django-otp's middleware sets ``is_verified``)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def may_enter(request) -> bool:
    """Whether the user may use the back office (asked several times per page: kept on the request)."""
    cached = getattr(request, "_coopdec_may_enter", None)
    if cached is None:
        cached = request._coopdec_may_enter = _may_enter(request.user)
    return cached


def _may_enter(user) -> bool:
    from coopdec.orgs.policies import actor_for

    if not user.is_active or not user.is_authenticated:
        return False
    if user.is_superuser:
        # No role to check the second factor against: accounts' middleware asks for it when the account
        # has one (looking devices up here would cost two queries on every page of the back office).
        return True
    return actor_for(user).is_daect and second_factor_passed(user)


class DaectPermissionBackend:
    """Model permissions of DAECT staff, derived from their membership.

    It authenticates nobody (Django's ModelBackend does); a plain class rather than a BaseBackend subclass,
    whose module imports models and cannot be imported while apps load.
    """

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return None

    def _is_daect(self, user_obj) -> bool:
        from coopdec.orgs.policies import actor_for

        return actor_for(user_obj).is_daect

    def has_perm(self, user_obj, perm, obj=None):
        app_label, _, codename = perm.partition(".")
        action = codename.split("_", 1)[0]
        return action in daect_actions(app_label) and self._is_daect(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return bool(daect_actions(app_label)) and self._is_daect(user_obj)


class DaectAdminSite(AdminSite):
    def has_permission(self, request):
        return may_enter(request)

    def _refuse_if_not_daect(self, request) -> None:
        """403, written to the audit log, for a signed-in person who holds no DAECT role: sending them to
        the login page would only bring them back here."""
        from coopdec.audit.log import record
        from coopdec.audit.models import AuditEvent
        from coopdec.orgs.policies import actor_for

        user = request.user
        if not (user.is_authenticated and user.is_active) or user.is_superuser or actor_for(request).is_daect:
            return
        record(
            AuditEvent.Kind.PERMISSION_DENIED,
            request=request,
            target="admin",
            reason=str(REFUSED),
            path=request.path[:300],
        )
        raise PermissionDenied(REFUSED)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            if not self.has_permission(request):
                self._refuse_if_not_daect(request)
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request, extra_context=None):
        """No login form here: the portal's own login (with its second factor) or a refusal that says why.

        (coopdec/accounts's middleware sends /admin/login/ to the portal's login page before this runs; this
        stays so that the back office is closed whatever the middleware list.)
        """
        from django.contrib.auth.views import redirect_to_login

        if self.has_permission(request):
            return super().login(request, extra_context)
        self._refuse_if_not_daect(request)
        # Not signed in, or DAECT staff whose session still lacks its second factor: the portal's login
        # page asks for what is missing and comes back here.
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), settings.LOGIN_URL)


class DaectAdminConfig(AdminConfig):
    default_site = "coopdec.orgs.adminsite.DaectAdminSite"
