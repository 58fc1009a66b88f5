import datetime

import pytest
from django.utils import timezone

from coopdec.campaigns import actions


@pytest.fixture
def campaign(world):
    """The 2026 campaign, opened by DAECT, closing in 30 days, reminders 14 and 3 days before."""
    campaign, _count = actions.open_campaign(
        year=2026,
        closes_on=timezone.localdate() + datetime.timedelta(days=30),
        reminder_days=[14, 3],
        by=world.user("daect"),
    )
    return campaign
