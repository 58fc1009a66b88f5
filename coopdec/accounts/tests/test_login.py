"""Login, lock-out, logout, session expiry and the password pages."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.shortcuts import resolve_url
from django.urls import reverse

from coopdec.accounts import lockout
from coopdec.audit.models import AuditEvent
from coopdec.orgs.tests.personas import PASSWORD, login

from .helpers import clock_moved, link_in, password_login, text

pytestmark = pytest.mark.django_db
K = AuditEvent.Kind
NEW_PASSWORD = "lanterne-baobab-rivière-2031"


def test_the_login_page_offers_sign_up_and_password_reset(client, db):
    html = text(client.get(reverse("accounts:login")))
    assert reverse("accounts:signup") in html
    assert reverse("accounts:password_reset") in html
    assert 'autocomplete="current-password"' in html


def test_login_by_email_in_any_case(client, world):
    response = password_login(client, "Agent_X@Example.ORG")
    assert response.status_code == 302
    assert response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)
    user = world.user("agent_x")
    assert client.session["_auth_user_id"] == str(user.pk)
    event = AuditEvent.objects.get(kind=K.LOGIN)
    assert (event.user_id, event.username, event.detail["second_factor"]) == (user.pk, "agent_x", "")
    user.refresh_from_db()
    assert user.last_login is not None


def test_login_goes_to_next_when_it_is_on_this_site(client, world):
    target = reverse("accounts:account")
    assert password_login(client, "agent_x@example.org", next=target)["Location"] == target
    client.logout()
    outside = password_login(client, "agent_x@example.org", next="https://evil.example.com/")
    assert outside["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)


def test_the_login_page_keeps_next_in_its_form(client, db):
    html = text(client.get(reverse("accounts:login"), {"next": "/compte/"}))
    assert 'name="next" value="/compte/"' in html


@pytest.mark.parametrize("identifier", ["agent_x@example.org", "nobody@example.org"])
def test_a_wrong_password_gives_one_message_for_known_and_unknown_addresses(client, world, identifier):
    response = password_login(client, identifier, "not-the-password")
    assert response.status_code == 400
    assert "Adresse électronique ou mot de passe incorrect." in text(response)
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(kind=K.LOGIN_FAILED)
    assert event.detail["reason"] == "password"
    # A known address is logged under its account's username, an unknown one as typed.
    assert event.username == ("agent_x" if identifier.startswith("agent_x") else identifier)


def test_an_empty_form_says_what_is_missing(client, db):
    response = client.post(reverse("accounts:login"), {})
    assert response.status_code == 200
    assert response.context["form"].has_error("identifier")
    assert response.context["form"].has_error("password")
    assert not AuditEvent.objects.exists()


def test_lock_out_after_repeated_failures(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    first = password_login(client, "agent_x@example.org", "wrong-1")
    assert "Encore 2 essais" in text(first)
    second = password_login(client, "agent_x@example.org", "wrong-2")
    assert "Encore 1 essai avant" in text(second)
    third = password_login(client, "agent_x@example.org", "wrong-3")
    assert "la connexion est bloquée jusqu'à" in text(third)
    assert AuditEvent.objects.filter(kind=K.LOCKED_OUT, username="agent_x").count() == 1

    # Locked: even the right password is refused, and the attempt is logged without extending the lock.
    right = password_login(client, "AGENT_X@example.org")
    assert right.status_code == 400
    assert "bloquée jusqu'à" in text(right)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind=K.LOGIN_FAILED, detail__reason="locked").count() == 1
    assert AuditEvent.objects.filter(kind=K.LOCKED_OUT).count() == 1

    # Another account is not affected.
    assert password_login(client, "agent_y@example.org").status_code == 302
    client.logout()

    # After the lock-out period the right password works again, and the count starts afresh.
    with clock_moved(settings.LOGIN_LOCKOUT_SECONDS + 1):
        assert lockout.locked_until("agent_x") is None
        assert lockout.attempts_left("agent_x") == 3
        assert password_login(client, "agent_x@example.org").status_code == 302


def test_failures_outside_the_window_do_not_count(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    password_login(client, "agent_x@example.org", "wrong")
    with clock_moved(settings.LOGIN_FAILURE_WINDOW_SECONDS + 5):
        response = password_login(client, "agent_x@example.org", "wrong")
        assert "bloquée" not in text(response)
        assert lockout.attempts_left("agent_x") == 1


def test_a_successful_login_starts_the_count_afresh(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    password_login(client, "agent_x@example.org", "wrong")
    assert password_login(client, "agent_x@example.org").status_code == 302
    client.logout()
    response = password_login(client, "agent_x@example.org", "wrong")
    assert "bloquée" not in text(response)


def test_unknown_addresses_are_locked_like_known_ones(client, db, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    password_login(client, "ghost@example.org", "a")
    response = password_login(client, "Ghost@example.org", "b")
    assert "bloquée jusqu'à" in text(response)
    assert AuditEvent.objects.get(kind=K.LOCKED_OUT).username == "ghost@example.org"


def test_an_unconfirmed_account_is_told_so_only_with_the_right_password(client, world):
    user = world.user("agent_x")
    user.is_active = False
    user.save()
    wrong = password_login(client, "agent_x@example.org", "wrong")
    assert "pas encore confirmée" not in text(wrong)
    right = password_login(client, "agent_x@example.org")
    assert right.status_code == 400
    assert "Votre adresse n'est pas encore confirmée" in text(right)
    assert reverse("accounts:resend_confirmation") in text(right)
    assert AuditEvent.objects.filter(kind=K.LOGIN_FAILED, detail__reason="inactive").count() == 1


def test_logout_is_a_post(client, world):
    login(client, world.user("agent_x"))
    page = client.get(reverse("accounts:logout"))
    assert page.status_code == 200
    assert "_auth_user_id" in client.session  # a GET signs nobody out
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == resolve_url(settings.LOGOUT_REDIRECT_URL)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(kind=K.LOGOUT).username == "agent_x"


def test_the_session_ends_after_inactivity_only(client, world, settings):
    """SESSION_COOKIE_AGE is an idle timeout: every request renews it (SESSION_SAVE_EVERY_REQUEST)."""
    assert settings.SESSION_SAVE_EVERY_REQUEST
    idle = settings.SESSION_COOKIE_AGE
    login(client, world.user("agent_x"))
    account = reverse("accounts:account")
    assert client.get(account).status_code == 200
    # Two requests, each a little less than the idle time after the one before: still signed in.
    with clock_moved(idle - 60):
        assert client.get(account).status_code == 200
    with clock_moved(2 * idle - 120):
        assert client.get(account).status_code == 200
    # Then a little more than the idle time without a request: signed out, sent to the login page.
    with clock_moved(3 * idle - 60):
        response = client.get(account)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_reset_by_mail(client, world, django_capture_on_commit_callbacks):
    page = client.get(reverse("accounts:password_reset"))
    assert page.status_code == 200
    response = client.post(reverse("accounts:password_reset"), {"email": "AGENT_X@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    message = mail.outbox[0]
    assert message.to == ["agent_x@example.org"]
    assert message.subject == "Nouveau mot de passe — Portail de la coopération décentralisée"
    assert "Votre identifiant : agent_x" in message.body
    link = link_in(message.body)
    form = client.get(link, follow=True)  # Django moves the token into the session, then shows the form
    assert "12 caractères" in text(form)
    form_url = form.redirect_chain[-1][0]
    weak = client.post(form_url, {"new_password1": "court", "new_password2": "court"})
    assert weak.status_code == 200
    assert "au minimum 12 caractères" in text(weak)
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert AuditEvent.objects.get(kind=K.PASSWORD_RESET).user_id == world.user("agent_x").pk
    # The link works once.
    assert "n'est plus valable" in text(client.get(link, follow=True))
    assert password_login(client, "agent_x@example.org", NEW_PASSWORD).status_code == 302


def test_password_reset_says_the_same_for_unknown_addresses(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "personne@example.org"}, follow=True)
    assert "Si un compte actif utilise cette adresse" in text(response)
    assert not mail.outbox


def test_password_change(client, world):
    url = reverse("accounts:password_change")
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    login(client, world.user("agent_x"))
    wrong = client.post(
        url, {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].has_error("old_password")
    common = client.post(
        url, {"old_password": PASSWORD, "new_password1": "ilovemyfamily", "new_password2": "ilovemyfamily"}
    )
    assert "trop courant" in text(common)
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:account")
    assert client.get(reverse("accounts:account")).status_code == 200  # still signed in
    assert User.objects.get(username="agent_x").check_password(NEW_PASSWORD)
    assert AuditEvent.objects.get(kind=K.PASSWORD_CHANGED).user_id == world.user("agent_x").pk


def test_the_admin_login_form_is_replaced_by_ours(client, db):
    response = client.get(reverse("admin:login"), {"next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=%2Fadmin%2F" in response["Location"]
