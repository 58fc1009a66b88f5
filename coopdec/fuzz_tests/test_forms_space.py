"""The forms of the professional space under hostile input, each posted by a persona who may use it.

Editing an organisation (an agent's own French authority; a foreign authority's place by DAECT) and adding a
contact; a partnership and a project sheet with its four formsets, new or edited, saved or only shown again
("add a line", "search"); publishing a draft; opening a campaign and confirming a checklist; a correspondent's
public details, a correction proposed and refused, a partnership inventoried and declined; saving, renaming
and extracting a search; the DAECT desk of personal data (search, export, erase).

Each form starts from what the page shows (the unbound form's values, so that a drawn example spoils a
valid submission field by field) or from a valid submission written out. A refused POST in these pages
writes nothing, audit log included, except where a test says otherwise.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from coopdec.atlas.space.forms import PartnershipSheet, ProjectSheet
from coopdec.orgs.policies import actor_for
from coopdec.orgs.tests.personas import login

from .conftest import initial_data, run_form
from .hostile import codes, integers

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

TEXT = st.sampled_from(["Coopération", "Eau potable à Ségou", "O'Brien", "", " ", "<b>gras</b>"])
DATES = st.sampled_from(["2020-01-31", "31/01/2020", "2020-02-30", "1949-12-31", "2101-01-01", "01/13/2020"])
EMAILS = st.sampled_from(["contact@example.org", "a@b", "@", "x@ex\x00.org", ""])
PHONES = st.sampled_from(["+221 33 839 51 00", "01.02.03.04.05", "12", "+" * 10, "(0) 1-2"])
YEARS = integers(1900, 2200)
AMOUNTS = st.sampled_from(["1000", "0", "-5", "1e10", "1,5", "99999999999999999999", "NaN", "Infinity"])


def _version_shapes(instance) -> dict:
    return {"expected_version": st.sampled_from([str(instance.version), str(instance.version + 1), "0", "١"])}


# --- Organisations --------------------------------------------------------------------------------------


def test_organisation_profile(client, world):
    login(client, world.user("agent_x"))
    shapes = {"website": st.sampled_from(["https://www.strasbourg.eu", "strasbourg.eu", "javascript:x"])}
    shapes["population"] = integers(-10, 10**20)
    url = reverse("space:organisation_edit", args=[world.authority_x.slug])
    run_form(client, url, shapes, base={"website": "https://www.strasbourg.eu", "population": "290000"})


def test_foreign_authority_place(client, world):
    login(client, world.user("daect"))
    shapes = {
        "level": codes("municipal", "intermediaire", "regional"),
        "latitude": st.sampled_from(["14.7", "-91", "90", "nan", "inf", "1e400", ""]),
        "longitude": st.sampled_from(["-17.4", "181", "-180", "NaN", ""]),
        "population": integers(-10, 10**20),
    }
    url = reverse("space:organisation_edit", args=[world.foreign_a.slug])
    run_form(client, url, shapes, base={"level": "municipal", "latitude": "16.03", "longitude": "-16.5"})


def test_organisation_contact(client, world):
    login(client, world.user("agent_x"))
    shapes = {
        "category": codes("elu", "technique", "autre"),
        "name": TEXT,
        "function": TEXT,
        "email": EMAILS,
        "phone": PHONES,
        "position": integers(-5, 10**12),
    }
    base = {"category": "technique", "name": "Claire Martin", "email": "claire@example.org", "position": "0"}
    run_form(client, reverse("space:contact_add", args=[world.authority_x.slug]), shapes, base=base)


# --- Partnerships and project sheets -------------------------------------------------------------------


def _partnership_shapes(world) -> dict:
    french = st.sampled_from([world.authority_x.slug, world.authority_y.slug, "inconnue", "a\x00"])
    return {
        "title": TEXT,
        "kind": codes("convention", "jumelage", "hors_convention"),
        "status": codes("active", "terminee", "en_sommeil"),
        "start_date": DATES,
        "end_date": DATES,
        "french": french,
        "lead": french,
        "foreign": st.sampled_from([world.foreign_a.slug, world.foreign_b.slug, "inconnue"]),
        "_save": st.just(""),
        "_more": st.sampled_from(["financings", "french", ""]),
        "_lookup": st.just(""),
        "add_french": french,
        "french_query": st.sampled_from(["Stras", "Gi", "x"]),
        "foreign_query": st.sampled_from(["Ség", "Sa"]),
    }


def _only_shown(data) -> bool:
    """Without "_save", the editing pages show the form again with the person's values: nothing is saved."""
    return "_save" not in data


