"""The other pages of the Atlas space: publication (gate, publish, withdraw), history as a readable
difference, draft preview, lists (search, state, bounded queries), the home page, the inbox's tasks."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coopdec.atlas.history import save_tracked
from coopdec.atlas.models import Change, Partnership, Project
from coopdec.atlas.space.diffs import readable_changes, word_diff
from coopdec.atlas.space.tasks import LIMIT, tasks_for
from coopdec.atlas.tests import factories as f
from coopdec.atlas.tests.test_space_access import text
from coopdec.atlas.tests.test_space_editing import form_data, signed_in
from coopdec.orgs.policies import actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Publication ------------------------------------------------------------------------------------------


def test_the_publish_button_lists_every_missing_field(world):
    draft = world.draft_y  # no contact
    Project.all_objects.filter(pk=draft.pk).update(description="", start_date=None, end_date=None)
    draft.themes.clear()
    client = signed_in(world, "agent_y")
    for url in (
        reverse("space:project", args=[draft.slug]),
        reverse("space:project_publish", args=[draft.slug]),
    ):
        page = text(client.get(url))
        for code in ("no_theme", "no_description", "no_start_date", "no_contact"):
            assert f'data-code="{code}"' in page, (url, code)
        assert "4 points à régler avant de publier" in page
    # The detail page's button is off and says why; the publish page has no form to confirm.
    assert 'disabled aria-describedby="gate-errors"' in text(
        client.get(reverse("space:project", args=[draft.slug]))
    )
    response = client.post(reverse("space:project_publish", args=[draft.slug]), {"expected_version": 1})
    assert response.status_code == 400
    assert not Project.all_objects.get(pk=draft.pk).published


def test_publish_then_withdraw_a_sheet(world):
    draft = world.draft_x  # complete, with a contact, in a published partnership
    client = signed_in(world, "agent_x")
    public = reverse("atlas:project", args=[draft.slug])
    assert Client().get(public).status_code == 404

    confirm = client.get(reverse("space:project_publish", args=[draft.slug]))
    assert form_data(confirm, "publication-form") == {
        "csrfmiddlewaretoken": form_data(confirm, "publication-form")["csrfmiddlewaretoken"],
        "expected_version": "1",
    }
    response = client.post(reverse("space:project_publish", args=[draft.slug]), {"expected_version": "1"})
    assert response.status_code == 302
    assert Client().get(public).status_code == 200
    change = Change.objects.get(project=draft)
    assert change.comment == "Publication" and change.changed_by == world.user("agent_x")

    # Withdrawing asks for confirmation first.
    unpublish = reverse("space:project_unpublish", args=[draft.slug])
    assert "Confirmer le retrait" in text(client.get(unpublish))
    assert Client().get(public).status_code == 200
    assert client.post(unpublish, {"expected_version": "2"}).status_code == 302
    assert Client().get(public).status_code == 404
    assert Project.all_objects.get(pk=draft.pk).version == 3


def test_publishing_from_a_stale_page_shows_what_changed(world):
    client = signed_in(world, "agent_x")
    other = Project.all_objects.get(pk=world.draft_x.pk)
    other.title = "Titre changé par la DAECT"
    save_tracked(other, by=world.user("daect"), expected_version=1)
    response = client.post(
        reverse("space:project_publish", args=[world.draft_x.slug]), {"expected_version": "1"}
    )
    assert response.status_code == 409
    page = text(response)
    assert "Titre changé par la DAECT" in page
    # The confirmation form now carries the current version: the person publishes what they have seen.
    assert form_data(response, "publication-form")["expected_version"] == "2"
    assert not Project.all_objects.get(pk=world.draft_x.pk).published


def test_a_sheet_needs_its_partnership_published_first(world):
    client = signed_in(world, "agent_x")
    Partnership.all_objects.filter(pk=world.partnership_x.pk).update(published=False)
    page = text(client.get(reverse("space:project_publish", args=[world.draft_x.slug])))
    assert 'data-code="partnership_unpublished"' in page
    # And a partnership keeps its public sheets' partnership public.
    Partnership.all_objects.filter(pk=world.partnership_x.pk).update(published=True)
    page = text(client.get(reverse("space:partnership_unpublish", args=[world.partnership_x.slug])))
    assert 'data-code="published_projects"' in page and world.project_x.title in page
    response = client.post(
        reverse("space:partnership_unpublish", args=[world.partnership_x.slug]), {"expected_version": 1}
    )
    assert response.status_code == 400
    assert Partnership.objects.filter(pk=world.partnership_x.pk).exists()


def test_a_new_partnership_goes_public_through_its_gate(world):
    client = signed_in(world, "agent_x")
    partnership = Partnership.all_objects.create(
        slug="brouillon-x", title="Jumelage en préparation", kind=Partnership.Kind.TWINNING, published=False
    )
    partnership.french_members.create(organisation=world.authority_x, is_lead=True)
    url = reverse("space:partnership_publish", args=[partnership.slug])
    page = text(client.get(url))
    assert 'data-code="no_start_date"' in page and 'data-code="no_foreign_partner"' in page
    assert client.post(url, {"expected_version": "1"}).status_code == 400
    Partnership.all_objects.filter(pk=partnership.pk).update(start_date="2024-09-01")
    partnership.foreign.add(world.foreign_a)
    assert 'id="publish-link"' in text(client.get(reverse("space:partnership", args=[partnership.slug])))
    assert client.post(url, {"expected_version": "1"}).status_code == 302
    assert Partnership.objects.filter(pk=partnership.pk).exists()
    # Publishing twice is harmless: the page says it is done.
    assert "déjà publié" in text(client.get(url))


# --- History ----------------------------------------------------------------------------------------------


def test_history_reads_as_a_difference(world):
    project = Project.all_objects.get(pk=world.draft_x.pk)
    project.description = (
        "Chantiers-écoles de restauration de façades avec les artisans et les services municipaux."
    )
    project.status = Project.Status.COMPLETED
    project.end_date = "2024-06-30"

    def add_contact(saved):
        saved.contacts.create(name="Moussa Sarr", function="Architecte", email="m.sarr@example.org")

    save_tracked(
        project,
        by=world.user("agent_x"),
        expected_version=1,
        m2m={"themes": [f.theme("education-formation")]},
        save_children=add_contact,
    )
    client = signed_in(world, "agent_x")
    response = client.get(reverse("space:project_history", args=[project.slug]))
    page = text(response)
    assert "Version 2 — Modification par Agent X" in page
    # Labels, not field names; values as people read them.
    assert "Statut" in page and "En cours" in page and "Terminé" in page
    assert "Date de fin" in page and "31 décembre 2023" in page and "30 juin 2024" in page
    assert '<del><span class="fr-sr-only">retiré : </span>Culture et patrimoine</del>' in page
    assert '<ins><span class="fr-sr-only">ajouté : </span>Éducation et formation</ins>' in page
    assert "Moussa Sarr · Architecte · m.sarr@example.org" in page
    # A long text is diffed word by word.
    assert '<del><span class="fr-sr-only">supprimé : </span>coloniales </del>' in page
    assert '<ins><span class="fr-sr-only">ajouté : </span>les artisans et </ins>' in page


def test_word_diff_compares_words_not_spaces():
    assert word_diff("a b", "a b c") == 'a b <ins><span class="fr-sr-only">ajouté : </span>c</ins>'
    assert word_diff("même texte", "même texte") == "même texte"


def test_word_diff_escapes_what_people_typed():
    diff = word_diff("Atelier <b>ancien</b>", "Atelier <script>alert(1)</script>")
    assert "<script>" not in diff
    assert "&lt;script&gt;" in diff
    assert diff.startswith("Atelier ")


def test_history_of_a_deleted_child_and_a_partnership_member(world):
    partnership = Partnership.all_objects.get(pk=world.partnership_x.pk)

    def add_member(saved):
        saved.french_members.create(organisation=world.authority_y, is_lead=False)

    save_tracked(partnership, by=world.user("daect"), expected_version=1, save_children=add_member)
    changes = readable_changes(Change.objects.filter(partnership=partnership).select_related("changed_by"))
    (field,) = changes[0].fields
    assert field.label == "collectivités françaises du partenariat"
    assert field.added == ["Département de la Gironde"]
    assert changes[0].author == "Daect DAECT"


def test_history_page_queries_do_not_grow_with_changes(world):
    client = signed_in(world, "agent_x")
    project = Project.all_objects.get(pk=world.draft_x.pk)
    url = reverse("space:project_history", args=[project.slug])

    def edit(times):
        for _ in range(times):
            project.title = f"Titre {project.version}"
            project.description = f"Description numéro {project.version} de la fiche."
            save_tracked(project, by=world.user("agent_x"), m2m={"themes": [f.theme("eau-assainissement")]})

    edit(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    edit(15)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# --- Preview ----------------------------------------------------------------------------------------------


def test_draft_preview(world):
    client = signed_in(world, "correspondent_a")
    response = client.get(reverse("space:project_preview", args=[world.draft_x.slug]))
    page = text(response)
    assert response.status_code == 200
    assert "Aperçu d’un brouillon" in page
    assert "Brouillon de Strasbourg" in page and "Claire Brouillon" in page
    # The public sheet of a draft does not exist.
    assert client.get(reverse("atlas:project", args=[world.draft_x.slug])).status_code == 404


# --- Lists ------------------------------------------------------------------------------------------------


def test_list_search_and_state(world):
    client = signed_in(world, "daect")
    page = text(client.get(reverse("space:projects"), {"q": "brouillon", "etat": "brouillon"}))
    assert "Brouillon de Strasbourg" in page and "Brouillon de la Gironde" in page
    assert "Patrimoine de Saint-Louis" not in page
    page = text(client.get(reverse("space:projects"), {"etat": "publie"}))
    assert "Patrimoine de Saint-Louis" in page and "Brouillon de Strasbourg" not in page


@pytest.mark.parametrize(
    "params, message",
    [
        ({"etat": "secret"}, "L’état « secret » n’existe pas"),
        ({"page": "deux"}, "n’est pas un nombre entier positif"),
        ({"page": "9"}, "La page 9 n’existe pas"),
        ({"q": "x" * 101}, "La recherche est limitée à 100 caractères."),
    ],
)
def test_bad_list_parameters_say_what_is_wrong(world, params, message):
    client = signed_in(world, "daect")
    for name in ("space:projects", "space:partnerships"):
        response = client.get(reverse(name), params)
        assert response.status_code == 400
        assert message in text(response)


@pytest.mark.parametrize("url_name", ["space:projects", "space:partnerships", "space:organisations"])
def test_list_queries_are_bounded(world, url_name, django_assert_max_num_queries):
    client = signed_in(world, "daect")
    url = reverse(url_name)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(25):
        partnership = f.PartnershipFactory(
            french=[world.authority_x, world.authority_y], foreign=[world.foreign_a]
        )
        f.ProjectFactory(partnership=partnership, published=n % 2 == 0)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200


def test_home_page(world):
    client = signed_in(world, "agent_x")
    page = text(client.get(reverse("space:home")))
    assert "1 partenariat" in page and "2 fiches, dont 1 brouillon" in page
    assert "Fiche-projet en brouillon : « Brouillon de Strasbourg »" in page
    assert reverse("space:partnership_create") in page
    page = text(signed_in(world, "correspondent_a").get(reverse("space:home")))
    assert "0 fiche" in page and reverse("space:partnership_create") not in page


# --- Tasks ------------------------------------------------------------------------------------------------


def test_tasks_are_the_drafts_of_the_persons_authorities(world, django_assert_max_num_queries):
    actor = actor_for(world.user("agent_x"))
    with django_assert_max_num_queries(2):
        tasks = tasks_for(actor)
    assert [task.title for task in tasks] == ["Fiche-projet en brouillon : « Brouillon de Strasbourg »"]
    assert tasks[0].url == reverse("space:project", args=[world.draft_x.slug])
    assert tasks[0].kind == "draft"
    assert [t.title for t in tasks_for(actor_for(world.user("agent_y")))] == [
        "Fiche-projet en brouillon : « Brouillon de la Gironde »"
    ]
    for name in ("daect", "correspondent_a", "prefecture_r", "operator", "anonymous"):
        assert tasks_for(actor_for(world.user(name))) == []


def test_many_drafts_end_with_a_link_to_all_of_them(world):
    for n in range(LIMIT + 3):
        f.ProjectFactory(partnership=world.partnership_x, published=False, title=f"Brouillon {n}")
    f.PartnershipFactory(french=[world.authority_x], published=False, title="Partenariat brouillon")
    tasks = tasks_for(actor_for(world.user("agent_x")))
    assert tasks[0].title == "Partenariat en brouillon : « Partenariat brouillon »"
    assert len(tasks) == 1 + LIMIT + 1
    assert tasks[-1].url == reverse("space:projects") + "?etat=brouillon"
