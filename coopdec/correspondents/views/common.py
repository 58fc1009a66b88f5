from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent
from coopdec.orgs.policies import Decision

PER_PAGE = 20


def crumbs(current: str, *links: tuple[str, str]) -> dict:
    return {
        "breadcrumb_data": {
            "root_dir": reverse("atlas:home"),
            "links": [{"title": title, "url": url} for title, url in links],
            "current": current,
        }
    }


def directory_crumb() -> tuple[str, str]:
    return (_("Correspondants"), reverse("correspondents:directory"))


def page_of(request, queryset, per_page: int = PER_PAGE):
    """A page of ``queryset`` from ``?page=``; a page that does not exist is a 404."""
    try:
        return Paginator(queryset, per_page).page(request.GET.get("page", "1"))
    except (EmptyPage, PageNotAnInteger):
        raise Http404(_("Cette page de la liste n'existe pas.")) from None


def require_role(request, decision: Decision, target: str) -> None:
    """403 with the reason (written to the audit log) for a page reserved to a role."""
    if not decision:
        record(
            AuditEvent.Kind.PERMISSION_DENIED,
            request=request,
            target=target,
            reason=decision.reason,
            path=request.path[:300],
        )
        raise PermissionDenied(decision.reason)


def base_url(request) -> str:
    """Scheme and host of the request, to start the links of the mails it sends."""
    return request.build_absolute_uri("/").rstrip("/")
