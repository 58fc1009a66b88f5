"""Small helpers shared by the accounts tests."""

from __future__ import annotations

import datetime
import re
import time
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone
from django_otp.oath import TOTP

from coopdec.orgs.tests.personas import PASSWORD


def totp_code(device, steps_ahead: int = 0) -> str:
    """The code an authenticator shows for ``device`` now (or ``steps_ahead`` periods later).

    A code is accepted once only (django-otp remembers the last period used): a test that types two codes
    in a row uses the next period's for the second, which the device's tolerance of one period accepts.
    """
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def password_login(client, identifier: str, password: str = PASSWORD, **extra):
    from django.urls import reverse

    return client.post(reverse("accounts:login"), {"identifier": identifier, "password": password, **extra})


@contextmanager
def clock_moved(seconds: float):
    """Run the block as if ``seconds`` had passed (timezone.now only: what sessions and the log read)."""
    later = timezone.now() + datetime.timedelta(seconds=seconds)
    with mock.patch("django.utils.timezone.now", return_value=later):
        yield later


def link_in(body: str) -> str:
    """The first address of the site in a mail body, as a path."""
    match = re.search(r"https?://testserver(/\S+)", body)
    assert match, body
    return match.group(1)


def text(response) -> str:
    """A response's HTML with entities decoded (Django escapes apostrophes as &#x27;)."""
    import html

    return html.unescape(response.content.decode())
