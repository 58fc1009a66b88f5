import pytest

from coopdec.atlas.history import ConflictError, delete_tracked, save_tracked
from coopdec.atlas.models import Change, Partnership, Project
from coopdec.atlas.tests.factories import ForeignAuthorityFactory, PartnershipFactory, ProjectFactory, theme

pytestmark = pytest.mark.django_db


def test_creating_through_save_tracked_records_every_field():
    partnership = PartnershipFactory()
    project = Project(slug="nouveau-projet", partnership=partnership, title="Adduction d'eau à Podor")
    change = save_tracked(project, by_label="Claire Martin", m2m={"themes": [theme("eau-assainissement")]})
    assert change.action == Change.Action.CREATE
    assert change.version == project.version == 1
    assert change.project == project
    assert change.changed_by_label == "Claire Martin"
    assert change.diff["title"] == {"old": None, "new": "Adduction d'eau à Podor"}
    assert change.diff["themes"] == {"old": None, "new": ["eau-assainissement"]}
    assert list(project.themes.values_list("code", flat=True)) == ["eau-assainissement"]


def test_update_records_changed_fields_and_themes_only():
    project = ProjectFactory(title="Ancien titre", themes=[theme("culture-patrimoine")])
    project = Project.objects.get(pk=project.pk)
    project.title = "Nouveau titre"
    change = save_tracked(project, by_label="agent", m2m={"themes": [theme("education-formation")]})
    assert change.action == Change.Action.UPDATE
    assert change.version == 2
    assert change.diff == {
        "title": {"old": "Ancien titre", "new": "Nouveau titre"},
        "themes": {"old": ["culture-patrimoine"], "new": ["education-formation"]},
    }
    stored = Project.objects.get(pk=project.pk)
    assert (stored.title, stored.version) == ("Nouveau titre", 2)
    assert list(stored.themes.values_list("code", flat=True)) == ["education-formation"]


def test_saving_without_change_writes_nothing():
    project = ProjectFactory()
    project = Project.objects.get(pk=project.pk)
    before = Change.objects.count()
    assert save_tracked(project, by_label="agent", m2m={"themes": list(project.themes.all())}) is None
    assert Change.objects.count() == before
    assert Project.objects.get(pk=project.pk).version == 1


def test_stale_expected_version_raises_conflict_listing_changes_since():
    project = ProjectFactory(title="Version 1")
    first = Project.objects.get(pk=project.pk)
    first.title = "Version 2 par Alice"
    alice_change = save_tracked(first, by_label="Alice", expected_version=1)

    bob_copy = Project.objects.get(pk=project.pk)
    bob_copy.title = "Version 2 par Bob"
    with pytest.raises(ConflictError) as raised:
        save_tracked(bob_copy, by_label="Bob", expected_version=1)
    conflict = raised.value
    assert (conflict.expected_version, conflict.current_version) == (1, 2)
    assert conflict.changes_since == [alice_change]
    assert "version 2" in str(conflict)
    assert Project.objects.get(pk=project.pk).title == "Version 2 par Alice"
    # Raising must not leave a history row for the refused save.
    assert not Change.objects.filter(changed_by_label="Bob").exists()


def test_conflict_error_can_be_handled_like_any_exception():
    partnership = PartnershipFactory()
    copy = Partnership.objects.get(pk=partnership.pk)
    copy.title = "Changé"
    save_tracked(copy, expected_version=1)
    copy.title = "Encore changé"
    with pytest.raises(ConflictError) as raised:
        save_tracked(copy, expected_version=1)
    # Exceptions are put in sets by logging and traceback code: they must stay hashable.
    assert {raised.value}
    assert raised.value.args


def test_partnership_foreign_partners_are_tracked():
    partnership = PartnershipFactory()
    old_foreign = list(partnership.foreign.all())
    other = ForeignAuthorityFactory()
    change = save_tracked(Partnership.objects.get(pk=partnership.pk), m2m={"foreign": [*old_foreign, other]})
    assert change.diff == {
        "foreign": {
            "old": [str(o.pk) for o in old_foreign],
            "new": sorted(str(o.pk) for o in [*old_foreign, other]),
        }
    }
    assert change.partnership == partnership


def test_delete_keeps_a_row_with_the_old_values():
    project = ProjectFactory(title="Fiche supprimée", themes=[theme("culture-patrimoine")])
    slug, version = project.slug, project.version
    change = delete_tracked(project, by_label="DAECT", comment="doublon")
    assert not Project.objects.filter(slug=slug).exists()
    change.refresh_from_db()
    assert change.action == Change.Action.DELETE
    assert change.object_slug == slug
    assert change.version == version + 1
    assert change.comment == "doublon"
    assert change.diff["title"] == {"old": "Fiche supprimée", "new": None}
    assert change.diff["themes"] == {"old": ["culture-patrimoine"], "new": None}


def test_delete_keeps_the_history_of_the_deleted_object():
    project = ProjectFactory(title="Avant")
    copy = Project.objects.get(pk=project.pk)
    copy.title = "Après"
    update = save_tracked(copy)
    delete_tracked(copy)
    update.refresh_from_db()
    # The earlier rows stay, and still name the object they were about.
    assert update.project is None
    assert update.object_slug == project.slug
    assert Change.objects.filter(object_slug=project.slug).count() == 2


def test_delete_of_a_stale_copy_records_what_was_stored():
    project = ProjectFactory(title="Titre d'origine")
    stale = Project.objects.get(pk=project.pk)
    fresh = Project.objects.get(pk=project.pk)
    fresh.title = "Titre enregistré"
    save_tracked(fresh)
    change = delete_tracked(stale)
    assert change.version == 3
    assert change.diff["title"] == {"old": "Titre enregistré", "new": None}


def test_child_rows_saved_with_the_object_are_part_of_its_history():
    from coopdec.atlas.models import Contact

    project = ProjectFactory()
    project = Project.objects.get(pk=project.pk)
    before = project.version

    def add_contact(saved):
        Contact.objects.create(project=saved, name="Awa Diop", function="Chargée de mission", email="")

    change = save_tracked(project, by_label="agent", save_children=add_contact)
    assert change is not None
    assert change.version == before + 1
    assert list(change.diff) == ["contacts"]
    assert any(line.startswith("Awa Diop | Chargée de mission") for line in change.diff["contacts"]["new"])
    assert not any(line.startswith("Awa Diop") for line in change.diff["contacts"]["old"] or [])
    # Saving again with children that do not change writes nothing.
    assert save_tracked(Project.objects.get(pk=project.pk), save_children=lambda saved: None) is None
