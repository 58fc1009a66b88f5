"""``manage.py generate_demo``: determinism, the shape of the Atlas at scale 1, --if-empty and refusals."""

import hashlib
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F

from coopdec.atlas.demo.generator import delete_atlas_data
from coopdec.atlas.figures import key_figures
from coopdec.atlas.models import (
    Contact,
    DataLoad,
    Financing,
    Partnership,
    PartnershipMember,
    Project,
    Theme,
)
from coopdec.orgs.models import Organisation


def dataset_digest() -> str:
    """A hash over the generated rows, ordered by public identifiers and with keys written as slugs and
    codes, so that two databases holding the same data give the same hash whatever their ids."""
    digest = hashlib.sha256()

    def feed(rows):
        for row in rows:
            digest.update(repr(row).encode())

    feed(
        Organisation.objects.order_by("slug").values_list(
            "slug",
            "name",
            "kind",
            "code",
            "country_id",
            "level",
            "latitude",
            "longitude",
            "last_confirmed_at",
        )
    )
    feed(
        Partnership.objects.order_by("slug").values_list(
            "slug", "title", "kind", "status", "start_date", "end_date"
        )
    )
    feed(
        PartnershipMember.objects.order_by("partnership__slug", "organisation__slug").values_list(
            "partnership__slug", "organisation__slug", "is_lead"
        )
    )
    feed(
        Partnership.foreign.through.objects.order_by("partnership__slug", "organisation__slug").values_list(
            "partnership__slug", "organisation__slug"
        )
    )
    feed(
        Project.objects.order_by("slug").values_list(
            "slug",
            "partnership__slug",
            "title",
            "objectives",
            "description",
            "history",
            "context",
            "results",
            "start_date",
            "end_date",
            "status",
            "last_confirmed_at",
        )
    )
    feed(
        Project.themes.through.objects.order_by("project__slug", "theme_id").values_list(
            "project__slug", "theme_id"
        )
    )
    feed(
        Financing.objects.order_by("project__slug", "year", "kind", "funder__slug", "amount").values_list(
            "project__slug", "funder__slug", "kind", "year", "amount"
        )
    )
    feed(
        Contact.objects.order_by("project__slug", "email", "phone").values_list(
            "project__slug", "name", "email", "phone"
        )
    )
    return digest.hexdigest()


@pytest.fixture(scope="module")
def scale_one(reference_data, django_db_blocker):
    """The scale-1 dataset, generated once for the module and removed afterwards."""
    with django_db_blocker.unblock():
        call_command("generate_demo", scale=1, seed=42, verbosity=0)
    yield
    with django_db_blocker.unblock(), transaction.atomic():
        delete_atlas_data()


def projects_by_authority() -> Counter:
    """Projects per French authority: a project counts for every member of its partnership."""
    counts = Counter()
    for organisation_id, n in (
        PartnershipMember.objects.values("organisation_id")
        .annotate(n=Count("partnership__projects"))
        .values_list("organisation_id", "n")
    ):
        counts[organisation_id] += n
    return counts


def within(value, target, tolerance=0.10):
    return abs(value - target) <= tolerance * target


