"""The publication gate lists every missing or wrong field at once; publishing and withdrawing are tracked."""

import datetime
from decimal import Decimal

import pytest

from coopdec.atlas.history import ConflictError
from coopdec.atlas.models import Change, Partnership, Project
from coopdec.atlas.publication import (
    PublicationRefused,
    publication_errors,
    publish,
    unpublication_errors,
    unpublish,
)
from coopdec.atlas.tests import factories as f

pytestmark = pytest.mark.django_db


def codes(errors) -> set[str]:
    return {error.code for error in errors}


def ready_draft(**kwargs) -> Project:
    """A draft that the gate lets through: published partnership, theme, texts, dates, one contact."""
    project = f.ProjectFactory(published=False, **kwargs)
    f.ContactFactory(project=project)
    return Project.all_objects.get(pk=project.pk)


def test_a_complete_draft_passes_the_gate():
    assert publication_errors(ready_draft()) == []


def test_every_missing_field_is_listed_at_once():
    partnership = f.PartnershipFactory(published=False, foreign=[])
    project = f.ProjectFactory(
        partnership=partnership,
        published=False,
        themes=[],
        objectives="",
        description="  ",
        start_date=None,
        end_date=None,
    )
    errors = publication_errors(project)
    assert codes(errors) == {
        "no_theme",
        "no_objectives",
        "no_description",
        "no_start_date",
        "no_foreign_partner",
        "partnership_unpublished",
        "no_contact",
    }
    # Each error names its field and says what is wrong in French.
    by_code = {error.code: error for error in errors}
    assert by_code["no_theme"].field == "themes"
    assert by_code["no_contact"].message == "La fiche n'indique aucun contact."
    assert partnership.title in by_code["partnership_unpublished"].message


def test_wrong_values_are_listed_with_the_missing_ones():
    project = f.ProjectFactory(
        published=False,
        start_date=datetime.date(2024, 5, 1),
        end_date=datetime.date(2023, 1, 1),
        description="",
    )
    f.ContactFactory(project=project, name="Sans Moyen", email="", phone="")
    f.FinancingFactory(project=project, amount=Decimal("0"))
    errors = publication_errors(project)
    assert codes(errors) == {
        "end_before_start",
        "no_description",
        "contact_unreachable",
        "financing_not_positive",
    }
    messages = " ".join(error.message for error in errors)
    assert "01/01/2023" in messages and "01/05/2024" in messages
    assert "Sans Moyen" in messages


def test_a_completed_project_needs_an_end_date():
    project = ready_draft(status=Project.Status.COMPLETED, end_date=None)
    assert codes(publication_errors(project)) == {"completed_without_end"}


def test_partnership_gate_lists_everything():
    partnership = Partnership.all_objects.create(
        slug="vide", title="", kind=Partnership.Kind.TWINNING, published=False
    )
    assert codes(publication_errors(partnership)) == {
        "no_title",
        "no_start_date",
        "no_french_member",
        "no_foreign_partner",
    }
    partnership.start_date = datetime.date(2020, 1, 1)
    partnership.end_date = datetime.date(2019, 1, 1)
    assert "end_before_start" in codes(publication_errors(partnership))


def test_publish_sets_the_state_through_the_history(world):
    draft = ready_draft()
    agent = world.user("agent_x")
    change = publish(draft, by=agent, expected_version=draft.version)
    stored = Project.all_objects.get(pk=draft.pk)
    assert stored.published and stored.published_at is not None
    assert stored.version == 2
    assert change.changed_by == agent
    assert change.comment == "Publication"
    assert change.diff["published"] == {"old": "False", "new": "True"}
    assert Project.objects.filter(pk=draft.pk).exists()


def test_publish_refused_names_every_reason_and_changes_nothing():
    draft = f.ProjectFactory(published=False, themes=[], description="")
    with pytest.raises(PublicationRefused) as refused:
        publish(draft, by=None, expected_version=draft.version)
    assert codes(refused.value.errors) == {"no_theme", "no_description", "no_contact"}
    stored = Project.all_objects.get(pk=draft.pk)
    assert (stored.published, stored.version) == (False, 1)
    assert not Change.objects.filter(project=draft).exists()


def test_publish_from_a_stale_version_is_a_conflict():
    draft = ready_draft()
    other = Project.all_objects.get(pk=draft.pk)
    other.title = "Titre changé entre-temps"
    from coopdec.atlas.history import save_tracked

    save_tracked(other, by_label="quelqu'un", expected_version=1)
    with pytest.raises(ConflictError):
        publish(draft, by=None, expected_version=1)
    assert not Project.all_objects.get(pk=draft.pk).published


def test_unpublish_makes_a_draft_again():
    project = f.ProjectFactory()
    unpublish(project, by=None, expected_version=project.version)
    stored = Project.all_objects.get(pk=project.pk)
    assert (stored.published, stored.published_at) == (False, None)
    assert Change.objects.get(project=project).diff["published"] == {"old": "True", "new": "False"}


def test_a_partnership_with_public_sheets_cannot_be_withdrawn():
    partnership = f.PartnershipFactory()
    f.ProjectFactory(partnership=partnership, title="Sheet A")
    f.ProjectFactory(partnership=partnership, title="Sheet B")
    f.ProjectFactory(partnership=partnership, title="Draft C", published=False)
    errors = unpublication_errors(partnership)
    assert codes(errors) == {"published_projects"}
    assert "« Sheet A », « Sheet B »" in errors[0].message
    with pytest.raises(PublicationRefused):
        unpublish(partnership, by=None, expected_version=partnership.version)
    assert Partnership.all_objects.get(pk=partnership.pk).published
    Project.all_objects.filter(partnership=partnership).update(published=False)
    unpublish(partnership, by=None, expected_version=partnership.version)
    assert not Partnership.all_objects.get(pk=partnership.pk).published


def test_only_partnerships_and_projects_have_a_gate():
    with pytest.raises(TypeError):
        publication_errors(f.CommuneAuthorityFactory())
