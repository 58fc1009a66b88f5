"""Granting and revoking roles: the only writes to memberships, each written to the audit log.

DAECT staff call them from the back office (coopdec/orgs/admin.py). Every event names who acted (the audit
event's user), whom it concerns, the organisation and the role.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent

from .models import Membership
from .policies import forget_actor


def _record(kind: str, membership: Membership, *, by, request, **extra) -> None:
    record(
        kind,
        request=request,
        user=by,
        target=f"orgs.membership:{membership.pk}",
        member=membership.user.get_username(),
        organisation=membership.organisation.slug,
        role=membership.role,
        **extra,
    )


def grant(membership: Membership, *, by, request=None) -> bool:
    """Make a pending membership active; False when it already was."""
    if membership.status == Membership.Status.ACTIVE:
        return False
    with transaction.atomic():
        membership.status = Membership.Status.ACTIVE
        membership.granted_by = by
        membership.granted_at = timezone.now()
        membership.save(update_fields=["status", "granted_by", "granted_at"])
        _record(AuditEvent.Kind.ROLE_GRANTED, membership, by=by, request=request)
    forget_actor(membership.user)
    return True


def revoke(membership: Membership, *, by, request=None) -> None:
    """Delete a membership (an active role, or a request that is refused)."""
    with transaction.atomic():
        _record(AuditEvent.Kind.ROLE_REVOKED, membership, by=by, request=request, status=membership.status)
        membership.delete()
    forget_actor(membership.user)


def save(membership: Membership, *, by, request=None) -> None:
    """Save a membership edited as a whole (the back office's form), recording what it grants and revokes.

    A role that stops being held as it was (its person, organisation or role changed, or it went back to
    pending) is recorded as revoked; one that becomes active as it now is, as granted.
    """
    stored = Membership.objects.filter(pk=membership.pk).first() if membership.pk else None
    identity = ("user_id", "organisation_id", "role")
    same = stored is not None and all(getattr(stored, f) == getattr(membership, f) for f in identity)
    was_active = stored is not None and stored.status == Membership.Status.ACTIVE
    now_active = membership.status == Membership.Status.ACTIVE
    with transaction.atomic():
        if was_active and not (same and now_active):
            _record(AuditEvent.Kind.ROLE_REVOKED, stored, by=by, request=request, status=stored.status)
        granted = now_active and not (same and was_active)
        if granted:
            membership.granted_by = by
            membership.granted_at = timezone.now()
        elif not now_active:
            membership.granted_by = None
            membership.granted_at = None
        membership.save()
        if granted:
            _record(AuditEvent.Kind.ROLE_GRANTED, membership, by=by, request=request)
    forget_actor(membership.user)