def test_partnership_edit(client, world):
    agent = world.user("agent_x")
    login(client, agent)
    partnership = world.partnership_x
    sheet = PartnershipSheet(instance=partnership, actor=actor_for(agent))
    base = {**initial_data(*sheet.parts), "_save": ""}
    shapes = {**_partnership_shapes(world), **_version_shapes(partnership)}
    url = reverse("space:partnership_edit", args=[partnership.slug])
    run_form(client, url, shapes, base=base, shown=_only_shown)


def test_partnership_create(client, world):
    agent = world.user("agent_x")
    login(client, agent)
    base = {
        "title": "Coopération Strasbourg – Louga",
        "kind": "convention",
        "status": "active",
        "french": world.authority_x.slug,
        "lead": world.authority_x.slug,
        "foreign": world.foreign_a.slug,
        "_save": "",
    }
    run_form(
        client, reverse("space:partnership_create"), _partnership_shapes(world), base=base, shown=_only_shown
    )


def _project_shapes(world, project) -> dict:
    return {
        "title": TEXT,
        "status": codes("en_cours", "termine", "en_preparation"),
        "start_date": DATES,
        "end_date": DATES,
        "themes": codes("eau-assainissement", "culture-patrimoine"),
        "description": TEXT,
        "_save": st.just(""),
        "_more": st.sampled_from(["financings", "participants", "contacts", "volunteers", "autre"]),
        "financings-TOTAL_FORMS": integers(-1, 3000),
        "financings-INITIAL_FORMS": integers(-1, 5),
        "financings-0-funder": st.sampled_from([str(world.operator_org.pk), "0", "abc"]),
        "financings-0-kind": codes("afd_ficol", "autre", "daect"),
        "financings-0-year": YEARS,
        "financings-0-amount": AMOUNTS,
        "participants-TOTAL_FORMS": integers(-1, 3),
        "participants-0-name": TEXT,
        "participants-0-kind": codes("association", "autre"),
        "participants-0-country": codes("SN", "ML"),
        "contacts-TOTAL_FORMS": integers(-1, 3),
        "contacts-0-name": TEXT,
        "contacts-0-email": EMAILS,
        "contacts-0-phone": PHONES,
        "volunteers-TOTAL_FORMS": integers(-1, 3),
        "volunteers-0-programme": codes("vsi", "jsi", "autre"),
        "volunteers-0-count": integers(-3, 10**12),
        "volunteers-0-year": YEARS,
        **_version_shapes(project),
    }


def test_project_edit(client, world):
    """X's draft sheet, which has a financing (by the operator) and a contact."""
    login(client, world.user("agent_x"))
    project = world.draft_x
    sheet = ProjectSheet(instance=project)
    base = {**initial_data(*sheet.parts), "_save": ""}
    url = reverse("space:project_edit", args=[project.slug])
    run_form(client, url, _project_shapes(world, project), base=base, shown=_only_shown)


def test_project_create(client, world):
    login(client, world.user("agent_x"))
    partnership = world.partnership_x
    base = {**initial_data(*ProjectSheet(instance=world.draft_x.__class__(partnership=partnership)).parts)}
    base.update({"title": "Nouvelle fiche", "status": "en_cours", "_save": ""})
    url = reverse("space:project_create", args=[partnership.slug])
    run_form(client, url, _project_shapes(world, world.draft_x), base=base, shown=_only_shown)


def test_publication(client, world):
    login(client, world.user("agent_x"))
    project = world.draft_x
    url = reverse("space:project_publish", args=[project.slug])
    run_form(client, url, _version_shapes(project), base={"expected_version": str(project.version)})


# --- Campaigns ------------------------------------------------------------------------------------------