@pytest.mark.slow
@pytest.mark.django_db
class TestScaleOne:
    def test_key_figures_match_the_atlas(self, scale_one):
        figures = key_figures()
        assert within(figures["projects"], 13_000)
        assert within(figures["french_authorities"], 4_800)
        assert within(figures["foreign_authorities"], 10_000)
        assert within(figures["partnerships"], 10_500)
        assert 140 <= figures["countries"] <= 150

    def test_published_authorities_lead_with_their_counts(self, scale_one):
        counts = projects_by_authority()
        expected = {
            Organisation.objects.get(kind=Organisation.Kind.COMMUNE, code="75056").pk: 456,
            Organisation.objects.get(kind=Organisation.Kind.REGION, code="44").pk: 282,
            Organisation.objects.get(kind=Organisation.Kind.REGION, code="84").pk: 168,
            Organisation.objects.get(kind=Organisation.Kind.REGION, code="11").pk: 153,
            Organisation.objects.get(kind=Organisation.Kind.REGION, code="75").pk: 115,
            Organisation.objects.get(kind=Organisation.Kind.COMMUNE, code="67482").pk: 109,
        }
        for pk, target in expected.items():
            assert within(counts[pk], target), (Organisation.objects.get(pk=pk).name, counts[pk])
        assert {pk for pk, _n in counts.most_common(6)} == set(expected)

    def test_countries_with_the_most_ties(self, scale_one):
        ties = Counter(
            country
            for _partnership, country in set(
                Partnership.foreign.through.objects.values_list("partnership_id", "organisation__country_id")
            )
        )
        assert {c for c, _n in ties.most_common(7)} == {"DE", "GB", "IT", "ES", "ML", "BF", "SN"}

    def test_theme_ranking(self, scale_one):
        counts = dict(
            Theme.objects.filter(parent=None).annotate(n=Count("projects")).values_list("code", "n")
        )
        ranking = sorted(counts, key=counts.get, reverse=True)
        assert ranking[:5] == [
            "culture-patrimoine",
            "education-formation",
            "social-sante",
            "recherche-enseignement-superieur",
            "economie-developpement-durable",
        ]

    def test_every_french_kind_is_engaged_and_tied_to_its_entity(self, scale_one):
        engaged = Organisation.objects.filter(partnership_memberships__isnull=False).distinct()
        kinds = set(engaged.values_list("kind", flat=True))
        assert kinds == set(Organisation.FRENCH_AUTHORITY_KINDS)
        assert not engaged.filter(kind=Organisation.Kind.COMMUNE, commune=None).exists()
        assert not engaged.filter(kind=Organisation.Kind.EPCI, epci=None).exists()
        assert not engaged.filter(kind=Organisation.Kind.DEPARTMENT, department=None).exists()
        assert not engaged.filter(kind=Organisation.Kind.REGION, region=None).exists()
        paris = Organisation.objects.get(kind=Organisation.Kind.COMMUNE, code="75056")
        assert paris.commune.name == "Paris" and paris.latitude == paris.commune.latitude
        assert set(
            Organisation.objects.filter(kind=Organisation.Kind.SPECIAL).values_list("code", flat=True)
        ) >= {"20R", "972R", "973R", "976R", "69M"}

    def test_foreign_partners_are_real_places(self, scale_one):
        foreign = Organisation.objects.foreign_authorities()
        municipal = foreign.filter(level=Organisation.Level.MUNICIPAL)
        assert not municipal.filter(geonames_id=None).exists()
        assert not municipal.filter(latitude=None).exists()
        regional = foreign.exclude(level=Organisation.Level.MUNICIPAL)
        assert regional.exists()
        assert not regional.filter(subdivision=None).exists()
        # No invented coordinates for subdivisions.
        assert not regional.exclude(latitude=None).exists()
        assert not foreign.filter(country_id="FR").exists()

    def test_sheets_are_complete_and_fictional(self, scale_one):
        assert not Project.objects.filter(themes=None).exists()
        assert not Project.objects.filter(financings=None).exists()
        assert not Project.objects.filter(contacts=None).exists()
        assert not Project.objects.filter(last_confirmed_at=None).exists()
        # Every sheet can be saved unchanged by its owner: the edit form refuses an end before the start.
        assert not Project.all_objects.filter(end_date__lt=F("start_date")).exists()
        assert not Partnership.objects.filter(end_date__lt=F("start_date")).exists()
        assert not Contact.objects.exclude(email__endswith="@example.org").exists()
        assert not Contact.objects.exclude(phone__startswith="01 99 00 ").exists()
        assert Financing.objects.filter(
            kind=Financing.Kind.DAECT, funder__kind=Organisation.Kind.MINISTRY
        ).exists()
        assert Financing.objects.filter(
            kind=Financing.Kind.AFD, funder__kind=Organisation.Kind.OPERATOR
        ).exists()
        assert "lorem" not in " ".join(Project.objects.values_list("description", flat=True)[:500]).lower()
        water = Project.objects.filter(themes="eau-assainissement").first()
        assert "eau" in (water.title + water.objectives).lower()

    def test_embassies_prefectures_and_the_recorded_load(self, scale_one):
        countries = set(
            Organisation.objects.foreign_authorities().values_list("country_id", flat=True).distinct()
        )
        embassies = Organisation.objects.filter(kind=Organisation.Kind.EMBASSY)
        assert set(embassies.values_list("countries", flat=True)) == countries
        assert embassies.get(countries="DE").name == "Ambassade de France en Allemagne"
        assert Organisation.objects.filter(kind=Organisation.Kind.PREFECTURE).count() == 18
        load = DataLoad.objects.get(kind=DataLoad.Kind.DEMO)
        assert load.parameters == {"scale": 1, "seed": 42}
        assert load.counts["project"] == Project.objects.count()

    def test_if_empty_does_nothing_when_projects_exist(self, scale_one):
        before = Project.objects.count()
        out = StringIO()
        call_command("generate_demo", scale=0.05, seed=1, if_empty=True, stdout=out)
        assert "déjà des projets" in out.getvalue()
        assert Project.objects.count() == before
        assert DataLoad.objects.count() == 1

    def test_refuses_to_overwrite_existing_data(self, scale_one):
        before = Project.objects.count()
        with pytest.raises(CommandError, match="--replace"):
            call_command("generate_demo", scale=0.05, seed=1, verbosity=0)
        assert Project.objects.count() == before


