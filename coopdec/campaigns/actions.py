"""The writes of a campaign, one function each: open, confirm items, close.

Each runs in one transaction and raises :class:`CampaignError` (a message in French for the person) when
the write is not allowed in the campaign's state; nothing is changed then. Who may call them is the views'
business (``coopdec.campaigns.policies``).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coopdec.atlas import figures
from coopdec.atlas.models import Partnership, PartnershipMember, Project
from coopdec.orgs.models import Membership, Organisation

from .checklist import checklist
from .models import Campaign, CampaignAuthority, Confirmation

Item = Confirmation.Item


class CampaignError(Exception):
    """A write refused because of the campaign's state; ``str(error)`` is shown to the person."""


def concerned_authorities():
    """French authorities a campaign asks to confirm: those with a published partnership or an agent."""
    engaged = PartnershipMember.objects.filter(partnership__published=True).values("organisation_id")
    with_agents = Membership.objects.filter(
        role=Membership.Role.AGENT, status=Membership.Status.ACTIVE
    ).values("organisation_id")
    return Organisation.objects.french_authorities().filter(Q(pk__in=engaged) | Q(pk__in=with_agents))


def _region_codes(organisations) -> list[tuple[int, str]]:
    return list(organisations.annotate(region_code=figures.region_of()).values_list("pk", "region_code"))


def open_campaign(
    *, year: int, closes_on: datetime.date, reminder_days: list[int], by
) -> tuple[Campaign, int]:
    """Open the campaign of ``year`` and list the authorities it concerns; returns it and their number."""
    today = timezone.localdate()
    if closes_on <= today:
        raise CampaignError(_("La date de clôture doit être postérieure à aujourd'hui."))
    with transaction.atomic():
        # Locking the open campaign (if any) serialises two openings made at the same moment; the unique
        # constraint on is_open stops the second one anyway.
        if Campaign.objects.select_for_update().filter(is_open=True).exists():
            raise CampaignError(_("Une campagne est déjà ouverte : clôturez-la avant d'en ouvrir une autre."))
        if Campaign.objects.filter(year=year).exists():
            raise CampaignError(_("La campagne %(year)s a déjà eu lieu.") % {"year": year})
        campaign = Campaign.objects.create(
            year=year,
            closes_on=closes_on,
            reminder_days=sorted(set(reminder_days), reverse=True),
            opened_by=by,
        )
        rows = [
            CampaignAuthority(campaign=campaign, organisation_id=pk, region_code=code or "")
            for pk, code in _region_codes(concerned_authorities())
        ]
        CampaignAuthority.objects.bulk_create(rows, batch_size=2000)
    return campaign, len(rows)


def close_campaign(campaign: Campaign, *, by) -> Campaign:
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not campaign.is_open:
            raise CampaignError(_("Cette campagne est déjà close."))
        campaign.is_open = False
        campaign.closed_at = timezone.now()
        campaign.closed_by = by
        campaign.save(update_fields=["is_open", "closed_at", "closed_by"])
    return campaign


def _participation(campaign: Campaign, organisation: Organisation) -> CampaignAuthority:
    """The authority's row in the campaign, added when it was not concerned at opening (a new agent)."""
    row = CampaignAuthority.objects.filter(campaign=campaign, organisation=organisation).first()
    if row is None:
        codes = _region_codes(Organisation.objects.filter(pk=organisation.pk))
        row, _created = CampaignAuthority.objects.get_or_create(
            campaign=campaign, organisation=organisation, defaults={"region_code": codes[0][1] or ""}
        )
    return row


def _mark_completed(campaign: Campaign, organisation_ids, *, by, now) -> None:
    """Record as done the listed authorities whose every item is now confirmed."""
    pending = CampaignAuthority.objects.filter(
        campaign=campaign, organisation_id__in=organisation_ids, completed_at__isnull=True
    ).select_related("organisation")
    for row in pending:
        if not checklist(campaign, row.organisation).missing:
            row.completed_at = now
            row.completed_by = by
            row.save(update_fields=["completed_at", "completed_by"])


def confirm(campaign: Campaign, organisation: Organisation, keys: list[str], *, by) -> int:
    """Confirm the items ``keys`` of the authority's checklist; returns how many were newly confirmed.

    Sets ``last_confirmed_at`` on the sheets confirmed (``queryset.update``: a confirmation is not an
    edit, so no version bump and no history row) and on the authority once its profile and its contacts
    are both confirmed in this campaign.
    """
    if not keys:
        raise CampaignError(_("Choisissez au moins un élément à confirmer."))
    with transaction.atomic():
        campaign = Campaign.objects.get(pk=campaign.pk)
        if not campaign.is_open:
            raise CampaignError(_("La campagne %(year)s est close.") % {"year": campaign.year})
        # Two agents of one authority confirming at once take turns, so that the second sees the first's
        # items when it decides whether the checklist is complete.
        row = _participation(campaign, organisation)
        CampaignAuthority.objects.select_for_update().filter(pk=row.pk).first()
        current = checklist(campaign, organisation)
        known = current.by_key()
        unknown = [key for key in keys if key not in known]
        if unknown:
            raise CampaignError(
                _("Élément inconnu dans la liste de %(name)s : %(keys)s. Rechargez la page.")
                % {"name": organisation.name, "keys": ", ".join(unknown)}
            )
        now = timezone.now()
        label = by.get_full_name() or by.get_username()
        created = []
        for key in dict.fromkeys(keys):
            entry = known[key]
            if entry.confirmed:
                continue
            created.append(
                Confirmation(
                    campaign=campaign,
                    organisation=organisation,
                    item=entry.item,
                    partnership=entry.obj if entry.item == Item.PARTNERSHIP else None,
                    project=entry.obj if entry.item == Item.PROJECT else None,
                    object_slug=entry.obj.slug if entry.obj is not None else "",
                    confirmed_by=by,
                    confirmed_by_label=label[:200],
                )
            )
        if not created:
            return 0
        # A shared sheet confirmed at the same moment by an agent of another of its authorities is kept once.
        Confirmation.objects.bulk_create(created, ignore_conflicts=True)
        partnership_ids = [c.partnership_id for c in created if c.partnership_id]
        project_ids = [c.project_id for c in created if c.project_id]
        if partnership_ids:
            Partnership.all_objects.filter(pk__in=partnership_ids).update(last_confirmed_at=now)
        if project_ids:
            Project.all_objects.filter(pk__in=project_ids).update(last_confirmed_at=now)
        profile_items = {key for key in (Item.PROFILE, Item.CONTACTS) if known[key].confirmed}
        profile_items |= {c.item for c in created if c.item in (Item.PROFILE, Item.CONTACTS)}
        if len(profile_items) == 2 and any(c.item in (Item.PROFILE, Item.CONTACTS) for c in created):
            Organisation.objects.filter(pk=organisation.pk).update(last_confirmed_at=now)
        # A shared sheet confirmed here may complete the checklist of its other French authorities.
        affected = {organisation.pk}
        affected.update(
            PartnershipMember.objects.filter(
                Q(partnership_id__in=partnership_ids) | Q(partnership__projects__in=project_ids)
            ).values_list("organisation_id", flat=True)
        )
        _mark_completed(campaign, affected, by=by, now=now)
    return len(created)
