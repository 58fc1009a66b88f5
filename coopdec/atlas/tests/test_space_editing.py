"""Creating and editing partnerships and project sheets in the space: drafts, formsets, the type-ahead, bad
input refused in French with nothing changed, and conflict-safe saves (the second of two editors is refused,
keeps their values and sees what changed meanwhile)."""

from html.parser import HTMLParser
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from coopdec.atlas.history import save_tracked
from coopdec.atlas.models import Change, Partnership, Project
from coopdec.atlas.space import forms as space_forms
from coopdec.atlas.tests import factories as f
from coopdec.atlas.tests.test_space_access import sign_in, text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class _FormReader(HTMLParser):
    """What a browser would send for one form of a page (without any submit button)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
                return
            self.data.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            value = self._select_value if self._select_value is not None else self._first_option
            self.data.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The parser keeps the newline that follows <textarea>; a browser drops it.
            self.data.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def form_data(response, form_id: str) -> dict:
    """The form's fields as a browser would post them (lists for repeated names)."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data: dict = {}
    for name, value in reader.data:
        if name in data:
            data[name] = (data[name] if isinstance(data[name], list) else [data[name]]) + [value]
        else:
            data[name] = value
    return data


def signed_in(world, name) -> Client:
    client = Client()
    sign_in(client, world.user(name))
    return client


# --- Partnerships -----------------------------------------------------------------------------------------


def partnership_post(world, **overrides) -> dict:
    data = {
        "title": "Coopération Strasbourg – Saint-Louis pour l'eau",
        "kind": Partnership.Kind.CONVENTION,
        "status": Partnership.Status.PLANNED,
        "start_date": "2025-03-01",
        "end_date": "",
        "french": [world.authority_x.slug],
        "lead": world.authority_x.slug,
        "foreign": [world.foreign_a.slug],
        "_save": "1",
    }
    data.update(overrides)
    return data


def test_agent_creates_a_draft_partnership(world):
    client = signed_in(world, "agent_x")
    response = client.post(reverse("space:partnership_create"), partnership_post(world))
    partnership = Partnership.all_objects.get(title="Coopération Strasbourg – Saint-Louis pour l'eau")
    assert response.status_code == 302
    assert response["Location"] == reverse("space:partnership", args=[partnership.slug])
    assert partnership.slug == "cooperation-strasbourg-saint-louis-pour-leau"
    assert not partnership.published
    assert list(partnership.french_members.values_list("organisation", "is_lead")) == [
        (world.authority_x.pk, True)
    ]
    assert list(partnership.foreign.all()) == [world.foreign_a]
    change = Change.objects.get(partnership=partnership)
    assert change.action == Change.Action.CREATE and change.changed_by == world.user("agent_x")
    # A draft: not on the public pages.
    assert not Partnership.objects.filter(pk=partnership.pk).exists()


def test_a_partnership_without_the_agents_own_authority_is_refused(world):
    client = signed_in(world, "agent_x")
    data = partnership_post(world, french=[world.authority_y.slug], lead=world.authority_y.slug)
    response = client.post(reverse("space:partnership_create"), data)
    assert response.status_code == 400
    assert "au moins une de vos collectivités" in text(response)
    assert not Partnership.all_objects.filter(title=data["title"]).exists()


def test_partnership_bad_input_is_all_listed_in_french(world):
    client = signed_in(world, "agent_x")
    data = partnership_post(
        world, title="", start_date="2025-03-01", end_date="2024-01-01", french=[], lead=""
    )
    before = Partnership.all_objects.count()
    response = client.post(reverse("space:partnership_create"), data)
    page = text(response)
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in page
    assert "La date de fin ne peut pas précéder la date de début." in page
    assert "Choisissez au moins une collectivité française membre du partenariat." in page
    assert Partnership.all_objects.count() == before


def test_daect_may_create_for_any_authority_and_must_name_the_lead(world):
    client = signed_in(world, "daect")
    data = partnership_post(
        world, french=[world.authority_x.slug, world.authority_y.slug], lead="", title="Trois partenaires"
    )
    response = client.post(reverse("space:partnership_create"), data)
    assert response.status_code == 400
    assert "Désignez la collectivité chef de file." in text(response)
    response = client.post(reverse("space:partnership_create"), {**data, "lead": world.authority_y.slug})
    assert response.status_code == 302
    partnership = Partnership.all_objects.get(title="Trois partenaires")
    assert dict(partnership.french_members.values_list("organisation__slug", "is_lead")) == {
        world.authority_x.slug: False,
        world.authority_y.slug: True,
    }


