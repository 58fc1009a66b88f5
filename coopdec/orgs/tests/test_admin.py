"""Organisations in the admin: list with search and filters, and the change form with its look-ups."""

import pytest
from django.urls import reverse

from coopdec.atlas.tests.factories import CommuneAuthorityFactory, EmbassyFactory, ForeignAuthorityFactory
from coopdec.orgs.models import Organisation

pytestmark = pytest.mark.django_db

# With the two-factor middleware of accounts, which looks up the superuser's device and roles (2 queries).
ADMIN_LIST_QUERIES = 13


def test_changelist_with_search_and_filters(admin_client, django_assert_max_num_queries):
    CommuneAuthorityFactory()
    ForeignAuthorityFactory(name="Commune de Saint-Louis")
    url = reverse("admin:orgs_organisation_changelist") + "?q=Strasbourg&kind__exact=commune"
    with django_assert_max_num_queries(ADMIN_LIST_QUERIES):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert [org.name for org in response.context["cl"].result_list] == ["Ville de Strasbourg"]


def test_changelist_query_count_does_not_grow_with_rows(admin_client, django_assert_max_num_queries):
    for _ in range(30):
        ForeignAuthorityFactory()
    with django_assert_max_num_queries(ADMIN_LIST_QUERIES):
        response = admin_client.get(
            reverse("admin:orgs_organisation_changelist") + "?kind__exact=autorite_etrangere"
        )
    assert response.context["cl"].result_count == 30


def test_change_form_of_an_embassy(admin_client, django_assert_max_num_queries):
    embassy = EmbassyFactory()
    with django_assert_max_num_queries(ADMIN_LIST_QUERIES + 3):
        response = admin_client.get(reverse("admin:orgs_organisation_change", args=[embassy.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ambassade de France au Sénégal" in content
    # Countries and communes are looked up by typing (autocomplete), never listed in full.
    assert "admin-autocomplete" in content


def test_an_organisation_can_be_edited(admin_client):
    authority = ForeignAuthorityFactory(name="Commune de Saint-Louis")
    url = reverse("admin:orgs_organisation_change", args=[authority.pk])
    response = admin_client.post(
        url,
        {
            "name": "Commune de Saint-Louis du Sénégal",
            "slug": authority.slug,
            "kind": Organisation.Kind.FOREIGN_AUTHORITY,
            "country": "SN",
            "level": Organisation.Level.MUNICIPAL,
            # The contacts inline, left empty.
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    authority.refresh_from_db()
    assert authority.name == "Commune de Saint-Louis du Sénégal"
