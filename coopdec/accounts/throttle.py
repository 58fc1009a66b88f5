"""A cap on the forms that make the portal send mail or write rows for an anonymous visitor.

Sign-up, "send me a new confirmation link", "I forgot my password" and "my organisation is missing" each
send a mail to an address typed into the form (or to DAECT). Without a cap, anyone could flood a stranger's
mailbox or DAECT's desk from a script. Each action is counted per visitor address (REMOTE_ADDR, as the
audit log sees it) and, where the form names one, per target e-mail address, over a sliding hour; beyond the
cap the form is refused with a French message and status 429, and nothing is sent or written.

The counters live in Django's cache. One process's memory (the default) caps each server on its own; with
several application servers, point ``CACHES`` at a shared cache (Redis, Memcached or the database cache) so
that the cap holds across them. The cap on an e-mail address counts whether or not an account exists, so the
answer does not tell which addresses have one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _

from coopdec.audit.log import client_ip

WINDOW_SECONDS = 60 * 60


@dataclass(frozen=True)
class Limit:
    per_visitor: int
    per_address: int | None = None


LIMITS = {
    "signup": Limit(per_visitor=10, per_address=3),
    "confirmation": Limit(per_visitor=10, per_address=3),
    "password_reset": Limit(per_visitor=10, per_address=3),
    "organisation_request": Limit(per_visitor=5, per_address=3),
}


def _key(action: str, kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"throttle:{action}:{kind}:{digest}"


def _count(key: str) -> int:
    # add() then incr() is atomic in every cache backend Django ships (the first request starts the window).
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, WINDOW_SECONDS)
        return 1


def allow(request, action: str, address: str | None = None) -> bool:
    """Count one attempt at ``action``; False when the visitor or the address went over its hourly cap."""
    limit = LIMITS[action]
    allowed = _count(_key(action, "ip", client_ip(request) or "unknown")) <= limit.per_visitor
    if address and limit.per_address is not None:
        allowed = _count(_key(action, "address", address)) <= limit.per_address and allowed
    return allowed


def refusal_message() -> str:
    return _(
        "Trop de demandes de ce type ont été faites depuis votre connexion ou pour cette adresse au cours "
        "de la dernière heure. Rien n'a été envoyé : réessayez dans une heure."
    )