def test_type_ahead_adds_a_foreign_partner_without_saving(world):
    client = signed_in(world, "agent_x")
    data = partnership_post(world, foreign=[], title="")
    data.pop("_save")
    before = Partnership.all_objects.count()
    # Without JavaScript: "Chercher" shows the suggestions in the page.
    response = client.post(
        reverse("space:partnership_create"), {**data, "_lookup": "foreign", "foreign_query": "ségou"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="add_foreign" value="{world.foreign_b.slug}"' in page
    # No "this field is required" before the person asked to save, and a word that nothing is saved.
    assert "Ce champ est obligatoire" not in page and 'id="unsaved"' in page
    # "Ajouter" brings the form back with the partner chosen, the other values kept.
    response = client.post(
        reverse("space:partnership_create"),
        {**data, "title": "Mon titre", "add_foreign": world.foreign_b.slug},
    )
    chosen = form_data(response, "partnership-form")
    assert chosen["foreign"] == world.foreign_b.slug
    assert chosen["title"] == "Mon titre"
    assert Partnership.all_objects.count() == before


def test_type_ahead_adds_another_french_authority(world):
    client = signed_in(world, "agent_x")
    data = partnership_post(world)
    data.pop("_save")
    response = client.post(
        reverse("space:partnership_create"), {**data, "add_french": world.authority_y.slug}
    )
    chosen = form_data(response, "partnership-form")
    assert sorted(chosen["french"]) == sorted([world.authority_x.slug, world.authority_y.slug])
    assert chosen["lead"] == world.authority_x.slug


def test_editing_a_partnership_keeps_history(world):
    client = signed_in(world, "agent_x")
    url = reverse("space:partnership_edit", args=[world.partnership_x.slug])
    data = form_data(client.get(url), "partnership-form")
    assert data["french"] == world.authority_x.slug and data["lead"] == world.authority_x.slug
    data["title"] = "Nouvel intitulé"
    data["foreign"] = [world.foreign_a.slug, world.foreign_b.slug]
    response = client.post(url, {**data, "_save": "1"})
    assert response.status_code == 302
    partnership = Partnership.all_objects.get(pk=world.partnership_x.pk)
    assert (partnership.title, partnership.version) == ("Nouvel intitulé", 2)
    assert set(partnership.foreign.all()) == {world.foreign_a, world.foreign_b}
    diff = Change.objects.get(partnership=partnership).diff
    assert set(diff) == {"title", "foreign"}


# --- Project sheets ---------------------------------------------------------------------------------------


def test_agent_creates_a_draft_sheet_with_its_rows(world):
    client = signed_in(world, "agent_x")
    url = reverse("space:project_create", args=[world.partnership_x.slug])
    data = form_data(client.get(url), "project-form")
    assert data["financings-TOTAL_FORMS"] == "1" and data["financings-INITIAL_FORMS"] == "0"
    data.update(
        {
            "title": "Formation des fontainiers",
            "themes": f.theme("eau-assainissement").pk,
            "objectives": "Former dix fontainiers.",
            "description": "Sessions de formation à Saint-Louis.",
            "start_date": "2025-01-15",
            "contacts-0-name": "Awa Diop",
            "contacts-0-function": "Chargée de mission",
            "contacts-0-email": "awa.diop@example.org",
            "financings-0-funder": str(world.authority_x.pk),
            "financings-0-kind": "fonds_propres",
            "financings-0-year": "2025",
            "financings-0-amount": "12000",
            "_save": "1",
        }
    )
    response = client.post(url, data)
    project = Project.all_objects.get(title="Formation des fontainiers")
    assert response.status_code == 302, text(response)[:2000]
    assert response["Location"] == reverse("space:project", args=[project.slug])
    assert not project.published and project.partnership == world.partnership_x
    assert list(project.contacts.values_list("name", flat=True)) == ["Awa Diop"]
    assert project.financings.get().amount == 12000
    change = Change.objects.get(project=project)
    assert change.action == Change.Action.CREATE
    assert change.diff["contacts"]["new"] == ["Awa Diop | Chargée de mission | awa.diop@example.org | "]
    # The public sheet does not exist yet.
    assert Client().get(reverse("atlas:project", args=[project.slug])).status_code == 404


def test_adding_a_row_keeps_everything_and_saves_nothing(world):
    client = signed_in(world, "agent_x")
    url = reverse("space:project_edit", args=[world.draft_x.slug])
    data = form_data(client.get(url), "project-form")
    data.update({"title": "Titre en cours de saisie", "contacts-0-name": "Nom modifié", "_more": "contacts"})
    response = client.post(url, data)
    again = form_data(response, "project-form")
    assert response.status_code == 200
    assert again["contacts-TOTAL_FORMS"] == str(int(data["contacts-TOTAL_FORMS"]) + 1)
    assert again["title"] == "Titre en cours de saisie" and again["contacts-0-name"] == "Nom modifié"
    draft = Project.all_objects.get(pk=world.draft_x.pk)
    assert (draft.title, draft.version) == ("Brouillon de Strasbourg", 1)


def test_editing_a_sheet_changes_fields_and_rows_in_one_version(world):
    client = signed_in(world, "agent_x")
    url = reverse("space:project_edit", args=[world.draft_x.slug])
    data = form_data(client.get(url), "project-form")
    data.update(
        {
            "description": "Chantiers-écoles de restauration de façades avec les services techniques.",
            "financings-0-DELETE": "on",
            "volunteers-0-programme": "vsi",
            "volunteers-0-count": "2",
            "volunteers-0-year": "2024",
            "_save": "1",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302
    draft = Project.all_objects.get(pk=world.draft_x.pk)
    assert draft.version == 2
    assert not draft.financings.exists()
    assert draft.volunteers.get().count == 2
    change = Change.objects.get(project=draft)
    assert set(change.diff) == {"description", "financings", "volunteers"}
    assert "1 suppression(s)" in change.comment


def test_saving_unchanged_writes_no_version(world):
    client = signed_in(world, "agent_x")
    url = reverse("space:project_edit", args=[world.draft_x.slug])
    data = form_data(client.get(url), "project-form")
    response = client.post(url, {**data, "_save": "1"}, follow=True)
    assert "Aucune modification" in text(response)
    assert Project.all_objects.get(pk=world.draft_x.pk).version == 1
    assert not Change.objects.filter(project=world.draft_x).exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"end_date": "2020-01-01"}, "La date de fin ne peut pas précéder la date de début."),
        ({"title": ""}, "Ce champ est obligatoire."),
        ({"start_date": "32/13/2024"}, "Saisissez une date valide."),
        ({"financings-0-amount": "-5"}, "Le montant doit être strictement positif."),
        ({"financings-0-year": "1789"}, "L’année doit être comprise entre 1950 et 2100."),
        ({"contacts-0-phone": "appelez-moi"}, "n’est pas un numéro de téléphone"),
        ({"contacts-0-email": "pas-un-courriel"}, "Saisissez une adresse de courriel valide."),
        ({"themes": "theme-inconnu"}, "Sélectionnez un choix valide."),
        ({"financings-0-funder": "999999"}, "Sélectionnez un choix valide."),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_changes(world, changes, message):
    client = signed_in(world, "agent_x")
    url = reverse("space:project_edit", args=[world.draft_x.slug])
    data = form_data(client.get(url), "project-form")
    data.update({**changes, "title": changes.get("title", "Titre qui ne doit pas être gardé"), "_save": "1"})
    response = client.post(url, data)
    assert response.status_code == 400
    assert message in text(response)
    assert "La fiche n’a pas été enregistrée" in text(response)
    draft = Project.all_objects.get(pk=world.draft_x.pk)
    assert (draft.title, draft.version) == ("Brouillon de Strasbourg", 1)
    assert draft.financings.get().amount == 25000
    assert not Change.objects.filter(project=draft).exists()


def test_a_form_without_its_version_is_refused(world):
    client = signed_in(world, "agent_x")
    url = reverse("space:project_edit", args=[world.draft_x.slug])
    data = form_data(client.get(url), "project-form")
    data.pop("expected_version")
    response = client.post(url, {**data, "title": "Sans version", "_save": "1"})
    assert response.status_code == 400
    assert Project.all_objects.get(pk=world.draft_x.pk).title == "Brouillon de Strasbourg"


# --- Two editors ------------------------------------------------------------------------------------------


def test_second_of_two_editors_is_refused_and_loses_nothing(world):
    """Agent X and DAECT open the same sheet; X saves first; DAECT's save is refused, DAECT's values stay
    in the form, the page says what X changed, and saving again applies DAECT's values knowingly."""
    first, second = signed_in(world, "agent_x"), signed_in(world, "daect")
    url = reverse("space:project_edit", args=[world.draft_x.slug])
    first_data = form_data(first.get(url), "project-form")
    second_data = form_data(second.get(url), "project-form")

    first_data.update({"title": "Titre d'Agent X", "description": "Texte réécrit par l'agent de Strasbourg."})
    assert first.post(url, {**first_data, "_save": "1"}).status_code == 302

    second_data.update({"title": "Titre de la DAECT", "results": "Résultats saisis par la DAECT."})
    response = second.post(url, {**second_data, "_save": "1"})
    page = text(response)
    assert response.status_code == 409
    assert "Quelqu’un a enregistré cette fiche pendant votre saisie" in page
    # What changed meanwhile: who, and the words of the description.
    assert "Version 2 — Modification par Agent X" in page
    assert "<ins>" in page and "réécrit" in page
    # Fields the second editor had not touched take the first editor's values; both edited the title.
    assert "Titre, Description" not in page
    assert "mis à jour avec la dernière version : Description." in page
    assert "où votre valeur est gardée : Titre." in page
    # The second editor's values are all in the form, which now carries the current version.
    kept = form_data(response, "project-form")
    assert kept["title"] == "Titre de la DAECT"
    assert kept["results"] == "Résultats saisis par la DAECT."
    assert kept["description"] == "Texte réécrit par l'agent de Strasbourg."
    assert kept["expected_version"] == "2"
    # The first editor's version is the one stored, and in the history.
    stored = Project.all_objects.get(pk=world.draft_x.pk)
    assert (stored.title, stored.version) == ("Titre d'Agent X", 2)
    assert Change.objects.filter(project=stored).count() == 1

    # Saving again applies the second editor's values over version 2.
    assert second.post(url, {**kept, "_save": "1"}).status_code == 302
    stored.refresh_from_db()
    assert (stored.title, stored.results, stored.version) == (
        "Titre de la DAECT",
        "Résultats saisis par la DAECT.",
        3,
    )
    assert stored.description == "Texte réécrit par l'agent de Strasbourg."


def test_a_save_racing_past_the_first_check_is_refused_too(world):
    """Someone saves between the version check and the write: save_tracked's own check refuses it."""
    client = signed_in(world, "agent_x")
    url = reverse("space:project_edit", args=[world.draft_x.slug])
    data = form_data(client.get(url), "project-form")
    original_is_valid = space_forms.ProjectSheet.is_valid

    def someone_saves_meanwhile(sheet):
        valid = original_is_valid(sheet)
        other = Project.all_objects.get(pk=world.draft_x.pk)
        other.title = "Enregistré pendant la validation"
        save_tracked(other, by=world.user("daect"), expected_version=1)
        return valid

    with mock.patch.object(space_forms.ProjectSheet, "is_valid", someone_saves_meanwhile):
        response = client.post(url, {**data, "title": "Ma version", "_save": "1"})
    assert response.status_code == 409
    assert form_data(response, "project-form")["title"] == "Ma version"
    stored = Project.all_objects.get(pk=world.draft_x.pk)
    assert (stored.title, stored.version) == ("Enregistré pendant la validation", 2)


def test_partnership_conflict_is_refused_the_same_way(world):
    first, second = signed_in(world, "agent_x"), signed_in(world, "daect")
    url = reverse("space:partnership_edit", args=[world.partnership_x.slug])
    first_data = form_data(first.get(url), "partnership-form")
    second_data = form_data(second.get(url), "partnership-form")
    assert first.post(url, {**first_data, "status": "en_sommeil", "_save": "1"}).status_code == 302
    response = second.post(url, {**second_data, "title": "Autre intitulé", "_save": "1"})
    assert response.status_code == 409
    conflict = text(response).split('id="conflict"')[1].split("</div>")[0]
    assert "Active" in conflict and "En sommeil" in conflict
    # The status the second editor had not touched follows the first editor's save.
    assert form_data(response, "partnership-form")["status"] == "en_sommeil"
    assert form_data(response, "partnership-form")["title"] == "Autre intitulé"
    assert Partnership.all_objects.get(pk=world.partnership_x.pk).title != "Autre intitulé"
