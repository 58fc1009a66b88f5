"""Two-factor authentication: set-up, login with a code or a recovery code, mandatory roles, management."""

import re
import time

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coopdec.accounts import twofactor
from coopdec.accounts.views.session import PENDING_SECONDS
from coopdec.audit.models import AuditEvent
from coopdec.orgs.models import Membership
from coopdec.orgs.tests import personas
from coopdec.orgs.tests.personas import PASSWORD, login

from .helpers import password_login, text, totp_code

pytestmark = pytest.mark.django_db
K = AuditEvent.Kind
MANDATORY = ("correspondent_a", "correspondent_b", "prefecture_r", "daect")
OPTIONAL = ("agent_x", "agent_y", "operator")


def set_up(client) -> tuple[TOTPDevice, list[str]]:
    """Go through the set-up page as the signed-in user; returns the device and the recovery codes."""
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user_id=client.session["_auth_user_id"], confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"code": totp_code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", text(response))
    device.refresh_from_db()
    return device, codes


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def test_the_mandatory_roles_are_the_ones_personas_pass(db):
    assert set(personas.TWO_FACTOR_ROLES) == set(twofactor.MANDATORY_ROLES)


# Set-up --------------------------------------------------------------------------------------------------


def test_set_up_shows_a_qr_code_and_the_secret_then_confirms(client, world):
    login(client, world.user("agent_x"))
    page = client.get(reverse("accounts:otp_setup"))
    html = text(page)
    assert "<svg" in html and "<script" not in html.split('id="content"')[1].split("</main>")[0]
    device = TOTPDevice.objects.get(user=world.user("agent_x"))
    assert not device.confirmed
    secret = twofactor.secret_base32(device)
    assert secret in html and len(secret.replace(" ", "")) == 32
    # Reloading shows the same secret (what was scanned stays valid).
    assert secret in text(client.get(reverse("accounts:otp_setup")))
    assert TOTPDevice.objects.filter(user=world.user("agent_x")).count() == 1

    wrong = client.post(reverse("accounts:otp_setup"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "Code incorrect" in text(wrong)
    assert AuditEvent.objects.get(kind=K.OTP_FAILED).detail["step"] == "setup"
    device.throttle_reset()

    device, codes = set_up(client)
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert twofactor.recovery_codes_left(world.user("agent_x")) == 10
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # this session is verified
    assert AuditEvent.objects.filter(kind=K.OTP_ENABLED, user=world.user("agent_x")).count() == 1
    # Once on, the set-up page sends to the account page.
    assert client.get(reverse("accounts:otp_setup"))["Location"] == reverse("accounts:account")


def test_the_qr_code_holds_the_otpauth_address(world):
    device = twofactor.unconfirmed_totp(world.user("agent_x"))
    assert device.config_url.startswith("otpauth://totp/coopdec%3Aagent_x?secret=")
    assert twofactor.qr_code_svg(device).startswith("<svg")


# Login with a second factor ------------------------------------------------------------------------------


def test_login_asks_the_code_after_the_password(client, world):
    user = world.user("agent_x")
    device = device_for(user)
    response = password_login(client, "agent_x@example.org", next="/compte/")
    assert response["Location"] == reverse("accounts:login_otp") + "?next=%2Fcompte%2F"
    # Not signed in yet: the password alone opens nothing.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:account"))["Location"].startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.filter(kind=K.LOGIN).exists()

    wrong = client.post(reverse("accounts:login_otp"), {"code": "123456", "next": "/compte/"})
    assert wrong.status_code == 400
    assert "Code incorrect" in text(wrong)
    assert AuditEvent.objects.get(kind=K.OTP_FAILED).detail["step"] == "login"
    device.throttle_reset()

    right = client.post(reverse("accounts:login_otp"), {"code": totp_code(device), "next": "/compte/"})
    assert right["Location"] == "/compte/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert AuditEvent.objects.get(kind=K.LOGIN).detail["second_factor"] == "totp"


def test_a_code_is_accepted_once(client, world):
    device = device_for(world.user("agent_x"))
    code = totp_code(device)
    password_login(client, "agent_x@example.org")
    assert client.post(reverse("accounts:login_otp"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    password_login(client, "agent_x@example.org")
    assert client.post(reverse("accounts:login_otp"), {"code": code}).status_code == 400


def test_a_recovery_code_works_once_instead_of_the_application(client, world):
    user = world.user("agent_x")
    login(client, user)
    device, codes = set_up(client)
    client.post(reverse("accounts:logout"))

    password_login(client, "agent_x@example.org")
    response = client.post(reverse("accounts:login_otp"), {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[0][0] == reverse("accounts:account")
    assert "codes restants : 9" in text(response)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.filter(kind=K.LOGIN).latest("pk").detail["second_factor"] == "recovery"
    assert twofactor.recovery_codes_left(user) == 9
    client.post(reverse("accounts:logout"))

    password_login(client, "agent_x@example.org")
    again = client.post(reverse("accounts:login_otp"), {"code": codes[0]})
    assert again.status_code == 400


def test_the_code_step_expires(client, world, monkeypatch):
    device_for(world.user("agent_x"))
    password_login(client, "agent_x@example.org")
    assert client.get(reverse("accounts:login_otp")).status_code == 200
    later = time.time() + PENDING_SECONDS + 1
    monkeypatch.setattr("coopdec.accounts.views.session.time.time", lambda: later)
    response = client.get(reverse("accounts:login_otp"))
    assert response["Location"] == reverse("accounts:login")


def test_the_code_step_without_a_password_first_goes_to_login(client, world):
    assert client.get(reverse("accounts:login_otp"))["Location"] == reverse("accounts:login")


def test_wrong_codes_count_towards_the_lock_out(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    device = device_for(world.user("agent_x"))
    password_login(client, "agent_x@example.org", "wrong")
    password_login(client, "agent_x@example.org")
    client.post(reverse("accounts:login_otp"), {"code": "111111"})
    device.throttle_reset()
    response = client.post(reverse("accounts:login_otp"), {"code": "222222"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "bloquée jusqu'à" in text(response)
    assert AuditEvent.objects.filter(kind=K.LOCKED_OUT, username="agent_x").exists()
    # The half-done login is dropped: the right code no longer helps.
    assert client.get(reverse("accounts:login_otp"))["Location"] == reverse("accounts:login")


def test_wrong_codes_in_a_row_are_slowed_down(client, world):
    device_for(world.user("agent_x"))
    password_login(client, "agent_x@example.org")
    client.post(reverse("accounts:login_otp"), {"code": "111111"})
    response = client.post(reverse("accounts:login_otp"), {"code": "222222"})
    assert "attendez quelques secondes" in text(response)


# Mandatory for DAECT, correspondents and prefectures -----------------------------------------------------


@pytest.mark.parametrize("persona", MANDATORY)
def test_mandatory_roles_must_set_up_before_anything_else(client, world, persona):
    client.force_login(world.user(persona))
    for url in (reverse("accounts:account"), reverse("atlas:home"), "/espace/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:otp_setup") + "?next="), url
    # Still open: the set-up page itself and logging out.
    assert client.get(reverse("accounts:otp_setup")).status_code == 200
    assert client.get(reverse("accounts:logout")).status_code == 200
    set_up(client)
    assert client.get(reverse("accounts:account")).status_code == 200
    assert client.get(reverse("atlas:home")).status_code == 200


def test_htmx_requests_are_redirected_by_header(client, world):
    client.force_login(world.user("daect"))
    response = client.get(reverse("atlas:home"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(reverse("accounts:otp_setup"))


def test_mandatory_role_with_a_device_is_sent_to_the_code_step(client, world):
    user = world.user("daect")
    device = device_for(user)
    client.force_login(user)  # a session without a second factor (e.g. opened before the role was given)
    response = client.get(reverse("accounts:account"))
    assert response["Location"].startswith(reverse("accounts:login_otp"))
    # The set-up page cannot be used to get round the code of the existing application.
    assert client.get(reverse("accounts:otp_setup"))["Location"] == reverse("accounts:login_otp")
    response = client.post(reverse("accounts:login_otp"), {"code": totp_code(device), "next": "/compte/"})
    assert response["Location"] == "/compte/"
    assert client.get(reverse("accounts:account")).status_code == 200


def test_a_pending_mandatory_role_does_not_require_it(client, world):
    user = world.user("agent_x")
    Membership.objects.create(
        user=user, organisation=world.ministry, role=Membership.Role.DAECT, status=Membership.Status.PENDING
    )
    client.force_login(user)
    assert client.get(reverse("accounts:account")).status_code == 200


@pytest.mark.parametrize("persona", OPTIONAL)
def test_optional_for_other_roles(client, world, persona):
    client.force_login(world.user(persona))
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 200
    assert reverse("accounts:otp_setup") in text(response)
    assert "Désactivée" in text(response)


def test_optional_but_once_on_it_is_asked(client, world):
    user = world.user("agent_x")
    device_for(user)
    client.force_login(user)
    assert client.get(reverse("atlas:home"))["Location"].startswith(reverse("accounts:login_otp"))


@pytest.mark.parametrize("persona", personas.PERSONA_NAMES)
def test_personas_login_passes_the_second_factor(client, world, persona):
    login(client, world.user(persona))
    response = client.get(reverse("accounts:account"))
    if persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 200, persona


# Management in "Mon compte" -----------------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(client, world):
    user = world.user("agent_x")
    login(client, user)
    _, old = set_up(client)
    assert client.get(reverse("accounts:otp_recovery_codes")).status_code == 405  # a POST only
    response = client.post(reverse("accounts:otp_recovery_codes"))
    new = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", text(response))
    assert len(new) == 10 and not set(new) & set(old)
    tokens = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert tokens == {code.replace("-", "") for code in new}
    assert AuditEvent.objects.filter(kind=K.OTP_ENABLED, detail__recovery_codes="regenerated").count() == 1


def test_turning_it_off_asks_the_password(client, world):
    user = world.user("agent_x")
    login(client, user)
    set_up(client)
    page = client.get(reverse("accounts:otp_disable"))
    assert "Désactiver la double authentification" in text(page)
    wrong = client.post(reverse("accounts:otp_disable"), {"password": "nope"})
    assert wrong.status_code == 400
    assert twofactor.has_two_factor(user)
    response = client.post(reverse("accounts:otp_disable"), {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:account")
    assert not twofactor.has_two_factor(user)
    assert twofactor.recovery_codes_left(user) == 0
    assert AuditEvent.objects.filter(kind=K.OTP_DISABLED, user=user).count() == 1
    assert client.get(reverse("accounts:account")).status_code == 200


def test_mandatory_roles_replace_the_application_instead(client, world):
    user = world.user("prefecture_r")
    login(client, user)
    account = text(client.get(reverse("accounts:account")))
    assert "Remplacer mon application" in account
    assert "Désactiver la double authentification" not in account
    response = client.post(reverse("accounts:otp_disable"), {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:otp_setup")
    # Without an application the session is no longer verified: the set-up is forced again.
    assert client.get(reverse("accounts:account"))["Location"].startswith(reverse("accounts:otp_setup"))
    set_up(client)
    assert client.get(reverse("accounts:account")).status_code == 200


def test_the_account_page_shows_the_two_factor_state(client, world):
    login(client, world.user("daect"))
    html = text(client.get(reverse("accounts:account")))
    assert "Activée" in html
    # The persona's device came without recovery codes (French source strings follow gettext's n != 1).
    assert re.search(r"Il vous reste 0 codes? de secours\.", html)
    assert "Votre rôle rend la double authentification obligatoire" in html