@pytest.mark.django_db
def test_french_authorities_are_placed_in_their_region_and_department(reference_data):
    call_command("generate_demo", scale=0.05, seed=3, verbosity=0, replace=True)
    french = Organisation.objects.french_authorities()
    assert french.exists()
    assert not french.filter(region=None).exists()
    placed = french.filter(
        kind__in=[Organisation.Kind.COMMUNE, Organisation.Kind.EPCI, Organisation.Kind.DEPARTMENT]
    )
    assert not placed.filter(department=None).exists()
    for commune in french.filter(kind=Organisation.Kind.COMMUNE).select_related("commune__department")[:50]:
        assert commune.department_id == commune.commune.department_id
        assert commune.region_id == commune.commune.department.region_id


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data(reference_data):
    call_command("generate_demo", scale=0.05, seed=7, verbosity=0, replace=True)
    first = dataset_digest()
    assert Project.objects.count() > 500
    call_command("generate_demo", scale=0.05, seed=7, verbosity=0, replace=True)
    assert dataset_digest() == first
    assert DataLoad.objects.filter(kind=DataLoad.Kind.DEMO).count() == 1
    call_command("generate_demo", scale=0.05, seed=8, verbosity=0, replace=True)
    assert dataset_digest() != first


@pytest.mark.django_db
def test_if_empty_generates_on_an_empty_atlas(reference_data):
    delete_atlas_data()
    call_command("generate_demo", scale=0.02, seed=3, if_empty=True, verbosity=0)
    assert Project.objects.exists()
    assert set(PartnershipMember.objects.values_list("organisation__kind", flat=True).distinct()) == set(
        Organisation.FRENCH_AUTHORITY_KINDS
    )


@pytest.mark.django_db
def test_needs_the_reference_data(reference_data):
    delete_atlas_data()
    Project.themes.through.objects.all().delete()
    Theme.objects.exclude(parent=None).delete()
    Theme.objects.all().delete()
    with pytest.raises(CommandError, match="load_reference"):
        call_command("generate_demo", scale=0.02, seed=3, verbosity=0)
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_replace_also_empties_tables_that_cascade_from_the_atlas(reference_data):
    from coopdec.search import index
    from coopdec.search.models import FacetEntry, SearchDocument

    call_command("generate_demo", scale=0.02, seed=5, verbosity=0, replace=True)
    index.rebuild()
    assert SearchDocument.objects.exists()
    call_command("generate_demo", scale=0.02, seed=6, verbosity=0, replace=True)
    projects = Project.objects.values("pk")
    assert not SearchDocument.objects.exclude(project__in=projects).exists()
    assert not FacetEntry.objects.exclude(project__in=projects).exists()


@pytest.mark.django_db
def test_replace_removes_drafts_and_what_hangs_on_them(reference_data):
    """Drafts are not in ``Project.objects``: replacing the demo data must remove them all the same."""
    from coopdec.atlas.tests.factories import ContactFactory
    from coopdec.correspondents.models import InventoriedPartnership
    from coopdec.orgs.tests.personas import build_world

    world = build_world()
    ContactFactory(project=world.draft_x)
    # Rows of apps above the Atlas that protect organisations or point at partnerships.
    InventoriedPartnership.objects.create(
        partnership=world.partnership_y,
        partnership_title=world.partnership_y.title,
        french_authority=world.authority_y,
        foreign_authority=world.foreign_b,
        recorded_by_label="Correspondant B",
    )
    call_command("generate_demo", scale=0.02, seed=6, verbosity=0, replace=True)
    assert not InventoriedPartnership.objects.exists()
    assert not Project.all_objects.filter(pk=world.draft_x.pk).exists()
    assert not Organisation.objects.filter(pk=world.authority_x.pk).exists()
    assert Project.all_objects.count() == Project.objects.count()
