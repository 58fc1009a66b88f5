"""The forms of the accounts pages, and the language switch, under hostile input.

Each form is posted by the person who can reach it: anonymous visitors for sign-up (each step, with the
session of the steps before), the organisation request, login, the two-factor code at login, the forgotten
password and its new password, the confirmation link's resend and the language switch; a signed-in agent for
the password change and setting up two-factor authentication; DAECT staff (two-factor on) for turning it off.
What a refusal may write is listed with each form: a failed login or code is written to the audit log (the
lock-out counts failures there), and django-otp counts wrong codes on the device to slow guessing down.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import strategies as st

from coopdec.orgs.tests.personas import PASSWORD, login

from .conftest import AUDIT, REDIRECTS, TOTP_DEVICE, run_form
from .hostile import codes

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EMAILS = st.sampled_from(
    [
        "agent_x@example.org",
        "AGENT_X@example.org",
        "nouvelle@example.org",
        "a@b",
        "x@ex\x00.org",
        "@",
        "é@é.fr",
    ]
)
NAMES = st.sampled_from(["Claire", "Jean-Pierre", "O'Brien", "李", ""])
NEW_PASSWORD = "une-autre-phrase-de-passe-2026"  # noqa: S105 - a test password, set in the test database only
PASSWORDS = st.sampled_from([PASSWORD, "court", "motdepasse-tres-long-2026", "12345678901234", ""])
KINDS = codes("commune", "departement", "ambassade", "autorite_etrangere", "ministere")
STATIC_DEVICE = "otp_static.StaticDevice"  # recovery codes are throttled like the application's codes


def _template(name: str):
    return lambda response: name in {t.name for t in response.templates}


def test_signup_kind(client, db):
    run_form(client, reverse("accounts:signup"), {"kind": KINDS})


def test_signup_organisation(client, world):
    client.post(reverse("accounts:signup"), {"kind": "commune"})
    slug = world.authority_x.slug
    run_form(
        client,
        reverse("accounts:signup_organisation"),
        {"organisation": st.sampled_from([slug, slug.upper(), world.authority_y.slug, "inconnue"])},
    )


def test_signup_person(client, world):
    client.post(reverse("accounts:signup"), {"kind": "commune"})
    client.post(reverse("accounts:signup_organisation"), {"organisation": world.authority_x.slug})
    base = {
        "first_name": "Claire",
        "last_name": "Martin",
        "email": "claire.martin@example.org",
        "function": "Chargée de mission",
        "password1": "une-phrase-de-passe-2026",
        "password2": "une-phrase-de-passe-2026",
    }
    shapes = {
        "first_name": NAMES,
        "last_name": NAMES,
        "email": EMAILS,
        "function": NAMES,
        "password1": PASSWORDS,
        "password2": PASSWORDS,
    }
    run_form(client, reverse("accounts:signup_person"), shapes, base=base)


def test_organisation_request(client, db):
    base = {
        "name": "Commune de Podor",
        "kind": "autorite_etrangere",
        "place": "Podor, Sénégal",
        "requester_name": "Awa Ndiaye",
        "requester_email": "awa@example.org",
    }
    shapes = {
        "name": NAMES,
        "kind": KINDS,
        "place": NAMES,
        "requester_name": NAMES,
        "requester_email": EMAILS,
        "requester_function": NAMES,
        "message": NAMES,
    }
    run_form(
        client,
        reverse("accounts:organisation_request"),
        shapes,
        base=base,
        success=_template("accounts/organisation_request_sent.html"),
    )


def test_login(client, world):
    shapes = {
        "identifier": st.one_of(EMAILS, st.sampled_from(["agent_x", "daect", "AGENT_X"])),
        "password": PASSWORDS,
        "next": st.sampled_from(
            ["/espace/", "//evil.example/", "https://evil.example/", "javascript:x", "espace"]
        ),
    }
    # A failed login is written to the audit log, where the lock-out counts it. The base is a good login,
    # so that the drawn examples reach what follows a success (the redirection to ``next``).
    base = {"identifier": "agent_x", "password": PASSWORD}
    run_form(client, reverse("accounts:login"), shapes, base=base, tolerated={AUDIT})


def test_login_code(client, world):
    """The code step of a login in progress (DAECT staff, whose application is set up)."""
    daect = world.user("daect")
    login(client, daect)  # gives the persona a confirmed application
    client.logout()
    response = client.post(reverse("accounts:login"), {"identifier": "daect", "password": PASSWORD})
    assert response.status_code in REDIRECTS and reverse("accounts:login_otp") in response["Location"]
    shapes = {
        "code": st.one_of(
            st.from_regex(r"[0-9]{6}", fullmatch=True),
            st.from_regex(r"[a-z2-7]{4}-?[a-z2-7]{4}", fullmatch=True),
            st.sampled_from(["١٢٣٤٥٦", "000 000", "²²²²²²"]),
        ),
        "next": st.sampled_from(["/espace/", "//evil.example/"]),
    }
    # A wrong code is written to the audit log (it counts towards the lock-out) and counted on the
    # devices by django-otp, which makes the next attempt wait.
    run_form(client, reverse("accounts:login_otp"), shapes, tolerated={AUDIT, TOTP_DEVICE, STATIC_DEVICE})


def test_password_reset(client, world):
    run_form(
        client, reverse("accounts:password_reset"), {"email": EMAILS}, base={"email": "agent_x@example.org"}
    )


def test_password_reset_new_password(client, world):
    user = world.user("agent_x")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    response = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]))
    assert response.status_code in REDIRECTS  # to the same page with "set-password" in place of the token
    shapes = {"new_password1": PASSWORDS, "new_password2": PASSWORDS}
    base = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    run_form(client, response["Location"], shapes, base=base)


def test_resend_confirmation(client, world):
    base = {"email": "agent_x@example.org"}
    run_form(client, reverse("accounts:resend_confirmation"), {"email": EMAILS}, base=base)


def test_language_switch(client, db):
    shapes = {
        "language": st.sampled_from(["fr", "en", "de", "EN", "en-gb", "zz-ZZ"]),
        "next": st.sampled_from(["/atlas/", "/en/atlas/", "//evil.example/", "/espace/?a=%FF", "\\\\evil"]),
    }
    run_form(client, reverse("set_language"), shapes, base={"language": "en", "next": "/atlas/"})


def test_password_change(client, world):
    login(client, world.user("agent_x"))
    shapes = {"old_password": PASSWORDS, "new_password1": PASSWORDS, "new_password2": PASSWORDS}
    base = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    run_form(client, reverse("accounts:password_change"), shapes, base=base)


def test_two_factor_setup(client, world):
    login(client, world.user("agent_x"))
    client.get(reverse("accounts:otp_setup"))  # the application being set up: its secret is made here
    shapes = {
        "code": st.one_of(st.from_regex(r"[0-9 ]{6,8}", fullmatch=True), st.sampled_from(["١٢٣٤٥٦"])),
        "next": st.sampled_from(["/espace/", "//evil.example/"]),
    }
    # A wrong code is written to the audit log, and django-otp counts it on the device being set up.
    run_form(client, reverse("accounts:otp_setup"), shapes, tolerated={AUDIT, TOTP_DEVICE})


def test_two_factor_disable(client, world):
    login(client, world.user("daect"))
    run_form(client, reverse("accounts:otp_disable"), {"password": PASSWORDS}, base={"password": PASSWORD})
