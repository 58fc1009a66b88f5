"""factory_boy factories for organisations and the Atlas.

They work with the session's ``reference_data`` fixture and without it: the geography and themes they
need are fetched with ``get_or_create`` on real codes carrying their real names, so that with the reference
data loaded they find the loaded rows, and without it they create the same rows.
"""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from coopdec.atlas.models import (
    Contact,
    Financing,
    Participant,
    Partnership,
    PartnershipMember,
    Project,
    Theme,
    Volunteer,
)
from coopdec.geo.models import Commune, Country, Department, Epci, Region
from coopdec.orgs.models import Organisation

# Real ISO 3166-1 codes and names, so a country created here is the one load_reference would load.
REAL_COUNTRIES = {
    "SN": ("SEN", "686", "Sénégal", "Senegal"),
    "DE": ("DEU", "276", "Allemagne", "Germany"),
    "MA": ("MAR", "504", "Maroc", "Morocco"),
    "ML": ("MLI", "466", "Mali", "Mali"),
    "BF": ("BFA", "854", "Burkina Faso", "Burkina Faso"),
    "FR": ("FRA", "250", "France", "France"),
}

REAL_REGIONS = {"11": "Île-de-France", "44": "Grand Est", "75": "Nouvelle-Aquitaine"}
REAL_DEPARTMENTS = {"75": ("Paris", "11"), "67": ("Bas-Rhin", "44"), "33": ("Gironde", "75")}
REAL_COMMUNES = {"75056": ("Paris", "75"), "67482": ("Strasbourg", "67"), "33063": ("Bordeaux", "33")}
REAL_EPCIS = {"246700488": ("Eurométropole de Strasbourg", Epci.Kind.ME)}
REAL_THEMES = {
    "culture-patrimoine": ("Culture et patrimoine", "Culture and heritage", 1),
    "education-formation": ("Éducation et formation", "Education and training", 2),
    "eau-assainissement": ("Eau et assainissement", "Water and sanitation", 7),
}


def country(iso2: str = "SN") -> Country:
    iso3, numeric, name_fr, name_en = REAL_COUNTRIES[iso2]
    return Country.objects.get_or_create(
        iso2=iso2, defaults={"iso3": iso3, "numeric": numeric, "name_fr": name_fr, "name_en": name_en}
    )[0]


def region(code: str = "44") -> Region:
    return Region.objects.get_or_create(code=code, defaults={"name": REAL_REGIONS[code]})[0]


def department(code: str = "67") -> Department:
    name, region_code = REAL_DEPARTMENTS[code]
    return Department.objects.get_or_create(
        code=code, defaults={"name": name, "region": region(region_code)}
    )[0]


def commune(insee: str = "67482") -> Commune:
    name, department_code = REAL_COMMUNES[insee]
    return Commune.objects.get_or_create(
        insee=insee, defaults={"name": name, "department": department(department_code)}
    )[0]


def epci(siren: str = "246700488") -> Epci:
    name, kind = REAL_EPCIS[siren]
    return Epci.objects.get_or_create(siren=siren, defaults={"name": name, "kind": kind})[0]


def theme(code: str = "culture-patrimoine") -> Theme:
    name_fr, name_en, position = REAL_THEMES[code]
    return Theme.objects.get_or_create(
        code=code, defaults={"name_fr": name_fr, "name_en": name_en, "position": position}
    )[0]


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.ASSOCIATION


class RegionAuthorityFactory(OrganisationFactory):
    slug = factory.Sequence(lambda n: f"region-grand-est-{n}")
    name = "Région Grand Est"
    kind = Organisation.Kind.REGION
    region = factory.LazyFunction(lambda: region("44"))
    code = "44"


class DepartmentAuthorityFactory(OrganisationFactory):
    slug = factory.Sequence(lambda n: f"departement-gironde-{n}")
    name = "Département de la Gironde"
    kind = Organisation.Kind.DEPARTMENT
    department = factory.LazyFunction(lambda: department("33"))
    region = factory.LazyFunction(lambda: region("75"))
    code = "33"


class CommuneAuthorityFactory(OrganisationFactory):
    slug = factory.Sequence(lambda n: f"ville-de-strasbourg-{n}")
    name = "Ville de Strasbourg"
    kind = Organisation.Kind.COMMUNE
    commune = factory.LazyFunction(lambda: commune("67482"))
    department = factory.LazyFunction(lambda: department("67"))
    region = factory.LazyFunction(lambda: region("44"))
    code = "67482"


class EpciAuthorityFactory(OrganisationFactory):
    slug = factory.Sequence(lambda n: f"eurometropole-de-strasbourg-{n}")
    name = "Eurométropole de Strasbourg"
    kind = Organisation.Kind.EPCI
    epci = factory.LazyFunction(lambda: epci("246700488"))
    department = factory.LazyFunction(lambda: department("67"))
    region = factory.LazyFunction(lambda: region("44"))
    code = "246700488"


