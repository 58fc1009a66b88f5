"""Sign-up in three steps, e-mail confirmation, and the "my organisation is missing" request."""

from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from coopdec.accounts import orgsearch, signup
from coopdec.accounts.models import OrganisationRequest
from coopdec.accounts.tasks import tasks_for
from coopdec.atlas.tests import factories as f
from coopdec.audit.models import AuditEvent
from coopdec.orgs.models import ROLE_FOR_KIND, Membership, Organisation
from coopdec.orgs.policies import actor_for
from coopdec.orgs.tests.personas import login

from .helpers import link_in, password_login, text

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "rivière-baobab-1987-lanterne"
PERSON = {
    "first_name": "Awa",
    "last_name": "Diallo",
    "email": "Awa.Diallo@Strasbourg.example.fr",
    "function": "Chargée de mission relations internationales",
    "password1": GOOD_PASSWORD,
    "password2": GOOD_PASSWORD,
}


def choose(client, kind: str, organisation: Organisation | None = None):
    assert client.post(reverse("accounts:signup"), {"kind": kind}).status_code == 302
    if organisation is not None:
        response = client.post(reverse("accounts:signup_organisation"), {"organisation": organisation.slug})
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:signup_person")


def sign_up(client, world, django_capture_on_commit_callbacks, **person):
    choose(client, "commune", world.authority_x)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:signup_person"), {**PERSON, **person})


# Step 1 -------------------------------------------------------------------------------------------------


def test_step_one_lists_every_kind_that_gives_a_role(client, db):
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 200
    html = text(response)
    for kind in ROLE_FOR_KIND:
        assert f'value="{kind.value}"' in html
    assert 'value="autre"' not in html  # "other funder" gives no role: not offered
    assert "Étape 1 sur 3" in html


def test_step_one_refuses_an_unknown_kind(client, db):
    response = client.post(reverse("accounts:signup"), {"kind": "banque"})
    assert response.status_code == 200
    assert "fr-fieldset--error" in text(response)
    assert "accounts_signup" not in client.session


def test_later_steps_send_back_to_the_missing_one(client, world):
    response = client.get(reverse("accounts:signup_organisation"))
    assert response["Location"] == reverse("accounts:signup")
    choose(client, "commune")
    response = client.get(reverse("accounts:signup_person"))
    assert response["Location"] == reverse("accounts:signup_organisation")


def test_signed_in_people_are_sent_to_their_account(client, world):
    login(client, world.user("agent_x"))
    for name in ("accounts:signup", "accounts:signup_organisation", "accounts:signup_person"):
        assert client.get(reverse(name))["Location"] == reverse("accounts:account")


# Step 2: the type-ahead -----------------------------------------------------------------------------------


def test_search_ignores_accents_case_and_hyphens(world):
    assert [m.name for m in orgsearch.search("autorite_etrangere", "segou")] == ["Commune de Ségou"]
    assert [m.name for m in orgsearch.search("commune", "STRAS")] == ["Ville de Strasbourg"]
    # The place and the official code are searched too.
    assert [m.name for m in orgsearch.search("commune", "67482")] == ["Ville de Strasbourg"]
    assert orgsearch.search("commune", "strasbourg bas rhin")[0].place == "Bas-Rhin (67)"


def test_search_keeps_to_the_kind_and_needs_two_letters(world):
    assert orgsearch.search("departement", "strasbourg") == []
    assert orgsearch.search("commune", "s") == []
    assert orgsearch.search("commune", "   ") == []


def test_search_puts_names_starting_with_the_query_first(db):
    f.OrganisationFactory(kind="commune", name="Le Mans")
    f.OrganisationFactory(kind="commune", name="Mansigné")
    f.OrganisationFactory(kind="commune", name="Mans")
    f.OrganisationFactory(kind="commune", name="Romans")  # "mans" inside a word: not a match
    assert [m.name for m in orgsearch.search("commune", "mans")] == ["Mans", "Mansigné", "Le Mans"]


