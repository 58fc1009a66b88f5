"""Reminders: one message per agent of each authority that has not confirmed, once per reminder day."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from coopdec.atlas.tests import factories as f
from coopdec.campaigns import actions
from coopdec.campaigns.checklist import checklist
from coopdec.campaigns.models import Reminder
from coopdec.campaigns.reminders import due_days, send_reminders
from coopdec.orgs.tests.personas import make_user

pytestmark = pytest.mark.django_db
BASE = "https://coopdec.example.org"


def run(campaign, days_before: int, capture):
    with capture(execute=True):
        return send_reminders(today=campaign.closes_on - datetime.timedelta(days=days_before), base_url=BASE)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_due_days(campaign):
    closes = campaign.closes_on
    assert due_days(campaign, closes - datetime.timedelta(days=15)) == []
    assert due_days(campaign, closes - datetime.timedelta(days=14)) == [14]
    assert due_days(campaign, closes - datetime.timedelta(days=2)) == [3, 14]
    assert due_days(campaign, closes) == [3, 14]
    assert due_days(campaign, closes + datetime.timedelta(days=1)) == []


def test_reminders_go_once_per_day_to_agents_of_authorities_not_done(
    campaign, world, django_capture_on_commit_callbacks
):
    report = run(campaign, 20, django_capture_on_commit_callbacks)
    assert report.days_before is None and mail.outbox == []

    report = run(campaign, 14, django_capture_on_commit_callbacks)
    assert (report.days_before, report.authorities, report.messages) == (14, 2, 2)
    assert recipients() == ["agent_x@example.org", "agent_y@example.org"]
    message = next(m for m in mail.outbox if m.to == ["agent_x@example.org"])
    assert "Campagne de mise à jour 2026" in message.subject
    assert f"{BASE}/espace/campagnes/2026/collectivites/{world.authority_x.slug}/" in message.body
    assert "Il reste 14 jours" in message.body

    # The same day again, and the days after: nothing more.
    for days in (14, 13, 4):
        report = run(campaign, days, django_capture_on_commit_callbacks)
        assert report.authorities == 0
    assert len(mail.outbox) == 2

    # X confirms everything; at D-3 only Y is reminded.
    keys = [item.key for item in checklist(campaign, world.authority_x).items]
    actions.confirm(campaign, world.authority_x, keys, by=world.user("agent_x"))
    mail.outbox.clear()
    run(campaign, 3, django_capture_on_commit_callbacks)
    assert recipients() == ["agent_y@example.org"]
    run(campaign, 3, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_a_missed_cron_sends_one_message_and_marks_the_earlier_days(
    campaign, world, django_capture_on_commit_callbacks
):
    run(campaign, 2, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert set(
        Reminder.objects.filter(organisation=world.authority_y).values_list("days_before", flat=True)
    ) == {
        3,
        14,
    }
    run(campaign, 1, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_nothing_after_closing_or_once_closed(campaign, world, django_capture_on_commit_callbacks):
    run(campaign, -1, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    actions.close_campaign(campaign, by=world.user("daect"))
    report = run(campaign, 3, django_capture_on_commit_callbacks)
    assert report.campaign is None and mail.outbox == []


def test_every_agent_is_written_to_and_an_authority_without_agent_is_remembered(
    campaign, world, django_capture_on_commit_callbacks
):
    make_user("agent_x2", world.authority_x, "agent")
    lonely = f.RegionAuthorityFactory()
    f.PartnershipFactory(french=[lonely], foreign=[world.foreign_a])
    actions.close_campaign(campaign, by=world.user("daect"))
    campaign, _n = actions.open_campaign(
        year=2027, closes_on=campaign.closes_on, reminder_days=[14], by=world.user("daect")
    )
    report = run(campaign, 14, django_capture_on_commit_callbacks)
    assert report.authorities == 3 and report.without_agent == 1
    assert recipients() == ["agent_x2@example.org", "agent_x@example.org", "agent_y@example.org"]
    assert Reminder.objects.get(campaign=campaign, organisation=lonely).recipients == 0


def test_command(campaign, world, django_capture_on_commit_callbacks):
    out = io.StringIO()
    day = (campaign.closes_on - datetime.timedelta(days=14)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_campaign_reminders", "--base-url", BASE, "--date", day, stdout=out)
    assert "2 authorities reminded, 2 messages" in out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_campaign_reminders", "--base-url", BASE, "--date", day, stdout=out)
    assert "0 authorities reminded" in out.getvalue()
    assert len(mail.outbox) == 2
    with pytest.raises(CommandError, match="base-url"):
        call_command("send_campaign_reminders", "--base-url", "coopdec.example.org")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_campaign_reminders", "--base-url", BASE, "--date", "31/05/2026")
