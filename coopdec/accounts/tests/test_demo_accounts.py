"""``create_demo_accounts``: one account per persona on the demonstration data, local use only."""

from io import StringIO

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from coopdec.accounts import demo
from coopdec.atlas.tests import factories as f
from coopdec.orgs.models import Membership, Organisation

from .helpers import password_login, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(settings):
    """A little of what generate_demo makes: Grand Est and Gironde, a partner in Senegal, countries."""
    settings.DEBUG = True
    grand_est = f.RegionAuthorityFactory()
    gironde = f.DepartmentAuthorityFactory()
    partner = f.ForeignAuthorityFactory(name="Commune de Saint-Louis")
    f.PartnershipFactory(french=[grand_est], foreign=[partner])
    f.country("ML")
    return {"grand_est": grand_est, "gironde": gironde, "partner": partner}


def run(*args) -> str:
    out = StringIO()
    call_command("create_demo_accounts", *args, stdout=out)
    return out.getvalue()


def test_refused_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG est faux"):
        run()
    assert not User.objects.exists()


def test_one_active_account_per_persona(demo_world):
    output = run()
    assert "USAGE LOCAL SEULEMENT" in output
    assert demo.DEMO_PASSWORD in output
    assert "COOP DEC2 DEMO 2LOC AL2O NLY2 3456 7ABC" in output
    memberships = {
        m.user.username: m
        for m in Membership.objects.select_related("user", "organisation").filter(
            user__username__endswith=demo.DOMAIN
        )
    }
    assert len(memberships) == len(demo.ACCOUNTS) == 9
    assert all(m.status == Membership.Status.ACTIVE for m in memberships.values())
    org = {username.split("@")[0]: m.organisation for username, m in memberships.items()}
    assert org["agent.grand-est"] == demo_world["grand_est"]
    assert org["agent.collectivite"] == demo_world["gironde"]
    assert org["autorite-etrangere"] == demo_world["partner"]
    # Organisations the demonstration data may lack are made.
    assert org["correspondant.senegal"].name == "Ambassade de France au Sénégal"
    assert list(org["correspondant.mali"].countries.values_list("iso2", flat=True)) == ["ML"]
    assert org["prefecture.grand-est"].region_id == "44"
    assert org["daect"].kind == Organisation.Kind.MINISTRY
    assert org["operateur"].name == "Agence française de développement"
    assert org["reseau"].name == "Cités Unies France"
    # A second factor exactly where it is mandatory, on the printed secret.
    with_device = set(TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True))
    assert with_device == {
        f"{name}@{demo.DOMAIN}"
        for name in ("correspondant.senegal", "correspondant.mali", "prefecture.grand-est", "daect")
    }
    assert {d.key for d in TOTPDevice.objects.all()} == {demo.totp_key_hex()}


def test_existing_organisations_are_used_not_duplicated(demo_world):
    embassy = f.EmbassyFactory()
    run()
    run()
    assert (
        Membership.objects.get(user__username=f"correspondant.senegal@{demo.DOMAIN}").organisation == embassy
    )
    assert Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).count() == 1
    assert User.objects.filter(username__endswith=demo.DOMAIN).count() == 9


def test_if_missing_leaves_existing_accounts_alone(demo_world):
    run("--if-missing")
    user = User.objects.get(username=f"daect@{demo.DOMAIN}")
    user.set_password("changed-by-the-developer-2026")
    user.save()
    assert "existant" in run("--if-missing")
    user.refresh_from_db()
    assert user.check_password("changed-by-the-developer-2026")
    run()  # without the flag: reset
    user.refresh_from_db()
    assert user.check_password(demo.DEMO_PASSWORD)


def test_the_demo_password_follows_the_password_rules(demo_world):
    run()
    for user in User.objects.filter(username__endswith=demo.DOMAIN):
        password_validation.validate_password(demo.DEMO_PASSWORD, user)


def test_missing_reference_data_is_said(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="load_reference"):
        run()


def test_a_newcomer_signs_in_with_the_printed_credentials(client, demo_world):
    run()
    response = password_login(client, f"agent.grand-est@{demo.DOMAIN}", demo.DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 200
    client.post(reverse("accounts:logout"))

    password_login(client, f"daect@{demo.DOMAIN}", demo.DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username=f"daect@{demo.DOMAIN}")
    response = client.post(reverse("accounts:login_otp"), {"code": totp_code(device)})
    assert response.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 200