def test_search_words_start_words(db):
    seine_saint_denis = f.department("75")  # any department: only its name matters here
    seine_saint_denis.name = "Seine-Saint-Denis"
    seine_saint_denis.save()
    f.OrganisationFactory(kind="commune", name="Bondy", department=seine_saint_denis)
    f.OrganisationFactory(kind="commune", name="Saint-Étienne")
    f.OrganisationFactory(kind="commune", name="Saint-Denis")
    assert [m.name for m in orgsearch.search("commune", "saint e")] == ["Saint-Étienne"]
    # Found through its place, after the names that hold the words.
    assert [m.name for m in orgsearch.search("commune", "saint denis")] == ["Saint-Denis", "Bondy"]


def test_step_two_works_without_javascript(client, world):
    choose(client, "commune")
    response = client.get(reverse("accounts:signup_organisation"), {"q": "strasbourg"})
    html = text(response)
    assert response.status_code == 200
    assert f'name="organisation" value="{world.authority_x.slug}"' in html
    assert "Gironde" not in html
    assert reverse("accounts:organisation_request") in html


def test_step_two_htmx_returns_the_list_alone(client, world):
    choose(client, "departement")
    response = client.get(reverse("accounts:signup_search"), {"q": "giron"}, HTTP_HX_REQUEST="true")
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert f'value="{world.authority_y.slug}"' in html
    empty = text(client.get(reverse("accounts:signup_search"), {"q": "zzzz"}))
    assert "Aucune organisation de cette nature ne correspond à « zzzz »" in empty


def test_search_list_is_empty_before_step_one(client, world):
    response = client.get(reverse("accounts:signup_search"), {"q": "strasbourg"})
    assert world.authority_x.slug not in text(response)


def test_step_two_refuses_an_organisation_of_another_kind(client, world):
    choose(client, "commune")
    response = client.post(reverse("accounts:signup_organisation"), {"organisation": world.authority_y.slug})
    assert response.status_code == 200
    assert "n'est pas de la nature choisie" in text(response)
    response = client.post(reverse("accounts:signup_organisation"), {})
    assert "Choisissez votre organisation dans la liste." in text(response)


def test_the_search_is_cached_per_kind(world, django_assert_num_queries):
    orgsearch.search("commune", "stras")
    with django_assert_num_queries(0):
        orgsearch.search("commune", "strasbourg")


# Step 3 --------------------------------------------------------------------------------------------------


def test_step_three_shows_the_organisation_role_and_password_rules(client, world):
    choose(client, "commune", world.authority_x)
    html = text(client.get(reverse("accounts:signup_person")))
    assert "Ville de Strasbourg" in html
    assert str(Membership.Role.AGENT.label) in html
    assert "12 caractères" in html  # the rules of settings.AUTH_PASSWORD_VALIDATORS


