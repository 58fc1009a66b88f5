"""Lock-out after repeated failed logins, counted in the audit log (no table of its own).

The key is the account's username when the identifier typed names an account, otherwise the identifier
itself (lower-cased): an unknown address is locked like a known one, so the answers do not tell which
addresses have an account. A failure is a wrong password or a wrong two-factor code at login. Once
``LOGIN_FAILURE_LIMIT`` failures fall within ``LOGIN_FAILURE_WINDOW_SECONDS`` (counted since the last
successful login or the last lock-out, whichever is later), a LOCKED_OUT event is written and logins for
that key are refused for ``LOGIN_LOCKOUT_SECONDS`` from then on, password checked or not.

Anyone can lock an account out for a while by typing wrong passwords for it: that is the price of
stopping password guessing, and the lock ends by itself. Attempts made while locked are logged with the
reason ``locked`` and do not count towards the next lock.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent

K = AuditEvent.Kind

# What counts towards a lock-out: a wrong password (LOGIN_FAILED with the reason "password") and a wrong
# two-factor code typed at login (OTP_FAILED at the step "login"; a wrong code while setting up does not).
COUNTED = Q(kind=K.LOGIN_FAILED, detail__reason="password") | Q(kind=K.OTP_FAILED, detail__step="login")


def lockout_duration() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def locked_until(key: str) -> datetime.datetime | None:
    """The end of the lock on ``key``, or None when it is not locked."""
    now = timezone.now()
    last_lock = (
        AuditEvent.objects.filter(kind=K.LOCKED_OUT, username=key, at__gt=now - lockout_duration())
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return last_lock + lockout_duration() if last_lock else None


def failures_counted(key: str) -> int:
    """Failures on ``key`` that count towards the next lock-out."""
    now = timezone.now()
    since = now - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    last_reset = AuditEvent.objects.filter(username=key, kind__in=[K.LOGIN, K.LOCKED_OUT]).aggregate(
        at=Max("at")
    )["at"]
    if last_reset and last_reset > since:
        since = last_reset
    return AuditEvent.objects.filter(COUNTED, username=key, at__gt=since).count()


def attempts_left(key: str) -> int:
    return max(settings.LOGIN_FAILURE_LIMIT - failures_counted(key), 0)


def register_failure(request, key: str, *, user=None, reason: str, **detail) -> datetime.datetime | None:
    """Log one failed login on ``key``; lock it when the limit is reached. Returns the lock's end, if any.

    ``reason`` is ``password`` (wrong identifier or password), ``otp`` (wrong two-factor code at login,
    logged as OTP_FAILED), ``inactive`` (right password, address not confirmed yet) or ``locked`` (tried
    while locked); the last two do not count.
    """
    if reason == "otp":
        record(K.OTP_FAILED, request=request, user=user, username=key, step="login", **detail)
    else:
        record(K.LOGIN_FAILED, request=request, user=user, username=key, reason=reason, **detail)
    if reason not in ("password", "otp"):
        return None
    if failures_counted(key) < settings.LOGIN_FAILURE_LIMIT:
        return None
    until = timezone.now() + lockout_duration()
    record(
        K.LOCKED_OUT,
        request=request,
        user=user,
        username=key,
        failures=settings.LOGIN_FAILURE_LIMIT,
        until=until.isoformat(),
    )
    return until
