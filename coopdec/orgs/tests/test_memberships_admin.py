"""Roles in the back office: DAECT staff grant, revoke and change them; each is written to the audit log;
nobody else gets in."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from coopdec.audit.models import AuditEvent
from coopdec.orgs.models import Membership
from coopdec.orgs.policies import actor_for
from coopdec.orgs.tests.personas import PERSONA_NAMES, login

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:orgs_membership_changelist"


def pending(world, username="nouvel_agent", organisation=None, role=Membership.Role.AGENT):
    user = User.objects.create_user(username=username, email=f"{username}@example.org", password="x" * 16)
    return Membership.objects.create(
        user=user, organisation=organisation or world.authority_x, role=role, function="Chargée de mission"
    )


def events(kind):
    return list(AuditEvent.objects.filter(kind=kind).order_by("pk"))


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_only_daect_staff_enter_the_back_office(client, world, name):
    login(client, world.user(name))
    response = client.get(reverse("admin:index"))
    if name == "daect":
        assert response.status_code == 200
        # The models of the project are there to be managed.
        assert reverse(CHANGELIST) in response.content.decode()
    elif name == "anonymous":
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"] or "/compte/connexion/" in response["Location"]
    else:
        assert response.status_code == 403
        refusal = AuditEvent.objects.get(kind=AuditEvent.Kind.PERMISSION_DENIED)
        assert (refusal.username, refusal.target) == (name, "admin")
        assert refusal.detail["reason"] == "L'administration est réservée aux agents de la DAECT."


def test_a_staff_flag_alone_opens_nothing(client, world):
    """is_staff set by hand gives no access: rights come from memberships only."""
    agent = world.user("agent_x")
    agent.is_staff = True
    agent.save()
    login(client, agent)
    assert client.get(reverse("admin:index")).status_code == 403
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_daect_session_without_second_factor_is_sent_to_log_in(client, world):
    client.force_login(world.user("daect"))
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "/admin/" not in response["Location"].split("?")[0]


def test_revoking_the_daect_role_closes_the_back_office(client, world):
    login(client, world.user("daect"))
    assert client.get(reverse(CHANGELIST)).status_code == 200
    Membership.objects.filter(user=world.user("daect")).delete()
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_daect_permissions_come_from_the_membership(world):
    daect = world.user("daect")
    assert daect.has_perm("orgs.change_membership")
    assert daect.has_perm("atlas.change_project")
    assert daect.has_perm("audit.view_auditevent")
    assert not daect.has_perm("audit.change_auditevent")
    assert not daect.has_perm("audit.delete_auditevent")
    assert not daect.has_perm("geo.change_country")
    assert daect.has_perm("auth.view_user")
    assert not daect.has_perm("auth.change_user")
    assert not daect.has_perm("auth.change_permission")
    assert daect.has_module_perms("orgs")
    agent = world.user("agent_x")
    assert not agent.has_perm("orgs.change_membership")
    assert not agent.has_module_perms("orgs")


def test_changelist_lists_pending_requests(client, world, django_assert_max_num_queries):
    for i in range(5):
        pending(world, username=f"demandeur_{i}")
    login(client, world.user("daect"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse(CHANGELIST) + "?status__exact=en_attente")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 5


def test_grant_action(client, world):
    membership = pending(world)
    daect = world.user("daect")
    login(client, daect)
    response = client.post(
        reverse(CHANGELIST), {"action": "grant_selected", "_selected_action": [membership.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 rôle accordé." in response.content.decode()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.granted_by == daect
    assert membership.granted_at is not None
    assert actor_for(User.objects.get(pk=membership.user_id)).authority_ids == {world.authority_x.pk}
    (event,) = events(AuditEvent.Kind.ROLE_GRANTED)
    assert event.username == "daect"
    assert event.target == f"orgs.membership:{membership.pk}"
    assert event.detail == {
        "member": "nouvel_agent",
        "organisation": world.authority_x.slug,
        "role": Membership.Role.AGENT,
    }
    # Granting again changes nothing and records nothing.
    client.post(reverse(CHANGELIST), {"action": "grant_selected", "_selected_action": [membership.pk]})
    assert len(events(AuditEvent.Kind.ROLE_GRANTED)) == 1


def test_revoking_asks_for_confirmation_then_deletes(client, world):
    agent = world.user("agent_y")
    membership = Membership.objects.get(user=agent)
    login(client, world.user("daect"))
    data = {"action": "delete_selected", "_selected_action": [membership.pk]}
    response = client.post(reverse(CHANGELIST), data)
    assert response.status_code == 200  # the confirmation page
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert events(AuditEvent.Kind.ROLE_REVOKED) == []
    response = client.post(reverse(CHANGELIST), {**data, "post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    (event,) = events(AuditEvent.Kind.ROLE_REVOKED)
    assert event.username == "daect"
    assert event.detail == {
        "member": "agent_y",
        "organisation": world.authority_y.slug,
        "role": Membership.Role.AGENT,
        "status": Membership.Status.ACTIVE,
    }
    assert actor_for(User.objects.get(pk=agent.pk)).authority_ids == frozenset()


def test_the_revoke_action_is_named_for_what_it_does(client, world):
    login(client, world.user("daect"))
    content = client.get(reverse(CHANGELIST)).content.decode()
    assert "Retirer les rôles sélectionnés" in content
    assert "Accorder les rôles sélectionnés" in content


def test_delete_from_the_change_form_revokes(client, world):
    membership = Membership.objects.get(user=world.user("operator"))
    login(client, world.user("daect"))
    url = reverse("admin:orgs_membership_delete", args=[membership.pk])
    assert client.get(url).status_code == 200  # confirmation
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert [e.detail["member"] for e in events(AuditEvent.Kind.ROLE_REVOKED)] == ["operator"]


def form_data(membership, **changes):
    data = {
        "user": membership.user_id,
        "organisation": membership.organisation_id,
        "role": membership.role,
        "function": membership.function,
        "status": membership.status,
    }
    return {**data, **changes}


def test_change_form_grant_by_status(client, world):
    membership = pending(world)
    login(client, world.user("daect"))
    url = reverse("admin:orgs_membership_change", args=[membership.pk])
    response = client.post(url, form_data(membership, status=Membership.Status.ACTIVE))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.granted_by == world.user("daect")
    assert [e.detail["member"] for e in events(AuditEvent.Kind.ROLE_GRANTED)] == ["nouvel_agent"]
    assert events(AuditEvent.Kind.ROLE_REVOKED) == []


def test_change_form_role_change_is_a_revocation_and_a_grant(client, world):
    membership = Membership.objects.get(user=world.user("agent_x"))
    login(client, world.user("daect"))
    url = reverse("admin:orgs_membership_change", args=[membership.pk])
    response = client.post(url, form_data(membership, organisation=world.authority_y.pk))
    assert response.status_code == 302
    (revoked,) = events(AuditEvent.Kind.ROLE_REVOKED)
    (granted,) = events(AuditEvent.Kind.ROLE_GRANTED)
    assert revoked.detail["organisation"] == world.authority_x.slug
    assert granted.detail["organisation"] == world.authority_y.slug
    assert revoked.pk < granted.pk


def test_change_form_function_only_records_nothing(client, world):
    membership = Membership.objects.get(user=world.user("agent_x"))
    login(client, world.user("daect"))
    url = reverse("admin:orgs_membership_change", args=[membership.pk])
    assert client.post(url, form_data(membership, function="Directrice")).status_code == 302
    assert events(AuditEvent.Kind.ROLE_GRANTED) == events(AuditEvent.Kind.ROLE_REVOKED) == []


def test_change_form_back_to_pending_revokes(client, world):
    membership = Membership.objects.get(user=world.user("agent_x"))
    login(client, world.user("daect"))
    url = reverse("admin:orgs_membership_change", args=[membership.pk])
    assert client.post(url, form_data(membership, status=Membership.Status.PENDING)).status_code == 302
    membership.refresh_from_db()
    assert membership.granted_at is None
    assert [e.detail["member"] for e in events(AuditEvent.Kind.ROLE_REVOKED)] == ["agent_x"]


def test_adding_an_active_membership_grants(client, world):
    user = User.objects.create_user(username="elue", email="elue@example.org", password="x" * 16)
    login(client, world.user("daect"))
    response = client.post(
        reverse("admin:orgs_membership_add"),
        {
            "user": user.pk,
            "organisation": world.authority_y.pk,
            "role": Membership.Role.AGENT,
            "function": "Adjointe aux relations internationales",
            "status": Membership.Status.ACTIVE,
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert membership.granted_by == world.user("daect")
    assert [e.detail["member"] for e in events(AuditEvent.Kind.ROLE_GRANTED)] == ["elue"]


def test_organisation_change_form_edits_its_contacts(client, world):
    login(client, world.user("daect"))
    org = world.authority_x
    url = reverse("admin:orgs_organisation_change", args=[org.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "contacts-TOTAL_FORMS" in response.content.decode()
    data = {
        "name": org.name,
        "slug": org.slug,
        "kind": org.kind,
        "code": org.code,
        "commune": org.commune_id or "",
        "department": org.department_id or "",
        "region": org.region_id or "",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-position": "1",
        "contacts-0-category": "elu",
        "contacts-0-name": "Anne Adjointe",
        "contacts-0-function": "Adjointe aux relations internationales",
        "contacts-0-email": "anne.adjointe@example.org",
        "contacts-0-phone": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(org.contacts.values_list("name", flat=True)) == ["Anne Adjointe"]
