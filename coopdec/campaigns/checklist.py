"""What an authority has to confirm in a campaign, and what it has confirmed: read-only helpers.

The checklist of a French authority: its profile, its contacts, then each published partnership it is a
French member of and each published project sheet of those partnerships. A partnership or a sheet shared by
several French authorities is confirmed once for all of them (by an agent of any of them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from coopdec.atlas.models import Partnership, Project
from coopdec.geo.models import Region
from coopdec.orgs.models import Organisation

from .models import Campaign, CampaignAuthority, Confirmation

Item = Confirmation.Item


@dataclass
class ChecklistItem:
    item: str  # a Confirmation.Item value
    key: str  # what the confirm form posts: "profil", "contacts", "partenariat:<slug>", "projet:<slug>"
    label: str
    url: str  # the public page showing what is confirmed
    edit_url: str  # where the authority's agents correct it in their space
    confirmation: Confirmation | None = None
    obj: object = None

    @property
    def confirmed(self) -> bool:
        return self.confirmation is not None


@dataclass
class Checklist:
    campaign: Campaign
    organisation: Organisation
    items: list[ChecklistItem]

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.confirmed]

    @property
    def done(self) -> int:
        return len(self.items) - len(self.missing)

    def by_key(self) -> dict[str, ChecklistItem]:
        return {item.key: item for item in self.items}


def published_partnerships(organisation: Organisation):
    return Partnership.objects.filter(french_members__organisation=organisation).distinct().order_by("title")


def published_projects(organisation: Organisation):
    return (
        Project.objects.filter(partnership__french_members__organisation=organisation)
        .distinct()
        .select_related("partnership")
        .order_by("partnership__title", "title")
    )


def checklist(campaign: Campaign, organisation: Organisation) -> Checklist:
    """The authority's items and their confirmations in ``campaign``, in four queries."""
    partnerships = list(published_partnerships(organisation))
    projects = list(published_projects(organisation))
    confirmations = Confirmation.objects.filter(campaign=campaign).filter(
        Q(organisation=organisation, item__in=[Item.PROFILE, Item.CONTACTS])
        | Q(item=Item.PARTNERSHIP, partnership__in=[p.pk for p in partnerships])
        | Q(item=Item.PROJECT, project__in=[p.pk for p in projects])
    )
    # Sheets are matched by primary key: a slug may have changed since the confirmation.
    found = {(c.item, c.partnership_id or c.project_id): c for c in confirmations}
    authority_url = reverse("atlas:french_authority", args=[organisation.slug])
    items = [
        ChecklistItem(
            Item.PROFILE,
            Item.PROFILE,
            _("Profil de la collectivité"),
            authority_url,
            reverse("space:organisation_edit", args=[organisation.slug]),
        ),
        ChecklistItem(
            Item.CONTACTS,
            Item.CONTACTS,
            _("Contacts (élus et cadres)"),
            authority_url,
            reverse("space:organisation", args=[organisation.slug]),
        ),
    ]
    for partnership in partnerships:
        items.append(
            ChecklistItem(
                Item.PARTNERSHIP,
                f"{Item.PARTNERSHIP}:{partnership.slug}",
                partnership.title,
                authority_url,
                reverse("space:partnership_edit", args=[partnership.slug]),
                obj=partnership,
            )
        )
    for project in projects:
        items.append(
            ChecklistItem(
                Item.PROJECT,
                f"{Item.PROJECT}:{project.slug}",
                project.title,
                reverse("atlas:project", args=[project.slug]),
                reverse("space:project_edit", args=[project.slug]),
                obj=project,
            )
        )
    for item in items:
        item.confirmation = found.get((item.item, item.obj.pk if item.obj is not None else None))
    return Checklist(campaign=campaign, organisation=organisation, items=items)


def open_campaign():
    """The campaign open now, if any."""
    return Campaign.objects.filter(is_open=True).first()


@dataclass
class RegionProgress:
    code: str
    name: str
    total: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress_by_region(campaign: Campaign) -> tuple[RegionProgress, list[RegionProgress]]:
    """The campaign's totals and one row per region (authorities without a region last), two queries."""
    rows = (
        CampaignAuthority.objects.filter(campaign=campaign)
        .values("region_code")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(completed_at__isnull=False)))
        .order_by("region_code")
    )
    names = dict(Region.objects.values_list("code", "name"))
    regions = [
        RegionProgress(
            code=row["region_code"],
            name=names.get(row["region_code"], "") or _("Sans région connue"),
            total=row["total"],
            done=row["done"],
        )
        for row in rows
    ]
    regions.sort(key=lambda r: (not r.code, r.name))
    total = RegionProgress(
        code="",
        name=_("Total"),
        total=sum(r.total for r in regions),
        done=sum(r.done for r in regions),
    )
    return total, regions