def test_sign_up_creates_an_inactive_user_and_a_pending_membership(
    client, world, django_capture_on_commit_callbacks
):
    response = sign_up(client, world, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(username="awa.diallo@strasbourg.example.fr")
    assert user.email == user.username
    assert not user.is_active
    assert user.check_password(GOOD_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert membership.organisation == world.authority_x
    assert membership.role == Membership.Role.AGENT
    assert membership.status == Membership.Status.PENDING
    assert membership.function == PERSON["function"]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SIGNUP)
    assert event.user_id == user.pk and event.detail["organisation"] == world.authority_x.slug
    # No right until DAECT grants the membership.
    assert actor_for(user).organisation_ids == frozenset()

    done = text(client.get(response["Location"]))
    assert "awa.diallo@strasbourg.example.fr" in done
    assert "en attente jusqu'à sa validation par la DAECT" in done

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["awa.diallo@strasbourg.example.fr"]
    assert "Confirmez votre adresse" in message.subject
    assert "valable 3 jours" in message.body


@pytest.mark.parametrize(
    "kind, factory, role",
    [
        ("ambassade", f.EmbassyFactory, Membership.Role.CORRESPONDENT),
        ("prefecture", f.PrefectureFactory, Membership.Role.PREFECTURE),
        ("operateur", f.OperatorFactory, Membership.Role.OPERATOR),
        ("reseau", f.NetworkFactory, Membership.Role.NETWORK),
        ("autorite_etrangere", f.ForeignAuthorityFactory, Membership.Role.FOREIGN),
    ],
)
def test_the_role_follows_the_kind(client, db, django_capture_on_commit_callbacks, kind, factory, role):
    organisation = factory()
    choose(client, kind, organisation)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup_person"), PERSON)
    assert Membership.objects.get(organisation=organisation).role == role


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"password1": "court", "password2": "court"}, "password1", "au minimum 12 caractères"),
        ({"password1": "ilovemyfamily", "password2": "ilovemyfamily"}, "password1", "trop courant"),
        (
            {"password1": "awadiallo-strasbourg", "password2": "awadiallo-strasbourg"},
            "password1",
            "trop semblable",
        ),
        ({"password2": "autre-chose-encore-1987"}, "password2", "ne sont pas identiques"),
        ({"email": "pas-une-adresse"}, "email", "adresse de courriel valide"),
        ({"function": ""}, "function", "Ce champ est obligatoire"),
    ],
)
def test_bad_input_creates_nothing(
    client, world, django_capture_on_commit_callbacks, changes, field, message
):
    users = User.objects.count()
    response = sign_up(client, world, django_capture_on_commit_callbacks, **changes)
    assert response.status_code == 200
    assert response.context["form"].has_error(field)
    assert message in text(response)
    assert User.objects.count() == users
    assert not mail.outbox
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGNUP).exists()


def test_an_address_already_used_is_refused_clearly(client, world, django_capture_on_commit_callbacks):
    users, memberships = User.objects.count(), Membership.objects.count()
    response = sign_up(client, world, django_capture_on_commit_callbacks, email="AGENT_X@example.org")
    assert response.status_code == 200
    assert "Un compte existe déjà avec cette adresse" in text(response)
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    assert not mail.outbox


def test_create_account_refuses_a_taken_address_even_past_the_form(rf, world):
    request = rf.post("/")
    with pytest.raises(signup.EmailTaken):
        signup.create_account(
            request,
            organisation=world.authority_x,
            first_name="A",
            last_name="B",
            email="agent_y@EXAMPLE.org",
            function="x",
            password=GOOD_PASSWORD,
        )


# Confirmation --------------------------------------------------------------------------------------------


def test_the_link_activates_the_account_and_tells_daect(client, world, django_capture_on_commit_callbacks):
    sign_up(client, world, django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0].body)
    assert password_login(client, PERSON["email"], GOOD_PASSWORD).status_code == 400  # not confirmed yet
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(path)
    html = text(response)
    assert response.status_code == 200
    assert "Votre adresse est confirmée" in html
    assert "attendent la validation de la DAECT" in html
    user = User.objects.get(username="awa.diallo@strasbourg.example.fr")
    assert user.is_active
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGNUP, detail__step="email_confirmed").count() == 1
    to_daect = mail.outbox[-1]
    assert to_daect.to == [settings.DAECT_EMAIL]
    assert "Ville de Strasbourg" in to_daect.body and "Awa Diallo" in to_daect.subject
    # Used again: nothing changes.
    assert "déjà confirmée" in text(client.get(path))
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGNUP, detail__step="email_confirmed").count() == 1
    # The person may now sign in; the membership is still pending.
    assert password_login(client, "awa.diallo@strasbourg.example.fr", GOOD_PASSWORD).status_code == 302
    assert Membership.objects.get(user=user).status == Membership.Status.PENDING


def test_a_tampered_or_expired_link_is_refused(client, world, django_capture_on_commit_callbacks):
    sign_up(client, world, django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0].body)
    response = client.get(path[:-3] + "xyz/")
    assert response.status_code == 400
    assert "n'est pas valable" in text(response)
    later = signup.CONFIRMATION_MAX_AGE + 60
    with mock.patch("django.core.signing.time.time", return_value=__import__("time").time() + later):
        response = client.get(path)
    assert response.status_code == 400
    assert "Ce lien a expiré" in text(response)
    assert not User.objects.get(username="awa.diallo@strasbourg.example.fr").is_active


