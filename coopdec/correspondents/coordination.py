"""The coordination view of a foreign territory: every French authority active there, its partnerships and
projects in that territory (drafts included for those who may see them), and its contacts.

A territory is a country or one of its ISO 3166-2 subdivisions (a subdivision includes the subdivisions
directly under it). What is shown goes through the Atlas policies: the partnerships and projects the
person may ``view``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, prefetch_related_objects

from coopdec.atlas.models import Contact, Partnership, PartnershipMember
from coopdec.atlas.policies import partnerships as partnership_policy
from coopdec.atlas.policies import projects as project_policy
from coopdec.geo.models import Country, Subdivision
from coopdec.orgs.models import Organisation, OrganisationContact
from coopdec.orgs.policies import Actor

from .policies import Territory


@dataclass
class PartnershipBlock:
    partnership: Partnership
    projects: list = field(default_factory=list)


@dataclass
class AuthorityBlock:
    organisation: Organisation
    contacts: list = field(default_factory=list)
    partnerships: list[PartnershipBlock] = field(default_factory=list)


def in_territory(territory: Territory) -> Q:
    """Partnerships with a foreign partner in the territory."""
    if territory.subdivision is not None:
        code = territory.subdivision.code
        return Q(foreign__subdivision_id=code) | Q(foreign__subdivision__parent_id=code)
    return Q(foreign__country_id=territory.country.iso2)


def visible_partnership_ids(actor: Actor, territory: Territory):
    """A subquery: the partnerships of the territory the person may see."""
    visible = partnership_policy.queryset(actor, "view").values("pk")
    return Partnership.all_objects.filter(in_territory(territory), pk__in=visible).values("pk")


def authorities(actor: Actor, territory: Territory):
    """French authorities members of a partnership of the territory the person may see, by name."""
    return (
        Organisation.objects.french_authorities()
        .filter(
            pk__in=PartnershipMember.objects.filter(
                partnership__in=visible_partnership_ids(actor, territory)
            ).values("organisation_id")
        )
        .order_by("name", "pk")
    )


def blocks(actor: Actor, territory: Territory, organisations: list[Organisation]) -> list[AuthorityBlock]:
    """The blocks of one page of authorities, in five queries whatever their size."""
    by_org = {org.pk: AuthorityBlock(org) for org in organisations}
    for contact in OrganisationContact.objects.filter(organisation__in=list(by_org)):
        by_org[contact.organisation_id].contacts.append(contact)
    members = list(
        PartnershipMember.objects.filter(
            organisation__in=list(by_org), partnership__in=visible_partnership_ids(actor, territory)
        )
        .select_related("partnership")
        .order_by("partnership__title", "partnership__pk")
    )
    partnerships = {m.partnership_id: m.partnership for m in members}
    prefetch_related_objects(
        list(partnerships.values()),
        Prefetch("foreign", queryset=Organisation.objects.select_related("country", "subdivision")),
    )
    projects: dict[int, list] = {}
    visible = (
        project_policy.queryset(actor, "view")
        .filter(partnership_id__in=list(partnerships))
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("pk")))
        .order_by("title", "pk")
    )
    for project in visible:
        projects.setdefault(project.partnership_id, []).append(project)
    for m in members:
        by_org[m.organisation_id].partnerships.append(
            PartnershipBlock(m.partnership, projects.get(m.partnership_id, []))
        )
    return [by_org[org.pk] for org in organisations]


def subdivisions_with_activity(country: Country) -> list[Subdivision]:
    """The subdivisions of ``country`` where a foreign partner authority is located."""
    codes = (
        Organisation.objects.foreign_authorities()
        .filter(country=country, foreign_partnerships__isnull=False)
        .exclude(subdivision=None)
        .values("subdivision_id")
    )
    return list(Subdivision.objects.filter(code__in=codes).order_by("name"))


def countries_with_activity(actor: Actor) -> list[tuple[Country, int]]:
    """(country, number of French authorities active there) for the person: DAECT sees every country with
    a partnership, a correspondent their own countries (even without any). Two queries."""
    visible = partnership_policy.queryset(actor, "view").values("pk")
    counts = dict(
        PartnershipMember.objects.filter(partnership__in=visible)
        .exclude(partnership__foreign__country=None)
        .values_list("partnership__foreign__country_id")
        .annotate(n=Count("organisation_id", distinct=True))
        .order_by()
    )
    codes = set(counts) if actor.is_daect else set(actor.correspondent_countries)
    return [(c, counts.get(c.iso2, 0)) for c in Country.objects.filter(iso2__in=codes).order_by("name_fr")]
