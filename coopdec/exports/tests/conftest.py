import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from coopdec.atlas.models import (
    Contact,
    Financing,
    Participant,
    Partnership,
    PartnershipMember,
    Project,
    Volunteer,
)
from coopdec.atlas.tests import factories
from coopdec.orgs.models import Organisation


@pytest.fixture
def atlas(reference_data):
    """A small Atlas touching every table and every awkward value: commas, quotes, newlines, accents."""
    strasbourg = factories.CommuneAuthorityFactory(slug="ville-de-strasbourg")
    region = factories.RegionAuthorityFactory(
        slug="region-grand-est", last_confirmed_at=datetime.datetime(2024, 3, 1, 9, 30, tzinfo=datetime.UTC)
    )
    paris = factories.SpecialStatusAuthorityFactory(slug="ville-de-paris")
    epci = factories.EpciAuthorityFactory(slug="eurometropole-de-strasbourg")
    gironde = factories.DepartmentAuthorityFactory(slug="departement-de-la-gironde")
    saint_louis = factories.ForeignAuthorityFactory(
        slug="saint-louis-sn", name="Commune de Saint-Louis", population=254171, geonames_id=2246452
    )
    dresden = factories.ForeignAuthorityFactory(
        slug="dresde-de",
        name="Landeshauptstadt Dresden",
        country=factories.country("DE"),
        latitude=51.05089,
        longitude=13.73832,
    )
    ministry = factories.MinistryFactory(slug="meae-daect")
    factories.EmbassyFactory(
        slug="ambassade-senegal", countries=[factories.country("SN"), factories.country("ML")]
    )
    factories.OperatorFactory(slug="afd")
    factories.NetworkFactory(slug="cites-unies-france")
    factories.PrefectureFactory(slug="prefecture-grand-est")

    twinning = factories.PartnershipFactory(
        slug="strasbourg-dresde",
        title="Jumelage Strasbourg – Dresde",
        kind=Partnership.Kind.TWINNING,
        french=[strasbourg, epci],
        foreign=[dresden],
    )
    convention = factories.PartnershipFactory(
        slug="grand-est-saint-louis",
        title='Convention "Grand Est, Saint-Louis"',
        french=[region, paris, gironde],
        foreign=[saint_louis, dresden],
        end_date=datetime.date(2027, 12, 31),
    )
    project = factories.ProjectFactory(
        slug="patrimoine-saint-louis",
        partnership=convention,
        description='Première ligne, avec virgule\nSeconde ligne « citée » et "guillemets"',
        last_confirmed_at=datetime.datetime(2024, 5, 2, 14, 0, 0, 123456, tzinfo=datetime.UTC),
        themes=[factories.theme("culture-patrimoine"), factories.theme("education-formation")],
    )
    factories.ProjectFactory(slug="echanges-scolaires-dresde", partnership=twinning, results="")
    factories.FinancingFactory(project=project, funder=ministry, amount=Decimal("25000.00"), year=2022)
    factories.FinancingFactory(
        project=project, funder=region, kind=Financing.Kind.OWN_FUNDS, amount=Decimal("12500.50"), year=2022
    )
    factories.FinancingFactory(project=project, funder=region, kind=Financing.Kind.OWN_FUNDS, year=2023)
    factories.ParticipantFactory(project=project)
    factories.ParticipantFactory(
        project=project, name="Association Les Amis de Saint-Louis", country=None, kind="association", role=""
    )
    factories.ContactFactory(project=project, name="Claire Martin")
    factories.ContactFactory(project=project, name="Moussa Diop", email="", phone="")
    factories.VolunteerFactory(project=project)
    factories.VolunteerFactory(project=project, programme="vsi", count=1, year=2023)


ATLAS_MODELS = (Financing, Participant, Contact, Volunteer, Project, PartnershipMember, Partnership)


def empty_atlas():
    for model in ATLAS_MODELS:
        model.objects.all().delete()
    Organisation.objects.all().delete()


def atlas_counts() -> dict:
    from coopdec.atlas.models import Change, DataLoad

    models = (*ATLAS_MODELS, Organisation, Change, DataLoad)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["foreign"] = Partnership.foreign.through.objects.count()
    counts["themes"] = Project.themes.through.objects.count()
    counts["countries"] = Organisation.countries.through.objects.count()
    return counts


def export(directory):
    call_command("export_atlas", str(directory), verbosity=0)
    return directory
