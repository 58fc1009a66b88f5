"""Demonstration accounts, one per persona, on the demonstration data — for LOCAL use only.

Their password and two-factor secret are printed and written in the README: anybody can sign in with them.
The command that creates them refuses to run with DEBUG off, and the accounts live under the reserved
``.localhost`` domain, so no mail can reach anybody.
"""

from __future__ import annotations

from base64 import b32decode
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent
from coopdec.geo.models import Country, Region
from coopdec.orgs.models import Membership, Organisation

from .twofactor import MANDATORY_ROLES

DEMO_PASSWORD = "demonstration-locale-2026"  # noqa: S105 - public on purpose, local use only
# One TOTP secret for every demonstration account that needs a second factor: added once to an
# authenticator application, it gives the codes of all of them.
DEMO_TOTP_SECRET = "COOPDEC2DEMO2LOCAL2ONLY234567ABC"  # noqa: S105 - public on purpose, local use only
DOMAIN = "coopdec.localhost"
GRAND_EST = "44"

K = Organisation.Kind


class MissingData(Exception):
    """The reference data the demonstration accounts stand on is not loaded."""


# --- Finding (or making) each persona's organisation ---------------------------------------------------


def _most_active(qs):
    """The organisation of ``qs`` in the most partnerships (French side or foreign side)."""
    return (
        qs.annotate(
            n=Count("partnership_memberships", distinct=True) + Count("foreign_partnerships", distinct=True)
        )
        .order_by("-n", "name")
        .first()
    )


def grand_est_region() -> Organisation | None:
    """Région Grand Est, or else the French authority in the most partnerships."""
    region = (
        Organisation.objects.filter(kind=K.REGION).filter(Q(region_id=GRAND_EST) | Q(code=GRAND_EST)).first()
    )
    return region or _most_active(Organisation.objects.french_authorities())


def other_authority() -> Organisation | None:
    """Département de la Gironde, or else the most active French authority outside Grand Est."""
    gironde = (
        Organisation.objects.filter(kind=K.DEPARTMENT).filter(Q(department_id="33") | Q(code="33")).first()
    )
    return gironde or _most_active(Organisation.objects.french_authorities().exclude(region_id=GRAND_EST))


def embassy(iso2: str) -> Callable[[], Organisation]:
    def find() -> Organisation:
        found = (
            Organisation.objects.filter(kind=K.EMBASSY).filter(Q(countries=iso2) | Q(country_id=iso2)).first()
        )
        if found:
            return found
        country = Country.objects.filter(iso2=iso2).first()
        if country is None:
            raise MissingData(f"country {iso2} (run load_reference)")
        preposition = "au" if iso2 in ("SN", "ML") else "en"
        created = Organisation.objects.create(
            name=f"Ambassade de France {preposition} {country.name_fr}",
            slug=_free_slug(f"ambassade-de-france-{iso2.lower()}"),
            kind=K.EMBASSY,
            country=country,
        )
        created.countries.add(country)
        return created

    return find


def grand_est_prefecture() -> Organisation:
    found = Organisation.objects.filter(kind=K.PREFECTURE, region_id=GRAND_EST).first()
    if found:
        return found
    region = Region.objects.filter(code=GRAND_EST).first()
    if region is None:
        raise MissingData("region 44 (run load_reference)")
    return Organisation.objects.create(
        name=f"Préfecture de la région {region.name}",
        slug=_free_slug("prefecture-de-la-region-grand-est"),
        kind=K.PREFECTURE,
        region=region,
    )


def named(kind: str, name: str, slug: str) -> Callable[[], Organisation]:
    def find() -> Organisation:
        found = Organisation.objects.filter(kind=kind, name__istartswith=name).order_by("pk").first()
        found = found or Organisation.objects.filter(kind=kind).order_by("pk").first()
        return found or Organisation.objects.create(name=name, slug=_free_slug(slug), kind=kind)

    return find


def foreign_partner() -> Organisation | None:
    """A partner of the Grand Est account's authority, else the most active Senegalese authority."""
    french = grand_est_region()
    foreign = Organisation.objects.foreign_authorities()
    if french is not None:
        partner = (
            foreign.filter(foreign_partnerships__french_members__organisation=french).order_by("name").first()
        )
        if partner:
            return partner
    return _most_active(foreign.filter(country_id="SN")) or _most_active(foreign)