def test_a_new_link_can_be_asked_for_without_revealing_accounts(
    client, world, django_capture_on_commit_callbacks
):
    sign_up(client, world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    url = reverse("accounts:resend_confirmation")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": PERSON["email"].upper()}, follow=True)
        unknown = client.post(url, {"email": "personne@example.org"}, follow=True)
        active = client.post(url, {"email": "agent_x@example.org"}, follow=True)
    sent = "Si un compte attend la confirmation de cette adresse"
    assert all(sent in text(r) for r in (known, unknown, active))
    assert [m.to for m in mail.outbox] == [["awa.diallo@strasbourg.example.fr"]]


# "My organisation is missing" ----------------------------------------------------------------------------

REQUEST = {
    "name": "Commune de Dimbokro",
    "kind": "autorite_etrangere",
    "place": "Dimbokro, Côte d'Ivoire",
    "requester_name": "Koffi Yao",
    "requester_email": "koffi.yao@example.ci",
    "requester_function": "Secrétaire général",
    "message": "",
}


def test_organisation_request_goes_to_daect(client, db, django_capture_on_commit_callbacks):
    client.post(reverse("accounts:signup"), {"kind": "autorite_etrangere"})
    form = client.get(reverse("accounts:organisation_request"))
    assert form.context["form"].initial["kind"] == "autorite_etrangere"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:organisation_request"), REQUEST)
    assert response.status_code == 200
    assert "transmise à la DAECT" in text(response)
    req = OrganisationRequest.objects.get()
    assert (req.name, req.status, req.requester_email) == (
        "Commune de Dimbokro",
        OrganisationRequest.Status.NEW,
        "koffi.yao@example.ci",
    )
    assert mail.outbox[0].to == [settings.DAECT_EMAIL]
    assert "Commune de Dimbokro" in mail.outbox[0].subject
    assert f"/admin/accounts/organisationrequest/{req.pk}/change/" in mail.outbox[0].body


def test_organisation_request_with_bad_input_sends_nothing(client, db):
    response = client.post(reverse("accounts:organisation_request"), {**REQUEST, "requester_email": "non"})
    assert response.status_code == 200
    assert response.context["form"].has_error("requester_email")
    assert not OrganisationRequest.objects.exists()
    assert not mail.outbox


def test_daect_sees_the_requests_in_its_inbox_and_answers_them(
    client, world, django_capture_on_commit_callbacks
):
    assert tasks_for(actor_for(world.user("daect"))) == []
    OrganisationRequest.objects.create(**{k: v for k, v in REQUEST.items()})
    tasks = tasks_for(actor_for(world.user("daect")))
    assert [t.title for t in tasks] == ["1 demande d'ajout d'organisation à traiter"]
    assert tasks[0].url.startswith(reverse("admin:accounts_organisationrequest_changelist"))
    for persona in ("agent_x", "correspondent_a", "prefecture_r", "operator"):
        assert tasks_for(actor_for(world.user(persona))) == []

    login(client, world.user("daect"))
    changelist = client.get(tasks[0].url)
    assert changelist.status_code == 200
    assert "Commune de Dimbokro" in text(changelist)
    req = OrganisationRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:accounts_organisationrequest_changelist"),
            {"action": "mark_done", "_selected_action": [req.pk]},
        )
    req.refresh_from_db()
    assert req.status == OrganisationRequest.Status.DONE
    assert req.handled_by == world.user("daect") and req.handled_at is not None
    assert mail.outbox[-1].to == ["koffi.yao@example.ci"]
    assert "vous pouvez créer votre compte" in mail.outbox[-1].body
    assert tasks_for(actor_for(world.user("daect"))) == []


def test_the_requests_admin_is_closed_to_other_personas(client, world):
    for persona in ("agent_x", "correspondent_a", "prefecture_r", "operator"):
        login(client, world.user(persona))
        response = client.get(reverse("admin:accounts_organisationrequest_changelist"))
        assert response.status_code in (302, 403), persona
