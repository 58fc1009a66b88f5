"""One function to write to the audit log, from a view (with its request) or from a command."""

from __future__ import annotations

from .models import AuditEvent


def client_ip(request) -> str | None:
    """The visitor's address as the server saw it (REMOTE_ADDR; a proxy's header is not trusted here)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    kind: str, *, request=None, user=None, username: str = "", target: str = "", **detail
) -> AuditEvent:
    """Append one event. ``user`` defaults to the request's authenticated user."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            user = request.user
    if user is not None and not username:
        username = user.get_username()
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=username[:254],
        ip=client_ip(request),
        target=target[:200],
        detail=detail,
    )
