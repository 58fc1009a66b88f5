"""No page, API answer or file shows a non-public field to a persona who may not see it (issue 5, security).

The personas' world (``personas.py``) is given a unique sentinel in every field that is not public: drafts,
contacts, memberships (pending ones too), account e-mails, the audit log, corrections, inventoried
partnerships, campaign confirmations, saved searches and extractions, organisation requests, and the
secrets nobody may read (password hashes, TOTP keys, recovery codes). Then each persona crawls every page
of the portal: the public pages, the professional space, the personal tools, the back office (every model's
list and the change page of every object of the world), the API in every format, the map's GeoJSON, the
search for each sentinel's word, the personal-data desk, and the open-data files of ``export_atlas`` (as the
public reads them). ``SECRETS`` below says, for each sentinel, who may see it; each one is looked for in
every answer, and must appear for the personas named in ``shows`` (so that the test cannot pass by showing
nothing). A secret nobody may see is paired with a witness, a sentinel of the same object that its owner
does see.

Answers are read as the people who get them would: HTML also with its tags removed (a highlighted word is
split by ``<mark>``), XLSX unzipped, PDF streams decompressed (fpdf2 compresses them with zlib; the text
is in plain ``(…) Tj`` strings, Windows-1252), JSON and CSV as text.
"""

from __future__ import annotations

import datetime
import html
import io
import re
import zipfile
from base64 import b32encode
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from coopdec.orgs.models import Membership, OrganisationContact
from coopdec.orgs.tests.pdf import pdf_streams
from coopdec.orgs.tests.personas import PERSONA_NAMES, World, login

pytestmark = pytest.mark.django_db

