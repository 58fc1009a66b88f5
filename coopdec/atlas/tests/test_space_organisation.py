"""My organisation: the profile (editable fields only) and the contacts (list, add, edit, delete after
confirmation), bad input refused in French with nothing changed."""

import pytest
from django.test import Client
from django.urls import reverse

from coopdec.atlas.tests.test_space_access import sign_in, text
from coopdec.atlas.tests.test_space_editing import form_data, signed_in
from coopdec.orgs.models import Membership, Organisation, OrganisationContact
from coopdec.orgs.tests.personas import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_profile_shows_reference_ties_read_only(world):
    client = signed_in(world, "agent_x")
    response = client.get(reverse("space:organisation", args=[world.authority_x.slug]))
    page = text(response)
    assert "Strasbourg" in page and "Bas-Rhin" in page and "Grand Est" in page and "67482" in page
    form = form_data(
        client.get(reverse("space:organisation_edit", args=[world.authority_x.slug])), "organisation-form"
    )
    # A French authority's place comes from its reference entity: only the website and population are typed.
    assert set(form) == {"csrfmiddlewaretoken", "website", "population"}


def test_agent_updates_the_profile(world):
    client = signed_in(world, "agent_x")
    url = reverse("space:organisation_edit", args=[world.authority_x.slug])
    response = client.post(url, {"website": "https://www.strasbourg.eu", "population": "291313"})
    assert response.status_code == 302
    organisation = Organisation.objects.get(pk=world.authority_x.pk)
    assert (organisation.website, organisation.population) == ("https://www.strasbourg.eu", 291313)
    # The reference ties cannot be sent through the form.
    client.post(
        url, {"website": "https://www.strasbourg.eu", "name": "Autre nom", "code": "00000", "kind": "region"}
    )
    organisation.refresh_from_db()
    assert (organisation.name, organisation.code, organisation.kind) == (
        "Ville de Strasbourg",
        "67482",
        "commune",
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"website": "pas une adresse", "population": ""}, "Saisissez une URL valide."),
        ({"website": "", "population": "-3"}, "Assurez-vous que cette valeur est supérieure ou égale à 0."),
        ({"website": "", "population": "beaucoup"}, "Saisissez un nombre entier."),
    ],
)
def test_bad_profile_input_is_refused(world, data, message):
    client = signed_in(world, "agent_x")
    response = client.post(reverse("space:organisation_edit", args=[world.authority_x.slug]), data)
    assert response.status_code == 400
    assert message in text(response)
    organisation = Organisation.objects.get(pk=world.authority_x.pk)
    assert (organisation.website, organisation.population) == ("", None)


def test_a_foreign_authority_keeps_its_place_and_tier(world):
    client = Client()
    sign_in(client, make_user("maire_de_segou", world.foreign_b, Membership.Role.FOREIGN))
    url = reverse("space:organisation_edit", args=[world.foreign_b.slug])
    assert set(form_data(client.get(url), "organisation-form")) >= {"level", "latitude", "longitude"}
    response = client.post(
        url, {"website": "", "population": "", "level": "municipal", "latitude": "13.5", "longitude": ""}
    )
    assert response.status_code == 400
    assert "Indiquez la latitude et la longitude ensemble" in text(response)
    response = client.post(url, {"level": "municipal", "latitude": "95", "longitude": "-6.2"})
    assert "Assurez-vous que cette valeur est inférieure ou égale à 90." in text(response)
    response = client.post(url, {"level": "municipal", "latitude": "13.45", "longitude": "-6.25"})
    assert response.status_code == 302
    world.foreign_b.refresh_from_db()
    assert (world.foreign_b.latitude, world.foreign_b.longitude) == (13.45, -6.25)


def test_contacts_are_added_edited_and_deleted_after_confirmation(world):
    client = signed_in(world, "agent_x")
    slug = world.authority_x.slug
    response = client.post(
        reverse("space:contact_add", args=[slug]),
        {
            "category": "elu",
            "name": "Jeanne Barseghian",
            "function": "Maire",
            "email": "maire@example.org",
            "phone": "+33 3 68 98 50 00",
            "position": "0",
        },
    )
    assert response.status_code == 302
    contact = OrganisationContact.objects.get(organisation=world.authority_x)
    page = text(client.get(reverse("space:organisation", args=[slug])))
    assert "Jeanne Barseghian" in page and "Élu ou élue" in page

    edit = reverse("space:contact_edit", args=[slug, contact.pk])
    data = form_data(client.get(edit), "contact-form")
    assert data["category"] == "elu" and data["name"] == "Jeanne Barseghian"
    client.post(edit, {**data, "function": "Maire de Strasbourg"})
    contact.refresh_from_db()
    assert contact.function == "Maire de Strasbourg"

    delete = reverse("space:contact_delete", args=[slug, contact.pk])
    confirmation = client.get(delete)
    assert "Cette suppression est définitive" in text(confirmation)
    assert OrganisationContact.objects.filter(pk=contact.pk).exists()
    assert client.post(delete).status_code == 302
    assert not OrganisationContact.objects.filter(pk=contact.pk).exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "Ce champ est obligatoire."),
        ({"category": "maire"}, "Sélectionnez un choix valide."),
        ({"email": "pas-un-courriel"}, "Saisissez une adresse de courriel valide."),
        ({"phone": "appelez la mairie"}, "n’est pas un numéro de téléphone"),
    ],
)
def test_bad_contact_input_is_refused(world, changes, message):
    client = signed_in(world, "agent_x")
    data = {
        "category": "cadre",
        "name": "Paul Cadre",
        "function": "DGS",
        "email": "",
        "phone": "",
        "position": "1",
    }
    response = client.post(reverse("space:contact_add", args=[world.authority_x.slug]), {**data, **changes})
    assert response.status_code == 400
    assert message in text(response)
    assert not OrganisationContact.objects.exists()
