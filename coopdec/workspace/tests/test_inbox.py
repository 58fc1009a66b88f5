"""The task inbox on the home page of the space: sources, own tasks, order, counts; the home page."""

import datetime
import html
import sys
import types

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from coopdec.accounts.models import OrganisationRequest
from coopdec.orgs.models import Membership, Organisation
from coopdec.orgs.policies import actor_for
from coopdec.orgs.tasks import Task
from coopdec.orgs.tests.personas import login, make_user
from coopdec.workspace import inbox
from coopdec.workspace.models import Extraction, SavedSearch

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return html.unescape(response.content.decode())


# ------------------------------------------------------------------------------------------------ sources


def test_a_missing_task_module_gives_no_task():
    assert inbox.load_source("coopdec.workspace.tests.no_such_tasks") is None


def test_a_task_module_that_fails_to_import_is_not_hidden(tmp_path, monkeypatch):
    (tmp_path / "broken_tasks_module.py").write_text("import a_dependency_that_does_not_exist\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        inbox.load_source("broken_tasks_module")
    sys.modules.pop("broken_tasks_module", None)


@pytest.fixture
def fake_source(monkeypatch):
    """A task module of a pretend app, in place of the real ones."""
    today = timezone.localdate()
    module = types.ModuleType("coopdec_fake_tasks")
    module.tasks_for = lambda actor: (
        [
            Task("Sans échéance", "/b/", "correction"),
            Task("Dans un mois", "/c/", "campaign", due=today + datetime.timedelta(days=30)),
            Task("En retard", "/a/", "campaign", due=today - datetime.timedelta(days=2)),
            Task("Demain", "/d/", "inventory", due=today + datetime.timedelta(days=1)),
        ]
        if actor.is_authenticated
        else []
    )
    monkeypatch.setitem(sys.modules, "coopdec_fake_tasks", module)
    monkeypatch.setattr(inbox, "SOURCES", ("coopdec_fake_tasks", "coopdec.workspace.tests.not_written_yet"))
    return module


def test_tasks_are_sorted_by_due_date_with_counts_per_kind(world, fake_source):
    result = inbox.inbox_for(actor_for(world.user("agent_x")))
    assert [t.title for t in result.tasks] == ["En retard", "Demain", "Dans un mois", "Sans échéance"]
    assert dict((kind, n) for kind, _label, n in result.counts) == {
        "campaign": 2,
        "inventory": 1,
        "correction": 1,
    }
    assert result.counts[0][:2] == ("campaign", "Campagne de mise à jour")
    assert result.total == 4


def test_home_shows_tasks_overdue_first(client, world, fake_source):
    login(client, world.user("agent_x"))
    text = page(client.get(reverse("workspace:home")))
    assert text.index("En retard") < text.index("Demain") < text.index("Sans échéance")
    assert "En retard : échéance le" in text
    assert "Campagne de mise à jour : 2" in text


# ------------------------------------------------------------------------------------- the real sources


def test_drafts_of_the_agents_authority_reach_the_inbox(client, world):
    """The Atlas space's tasks_for: agent_x has a draft sheet, agent_y's is not theirs."""
    login(client, world.user("agent_x"))
    text = page(client.get(reverse("workspace:home")))
    assert "Brouillon de Strasbourg" in text
    assert "Brouillon de la Gironde" not in text


# ------------------------------------------------------------------------------------ DAECT's own tasks


def pending_users(organisation, count: int) -> None:
    """People who signed up and wait for DAECT (no password: hashing one is slow and useless here)."""
    users = User.objects.bulk_create(User(username=f"attente_{n}") for n in range(count))
    Membership.objects.bulk_create(
        Membership(user=user, organisation=organisation, role=Membership.Role.AGENT) for user in users
    )


@pytest.fixture
def pending(world):
    user = make_user("nouvelle_agente", world.authority_y, Membership.Role.AGENT, "Directrice")
    user.first_name, user.last_name = "Nora", "Nouvelle"
    user.save()
    user.memberships.update(status=Membership.Status.PENDING)
    return user


def test_pending_memberships_are_tasks_for_daect_only(client, world, pending):
    daect = inbox.inbox_for(actor_for(world.user("daect")))
    memberships = [t for t in daect.tasks if t.kind == "membership"]
    assert len(memberships) == 1
    assert "Nora Nouvelle" in memberships[0].title and world.authority_y.name in memberships[0].title
    assert ("membership", "Rôles à accorder", 1) in daect.counts
    for name in ("agent_x", "agent_y", "correspondent_a", "prefecture_r", "operator"):
        assert not [t for t in inbox.inbox_for(actor_for(world.user(name))).tasks if t.kind == "membership"]
    assert inbox.inbox_for(actor_for(None)).tasks == []


def test_membership_tasks_link_to_the_back_office(client, world, pending):
    login(client, world.user("daect"))
    text = page(client.get(reverse("workspace:home")))
    membership = pending.memberships.get()
    assert "Accorder le rôle" in text
    assert reverse("admin:orgs_membership_change", args=[membership.pk]) in text


def test_count_says_all_pending_memberships_when_few_are_listed(world, monkeypatch):
    monkeypatch.setattr(inbox, "LISTED_PER_KIND", 2)
    pending_users(world.authority_x, 5)
    result = inbox.inbox_for(actor_for(world.user("daect")))
    assert len([t for t in result.tasks if t.kind == "membership"]) == 2
    assert ("membership", "Rôles à accorder", 5) in result.counts


def test_organisation_requests_reach_daect_through_the_accounts_tasks(client, world):
    OrganisationRequest.objects.create(
        name="Commune de Podor",
        kind=Organisation.Kind.FOREIGN_AUTHORITY,
        place="Sénégal",
        requester_name="Awa Diop",
        requester_email="awa@example.org",
    )
    daect = inbox.inbox_for(actor_for(world.user("daect")))
    assert [t.kind for t in daect.tasks] == ["organisation_request"]
    assert ("organisation_request", "Demandes d'ajout d'organisation", 1) in daect.counts
    agent = inbox.inbox_for(actor_for(world.user("agent_x")))
    assert "organisation_request" not in [kind for kind, _label, _n in agent.counts]
    login(client, world.user("daect"))
    text = page(client.get(reverse("workspace:home")))
    assert "1 demande d'ajout d'organisation à traiter" in text
    assert reverse("admin:accounts_organisationrequest_changelist") in text


# ------------------------------------------------------------------------------------------- home page


def test_home_lists_organisations_and_their_state(client, world):
    user = world.user("agent_x")
    Membership.objects.create(
        user=user,
        organisation=world.authority_y,
        role=Membership.Role.AGENT,
        status=Membership.Status.PENDING,
    )
    login(client, user)
    response = client.get(reverse("workspace:home"))
    text = page(response)
    assert world.authority_x.name in text and world.authority_y.name in text
    assert "En attente de validation par la DAECT" in text
    assert reverse("atlas:french_authority", args=[world.authority_x.slug]) in text
    assert reverse("accounts:account") in text


def test_home_shows_recent_saved_items_of_the_person_only(client, world):
    SavedSearch.objects.create(owner=world.user("agent_x"), name="Ma recherche", query="")
    SavedSearch.objects.create(owner=world.user("agent_y"), name="Pas la mienne", query="")
    Extraction.objects.create(owner=world.user("agent_y"), name="Pas mon fichier", format="csv")
    login(client, world.user("agent_x"))
    text = page(client.get(reverse("workspace:home")))
    assert "Ma recherche" in text
    assert "Pas la mienne" not in text and "Pas mon fichier" not in text


def test_home_without_any_organisation(client, db):
    user = User.objects.create(username="seul", email="seul@example.org")
    login(client, user)
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 200
    assert "Rien ne vous attend pour le moment." in page(response)


def test_login_lands_on_the_space(settings):
    assert reverse(settings.LOGIN_REDIRECT_URL) == reverse("workspace:home") == "/espace/"


@pytest.mark.parametrize("name", ["agent_x", "daect", "correspondent_a"])
def test_home_queries_are_bounded(client, world, name, django_assert_max_num_queries):
    user = world.user(name)
    SavedSearch.objects.bulk_create(SavedSearch(owner=user, name=f"R{n}", query="") for n in range(30))
    Extraction.objects.bulk_create(Extraction(owner=user, name=f"E{n}", format="csv") for n in range(30))
    pending_users(world.authority_x, 30)
    login(client, user)
    client.get(reverse("workspace:home"))
    with django_assert_max_num_queries(18):
        response = client.get(reverse("workspace:home"))
    assert response.status_code == 200