def _free_slug(slug: str) -> str:
    candidate, n = slug, 1
    while Organisation.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


# --- The accounts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    function: str
    organisation: Callable[[], Organisation | None]

    @property
    def two_factor(self) -> bool:
        return self.role in MANDATORY_ROLES

    @property
    def role_label(self) -> str:
        return str(Membership.Role(self.role).label)


R = Membership.Role
ACCOUNTS = [
    DemoAccount(
        f"agent.grand-est@{DOMAIN}",
        "Camille",
        "Schmitt",
        R.AGENT,
        "Chargée de mission relations internationales",
        grand_est_region,
    ),
    DemoAccount(
        f"agent.collectivite@{DOMAIN}",
        "Julien",
        "Moreau",
        R.AGENT,
        "Élu délégué à la coopération",
        other_authority,
    ),
    DemoAccount(
        f"correspondant.senegal@{DOMAIN}",
        "Aminata",
        "Sow",
        R.CORRESPONDENT,
        "Correspondante coopération décentralisée",
        embassy("SN"),
    ),
    DemoAccount(
        f"correspondant.mali@{DOMAIN}",
        "Moussa",
        "Keïta",
        R.CORRESPONDENT,
        "Correspondant coopération décentralisée",
        embassy("ML"),
    ),
    DemoAccount(
        f"prefecture.grand-est@{DOMAIN}",
        "Claire",
        "Lambert",
        R.PREFECTURE,
        "Conseillère diplomatique du préfet de région",
        grand_est_prefecture,
    ),
    DemoAccount(
        f"daect@{DOMAIN}",
        "Hélène",
        "Dubois",
        R.DAECT,
        "Chargée de mission à la DAECT",
        named(
            K.MINISTRY,
            "Ministère de l'Europe et des Affaires étrangères (DAECT)",
            "ministere-de-leurope-et-des-affaires-etrangeres-daect",
        ),
    ),
    DemoAccount(
        f"operateur@{DOMAIN}",
        "Thomas",
        "Bernard",
        R.OPERATOR,
        "Chargé de partenariats avec les collectivités",
        named(K.OPERATOR, "Agence française de développement", "agence-francaise-de-developpement"),
    ),
    DemoAccount(
        f"autorite-etrangere@{DOMAIN}",
        "Fatou",
        "Ndiaye",
        R.FOREIGN,
        "Responsable de la coopération internationale",
        foreign_partner,
    ),
    DemoAccount(
        f"reseau@{DOMAIN}",
        "Paul",
        "Girard",
        R.NETWORK,
        "Chargé de mission",
        named(K.NETWORK, "Cités Unies France", "cites-unies-france"),
    ),
]


def totp_key_hex() -> str:
    return b32decode(DEMO_TOTP_SECRET).hex()


@dataclass(frozen=True)
class Outcome:
    account: DemoAccount
    organisation: Organisation | None
    created: bool  # False: it existed and was left as it was (--if-missing), or no organisation was found


@transaction.atomic
def create(account: DemoAccount, *, if_missing: bool) -> Outcome:
    """Create (or reset) one demonstration account with its active membership and, for the roles that
    require it, a confirmed TOTP device on the demonstration secret."""
    user = User.objects.filter(username=account.email).first()
    if user is not None and if_missing:
        membership = user.memberships.select_related("organisation").first()
        return Outcome(account, membership.organisation if membership else None, created=False)
    organisation = account.organisation()
    if organisation is None:
        return Outcome(account, None, created=False)
    if user is None:
        user = User(username=account.email)
    user.email = account.email
    user.first_name, user.last_name = account.first_name, account.last_name
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.memberships.exclude(organisation=organisation, role=account.role).delete()
    Membership.objects.update_or_create(
        user=user,
        organisation=organisation,
        role=account.role,
        defaults={
            "status": Membership.Status.ACTIVE,
            "function": account.function,
            "granted_at": timezone.now(),
        },
    )
    record(
        AuditEvent.Kind.ROLE_GRANTED,
        user=user,
        target=f"orgs.organisation:{organisation.slug}",
        role=account.role,
        by="create_demo_accounts",
    )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if account.two_factor:
        TOTPDevice.objects.create(user=user, name="démonstration", key=totp_key_hex(), confirmed=True)
    return Outcome(account, organisation, created=True)
