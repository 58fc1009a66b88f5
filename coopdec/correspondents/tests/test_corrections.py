"""Corrections: proposing, accepting (applied and in the sheet's history), refusing, staleness; the pages
for every persona."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from coopdec.atlas.history import save_tracked
from coopdec.atlas.models import Change
from coopdec.correspondents import corrections
from coopdec.correspondents.models import Correction
from coopdec.orgs.tests.personas import PERSONA_NAMES, login

from .conftest import BASE, reload

pytestmark = pytest.mark.django_db

VIEWERS = {"correspondent_a", "agent_x", "daect"}
DECIDERS = {"agent_x", "daect"}


def test_only_changed_fields_are_kept(world, correction_x):
    assert correction_x.changes == {
        "title": {"old": "Patrimoine de Saint-Louis", "new": "Patrimoine de Saint-Louis (phase 2)"},
        "end_date": {
            "old": str(world.project_x.end_date) if world.project_x.end_date else None,
            "new": "2027-12-31",
        },
    }
    assert correction_x.base_version == world.project_x.version
    assert correction_x.status == Correction.Status.PROPOSED
    assert correction_x.proposed_by_label.startswith("Correspondent A")
    assert "Ambassade de France au Sénégal" in correction_x.proposed_by_label


def test_a_correction_without_change_or_comment_is_refused(world):
    user = world.user("correspondent_a")
    with pytest.raises(corrections.CorrectionError, match="modifiez au moins un champ"):
        corrections.propose(world.project_x, {"title": world.project_x.title}, "rien", by=user, base_url=BASE)
    with pytest.raises(corrections.CorrectionError, match="commentaire"):
        corrections.propose(world.project_x, {"title": "Autre"}, "  ", by=user, base_url=BASE)
    with pytest.raises(corrections.CorrectionError, match="ne peut pas être corrigé"):
        corrections.propose(world.project_x, {"version": 9}, "x", by=user, base_url=BASE)
    assert not Correction.objects.exists()


def test_proposing_mails_the_authority_agents(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        correction = corrections.propose(
            world.project_y,
            {"status": "termine"},
            "Projet achevé en 2025.",
            by=world.user("correspondent_b"),
            base_url=BASE,
        )
    assert [m.to for m in mail.outbox] == [["agent_y@example.org"]]
    assert f"{BASE}/correspondants/corrections/{correction.uuid}/" in mail.outbox[0].body


def test_accepting_applies_through_the_history(world, correction_x, django_capture_on_commit_callbacks):
    version = world.project_x.version
    with django_capture_on_commit_callbacks(execute=True):
        corrections.accept(correction_x, by=world.user("agent_x"))
    project = reload(world.project_x)
    assert project.title == "Patrimoine de Saint-Louis (phase 2)"
    assert project.end_date == datetime.date(2027, 12, 31)
    assert project.version == version + 1
    change = Change.objects.get(project=project, version=project.version)
    assert change.changed_by == world.user("agent_x")
    assert "Correction proposée par Correspondent A" in change.comment
    assert "Vu avec la mairie" in change.comment
    assert change.diff["title"]["new"] == "Patrimoine de Saint-Louis (phase 2)"
    correction = reload(correction_x)
    assert (correction.status, correction.decided_by, correction.change) == (
        "acceptee",
        world.user("agent_x"),
        change,
    )
    assert [m.to for m in mail.outbox] == [["correspondent_a@example.org"]]
    with pytest.raises(corrections.CorrectionError, match="déjà été traitée"):
        corrections.accept(correction, by=world.user("daect"))


def test_a_stale_correction_is_not_applied(world, correction_x):
    project = reload(world.project_x)
    project.title = "Patrimoine de Saint-Louis, nouveau titre"
    save_tracked(project, by=world.user("agent_x"), expected_version=project.version)
    with pytest.raises(corrections.CorrectionError, match="modifiée depuis la proposition"):
        corrections.accept(correction_x, by=world.user("agent_x"))
    assert reload(world.project_x).title == "Patrimoine de Saint-Louis, nouveau titre"
    assert reload(correction_x).status == "proposee"
    # Refusing it still works, and keeps it.
    corrections.refuse(correction_x, "Titre déjà changé par la collectivité.", by=world.user("agent_x"))
    correction = reload(correction_x)
    assert (correction.status, correction.reason) == ("refusee", "Titre déjà changé par la collectivité.")


def test_a_change_to_other_fields_does_not_make_it_stale(world, correction_x):
    project = reload(world.project_x)
    project.description = "Une description revue."
    save_tracked(project, by=world.user("agent_x"), expected_version=project.version)
    corrections.accept(correction_x, by=world.user("daect"))
    project = reload(world.project_x)
    assert (project.title, project.description) == (
        "Patrimoine de Saint-Louis (phase 2)",
        "Une description revue.",
    )


def test_refusing_needs_a_reason(world, correction_x):
    with pytest.raises(corrections.CorrectionError, match="motif"):
        corrections.refuse(correction_x, " ", by=world.user("agent_x"))
    assert reload(correction_x).status == "proposee"


def test_a_partnership_correction(world):
    correction = corrections.propose(
        world.partnership_y,
        {"kind": "jumelage", "end_date": None, "start_date": datetime.date(2001, 1, 1)},
        "Jumelage signé en 2001.",
        by=world.user("correspondent_b"),
        base_url=BASE,
    )
    assert set(correction.changes) >= {"kind", "start_date"}
    corrections.accept(correction, by=world.user("agent_y"))
    partnership = reload(world.partnership_y)
    assert (partnership.kind, partnership.start_date) == ("jumelage", datetime.date(2001, 1, 1))
    assert Change.objects.filter(partnership=partnership, comment__contains="Correspondent B").exists()


# --- Pages ---------------------------------------------------------------------------------------------


def expected(name, allowed: set, ok=200, refused=404):
    if name == "anonymous":
        return 302
    return ok if name in allowed else refused


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_list_matrix(client, world, correction_x, name):
    login(client, world.user(name))
    response = client.get(reverse("correspondents:corrections"))
    assert response.status_code == (302 if name == "anonymous" else 200)
    if response.status_code == 200:
        assert (correction_x.object_title in response.content.decode()) is (name in VIEWERS)


@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize("sheet", ["project_x", "draft_x", "partnership_x"])
def test_propose_page_matrix(client, world, name, sheet):
    target = getattr(world, sheet)
    kind = "partenariat" if sheet.startswith("partnership") else "projet"
    login(client, world.user(name))
    response = client.get(reverse("correspondents:propose_correction", args=[kind, target.slug]))
    assert response.status_code == expected(name, {"correspondent_a"})


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_detail_matrix(client, world, correction_x, name):
    login(client, world.user(name))
    response = client.get(reverse("correspondents:correction", args=[correction_x.uuid]))
    assert response.status_code == expected(name, VIEWERS)
    if response.status_code == 200:
        body = response.content.decode()
        assert ('id="accept-form"' in body) is (name in DECIDERS)
        assert ('id="cannot-decide"' in body) is (name not in DECIDERS)


@pytest.mark.parametrize("name", PERSONA_NAMES)
@pytest.mark.parametrize("action", ["correction_accept", "correction_refuse"])
def test_decide_matrix(client, world, correction_x, name, action):
    login(client, world.user(name))
    response = client.post(reverse(f"correspondents:{action}", args=[correction_x.uuid]), {"reason": "Non."})
    if name == "anonymous":
        assert response.status_code == 302 and "/compte/" in response["Location"]
    elif name in DECIDERS:
        assert response.status_code == 302
    elif name in VIEWERS:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    decided = reload(correction_x).status != "proposee"
    assert decided is (name in DECIDERS)


def test_proposing_through_the_page(client, world):
    login(client, world.user("correspondent_a"))
    url = reverse("correspondents:propose_correction", args=["projet", world.project_x.slug])
    page = client.get(url).content.decode()
    assert 'value="Patrimoine de Saint-Louis"' in page
    data = {
        "title": world.project_x.title,
        "status": world.project_x.status,
        "start_date": world.project_x.start_date.isoformat() if world.project_x.start_date else "",
        "end_date": world.project_x.end_date.isoformat() if world.project_x.end_date else "",
        "objectives": world.project_x.objectives,
        "description": world.project_x.description,
        "context": world.project_x.context,
        "history": world.project_x.history,
        "results": world.project_x.results,
        "comment": "",
    }
    # Nothing changed and no comment: both said, nothing recorded.
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    response = client.post(url, {**data, "comment": "rien"})
    assert "modifiez au moins un champ" in response.content.decode()
    response = client.post(
        url, {**data, "start_date": "2030-01-01", "end_date": "2020-01-01", "comment": "x"}
    )
    assert "La date de fin précède la date de début." in response.content.decode()
    assert not Correction.objects.exists()
    response = client.post(
        url, {**data, "status": "suspendu", "comment": "Suspendu depuis juin."}, follow=True
    )
    correction = Correction.objects.get()
    assert list(correction.changes) == ["status"]
    body = response.content.decode()
    assert "Votre correction est transmise" in body
    assert "<ins>Suspendu</ins>" in body


def test_accepting_and_refusing_through_the_page(client, world, correction_x):
    login(client, world.user("agent_x"))
    url = reverse("correspondents:correction", args=[correction_x.uuid])
    response = client.post(
        reverse("correspondents:correction_refuse", args=[correction_x.uuid]), {"reason": ""}
    )
    assert response.status_code == 400
    assert reload(correction_x).status == "proposee"
    response = client.post(reverse("correspondents:correction_accept", args=[correction_x.uuid]), follow=True)
    assert "Correction acceptée" in response.content.decode()
    assert reload(world.project_x).title == "Patrimoine de Saint-Louis (phase 2)"
    body = client.get(url).content.decode()
    assert 'id="decision"' in body and 'id="accept-form"' not in body


def test_a_stale_correction_page_says_why(client, world, correction_x):
    project = reload(world.project_x)
    project.title = "Autre titre"
    save_tracked(project, by=world.user("agent_x"), expected_version=project.version)
    login(client, world.user("agent_x"))
    body = client.get(reverse("correspondents:correction", args=[correction_x.uuid])).content.decode()
    assert 'id="stale-warning"' in body and 'id="accept-form"' not in body
    response = client.post(reverse("correspondents:correction_accept", args=[correction_x.uuid]), follow=True)
    assert "modifiée depuis la proposition" in response.content.decode()
    assert reload(world.project_x).title == "Autre titre"


def test_list_queries_are_bounded(client, world, django_assert_max_num_queries):
    for i in range(25):
        corrections.propose(
            world.project_x,
            {"title": f"Titre {i}"},
            "Source : mairie.",
            by=world.user("correspondent_a"),
            base_url=BASE,
        )
    for name in ("daect", "agent_x", "correspondent_a"):
        login(client, world.user(name))
        with django_assert_max_num_queries(14):
            response = client.get(reverse("correspondents:corrections"))
        assert response.content.decode().count('<a href="/correspondants/corrections/') == 20
    login(client, world.user("daect"))
    assert client.get(reverse("correspondents:corrections") + "?etat=inconnu").status_code == 404
    assert client.get(reverse("correspondents:corrections") + "?page=3").status_code == 404


def test_a_correction_outlives_its_sheet(client, world):
    from coopdec.atlas.history import delete_tracked
    from coopdec.atlas.tests import factories as f

    partnership = f.PartnershipFactory(
        french=[world.authority_y], foreign=[world.foreign_b], kind="convention"
    )
    correction = corrections.propose(
        partnership,
        {"kind": "jumelage"},
        "C'est un jumelage.",
        by=world.user("correspondent_b"),
        base_url=BASE,
    )
    delete_tracked(partnership, by=world.user("agent_y"))
    correction = reload(correction)
    assert correction.target is None and correction.object_kind == "partenariat"
    login(client, world.user("correspondent_b"))
    body = client.get(reverse("correspondents:correction", args=[correction.uuid])).content.decode()
    assert "<ins>Jumelage</ins>" in body
    login(client, world.user("daect"))
    body = client.get(reverse("correspondents:correction", args=[correction.uuid])).content.decode()
    assert "La fiche corrigée n&#x27;existe plus." in body
    with pytest.raises(corrections.CorrectionError, match="n'existe plus"):
        corrections.accept(correction, by=world.user("daect"))
