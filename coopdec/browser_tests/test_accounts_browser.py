"""Accounts in a real browser: sign-up with the type-ahead (htmx), the confirmation mail, two-factor set-up
and a login with the code; the accounts pages at 360 px and under axe's accessibility rules."""

import re
import time
from base64 import b32decode

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import TOTP

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EMAIL = "navigateur@example.org"
PASSWORD = "rivière-baobab-1987-lanterne"  # noqa: S105 - test-only


@pytest.fixture(scope="module")
def clean_accounts(atlas_site, django_db_blocker):
    """What the module writes outside the Atlas data goes at the end: its users, and its audit events (the
    log refuses deletions through the ORM; this is a test database, and the log was empty of committed rows
    when the module started)."""
    from django.contrib.auth.models import User
    from django.db import connection

    from coopdec.audit.models import AuditEvent

    with django_db_blocker.unblock():
        assert not AuditEvent.objects.exists()
        yield
        User.objects.filter(username=EMAIL).delete()
        with connection.cursor() as cursor:
            table = AuditEvent._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table}")
            else:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant table name


def totp_now(secret: str, steps_ahead: int = 0) -> str:
    totp = TOTP(b32decode(secret.replace(" ", "")), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def a_commune():
    from coopdec.orgs.models import Organisation

    return Organisation.objects.filter(kind=Organisation.Kind.COMMUNE).order_by("name").first()


def test_sign_up_confirm_and_set_up_two_factor(
    page, atlas_site, clean_accounts, django_capture_on_commit_callbacks
):
    base = atlas_site.url
    commune = a_commune()
    mail.outbox.clear()

    # Step 1: the kind.
    page.goto(base + reverse("accounts:signup"))
    page.get_by_text("Commune", exact=True).click()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(re.compile(r"/inscription/organisation/$"))

    # Step 2: the type-ahead lists the commune while typing (no submit), without its accents.
    typed = commune.name.lower().replace("é", "e").replace("è", "e")[:6]
    page.locator("#organisation-q").press_sequentially(typed, delay=30)
    choice = page.locator(f'#organisation-results input[value="{commune.slug}"]')
    choice.wait_for(state="attached")
    assert page.url.endswith("/inscription/organisation/")  # the list came by htmx, the page stayed
    page.locator(f'label[for="{choice.get_attribute("id")}"]').click()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(re.compile(r"/inscription/vous/$"))

    # Step 3: the person.
    assert commune.name in page.locator("main").inner_text()
    page.locator("#id_first_name").fill("Nina")
    page.locator("#id_last_name").fill("Navigateur")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_function").fill("Chargée de mission")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    # On SQLite in memory the live server shares the test's connection, whose transaction never commits:
    # the mail sent "after commit" is sent here instead (on PostgreSQL the server sends it itself).
    with django_capture_on_commit_callbacks(execute=True):
        page.get_by_role("button", name="Créer mon compte").click()
        page.wait_for_url(re.compile(r"/inscription/envoyee/$"))
    assert "en attente" in page.locator("main").inner_text()

    # The confirmation link from the mail.
    link = re.search(r"http://\S+/compte/confirmation/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    assert "Votre adresse est confirmée" in page.locator("main").inner_text()

    # Login, then turn two-factor authentication on from "Mon compte".
    page.goto(base + reverse("accounts:login"))
    page.locator("#id_identifier").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_load_state("load")
    assert page.locator("header").get_by_role("button", name="Se déconnecter").is_visible()
    page.goto(base + reverse("accounts:account"))
    assert "en attente de validation par la daect" in page.locator("#memberships").inner_text().lower()
    page.get_by_role("link", name="Activer la double authentification").click()
    assert page.locator("figure svg").is_visible()
    secret = page.locator("#otp-secret").inner_text()
    page.locator("#id_code").fill(totp_now(secret))
    page.get_by_role("button", name="Activer").click()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10

    # Signing in again asks for the code after the password.
    page.locator("header").get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state("load")
    page.goto(base + reverse("accounts:login"))
    page.locator("#id_identifier").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(re.compile(r"/compte/connexion/code/"))
    page.locator("#id_code").fill(totp_now(secret, steps_ahead=1))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state("load")
    page.goto(base + reverse("accounts:account"))
    assert "activée" in page.locator("main").inner_text().lower()
    assert page.outside_requests == []


ACCOUNT_PAGES = [
    "accounts:login",
    "accounts:signup",
    "accounts:password_reset",
    "accounts:organisation_request",
]


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_accounts_pages_at_360_px(browser, atlas_site, name):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(atlas_site.url + reverse(name))
        page.wait_for_load_state("load")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 360, f"{name} : {width} px de large"
    finally:
        context.close()


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_axe_finds_no_violation_on_accounts_pages(page, atlas_site, name):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(atlas_site.url + reverse(name))
    page.wait_for_load_state("load")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