ALL = frozenset(PERSONA_NAMES)
SIGNED_IN = ALL - {"anonymous"}
# coopdec/atlas/policies.py: X's draft is read by X's agents, DAECT, the correspondent of its partner's
# country (Senegal) and the operator that co-finances it.
DRAFT_X_READERS = frozenset({"agent_x", "daect", "correspondent_a", "operator"})
# The Malian draft partnership of Y: Y's agents, DAECT, the correspondent for Mali (no operator funds it).
GHOST_READERS = frozenset({"agent_y", "daect", "correspondent_b"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Secret:
    key: str
    text: str
    # Personas who may meet the text (anywhere, unless ``machine`` says otherwise).
    allowed: frozenset[str]
    # Personas who must meet it somewhere: empty only for secrets nobody may read, which have a witness.
    shows: frozenset[str]
    # A word of the text to search for (the search echoes it: the whole text is what must not come back).
    term: str | None = None
    # False: never in a machine-readable answer (API, exports, PDF, GeoJSON, open-data files), even for
    # the personas who see it on a page.
    machine: bool = True
    # For a secret nobody sees: the key of a secret of the same object that its owner does see.
    witness: str | None = None
    # Pages (by id prefix) where more personas may see it, and why (see DESK below).
    extra: tuple[tuple[str, frozenset[str]], ...] = ()


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    method: str = "get"
    data: dict = field(default_factory=dict)
    machine: bool = False


# The personal-data desk answers a person's request to see (art. 15) or take away (art. 20) what is held
# about them: DAECT reads there, for that person, their personal tools too (saved searches, extractions).
DESK = "desk "


def words(n: int, word: str) -> str:
    return f"zq{n:02d} {word}"


def plant(world: World, tmp_path) -> tuple[list[Secret], dict]:
    """Put a sentinel in every non-public field of the world; return the secrets and objects for the URLs."""
    from django.contrib.auth.models import User
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from coopdec.accounts.models import OrganisationRequest
    from coopdec.accounts.twofactor import format_code, new_recovery_codes, secret_base32
    from coopdec.atlas.history import save_tracked
    from coopdec.atlas.models import Contact, Project
    from coopdec.atlas.tests import factories as f
    from coopdec.audit.log import record
    from coopdec.audit.models import AuditEvent
    from coopdec.campaigns import actions as campaign_actions
    from coopdec.campaigns.models import Confirmation
    from coopdec.correspondents import corrections
    from coopdec.correspondents.models import CorrespondentProfile
    from coopdec.correspondents.tests.inventoried import podor_twinning
    from coopdec.search import index
    from coopdec.workspace.models import Extraction, SavedSearch

    secrets: list[Secret] = []

    def secret(key, text, allowed, shows=None, **options):
        secrets.append(
            Secret(key, text, frozenset(allowed), frozenset(allowed if shows is None else shows), **options)
        )
        return text

    users = world.users
    base_url = "http://testserver"

    # --- The Atlas: a published sheet (control), X's draft, a draft partnership of Y in Mali
    project_x = world.project_x
    title = secret("public title", words(45, "titrepublic"), ALL, term="titrepublic")
    description = secret(
        "public description", words(44, "descriptionpublique"), ALL, term="descriptionpublique"
    )
    Project.all_objects.filter(pk=project_x.pk).update(title=title, description=description)
    public_contact = Contact.objects.create(
        project=project_x,
        name="Paul Public",
        function="Chargé de mission",
        email=secret(
            "public sheet contact e-mail", "zq07-contactpublic@example.org", ALL, {"anonymous"}, machine=False
        ),
        phone=secret("public sheet contact phone", "0199000007", ALL, {"anonymous"}, machine=False),
    )
    draft_x = world.draft_x
    Project.all_objects.filter(pk=draft_x.pk).update(
        title=secret("draft X title", words(1, "brouillonx"), DRAFT_X_READERS, term="brouillonx"),
        description=secret(
            "draft X description",
            words(2, "descriptionbrouillon"),
            DRAFT_X_READERS,
            term="descriptionbrouillon",
        ),
    )
    Contact.objects.filter(project=draft_x).update(
        email=secret("draft X contact e-mail", "zq03-contactbrouillon@example.org", DRAFT_X_READERS),
        phone=secret("draft X contact phone", "0199000003", DRAFT_X_READERS),
    )
    f.ParticipantFactory(
        project=draft_x,
        name=secret(
            "draft X participant",
            words(4, "participantbrouillon"),
            DRAFT_X_READERS,
            term="participantbrouillon",
        ),
    )
    ghost = f.PartnershipFactory(
        french=[world.authority_y],
        foreign=[world.foreign_b],
        published=False,
        title=secret(
            "draft partnership title",
            words(5, "partenariatfantome"),
            GHOST_READERS,
            term="partenariatfantome",
        ),
    )
    ghost_project = f.ProjectFactory(
        partnership=ghost,
        published=False,
        title=secret(
            "draft partnership's sheet", words(6, "projetfantome"), GHOST_READERS, term="projetfantome"
        ),
    )
    # An edit of the published sheet by agent X: the history of a published sheet is public.
    project_x.refresh_from_db()
    project_x.objectives = "Objectifs revus."
    save_tracked(
        project_x,
        by=users["agent_x"],
        comment=secret(
            "history comment of the public sheet", words(43, "commentairehistorique"), ALL, {"agent_y"}
        ),
    )

    # --- Organisations and people
    OrganisationContact.objects.create(
        organisation=world.authority_x,
        category=OrganisationContact.Category.ELECTED,
        name=secret("X's elected official", words(8, "elue"), {"agent_x", "daect", "correspondent_a"}),
        function="Adjointe aux relations internationales",
        email=secret(
            "X's official's e-mail", "zq09-elue@example.org", {"agent_x", "daect", "correspondent_a"}
        ),
        phone=secret("X's official's phone", "0199000009", {"agent_x", "daect", "correspondent_a"}),
    )
    Membership.objects.filter(user=users["agent_x"]).update(
        function=secret("agent X's function", words(10, "fonctionagentx"), {"agent_x", "daect"})
    )
    # The correspondents' functions are public: the directory shows them.
    Membership.objects.filter(user=users["correspondent_a"]).update(
        function=secret("correspondent A's function", words(11, "fonctioncorrespondant"), ALL)
    )
    for number, name in enumerate(sorted(SIGNED_IN), start=20):
        user = users[name]
        user.email = secret(
            f"{name}'s account e-mail", f"zq{number}-{name.replace('_', '')}@example.org", {name, "daect"}
        )
        user.save()
    pending = User.objects.create_user(
        username=secret("pending person's e-mail", "zq12-pending@example.org", {"daect"}),
        email="zq12-pending@example.org",
        password="mot-de-passe-en-attente-2026",  # noqa: S106 - test-only
        first_name="Pauline",
        last_name="Enattente",
    )
    Membership.objects.create(
        user=pending,
        organisation=world.authority_x,
        role=Membership.Role.AGENT,
        function=secret("pending membership's function", words(13, "fonctionenattente"), {"daect"}),
    )
    # A correspondent whose account has no name (as the back office may make one): the username, an
    # e-mail address as sign-up makes it, stands for the name in some labels.
    nameless = User.objects.create_user(
        username=secret("nameless correspondent's e-mail", "zq30-sansnom@example.org", {"daect"}),
        email="zq30-sansnom@example.org",
        password="mot-de-passe-sans-nom-2026",  # noqa: S106 - test-only
    )
    Membership.objects.create(
        user=nameless,
        organisation=world.embassy_b,
        role=Membership.Role.CORRESPONDENT,
        status=Membership.Status.ACTIVE,
        function="Correspondant",
    )
    CorrespondentProfile.objects.create(
        user=users["correspondent_a"],
        public_email=secret("correspondent A's public e-mail", "zq31-public@example.org", ALL),
        public_phone="0199000031",
    )
    OrganisationRequest.objects.create(
        name="Commune de Podor",
        kind="autorite_etrangere",
        place="Sénégal",
        requester_name=secret("organisation request's requester", words(48, "demandeur"), {"daect"}),
        requester_email=secret("organisation request's e-mail", "zq41-demandeur@example.org", {"daect"}),
        message=secret("organisation request's message", words(42, "messagedemande"), {"daect"}),
    )
    record(
        AuditEvent.Kind.LOGIN_FAILED,
        username=secret("audit username", "zq33-inconnu@example.org", {"daect"}),
        reason=secret("audit detail", words(32, "detailaudit"), {"daect"}),
    )

    # --- Correspondents' work
    correction = corrections.propose(
        project_x,
        {
            "title": secret(
                "proposed title",
                words(35, "titrepropose"),
                {"agent_x", "correspondent_a", "daect"},
                term="titrepropose",
            )
        },
        secret(
            "correction comment", words(34, "commentairecorrection"), {"agent_x", "correspondent_a", "daect"}
        ),
        by=users["correspondent_a"],
        base_url=base_url,
    )
    inventoried = podor_twinning(
        world,
        by=users["correspondent_a"],
        title=secret(
            "inventoried partnership",
            words(36, "jumelageinventorie"),
            {"agent_x", "correspondent_a", "daect"},
            term="jumelageinventorie",
        ),
        base_url=base_url,
    )

    # --- Campaign
    campaign, _count = campaign_actions.open_campaign(
        year=2026,
        closes_on=timezone.localdate() + datetime.timedelta(days=30),
        reminder_days=[14],
        by=users["daect"],
    )
    campaign_actions.confirm(campaign, world.authority_x, ["profil"], by=users["agent_x"])
    Confirmation.objects.filter(organisation=world.authority_x).update(
        confirmed_by_label=secret("campaign confirmation", words(37, "confirmateur"), {"agent_x", "daect"})
    )

    # --- Personal tools (their owner's alone; DAECT only through the personal-data desk)
    owner_only = {"agent_x"}
    desk = ((DESK, frozenset({"daect"})),)
    saved = SavedSearch.objects.create(
        owner=users["agent_x"],
        name=secret("saved search name", words(38, "recherchesauvee"), owner_only, extra=desk),
        query="q=" + secret("saved search query", "zq39motcle", owner_only, extra=desk),
        kind=SavedSearch.Kind.SEARCH,
    )
    extraction = Extraction.objects.create(
        owner=users["agent_x"],
        saved_search=saved,
        name=secret("extraction name", words(40, "extraction"), owner_only, extra=desk),
        query="q=patrimoine",
        format=Extraction.Format.CSV,
    )

    # --- Secrets nobody reads: two-factor keys, recovery codes, password hashes
    device = TOTPDevice.objects.create(
        user=users["agent_x"],
        name=secret("agent X's device name", words(46, "telephone"), {"agent_x", "daect"}, {"daect"}),
        confirmed=True,
    )
    for name in ("daect", "correspondent_a", "correspondent_b", "prefecture_r"):
        # The device ``login`` would make for roles that require a second factor, made here to be known.
        TOTPDevice.objects.create(user=users[name], name="persona", confirmed=True)
    for number, totp in enumerate(TOTPDevice.objects.order_by("pk")):
        secret(f"TOTP key {number}", totp.key, NOBODY, witness="agent X's device name")
        secret(
            f"TOTP base32 {number}",
            b32encode(totp.bin_key).decode().rstrip("="),
            NOBODY,
            witness="agent X's device name",
        )
        secret(f"TOTP base32 grouped {number}", secret_base32(totp), NOBODY, witness="agent X's device name")
    for number, code in enumerate(new_recovery_codes(users["agent_x"])):
        secret(f"recovery code {number}", code, NOBODY, witness="agent X's device name")
        secret(
            f"recovery code {number}, as shown", format_code(code), NOBODY, witness="agent X's device name"
        )
    assert StaticToken.objects.filter(device__in=StaticDevice.objects.filter(user=users["agent_x"])).count()
    for user in User.objects.all():
        _algorithm, salt, digest = user.password.split("$")
        secret(f"password hash of {user.username}", digest, NOBODY, witness="agent_x's account e-mail")
        secret(f"password salt of {user.username}", salt, NOBODY, witness="agent_x's account e-mail")

    index.rebuild()
    objects = {
        "project_x": project_x,
        "draft_x": draft_x,
        "ghost": ghost,
        "ghost_project": ghost_project,
        "public_contact": public_contact,
        "correction": correction,
        "inventoried": inventoried,
        "campaign": campaign,
        "saved": saved,
        "extraction": extraction,
        "device": device,
        "pending": pending,
        "nameless": nameless,
    }
    return secrets, objects


def pages(world: World, secrets: list[Secret], objects: dict) -> list[Page]:
    """Every page of the portal for this world."""
    x, y = world.authority_x, world.authority_y
    project_x, draft_x, ghost, ghost_project = (
        objects[k] for k in ("project_x", "draft_x", "ghost", "ghost_project")
    )
    result: list[Page] = []

    def add(id, url, **options):
        result.append(Page(id, url, **options))

    def named(name, *args, **options):
        add(f"{name} {' '.join(map(str, args))}".strip(), reverse(name, args=args), **options)

    # Public pages
    for name in (
        "atlas:home",
        "atlas:browse",
        "pages:accessibility",
        "pages:legal",
        "api_doc:documentation",
        "correspondents:directory",
        "maps:index",
        "search:index",
        "search:crosstab",
    ):
        named(name)
    for iso2 in ("SN", "ML"):
        named("atlas:country", iso2)
    for organisation in (world.foreign_a, world.foreign_b, objects["inventoried"].foreign_authority):
        named("atlas:foreign_authority", organisation.slug)
    for organisation in (x, y):
        named("atlas:french_authority", organisation.slug)
    named("atlas:region", "44")
    named("atlas:department", "67")
    for project in (project_x, world.project_y, draft_x, ghost_project):
        named("atlas:project", project.slug)
    # Machine-readable: API, exports, map
    add("openapi", reverse("api_doc:openapi"), machine=True)
    add("api stats", "/api/v1/stats", machine=True)
    for fmt in ("json", "csv", "xlsx", "geojson", "pdf"):
        add(f"api projects {fmt}", f"/api/v1/projects?format={fmt}", machine=True)
        add(f"api authorities {fmt}", f"/api/v1/authorities?format={fmt}", machine=True)
    add("api countries", "/api/v1/countries", machine=True)
    for project in (project_x, draft_x, ghost_project):
        for fmt in ("json", "pdf"):
            add(
                f"api project {project.slug} {fmt}",
                f"/api/v1/projects/{project.slug}?format={fmt}",
                machine=True,
            )
    for fmt in ("csv", "xlsx"):
        add(f"directory {fmt}", reverse("correspondents:export", args=[fmt]), machine=True)
    add("map countries", reverse("maps:countries"), machine=True)
    add("map france", reverse("maps:france"), machine=True)
    for place in (world.foreign_a, world.foreign_b):
        lon, lat = place.longitude, place.latitude
        add(
            f"map points {place.slug}",
            reverse("maps:points") + f"?zoom=9&bbox={lon - 1},{lat - 1},{lon + 1},{lat + 1}",
            machine=True,
        )
    add("map points world", reverse("maps:points") + "?zoom=2", machine=True)
    # The search for each sentinel's word
    for term in sorted({s.term for s in secrets if s.term}):
        add(f"search {term}", reverse("search:index") + f"?q={term}")
        add(f"api search {term}", f"/api/v1/projects?q={term}", machine=True)
    # Professional space
    for name in (
        "space:home",
        "space:organisations",
        "space:partnerships",
        "space:projects",
        "space:partnership_create",
    ):
        named(name)
    for organisation in (x, y):
        named("space:organisation", organisation.slug)
    named("space:organisation_edit", x.slug)
    for contact in OrganisationContact.objects.filter(organisation=x):
        named("space:contact_edit", x.slug, contact.pk)
    for partnership in (world.partnership_x, world.partnership_y, ghost, objects["inventoried"].partnership):
        if partnership is None:
            continue
        for name in ("space:partnership", "space:partnership_edit", "space:partnership_history"):
            named(name, partnership.slug)
    for project in (project_x, draft_x, world.draft_y, ghost_project):
        for name in ("space:project", "space:project_edit", "space:project_preview", "space:project_history"):
            named(name, project.slug)
    # Personal tools, campaigns, correspondents, account
    for name in (
        "workspace:home",
        "workspace:saved_list",
        "workspace:extraction_list",
        "campaigns:index",
        "campaigns:open",
        "correspondents:profile",
        "correspondents:corrections",
        "correspondents:inventory",
        "correspondents:record",
        "correspondents:coordination_index",
        "accounts:account",
        "accounts:otp_setup",
        "accounts:otp_recovery_codes",
        "accounts:password_change",
        "orgs:personal_data",
    ):
        named(name)
    named("workspace:saved", objects["saved"].uuid)
    named("workspace:extract", objects["saved"].uuid)
    named("campaigns:detail", objects["campaign"].year)
    for organisation in (x, y):
        named("campaigns:checklist", objects["campaign"].year, organisation.slug)
    named("correspondents:correction", objects["correction"].uuid)
    named("correspondents:inventoried", objects["inventoried"].uuid)
    for code in ("SN", "ML"):
        named("correspondents:coordination", code)
    # The personal-data desk (POST: the address is never in a URL)
    for name in ("agent_x", "correspondent_a"):
        email = world.user(name).email
        add(f"{DESK}lookup {name}", reverse("orgs:personal_data"), method="post", data={"email": email})
        add(
            f"{DESK}export {name}",
            reverse("orgs:personal_data_export"),
            method="post",
            data={"email": email},
            machine=True,
        )
    # The back office: every model's list, and the change page of the world's objects
    add("admin index", reverse("admin:index"))
    geography = {"geo"}
    daect = world.user("daect")
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        if not daect.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            continue  # the DSFR's own settings: nobody's but the superuser's
        try:
            add(f"admin {meta.label_lower}", reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        except NoReverseMatch:
            continue
        if meta.app_label in geography or meta.model_name in ("theme", "dacsector"):
            continue
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:40]:
            add(
                f"admin {meta.label_lower} {pk}",
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk]),
            )
    return result