def test_campaign_opening(client, world):
    login(client, world.user("daect"))
    later = timezone.localdate() + datetime.timedelta(days=30)
    shapes = {
        "year": integers(1990, 2200),
        "closes_on": st.sampled_from(
            [later.isoformat(), "2000-01-01", later.strftime("%d/%m/%Y"), "9999-12-31"]
        ),
        "reminder_days": st.sampled_from(["14, 3", "0", "366", "3;3;3", "²", "1" * 5000, ",,", "7 14 21"]),
        "step": st.sampled_from(["confirm", "", "autre"]),
    }
    base = {"year": "2027", "closes_on": later.isoformat(), "reminder_days": "14, 3", "step": "confirm"}

    def only_shown(data):  # the confirmation step shows what is about to happen, and saves nothing
        return data.get("step") != ["confirm"]

    run_form(client, reverse("campaigns:open"), shapes, base=base, shown=only_shown)


def test_campaign_confirmation(client, world):
    from coopdec.campaigns import actions

    actions.open_campaign(
        year=2026,
        closes_on=timezone.localdate() + datetime.timedelta(days=30),
        reminder_days=[14, 3],
        by=world.user("daect"),
    )
    login(client, world.user("agent_x"))
    shapes = {
        "item": st.sampled_from(
            [
                "profil",
                "contacts",
                f"projet:{world.project_x.slug}",
                f"partenariat:{world.partnership_y.slug}",
            ]
        ),
        "all": st.sampled_from(["1", ""]),
    }
    url = reverse("campaigns:confirm", args=[2026, world.authority_x.slug])
    run_form(client, url, shapes, base={"item": "profil"})


# --- Correspondents --------------------------------------------------------------------------------------


def test_correspondent_profile(client, world):
    login(client, world.user("correspondent_a"))
    shapes = {"public_email": EMAILS, "public_phone": PHONES}
    run_form(client, reverse("correspondents:profile"), shapes, base={"public_phone": "+221 33 839 51 00"})


def test_correction_proposal(client, world):
    login(client, world.user("correspondent_a"))
    project = world.project_x
    shapes = {
        "title": TEXT,
        "status": codes("en_cours", "termine"),
        "start_date": DATES,
        "end_date": DATES,
        "objectives": TEXT,
        "comment": TEXT,
    }
    base = {"title": project.title + " (phase 2)", "status": project.status, "comment": "Vu avec la mairie."}
    run_form(
        client, reverse("correspondents:propose_correction", args=["projet", project.slug]), shapes, base=base
    )


@pytest.fixture
def correction(world):
    from coopdec.correspondents import corrections

    return corrections.propose(
        world.project_x,
        {"title": "Patrimoine de Saint-Louis (phase 2)"},
        "Vu avec la mairie de Saint-Louis.",
        by=world.user("correspondent_a"),
        base_url="http://testserver",
    )


def test_correction_refusal(client, world, correction):
    login(client, world.user("agent_x"))
    url = reverse("correspondents:correction_refuse", args=[correction.uuid])
    run_form(client, url, {"reason": TEXT}, base={"reason": "Le titre est juste."})


def test_inventory_record(client, world):
    login(client, world.user("correspondent_a"))
    shapes = {
        "french_authority": st.sampled_from([world.authority_x.slug, world.authority_y.slug, "inconnue"]),
        "foreign_authority": st.sampled_from([world.foreign_a.slug, world.foreign_b.slug, ""]),
        "new_foreign_name": TEXT,
        "new_foreign_country": codes("SN", "ML"),
        "new_foreign_subdivision": st.sampled_from(["SN-SL", "sn-dk", "XX-00", ""]),
        "new_foreign_level": codes("municipal", "regional"),
        "kind": codes("convention", "jumelage"),
        "title": TEXT,
        "start_date": DATES,
        "french_query": st.sampled_from(["Stras", "Gi"]),
        "foreign_query": st.sampled_from(["Saint", "Ség"]),
        "_save": st.just(""),
    }
    base = {
        "french_authority": world.authority_x.slug,
        "new_foreign_name": "Commune de Podor",
        "new_foreign_country": "SN",
        "new_foreign_level": "municipal",
        "kind": "jumelage",
        "title": "Jumelage Strasbourg – Podor",
        "start_date": "2019-06-01",
        "_save": "",
    }
    run_form(client, reverse("correspondents:record"), shapes, base=base, shown=_only_shown)


