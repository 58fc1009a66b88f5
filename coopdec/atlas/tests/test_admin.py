"""The Atlas in the admin: lists and forms load, saves are tracked, a stale version is refused."""

import datetime

import pytest
from django import forms
from django.urls import reverse

from coopdec.atlas.history import save_tracked
from coopdec.atlas.models import (
    Change,
    Contact,
    DataLoad,
    Financing,
    Participant,
    Partnership,
    PartnershipMember,
    Project,
    Volunteer,
)
from coopdec.atlas.tests.factories import (
    ContactFactory,
    FinancingFactory,
    ForeignAuthorityFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    VolunteerFactory,
    country,
    theme,
)

pytestmark = pytest.mark.django_db


def _value(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return [str(getattr(item, "pk", item)) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def form_data(response) -> dict:
    """The POST an editor sends back when saving the page unchanged: main form, inlines, management forms."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = _value(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if isinstance(value, bool):
                    if value:
                        data[sub.add_prefix(name)] = "on"
                    continue
                data[sub.add_prefix(name)] = _value(value)
    return data


@pytest.fixture
def project():
    project = ProjectFactory(title="Restauration du patrimoine bâti", themes=[theme("culture-patrimoine")])
    FinancingFactory(project=project)
    ParticipantFactory(project=project)
    ContactFactory(project=project)
    VolunteerFactory(project=project)
    save_tracked(Project.objects.get(pk=project.pk), by_label="import initial", m2m={}, comment="")
    return Project.objects.get(pk=project.pk)


@pytest.fixture
def loaded(project):
    DataLoad.objects.create(
        kind=DataLoad.Kind.DEMO, started_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    project.title = "Restauration des façades"
    save_tracked(project, by_label="Claire Martin")
    return project


CHANGELISTS = {
    "partnership": "q=Coop%C3%A9ration&kind__exact=convention",
    "project": "q=Restauration&status__exact=en_cours",
    "theme": "q=culture",
    "partnershipmember": "q=Strasbourg&is_lead__exact=1",
    "financing": "q=Restauration&kind__exact=daect",
    "participant": "q=Gaston&kind__exact=universite",
    "contact": "q=Claire&project__status__exact=en_cours",
    "volunteer": "q=Restauration&programme__exact=service_civique",
    "change": "q=projet&action__exact=modification",
    "dataload": "kind__exact=demo",
}


@pytest.mark.parametrize("model_name", sorted(CHANGELISTS))
def test_changelist_with_search_and_filter(loaded, admin_client, django_assert_max_num_queries, model_name):
    url = reverse(f"admin:atlas_{model_name}_changelist") + "?" + CHANGELISTS[model_name]
    with django_assert_max_num_queries(15):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def _objects(project):
    return {
        "partnership": project.partnership,
        "project": project,
        "theme": theme("culture-patrimoine"),
        "partnershipmember": PartnershipMember.objects.filter(partnership=project.partnership).first(),
        "financing": Financing.objects.get(project=project),
        "participant": Participant.objects.get(project=project),
        "contact": Contact.objects.get(project=project),
        "volunteer": Volunteer.objects.get(project=project),
        "change": Change.objects.filter(project=project).first(),
        "dataload": DataLoad.objects.first(),
    }


@pytest.mark.parametrize("model_name", sorted(CHANGELISTS))
def test_change_page_loads(loaded, admin_client, django_assert_max_num_queries, model_name):
    obj = _objects(loaded)[model_name]
    with django_assert_max_num_queries(30):
        response = admin_client.get(reverse(f"admin:atlas_{model_name}_change", args=[obj.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("model_name", ["theme", "partnershipmember", "financing", "change", "dataload"])
def test_read_only_models_refuse_writes(loaded, admin_client, model_name):
    obj = _objects(loaded)[model_name]
    assert admin_client.get(reverse(f"admin:atlas_{model_name}_add")).status_code == 403
    assert admin_client.get(reverse(f"admin:atlas_{model_name}_delete", args=[obj.pk])).status_code == 403
    assert (
        admin_client.post(reverse(f"admin:atlas_{model_name}_change", args=[obj.pk]), {}).status_code == 403
    )


def test_project_page_shows_its_history(loaded, admin_client):
    response = admin_client.get(reverse("admin:atlas_project_change", args=[loaded.pk]))
    content = response.content.decode()
    assert "Historique des modifications" in content
    assert "Claire Martin" in content
    assert "Restauration du patrimoine bâti → Restauration des façades" in content


def test_editing_a_project_writes_a_change_with_the_diff(project, admin_client, admin_user):
    url = reverse("admin:atlas_project_change", args=[project.pk])
    data = form_data(admin_client.get(url))
    assert data["expected_version"] == str(project.version)
    data["title"] = "Chantiers-écoles de restauration"
    data["themes"] = [theme("culture-patrimoine").pk, theme("education-formation").pk]
    data["contacts-0-phone"] = "+221 33 961 00 00"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Project.objects.get(pk=project.pk)
    assert stored.title == "Chantiers-écoles de restauration"
    assert stored.version == project.version + 1
    change = Change.objects.filter(project=project).order_by("-version").first()
    assert change.version == stored.version
    assert change.changed_by == admin_user
    assert set(change.diff) == {"title", "themes", "contacts"}
    assert change.diff["title"] == {
        "old": "Restauration du patrimoine bâti",
        "new": "Chantiers-écoles de restauration",
    }
    assert change.diff["themes"] == {
        "old": ["culture-patrimoine"],
        "new": ["culture-patrimoine", "education-formation"],
    }
    [old_contact], [new_contact] = change.diff["contacts"]["old"], change.diff["contacts"]["new"]
    assert "+221 33 961 00 00" not in old_contact
    assert new_contact.endswith("| +221 33 961 00 00")
    assert "contacts : 0 ajout(s), 1 modification(s), 0 suppression(s)" in change.comment
    assert Contact.objects.get(project=project).phone == "+221 33 961 00 00"


def test_editing_only_a_contact_is_versioned_and_recorded(project, admin_client):
    url = reverse("admin:atlas_project_change", args=[project.pk])
    data = form_data(admin_client.get(url))
    data["contacts-0-function"] = "Directrice des relations internationales"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Project.objects.get(pk=project.pk)
    assert stored.version == project.version + 1
    change = Change.objects.filter(project=project).order_by("-version").first()
    assert list(change.diff) == ["contacts"]
    assert "Directrice des relations internationales" in change.diff["contacts"]["new"][0]


def test_saving_an_unchanged_project_writes_no_history(project, admin_client):
    url = reverse("admin:atlas_project_change", args=[project.pk])
    before = Change.objects.filter(project=project).count()
    response = admin_client.post(url, form_data(admin_client.get(url)))
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).version == project.version
    assert Change.objects.filter(project=project).count() == before


def test_a_stale_version_is_refused_and_nothing_changes(project, admin_client):
    url = reverse("admin:atlas_project_change", args=[project.pk])
    data = form_data(admin_client.get(url))
    # Someone else saves while our editor is typing.
    other = Project.objects.get(pk=project.pk)
    other.description = "Texte revu par une collègue."
    save_tracked(other, by_label="Une collègue")
    changes_before = Change.objects.count()

    data["title"] = "Titre de l'éditeur en retard"
    data["contacts-0-name"] = "Nom écrasé"
    response = admin_client.post(url, data)

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "modifiée par quelqu'un d'autre" in errors
    assert "Une collègue" in errors
    stored = Project.objects.get(pk=project.pk)
    assert stored.title == "Restauration du patrimoine bâti"
    assert stored.description == "Texte revu par une collègue."
    assert stored.version == project.version + 1
    assert Change.objects.count() == changes_before
    assert not Contact.objects.filter(name="Nom écrasé").exists()


def test_a_save_without_version_is_refused(project, admin_client):
    url = reverse("admin:atlas_project_change", args=[project.pk])
    data = form_data(admin_client.get(url))
    del data["expected_version"]
    data["title"] = "Sans version"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert Project.objects.get(pk=project.pk).title == "Restauration du patrimoine bâti"


def test_adding_a_project_records_its_creation(admin_client, admin_user):
    partnership = PartnershipFactory()
    url = reverse("admin:atlas_project_add")
    data = form_data(admin_client.get(url))
    data.update(
        {
            "title": "Adduction d'eau à Podor",
            "slug": "adduction-eau-podor",
            "partnership": partnership.pk,
            "themes": [theme("eau-assainissement").pk],
            "status": Project.Status.PLANNED,
            "financings-TOTAL_FORMS": "1",
            "financings-0-funder": partnership.french_members.get().organisation_id,
            "financings-0-kind": Financing.Kind.OWN_FUNDS,
            "financings-0-year": "2025",
            "financings-0-amount": "12000",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get(slug="adduction-eau-podor")
    assert project.version == 1
    assert project.financings.get().amount == 12000
    change = Change.objects.get(project=project)
    assert change.action == Change.Action.CREATE
    assert change.changed_by == admin_user
    assert change.diff["themes"] == {"old": None, "new": ["eau-assainissement"]}
    assert "1 ajout(s)" in change.comment


def test_editing_a_partnership_tracks_foreign_partners_and_requires_one_lead(admin_client):
    partnership = PartnershipFactory()
    url = reverse("admin:atlas_partnership_change", args=[partnership.pk])
    data = form_data(admin_client.get(url))

    del data["french_members-0-is_lead"]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "exactement une collectivité chef de file" in response.content.decode()
    assert Partnership.objects.get(pk=partnership.pk).version == partnership.version

    data["french_members-0-is_lead"] = "on"
    data["status"] = Partnership.Status.DORMANT
    data["foreign"] = []
    response = admin_client.post(url, data)
    # A partnership without a foreign authority is refused by the form (the field is required).
    assert response.status_code == 200
    first = partnership.foreign.get()
    second = ForeignAuthorityFactory(country=country("MA"))
    data["foreign"] = [str(first.pk), str(second.pk)]
    response = admin_client.post(url, data)
    assert response.status_code == 302
    change = Change.objects.get(partnership=partnership)
    assert change.diff == {
        "status": {"old": "active", "new": "en_sommeil"},
        "foreign": {"old": [str(first.pk)], "new": sorted([str(first.pk), str(second.pk)])},
    }
    assert Partnership.objects.get(pk=partnership.pk).version == partnership.version + 1


def test_deleting_a_project_keeps_a_last_history_row(project, admin_client):
    url = reverse("admin:atlas_project_delete", args=[project.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    last = Change.objects.filter(object_slug=project.slug).order_by("-pk").first()
    assert last.action == Change.Action.DELETE
    assert last.diff["title"] == {"old": "Restauration du patrimoine bâti", "new": None}


def test_a_conflict_at_save_time_rolls_everything_back(project, admin_client, monkeypatch):
    """The race the form cannot see: someone saves between the form's check and ours."""
    url = reverse("admin:atlas_project_change", args=[project.pk])
    data = form_data(admin_client.get(url))
    other = Project.objects.get(pk=project.pk)
    other.description = "Texte revu par une collègue."
    save_tracked(other, by_label="Une collègue")
    # Skip the form's early check, as if the other save had landed just after it.
    monkeypatch.setattr("coopdec.atlas.admin.TrackedForm.clean", forms.ModelForm.clean)
    data["title"] = "Titre de l'éditeur en retard"
    data["contacts-0-name"] = "Nom écrasé"

    response = admin_client.post(url, data, follow=True)

    assert response.redirect_chain[-1][0] == url
    assert any("modifiée par quelqu'un d'autre" in str(message) for message in response.context["messages"])
    stored = Project.objects.get(pk=project.pk)
    assert (stored.title, stored.version) == ("Restauration du patrimoine bâti", project.version + 1)
    assert not Contact.objects.filter(name="Nom écrasé").exists()
