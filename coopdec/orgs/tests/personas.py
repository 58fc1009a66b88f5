"""The named personas of the access-matrix tests (STYLE.md §12), and the small world they act in.

    agent_x          agent of French authority X (Ville de Strasbourg, region Grand Est)
    agent_y          agent of French authority Y (Département de la Gironde, region Nouvelle-Aquitaine)
    correspondent_a  embassy correspondent for country A (Senegal)
    correspondent_b  embassy correspondent for country B (Mali)
    prefecture_r     diplomatic adviser of the prefecture of region R (Grand Est, X's region)
    daect            DAECT staff
    operator         agent of an operator (AFD), which co-finances X's draft sheet
    anonymous        no account (``None``)

X works with a Senegalese authority, Y with a Malian one; each has a published sheet and a draft.
Use :func:`login` to sign a persona in on a test client: it also passes the two-factor step for the roles
that require it, so a test of a page is not a test of the login.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from coopdec.atlas.tests import factories as f
from coopdec.orgs.models import Membership, Organisation

PASSWORD = "persona-mot-de-passe-2026"  # noqa: S105 - test-only

PERSONA_NAMES = (
    "agent_x",
    "agent_y",
    "correspondent_a",
    "correspondent_b",
    "prefecture_r",
    "daect",
    "operator",
    "anonymous",
)


@dataclass
class World:
    authority_x: Organisation
    authority_y: Organisation
    foreign_a: Organisation
    foreign_b: Organisation
    embassy_a: Organisation
    embassy_b: Organisation
    prefecture_r: Organisation
    ministry: Organisation
    operator_org: Organisation
    partnership_x: object
    partnership_y: object
    project_x: object
    project_y: object
    draft_x: object
    draft_y: object
    users: dict

    def user(self, name: str) -> User | None:
        return self.users.get(name)


def make_user(username: str, organisation: Organisation, role: str, function: str = "") -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=PASSWORD,
        first_name=username.split("_")[0].capitalize(),
        last_name=username.split("_")[-1].upper(),
    )
    Membership.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        function=function or "Chargé de mission",
        status=Membership.Status.ACTIVE,
    )
    return user


def build_world() -> World:
    authority_x = f.CommuneAuthorityFactory()
    authority_y = f.DepartmentAuthorityFactory()
    foreign_a = f.ForeignAuthorityFactory(country=f.country("SN"))
    foreign_b = f.ForeignAuthorityFactory(
        name="Commune de Ségou", country=f.country("ML"), latitude=13.43, longitude=-6.26
    )
    embassy_a = f.EmbassyFactory(country=f.country("SN"))
    embassy_b = f.EmbassyFactory(name="Ambassade de France au Mali", country=f.country("ML"))
    prefecture_r = f.PrefectureFactory()
    ministry = f.MinistryFactory()
    operator_org = f.OperatorFactory()

    partnership_x = f.PartnershipFactory(french=[authority_x], foreign=[foreign_a])
    partnership_y = f.PartnershipFactory(
        title="Coopération Gironde – Ségou", french=[authority_y], foreign=[foreign_b]
    )
    project_x = f.ProjectFactory(partnership=partnership_x, title="Patrimoine de Saint-Louis")
    project_y = f.ProjectFactory(partnership=partnership_y, title="Eau potable à Ségou")
    draft_x = f.ProjectFactory(partnership=partnership_x, title="Brouillon de Strasbourg", published=False)
    draft_y = f.ProjectFactory(partnership=partnership_y, title="Brouillon de la Gironde", published=False)
    f.FinancingFactory(project=draft_x, funder=operator_org)
    f.ContactFactory(project=draft_x, name="Claire Brouillon", email="claire.brouillon@example.org")

    R = Membership.Role
    users = {
        "agent_x": make_user("agent_x", authority_x, R.AGENT),
        "agent_y": make_user("agent_y", authority_y, R.AGENT),
        "correspondent_a": make_user("correspondent_a", embassy_a, R.CORRESPONDENT),
        "correspondent_b": make_user("correspondent_b", embassy_b, R.CORRESPONDENT),
        "prefecture_r": make_user("prefecture_r", prefecture_r, R.PREFECTURE),
        "daect": make_user("daect", ministry, R.DAECT),
        "operator": make_user("operator", operator_org, R.OPERATOR),
        "anonymous": None,
    }
    return World(
        authority_x=authority_x,
        authority_y=authority_y,
        foreign_a=foreign_a,
        foreign_b=foreign_b,
        embassy_a=embassy_a,
        embassy_b=embassy_b,
        prefecture_r=prefecture_r,
        ministry=ministry,
        operator_org=operator_org,
        partnership_x=partnership_x,
        partnership_y=partnership_y,
        project_x=project_x,
        project_y=project_y,
        draft_x=draft_x,
        draft_y=draft_y,
        users=users,
    )


# Roles for which two-factor authentication is mandatory (coopdec.accounts.twofactor.MANDATORY_ROLES; a
# test there checks that both lists agree). Listed here so that orgs' tests do not import a higher app.
TWO_FACTOR_ROLES = (Membership.Role.DAECT, Membership.Role.CORRESPONDENT, Membership.Role.PREFECTURE)


def login(client, user: User | None) -> None:
    """Sign ``user`` in on a Django test client (anonymous: nothing), two-factor step included.

    A persona whose active roles require two-factor authentication gets a confirmed TOTP device and a
    session verified with it, as after typing a code at login; the others get a plain session.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if user is None:
        client.logout()
        return
    client.force_login(user)
    needs_code = Membership.objects.filter(
        user=user, status=Membership.Status.ACTIVE, role__in=TWO_FACTOR_ROLES
    ).exists()
    if needs_code:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="persona", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