class SpecialStatusAuthorityFactory(OrganisationFactory):
    """The Ville de Paris, a commune and a department at once (collectivité à statut particulier)."""

    slug = factory.Sequence(lambda n: f"ville-de-paris-{n}")
    name = "Ville de Paris"
    kind = Organisation.Kind.SPECIAL
    commune = factory.LazyFunction(lambda: commune("75056"))
    department = factory.LazyFunction(lambda: department("75"))
    region = factory.LazyFunction(lambda: region("11"))
    code = "75056"


class ForeignAuthorityFactory(OrganisationFactory):
    slug = factory.Sequence(lambda n: f"commune-de-saint-louis-{n}")
    name = factory.Sequence(lambda n: f"Commune de Saint-Louis {n}")
    kind = Organisation.Kind.FOREIGN_AUTHORITY
    country = factory.LazyFunction(lambda: country("SN"))
    level = Organisation.Level.MUNICIPAL
    latitude = 16.0326
    longitude = -16.4818


class EmbassyFactory(OrganisationFactory):
    slug = factory.Sequence(lambda n: f"ambassade-de-france-au-senegal-{n}")
    name = "Ambassade de France au Sénégal"
    kind = Organisation.Kind.EMBASSY
    country = factory.LazyFunction(lambda: country("SN"))

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create:
            self.countries.set(extracted if extracted is not None else [self.country])


class PrefectureFactory(OrganisationFactory):
    slug = factory.Sequence(lambda n: f"prefecture-grand-est-{n}")
    name = "Préfecture de la région Grand Est"
    kind = Organisation.Kind.PREFECTURE
    region = factory.LazyFunction(lambda: region("44"))


class MinistryFactory(OrganisationFactory):
    slug = factory.Sequence(lambda n: f"meae-daect-{n}")
    name = "Ministère de l'Europe et des Affaires étrangères — DAECT"
    kind = Organisation.Kind.MINISTRY


class OperatorFactory(OrganisationFactory):
    slug = factory.Sequence(lambda n: f"afd-{n}")
    name = "Agence française de développement"
    kind = Organisation.Kind.OPERATOR


class NetworkFactory(OrganisationFactory):
    slug = factory.Sequence(lambda n: f"cites-unies-france-{n}")
    name = "Cités Unies France"
    kind = Organisation.Kind.NETWORK


class AssociationFactory(OrganisationFactory):
    kind = Organisation.Kind.ASSOCIATION


class OtherFunderFactory(OrganisationFactory):
    kind = Organisation.Kind.OTHER


class PartnershipFactory(DjangoModelFactory):
    """A partnership with, unless told otherwise, one lead French commune and one foreign authority.

    ``PartnershipFactory(french=[a, b], foreign=[c])`` makes ``a`` the lead and ``b`` a member.
    """

    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"partenariat-{n}")
    title = factory.Sequence(lambda n: f"Coopération Strasbourg – Saint-Louis {n}")
    kind = Partnership.Kind.CONVENTION
    status = Partnership.Status.ACTIVE
    start_date = datetime.date(2015, 3, 1)

    @factory.post_generation
    def french(self, create, extracted, **kwargs):
        if not create:
            return
        members = extracted if extracted is not None else [CommuneAuthorityFactory()]
        for position, organisation in enumerate(members):
            PartnershipMember.objects.create(
                partnership=self, organisation=organisation, is_lead=position == 0
            )

    @factory.post_generation
    def foreign(self, create, extracted, **kwargs):
        if create:
            self.foreign.set(extracted if extracted is not None else [ForeignAuthorityFactory()])


class PartnershipMemberFactory(DjangoModelFactory):
    class Meta:
        model = PartnershipMember

    partnership = factory.SubFactory(PartnershipFactory, french=[])
    organisation = factory.SubFactory(CommuneAuthorityFactory)
    is_lead = True


class ProjectFactory(DjangoModelFactory):
    """A project sheet; its themes default to culture & patrimoine (``themes=[…]`` to choose)."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"projet-{n}")
    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Réhabilitation du patrimoine bâti de l'île de Saint-Louis ({n})")
    objectives = "Former des artisans aux techniques traditionnelles de restauration."
    description = "Chantiers-écoles de restauration de façades coloniales avec les services municipaux."
    start_date = datetime.date(2021, 1, 1)
    end_date = datetime.date(2023, 12, 31)
    status = Project.Status.ONGOING

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            self.themes.set(extracted if extracted is not None else [theme("culture-patrimoine")])


class FinancingFactory(DjangoModelFactory):
    class Meta:
        model = Financing

    project = factory.SubFactory(ProjectFactory)
    funder = factory.SubFactory(MinistryFactory)
    kind = Financing.Kind.DAECT
    year = 2022
    amount = Decimal("25000.00")


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    project = factory.SubFactory(ProjectFactory)
    name = "Université Gaston-Berger"
    kind = Participant.Kind.UNIVERSITY
    country = factory.LazyFunction(lambda: country("SN"))
    role = "Relevés architecturaux"


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Claire Martin {n}")
    function = "Chargée de mission relations internationales"
    email = factory.Sequence(lambda n: f"claire.martin{n}@example.org")
    phone = "+33 3 88 00 00 00"


class VolunteerFactory(DjangoModelFactory):
    class Meta:
        model = Volunteer

    project = factory.SubFactory(ProjectFactory)
    programme = Volunteer.Programme.CIVIC
    count = 2
    year = 2022
