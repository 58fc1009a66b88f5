"""Reminders before a campaign closes: mailed once per authority and reminder day, whatever the cron does.

A campaign has reminder days, e.g. [14, 3]: on the 14th day before the closing date (and every day after
it, should the cron have missed that one) the agents of each authority that has not confirmed everything
get one message; on the 3rd day before, another. A ``Reminder`` row per authority and day says it was done,
so running the command twice the same day, or every day, sends nothing more. If the cron stopped for a
while and several reminder days passed, only one message goes out, and the earlier days are marked done.

Rows are written before the messages leave (the messages of a chunk are sent once its rows are committed):
a crash in between loses a reminder rather than sending it twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coopdec.orgs.models import Membership

from .checklist import open_campaign
from .models import Campaign, CampaignAuthority, Reminder

CHUNK_SIZE = 500


@dataclass
class ReminderReport:
    campaign: Campaign | None = None
    days_before: int | None = None
    authorities: int = 0  # authorities reminded this run
    messages: int = 0
    without_agent: int = 0  # authorities reminded that have no agent with an e-mail address


def due_days(campaign: Campaign, today: datetime.date) -> list[int]:
    """The campaign's reminder days whose date has come, while the campaign has not reached its closing."""
    if today > campaign.closes_on:
        return []
    return sorted(
        d for d in campaign.reminder_days if campaign.closes_on - datetime.timedelta(days=d) <= today
    )


def reminder_message(row: CampaignAuthority, email: str, *, today: datetime.date, url: str) -> EmailMessage:
    campaign = row.campaign
    left = (campaign.closes_on - today).days
    closing = date_format(campaign.closes_on, "j F Y")
    subject = _("Campagne de mise à jour %(year)s : confirmez les informations de %(name)s") % {
        "year": campaign.year,
        "name": row.organisation.name,
    }
    body = "\n\n".join(
        [
            _("Bonjour,"),
            _(
                "La campagne annuelle de mise à jour de l'Atlas de la coopération décentralisée se termine "
                "le %(date)s. %(name)s n'a pas encore confirmé son profil, ses contacts et toutes ses "
                "fiches publiées."
            )
            % {"date": closing, "name": row.organisation.name},
            ngettext("Il reste %(n)s jour pour le faire :", "Il reste %(n)s jours pour le faire :", left)
            % {"n": left}
            + f"\n{url}",
            _("Ce message vous est envoyé en tant qu'agent de %(name)s sur le portail.")
            % {"name": row.organisation.name},
        ]
    )
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email])


def send_reminders(*, today: datetime.date, base_url: str) -> ReminderReport:
    """Remind the authorities of the open campaign that have not confirmed, at each reminder day."""
    report = ReminderReport()
    campaign = open_campaign()
    if campaign is None:
        return report
    report.campaign = campaign
    days = due_days(campaign, today)
    if not days:
        return report
    latest = days[0]
    report.days_before = latest
    waiting = (
        CampaignAuthority.objects.filter(campaign=campaign, completed_at__isnull=True)
        .exclude(
            organisation_id__in=Reminder.objects.filter(campaign=campaign, days_before=latest).values(
                "organisation_id"
            )
        )
        .select_related("organisation", "campaign")
        .order_by("pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        last_pk = 0
        while True:
            with transaction.atomic():
                # Two runs at the same moment take turns chunk by chunk: the second finds the first's
                # Reminder rows and skips those authorities.
                Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
                chunk = list(waiting.filter(pk__gt=last_pk)[:CHUNK_SIZE])
                if not chunk:
                    break
                last_pk = chunk[-1].pk
                _remind_chunk(chunk, days, today=today, base_url=base_url.rstrip("/"), report=report)
    return report


def _remind_chunk(
    chunk: list[CampaignAuthority], days: list[int], *, today, base_url: str, report: ReminderReport
) -> None:
    campaign = chunk[0].campaign
    emails: dict[int, list[str]] = {}
    agents = (
        Membership.objects.filter(
            organisation_id__in=[row.organisation_id for row in chunk],
            role=Membership.Role.AGENT,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("organisation_id", "user__email")
        .order_by("organisation_id", "user__email")
    )
    for organisation_id, email in agents:
        emails.setdefault(organisation_id, []).append(email)
    messages, reminders = [], []
    for row in chunk:
        path = reverse("campaigns:checklist", args=[campaign.year, row.organisation.slug])
        to = emails.get(row.organisation_id, [])
        messages += [reminder_message(row, email, today=today, url=base_url + path) for email in to]
        reminders += [
            Reminder(
                campaign=campaign, organisation_id=row.organisation_id, days_before=d, recipients=len(to)
            )
            for d in days
        ]
        report.authorities += 1
        report.without_agent += not to
    # Earlier reminder days already recorded for an authority stay as they are.
    Reminder.objects.bulk_create(reminders, ignore_conflicts=True)
    transaction.on_commit(lambda: get_connection().send_messages(messages))
    report.messages += len(messages)
