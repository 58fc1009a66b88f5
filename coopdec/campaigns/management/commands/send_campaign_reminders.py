"""Mail the reminders of the open campaign that are due today (run daily by cron; running it twice is safe).

    manage.py send_campaign_reminders --base-url https://coopdec.example.org

The base URL builds the links in the messages; it defaults to the SITE_URL setting when there is one.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coopdec.campaigns.reminders import send_reminders


def parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date expects YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Send the due reminders of the open update campaign (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "SITE_URL", ""),
            help="Scheme and host the links in the messages start with, e.g. https://coopdec.example.org",
        )
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD); for checks.")

    def handle(self, *args, base_url, date, **options):
        if not base_url.startswith(("http://", "https://")):
            raise CommandError("Give --base-url https://… (or set SITE_URL): the messages carry links.")
        today = parse_date(date) if date else timezone.localdate()
        report = send_reminders(today=today, base_url=base_url)
        if report.campaign is None:
            self.stdout.write("No open campaign.")
        elif report.days_before is None:
            self.stdout.write(f"Campaign {report.campaign.year}: no reminder due on {today}.")
        else:
            self.stdout.write(
                f"Campaign {report.campaign.year}, reminder D-{report.days_before}: "
                f"{report.authorities} authorities reminded, {report.messages} messages, "
                f"{report.without_agent} without an agent to write to."
            )
