"""Personal data: export (art. 15, 20) and erasure (art. 17) of a person found by e-mail address."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from coopdec.accounts.models import OrganisationRequest
from coopdec.atlas.history import save_tracked
from coopdec.atlas.models import Change, Contact, Project
from coopdec.audit.models import AuditEvent
from coopdec.orgs import privacy
from coopdec.orgs.models import Membership, OrganisationContact
from coopdec.orgs.tests.personas import login, make_user

pytestmark = pytest.mark.django_db

EMAIL = "claire.brouillon@example.org"
DESK = "orgs:personal_data"


@pytest.fixture
def claire(world):
    """Claire is a contact of X's draft (from the world), of X's published sheet (added, then her telephone
    changed: two history rows), an officer of authority X, and holds an account as agent of X."""
    agent = world.user("agent_x")
    project = world.project_x

    def add(p):
        Contact.objects.create(
            project=p, name="Claire Brouillon", function="Cheffe de projet", email=EMAIL.upper()
        )
        Contact.objects.create(project=p, name="Paul Autre", function="Élu", email="paul@example.org")

    save_tracked(project, by=agent, save_children=add)
    project.refresh_from_db()
    save_tracked(
        project,
        by=agent,
        save_children=lambda p: p.contacts.filter(email__iexact=EMAIL).update(phone="03 88 00 00 00"),
    )
    OrganisationContact.objects.create(
        organisation=world.authority_x,
        category=OrganisationContact.Category.OFFICER,
        name="Claire Brouillon",
        function="Chargée des relations internationales",
        email=EMAIL,
        phone="03 88 11 11 11",
    )
    user = make_user("claire", world.authority_x, Membership.Role.AGENT)
    user.email = EMAIL
    user.save()
    TOTPDevice.objects.create(user=user, name="application", confirmed=True)
    # Before her account, she had asked DAECT to add an organisation that was missing.
    OrganisationRequest.objects.create(
        name="Commune de Podor",
        kind="autorite_etrangere",
        place="Sénégal",
        requester_name="Claire Brouillon",
        requester_email=EMAIL,
        requester_function="Cheffe de projet",
    )
    return user


def history_text(project) -> str:
    diffs = Change.objects.filter(project=project).values_list("diff", flat=True)
    return json.dumps(list(diffs), ensure_ascii=False)


def test_find_gathers_every_kind(world, claire):
    holdings = privacy.find("  Claire.Brouillon@Example.org ")
    assert holdings.email == EMAIL
    assert [c.organisation for c in holdings.organisation_contacts] == [world.authority_x]
    assert {c.project for c in holdings.project_contacts} == {world.project_x, world.draft_x}
    assert holdings.accounts == [claire]
    assert len(holdings.history) == 2
    assert [r.requester_name for r in holdings.other["accounts.organisationrequest"]] == ["Claire Brouillon"]
    assert not holdings.empty
    assert privacy.find("personne@example.org").empty


def test_export_document(world, claire):
    data = privacy.export(EMAIL, by=world.user("daect"))
    assert data["format"] == privacy.FORMAT
    assert data["email"] == EMAIL
    (org_contact,) = data["organisation_contacts"]
    assert org_contact["organisation_slug"] == world.authority_x.slug
    assert org_contact["phone"] == "03 88 11 11 11"
    assert {c["project_slug"]: c["published"] for c in data["project_contacts"]} == {
        world.project_x.slug: True,
        world.draft_x.slug: False,
    }
    assert [len(row["lines"]) for row in data["sheet_history"]] in ([1, 2], [2, 1])
    (account,) = data["accounts"]
    assert account["username"] == "claire"
    assert account["memberships"][0]["organisation_slug"] == world.authority_x.slug
    # Secrets of the two-factor device are not part of an export.
    (device,) = account["other"]["otp_totp.totpdevice"]
    assert device["name"] == "application"
    assert "key" not in device
    (request,) = data["other_records"]["accounts.organisationrequest"]
    assert request["requester_email"] == EMAIL
    # The document is plain JSON.
    json.dumps(data)
    (event,) = AuditEvent.objects.filter(kind=AuditEvent.Kind.PERSONAL_DATA_EXPORTED)
    assert event.username == "daect"
    assert event.detail["email_sha256"] == privacy.digest(EMAIL)
    assert EMAIL not in json.dumps(event.detail)
    assert event.detail["project_contacts"] == 2


def test_erase(client, world, claire):
    project = world.project_x
    version = Project.all_objects.get(pk=project.pk).version
    public_sheet = reverse("atlas:project", args=[project.slug])
    assert "Claire Brouillon" in client.get(public_sheet).content.decode()  # and now in the page cache
    summary = privacy.erase(EMAIL, by=world.user("daect"))
    assert summary["organisation_contacts"] == 1
    assert summary["project_contacts"] == 2
    assert summary["accounts"] == 1
    assert summary["other_records"] == 1
    assert not OrganisationRequest.objects.filter(requester_email__iexact=EMAIL).exists()

    # Organisation contact gone; project contacts removed, other contacts and the sheets kept.
    assert not OrganisationContact.objects.filter(email__iexact=EMAIL).exists()
    assert not Contact.objects.filter(email__iexact=EMAIL).exists()
    assert list(project.contacts.values_list("name", flat=True)) == ["Paul Autre"]
    project = Project.all_objects.get(pk=project.pk)
    assert project.version == version + 1
    assert Project.all_objects.filter(pk=world.draft_x.pk, title="Brouillon de Strasbourg").exists()

    # The history records the erasure, and no row of it shows her name, address or telephone any more.
    last = Change.objects.filter(project=project).order_by("-version").first()
    assert last.comment == privacy.ERASURE_COMMENT
    assert last.changed_by == world.user("daect")
    for sheet in (project, world.draft_x):
        text = history_text(sheet)
        assert "Claire" not in text
        assert EMAIL not in text.lower()
        assert "03 88 00 00 00" not in text
    assert "Paul Autre" in history_text(project)
    assert privacy.REDACTED in history_text(project)
    assert privacy.find(EMAIL).empty
    # The public sheet follows the new version at once (its cache is keyed by version).
    content = client.get(public_sheet).content.decode()
    assert "Claire Brouillon" not in content
    assert "Paul Autre" in content

    # The account is deactivated and anonymised; its roles are revoked and written to the audit log.
    claire.refresh_from_db()
    assert not claire.is_active
    assert not claire.has_usable_password()
    assert (claire.username, claire.email, claire.first_name, claire.last_name) == (
        f"compte-efface-{claire.pk}",
        "",
        "",
        "",
    )
    assert not Membership.objects.filter(user=claire).exists()
    assert not TOTPDevice.objects.filter(user=claire).exists()
    revoked = AuditEvent.objects.get(kind=AuditEvent.Kind.ROLE_REVOKED)
    assert revoked.detail["organisation"] == world.authority_x.slug
    (event,) = AuditEvent.objects.filter(kind=AuditEvent.Kind.PERSONAL_DATA_ERASED)
    assert event.detail["email_sha256"] == privacy.digest(EMAIL)
    assert event.detail["history_rows_redacted"] >= 3


def test_erasing_an_account_relabels_the_history_it_authored(world, claire):
    project = world.project_y
    project.title = "Eau potable à Ségou (2026)"
    save_tracked(project, by=claire)
    privacy.erase(EMAIL)
    change = Change.objects.get(project=project, changed_by=claire)
    assert change.changed_by_label == f"compte-efface-{claire.pk}"
    assert project.title == Project.all_objects.get(pk=project.pk).title


def test_erasing_nobody_changes_nothing(world):
    before = Change.objects.count()
    summary = privacy.erase("personne@example.org")
    assert summary == {
        "organisation_contacts": 0,
        "project_contacts": 0,
        "accounts": 0,
        "history_rows": 0,
        "other_records": 0,
        "history_rows_redacted": 0,
    }
    assert Change.objects.count() == before


# ------------------------------------------------------------------------------------------------ the desk


def test_desk_search_export_erase(client, world, claire):
    login(client, world.user("daect"))
    response = client.get(reverse(DESK))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"

    response = client.post(reverse(DESK), {"email": EMAIL})
    content = response.content.decode()
    assert "Brouillon de Strasbourg" in content
    assert "2 contacts de fiches-projets" in content
    assert 'id="export-form"' in content

    response = client.post(reverse("orgs:personal_data_export"), {"email": EMAIL})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="donnees-personnelles-')
    assert json.loads(response.content)["accounts"][0]["username"] == "claire"

    # The erase button leads to a confirmation page; nothing is erased yet.
    response = client.post(reverse("orgs:personal_data_erase"), {"email": EMAIL})
    assert response.status_code == 200
    assert "Confirmer l'effacement" in response.content.decode()
    assert Contact.objects.filter(email__iexact=EMAIL).count() == 2

    # Without the box ticked: the page again, with the reason, and nothing erased.
    response = client.post(reverse("orgs:personal_data_erase"), {"email": EMAIL, "step": "erase"})
    assert response.status_code == 400
    assert "Cochez la case pour confirmer" in response.content.decode()
    assert Contact.objects.filter(email__iexact=EMAIL).count() == 2

    response = client.post(
        reverse("orgs:personal_data_erase"), {"email": EMAIL, "step": "erase", "confirm": "on"}, follow=True
    )
    assert response.status_code == 200
    assert "Effacement fait" in response.content.decode()
    assert not Contact.objects.filter(email__iexact=EMAIL).exists()


@pytest.mark.parametrize("view", ["personal_data", "personal_data_export", "personal_data_erase"])
def test_desk_refuses_a_bad_address(client, world, claire, view):
    login(client, world.user("daect"))
    response = client.post(
        reverse(f"orgs:{view}"), {"email": "pas-une-adresse", "step": "erase", "confirm": "on"}
    )
    assert response.status_code in (200, 302)
    if view == "personal_data":
        assert "Saisissez une adresse de courriel valide" in response.content.decode()
    assert Contact.objects.filter(email__iexact=EMAIL).count() == 2
    assert not AuditEvent.objects.filter(kind__startswith="personal_data").exists()


def test_desk_says_when_nothing_is_held(client, world):
    login(client, world.user("daect"))
    response = client.post(reverse(DESK), {"email": "personne@example.org"})
    assert 'id="nothing-held"' in response.content.decode()
    assert 'id="erase-form"' not in response.content.decode()


def test_desk_says_an_address_is_missing(client, world):
    """Regression (fuzzing): an empty POST showed the desk again without a word."""
    login(client, world.user("daect"))
    response = client.post(reverse(DESK), {})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()


def test_erasing_an_address_of_nobody_says_there_is_nothing_to_erase(client, world):
    """Regression (fuzzing): the erasure step for an address nothing is held about answered 400 with a page
    that showed no form, hence no reason."""
    login(client, world.user("daect"))
    response = client.post(
        reverse("orgs:personal_data_erase"), {"email": "personne@example.org", "step": "erase"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(DESK)
    assert "Rien n'est conservé pour « personne@example.org »" in response.content.decode()
    assert not AuditEvent.objects.filter(kind__startswith="personal_data").exists()


def test_addresses_never_travel_in_urls(client, world, claire):
    login(client, world.user("daect"))
    for name in ("personal_data_export", "personal_data_erase"):
        assert client.get(reverse(f"orgs:{name}") + f"?email={EMAIL}").status_code == 405


# --------------------------------------------------------------------------------------------- the command


def test_command_export(world, claire, capsys):
    call_command("personal_data", "export", EMAIL)
    data = json.loads(capsys.readouterr().out)
    assert data["email"] == EMAIL
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PERSONAL_DATA_EXPORTED)
    assert event.username == "commande personal_data"


def test_command_export_to_a_file(world, claire, tmp_path):
    target = tmp_path / "claire.json"
    call_command("personal_data", "export", EMAIL, output=str(target))
    assert (
        json.loads(target.read_text(encoding="utf-8"))["organisation_contacts"][0]["name"]
        == "Claire Brouillon"
    )


def test_command_erase_asks_first(world, claire, monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt: "non")
    with pytest.raises(CommandError, match="Effacement annulé"):
        call_command("personal_data", "erase", EMAIL)
    assert Contact.objects.filter(email__iexact=EMAIL).count() == 2
    assert User.objects.get(pk=claire.pk).is_active

    monkeypatch.setattr("builtins.input", lambda prompt: "oui")
    call_command("personal_data", "erase", EMAIL)
    assert "2 contact(s) de fiches" in capsys.readouterr().out
    assert not Contact.objects.filter(email__iexact=EMAIL).exists()
    assert (
        AuditEvent.objects.get(kind=AuditEvent.Kind.PERSONAL_DATA_ERASED).username == "commande personal_data"
    )


def test_command_erase_yes_and_bad_address(world, claire):
    with pytest.raises(CommandError, match="Adresse électronique invalide"):
        call_command("personal_data", "erase", "pas-une-adresse", yes=True)
    call_command("personal_data", "erase", EMAIL, yes=True)
    assert privacy.find(EMAIL).empty


def test_email_fields_of_other_apps_are_found_by_type():
    from coopdec.correspondents.models import CorrespondentProfile

    found = privacy.email_fields()
    assert (OrganisationRequest, "requester_email") in found
    assert (CorrespondentProfile, "public_email") in found
    assert not any(model in (User, OrganisationContact, Contact) for model, _name in found)


def test_author_labels_are_found_by_their_naming_rule():
    from coopdec.atlas.models import Change as AtlasChange

    found = privacy.author_labels(User)
    assert (AtlasChange, "changed_by") in found
    # Every pair really has its label field.
    for model, name in found:
        model._meta.get_field(f"{name}_label")