def test_inventory_decline(client, world):
    from coopdec.correspondents.tests.inventoried import podor_twinning

    entry = podor_twinning(world)
    login(client, world.user("agent_x"))
    url = reverse("correspondents:inventoried_decline", args=[entry.uuid])
    run_form(client, url, {"reason": TEXT}, base={"reason": "Ce jumelage a pris fin."})


# --- Saved searches and extractions --------------------------------------------------------------------


@pytest.fixture
def saved_search(fuzz_world, settings, tmp_path):
    from coopdec.workspace.models import SavedSearch

    settings.MEDIA_ROOT = tmp_path / "media"
    return SavedSearch.objects.create(
        owner=fuzz_world.user("agent_x"), name="Sénégal", query="country=SN", kind=SavedSearch.Kind.SEARCH
    )


NAME_SHAPES = {"name": st.sampled_from(["Sénégal", "Mali", " ", "x" * 151, "\t\n"]), "alert": st.just("on")}


def test_saving_a_search(client, fuzz_world, saved_search):
    login(client, fuzz_world.user("agent_x"))
    url = reverse("workspace:save") + "?country=ML&theme=eau-assainissement"
    run_form(client, url, NAME_SHAPES, base={"name": "Le Mali"})


def test_saving_a_search_with_a_hostile_query(client, fuzz_world):
    """The criteria ride in the query string: a refused value refuses the save."""
    login(client, fuzz_world.user("agent_x"))
    url = reverse("workspace:save") + "?country=SN%00&q=%00&year_min=%C2%B2&type=carte&vue=%00"
    run_form(client, url, NAME_SHAPES, base={"name": "Le Mali"})


def test_renaming_a_search(client, fuzz_world, saved_search):
    login(client, fuzz_world.user("agent_x"))
    run_form(
        client, reverse("workspace:saved", args=[saved_search.uuid]), NAME_SHAPES, base={"name": "Dakar"}
    )


def test_extraction(client, fuzz_world, saved_search):
    login(client, fuzz_world.user("agent_x"))
    shapes = {"format": codes("csv", "xlsx", "geojson", "pdf")}
    run_form(client, reverse("workspace:extract", args=[saved_search.uuid]), shapes, base={"format": "csv"})


# --- Personal data (DAECT) -------------------------------------------------------------------------------

PERSON_EMAILS = st.sampled_from(
    ["claire.brouillon@example.org", "agent_y@example.org", "inconnue@example.org", "a@b", "\x00@x.fr"]
)


def _desk_shown(data) -> bool:
    """A search for an address shows what is held, without any error; a POST without an address is refused
    with the field's error (it used to show the desk again, silently)."""
    return bool(data.get("email"))


def test_personal_data_desk(client, world):
    login(client, world.user("daect"))
    run_form(client, reverse("orgs:personal_data"), {"email": PERSON_EMAILS}, shown=_desk_shown)


def test_personal_data_export(client, world):
    login(client, world.user("daect"))

    def download(response):
        return response["Content-Type"].startswith("application/json")

    run_form(client, reverse("orgs:personal_data_export"), {"email": PERSON_EMAILS}, success=download)


def test_personal_data_erasure(client, world):
    login(client, world.user("daect"))
    # Addresses of which something is held (the one of nobody: see the test below).
    emails = st.sampled_from(["claire.brouillon@example.org", "agent_y@example.org", "a@b", "\x00@x.fr"])
    shapes = {"email": emails, "step": st.sampled_from(["erase", ""]), "confirm": st.just("on")}

    def only_shown(data):  # the first step asks for confirmation
        return data.get("step") != ["erase"]

    url = reverse("orgs:personal_data_erase")
    run_form(client, url, shapes, base={"email": "claire.brouillon@example.org"}, shown=only_shown)


def test_erasing_an_address_of_nobody_without_the_box_says_why(client, world):
    """Found by the stress run: the erasure step, box not ticked, for an address nothing is held about."""
    from .conftest import post_form

    login(client, world.user("daect"))
    post_form(
        client, reverse("orgs:personal_data_erase"), {"email": ["inconnue@example.org"], "step": ["erase"]}
    )
