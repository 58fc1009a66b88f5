"""The hourly cap on the forms that send mail for an anonymous visitor (coopdec/accounts/throttle.py)."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from coopdec.accounts import throttle
from coopdec.accounts.models import OrganisationRequest

from .helpers import text
from .test_signup import PERSON, REQUEST, choose

pytestmark = pytest.mark.django_db

REFUSED = "Trop de demandes de ce type ont été faites depuis votre connexion ou pour cette adresse"


def test_password_reset_mails_one_address_three_times_an_hour_at_most(
    client, world, django_capture_on_commit_callbacks
):
    url = reverse("accounts:password_reset")
    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(url, {"email": "agent_x@example.org"}) for _ in range(5)]
    assert [r.status_code for r in answers] == [302, 302, 302, 429, 429]
    assert REFUSED in text(answers[3])
    assert len(mail.outbox) == 3
    # Another address from the same visitor is still served, up to the visitor's own cap.
    assert client.post(url, {"email": "agent_y@example.org"}).status_code == 302


def test_one_visitor_cannot_spray_many_addresses(client, db, settings):
    url = reverse("accounts:resend_confirmation")
    answers = [client.post(url, {"email": f"cible{n}@example.org"}) for n in range(12)]
    assert [r.status_code for r in answers].count(429) == 12 - throttle.LIMITS["confirmation"].per_visitor
    assert answers[-1].status_code == 429
    assert REFUSED in text(answers[-1])
    # Another visitor (another address as the server sees it) is not affected.
    other = client.post(url, {"email": "cible0@example.org"}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302


def test_a_refused_sign_up_creates_nothing(client, rf, world, django_capture_on_commit_callbacks):
    # The address is capped whoever asks: three attempts for it from elsewhere, then this one is refused.
    for n in range(3):
        assert throttle.allow(rf.post("/", REMOTE_ADDR=f"198.51.100.{n}"), "signup", PERSON["email"])
    choose(client, "commune", world.authority_x)
    users = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup_person"), PERSON)
    assert response.status_code == 429
    assert REFUSED in text(response)
    assert User.objects.count() == users
    assert mail.outbox == []


def test_organisation_requests_are_capped(client, db, django_capture_on_commit_callbacks):
    url = reverse("accounts:organisation_request")
    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(url, {**REQUEST, "name": f"Commune {n}"}) for n in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert REFUSED in text(answers[-1])
    assert OrganisationRequest.objects.count() == 3
    assert len(mail.outbox) == 3