def readable(response) -> str:
    """The answer's text as a person reads it (see the module's docstring)."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    if content[:5] == b"%PDF-":
        texts = [stream.decode("cp1252", "replace") for stream in pdf_streams(content)]
        return content.decode("cp1252", "replace") + "".join(texts)
    text = content.decode("utf-8", "replace")
    if "html" in response.get("Content-Type", ""):
        # Also without the markup: <mark> splits a highlighted word from the rest of the sentinel.
        text += "\n" + html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


def open_data_files(tmp_path) -> str:
    """The files of ``export_atlas``, which are published for anyone."""
    directory = tmp_path / "open-data"
    call_command("export_atlas", str(directory), verbosity=0)
    return "".join(path.read_text(encoding="utf-8") for path in sorted(directory.iterdir()))


def sign_in(client, user) -> None:
    """``personas.login``, and the second factor passed for anyone who has one (agent X has one here,
    although her role does not require it: she would otherwise meet the code step on every page)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    login(client, user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first() if user else None
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def crawl(client, world, all_pages) -> dict[str, dict[str, tuple[int, str]]]:
    seen: dict[str, dict[str, tuple[int, str]]] = {}
    for name in PERSONA_NAMES:
        sign_in(client, world.user(name))
        answers = {}
        for page in all_pages:
            with transaction.atomic():
                response = getattr(client, page.method)(page.url, page.data)
                text = readable(response) if response.status_code == 200 else ""
                transaction.set_rollback(True)
            answers[page.id] = (response.status_code, text)
        seen[name] = answers
    return seen


@dataclass(frozen=True)
class KnownLeak:
    """A leak this test found in code its author was not to change, reported with where to fix it."""

    secret: str  # key prefix
    personas: frozenset[str]
    page: str  # page id prefix
    fix: str

    def matches(self, leak: tuple[str, str, str]) -> bool:
        key, persona, page = leak
        return key.startswith(self.secret) and persona in self.personas and page.startswith(self.page)


# Each entry must still happen (the test fails when one no longer does, so that it is removed with its fix).
KNOWN_LEAKS = (
    KnownLeak(
        "public sheet contact",
        frozenset({"anonymous"}),
        "open data files",
        "export_atlas writes the project contacts' e-mail and phone in contacts.csv, which exports/formats/"
        "sheet.py says are kept out of every machine-readable file; dropping them would make import_atlas "
        "erase stored ones (a decision for the lead: atlas_tables.CONTACTS)",
    ),
)


@pytest.mark.slow
def test_no_page_api_answer_or_file_leaks_a_private_field(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    secrets, objects = plant(world, tmp_path)
    all_pages = pages(world, secrets, objects)
    assert len(all_pages) > 200
    by_id = {page.id: page for page in all_pages}
    seen = crawl(client, world, all_pages)
    seen["anonymous"]["open data files"] = (200, open_data_files(tmp_path))
    by_id["open data files"] = Page("open data files", "export_atlas", machine=True)

    by_key = {s.key: s for s in secrets}
    leaks, missing = set(), []
    for s in secrets:
        met = set()
        for persona, answers in seen.items():
            for page_id, (_status, text) in answers.items():
                if s.text not in text:
                    continue
                met.add(persona)
                page = by_id[page_id]
                extra = {p for prefix, personas in s.extra if page_id.startswith(prefix) for p in personas}
                if persona not in s.allowed | extra or (page.machine and not s.machine):
                    leaks.add((s.key, persona, page_id))
        for persona in sorted(s.shows - met):
            missing.append(f"{s.key}: never shown to {persona}")
        if not s.shows:
            assert s.witness and by_key[s.witness].shows, s.key

    # The crawl reads every format: the public sheet's title is in each list and file, as the public gets
    # them; and DAECT reads every page of the back office asked for.
    for page_id in [
        *(f"api projects {fmt}" for fmt in ("json", "csv", "xlsx", "geojson", "pdf")),
        f"api project {objects['project_x'].slug} pdf",
        "open data files",
        "search titrepublic",
    ]:
        if by_key["public title"].text not in seen["anonymous"][page_id][1]:
            missing.append(f"public title: not read in {page_id}")
    refused = [
        page.id for page in all_pages if page.id.startswith("admin") and seen["daect"][page.id][0] != 200
    ]
    assert refused == [], refused

    unexpected = sorted(leak for leak in leaks if not any(known.matches(leak) for known in KNOWN_LEAKS))
    fixed = [known.secret for known in KNOWN_LEAKS if not any(known.matches(leak) for leak in leaks)]
    report = (
        [f"LEAK {key} -> {persona} at {page}" for key, persona, page in unexpected]
        + [f"MISSING {line}" for line in missing]
        + [f"FIXED (remove it from KNOWN_LEAKS) {key}" for key in fixed]
    )
    assert not report, "\n".join(report)


def test_open_data_files_leave_out_the_details_of_drafts(world, tmp_path):
    """Regression: export_atlas wrote the contacts, participants, financings and themes of draft sheets (and
    the members of draft partnerships), read through managers that keep drafts."""
    from coopdec.atlas.models import Contact
    from coopdec.atlas.tests import factories as f

    ghost = f.PartnershipFactory(french=[world.authority_y], foreign=[world.foreign_b], published=False)
    f.ParticipantFactory(project=world.draft_x, name="Participant du brouillon")
    f.VolunteerFactory(project=world.draft_x, year=1999)
    Contact.objects.create(project=world.project_x, name="Paul Public", email="paul.public@example.org")
    files = open_data_files(tmp_path)
    cells = set(re.split(r"[,\r\n]", files))
    for private in (
        "claire.brouillon@example.org",
        "Participant du brouillon",
        world.draft_x.slug,
        ghost.slug,
    ):
        assert private not in cells
    # The published sheet and its details are still there.
    assert {"paul.public@example.org", world.project_x.slug} <= cells
