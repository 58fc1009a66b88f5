"""Two-factor authentication: a TOTP application (django-otp) and ten single-use recovery codes.

Mandatory for whoever holds an active DAECT, embassy correspondent or prefecture role (they see drafts and
personal data across many organisations); optional for everybody else, who may turn it on in "Mon compte".
A person has two-factor authentication when they have a *confirmed* TOTP device; the recovery codes live in
a django-otp static device beside it and are only accepted in place of a code from the application.
"""

from __future__ import annotations

import re
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.db import transaction
from django_otp import login as otp_login
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent
from coopdec.orgs.models import Membership
from coopdec.orgs.policies import Actor

MANDATORY_ROLES = frozenset(
    {Membership.Role.DAECT, Membership.Role.CORRESPONDENT, Membership.Role.PREFECTURE}
)
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "application"
RECOVERY_NAME = "codes-de-secours"


def is_mandatory(actor: Actor) -> bool:
    """Whether two-factor authentication is required of this person (from their active roles)."""
    return bool(actor.roles & MANDATORY_ROLES)


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def unconfirmed_totp(user) -> TOTPDevice:
    """The device being set up: the same secret is shown until it is confirmed (reloading the page does not
    invalidate what the person already scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as typed into an authenticator application, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` address as an inline SVG QR code (drawn on the server, no script)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=2, dark="#161616", light="#ffffff", title="QR code"
    )


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


@dataclass(frozen=True)
class Verification:
    device: object | None  # the device that accepted the code, or None
    throttled: bool = False  # too many wrong codes in a row: django-otp asks to wait before the next one
    recovery: bool = False  # a recovery code was used (and is now spent)


def verify_code(user, code: str) -> Verification:
    """Check a code from the application (6 digits) or a recovery code (8 characters) for ``user``."""
    code = _clean(code)
    if re.fullmatch(r"\d{6}", code):
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
        recovery = False
    elif re.fullmatch(r"[a-z2-7]{8}", code):
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
        recovery = True
    else:
        return Verification(None)
    throttled = False
    for device in devices:
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            allowed, info = device.verify_is_allowed()
            if not allowed and info and info.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
                throttled = True
                continue
            if device.verify_token(code):
                return Verification(device, recovery=recovery)
    return Verification(None, throttled=throttled)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes by ten new ones, returned for showing once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def enable(request, device: TOTPDevice) -> list[str]:
    """Confirm ``device`` (its code was just verified), mark the session as verified and make recovery
    codes. Returns the codes, to be shown once."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Another application set up earlier and never confirmed is dropped.
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    codes = new_recovery_codes(device.user)
    otp_login(request, device)
    record(
        AuditEvent.Kind.OTP_ENABLED, request=request, user=device.user, target=f"auth.user:{device.user_id}"
    )
    return codes


@transaction.atomic
def disable(request, user) -> None:
    """Remove the application and the recovery codes. The session loses its verified state with them."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(AuditEvent.Kind.OTP_DISABLED, request=request, user=user, target=f"auth.user:{user.pk}")


def regenerate_recovery_codes(request, user) -> list[str]:
    codes = new_recovery_codes(user)
    # No event kind of its own: logged as a change to the two-factor set-up.
    record(
        AuditEvent.Kind.OTP_ENABLED,
        request=request,
        user=user,
        target=f"auth.user:{user.pk}",
        recovery_codes="regenerated",
    )
    return codes
