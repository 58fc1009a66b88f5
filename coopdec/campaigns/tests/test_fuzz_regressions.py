"""Server errors the fuzz tests found in the campaign pages (coopdec/fuzz_tests), kept as plain tests."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coopdec.campaigns.models import Campaign
from coopdec.orgs.tests.personas import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("days", ["²", "١٤", "14, ²"])
def test_reminder_days_that_are_no_plain_numbers_are_refused_in_french(client, world, days):
    login(client, world.user("daect"))
    closes_on = timezone.localdate() + datetime.timedelta(days=30)

    response = client.post(
        reverse("campaigns:open"),
        {"year": "2027", "closes_on": closes_on.isoformat(), "reminder_days": days, "step": "confirm"},
    )

    assert response.status_code == 200
    assert "n&#x27;est pas un nombre de jours entre 1 et 365." in response.text
    assert not Campaign.objects.exists()


def test_campaign_region_filter_with_a_nul_character_is_a_404(client, world, campaign):
    login(client, world.user("daect"))

    response = client.get(reverse("campaigns:detail", args=[campaign.year]), {"region": "44\x00"})

    assert response.status_code == 404
