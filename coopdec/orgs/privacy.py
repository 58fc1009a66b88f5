"""Personal data of one person, found by e-mail address: what is held (GDPR art. 15 and 20) and erasure
(art. 17). docs/privacy.md explains each choice.

A person may be a contact of an organisation (``OrganisationContact``), a contact of project sheets (atlas
``Contact``) and/or hold user accounts. :func:`export` gathers everything into one JSON document;
:func:`erase`

- deletes the organisation contacts;
- removes the project contacts through ``save_tracked``, so each sheet's history records "contact effacé à
  la demande de la personne" (the sheet, its partners, financing and other contacts stay as they are), then
  redacts every line of the sheets' history that still holds the person's name, e-mail or telephone;
- deletes the rows of other models whose e-mail field holds the address (found by field type);
- deactivates and anonymises the accounts: memberships revoked, password unusable, names and address
  blanked, the username replaced, two-factor devices and the personal tools (rows whose foreign key to the
  account cascades) deleted; the account's name is replaced in the records it authored (``*_by_label``).

Both write to the audit log, with a digest of the address rather than the address itself. The audit log
keeps what it recorded before (logins, refusals: security records, kept and never edited).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from coopdec.atlas.history import CHILDREN, save_tracked
from coopdec.atlas.models import Change, Contact, Project
from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent

from . import roles
from .models import Membership, OrganisationContact

FORMAT = "coopdec-donnees-personnelles/1"
ERASURE_COMMENT = "contact effacé à la demande de la personne"
# What replaces a line of a sheet's history that named the person.
REDACTED = "[contact effacé à la demande de la personne]"
REDACTED_ACCOUNT = "compte-efface-{pk}"
# Columns of a contact line in a sheet's history, e.g. "Claire Brouillon | Cheffe de projet | c@x.org | 01…".
CONTACT_COLUMNS = CHILDREN[Project]["contacts"]
EMAIL_COLUMN = CONTACT_COLUMNS.index("email")
NAME_COLUMN = CONTACT_COLUMNS.index("name")
# Fields never exported even when they belong to the person: secrets of their devices and password.
SECRET_MARKERS = ("password", "key", "secret", "token")
# Models related to accounts that are handled by name, not by the generic walk over relations.
HANDLED = {"orgs.membership", "admin.logentry"}


def normalise(email: str) -> str:
    return email.strip().lower()


def digest(email: str) -> str:
    """How the audit log names the address: enough to match a later request, without keeping it."""
    return hashlib.sha256(normalise(email).encode()).hexdigest()


def _split(line: str) -> list[str]:
    return line.split(" | ")


@dataclass
class Holdings:
    """Everything held about the person with this address."""

    email: str
    organisation_contacts: list[OrganisationContact]
    project_contacts: list[Contact]
    accounts: list
    # History rows of sheets that mention the address in a contact line.
    history: list[Change] = field(default_factory=list)
    # Rows of other models whose e-mail field holds the address (a correspondent's public entry, a request
    # for a missing organisation…), by model label.
    other: dict[str, list] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (
            self.organisation_contacts or self.project_contacts or self.accounts or self.history or self.other
        )

    @property
    def other_count(self) -> int:
        return sum(len(rows) for rows in self.other.values())

    def names(self) -> set[str]:
        """The names the person was recorded under, for the history lines that carry no address."""
        names = {c.name for c in self.organisation_contacts} | {c.name for c in self.project_contacts}
        for change in self.history:
            for line in _contact_lines(change):
                columns = _split(line)
                if len(columns) == len(CONTACT_COLUMNS) and normalise(columns[EMAIL_COLUMN]) == self.email:
                    names.add(columns[NAME_COLUMN])
        return {name for name in names if name}


def _contact_lines(change: Change) -> list[str]:
    entry = change.diff.get("contacts") or {}
    return [line for side in ("old", "new") for line in (entry.get(side) or []) if isinstance(line, str)]


def email_fields() -> list[tuple[type[models.Model], str]]:
    """(model, field) for every e-mail field outside the three handled by name: found by type, so that the
    address a new app stores is found (exported and erased) without touching this module."""
    from django.apps import apps

    handled = {get_user_model(), OrganisationContact, Contact}
    return [
        (model, f.name)
        for model in apps.get_models()
        if model not in handled
        for f in model._meta.concrete_fields
        if isinstance(f, models.EmailField)
    ]


def _other_rows(email: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for model, name in email_fields():
        rows = list(model._default_manager.filter(**{f"{name}__iexact": email}).order_by("pk"))
        if rows:
            found.setdefault(model._meta.label_lower, []).extend(rows)
    return found


def find(email: str) -> Holdings:
    email = normalise(email)
    user_model = get_user_model()
    return Holdings(
        email=email,
        organisation_contacts=list(
            OrganisationContact.objects.filter(email__iexact=email).select_related("organisation")
        ),
        project_contacts=list(
            Contact.objects.filter(email__iexact=email).select_related("project").order_by("project__slug")
        ),
        accounts=list(user_model.objects.filter(email__iexact=email).order_by("pk")),
        history=[
            change
            for change in Change.objects.filter(diff__icontains=email).select_related("project")
            if any(
                normalise(_split(line)[EMAIL_COLUMN]) == email
                for line in _contact_lines(change)
                if len(_split(line)) == len(CONTACT_COLUMNS)
            )
        ],
        other=_other_rows(email),
    )


# ------------------------------------------------------------------------------------------------ export


def _plain(value):
    """A value as JSON holds it (dates as ISO 8601 text, decimals as text)."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return DjangoJSONEncoder().default(value)


def _row(obj: models.Model) -> dict:
    """The row's own fields, secrets left out."""
    return {
        f.name: _plain(f.value_from_object(obj))
        for f in obj._meta.concrete_fields
        if not any(marker in f.name for marker in SECRET_MARKERS)
    }


def _account(user) -> dict:
    memberships = Membership.objects.filter(user=user).select_related("organisation", "granted_by")
    other: dict[str, list] = {}
    for relation in user._meta.related_objects:
        label = relation.related_model._meta.label_lower
        if label in HANDLED or not (relation.one_to_many or relation.one_to_one):
            continue
        rows = relation.related_model._default_manager.filter(**{relation.field.name: user})
        other[label] = [_row(row) for row in rows]
    from django.contrib.admin.models import LogEntry

    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "date_joined": _plain(user.date_joined),
        "last_login": _plain(user.last_login),
        "memberships": [
            {
                "organisation": m.organisation.name,
                "organisation_slug": m.organisation.slug,
                "role": m.role,
                "function": m.function,
                "status": m.status,
                "requested_at": _plain(m.requested_at),
                "granted_at": _plain(m.granted_at),
            }
            for m in memberships
        ],
        "sheet_changes": [
            {
                "object": change.object_slug,
                "version": change.version,
                "action": change.action,
                "at": _plain(change.changed_at),
                "comment": change.comment,
            }
            for change in Change.objects.filter(changed_by=user).order_by("changed_at", "pk")
        ],
        "audit_events": [
            {"at": _plain(e.at), "kind": e.kind, "ip": e.ip, "target": e.target}
            for e in AuditEvent.objects.filter(user_id=user.pk).order_by("at", "pk")
        ],
        "back_office_actions": [
            {"at": _plain(e.action_time), "object": e.object_repr, "message": e.get_change_message()}
            for e in LogEntry.objects.filter(user=user).order_by("action_time", "pk")
        ],
        "other": other,
    }


def document(holdings: Holdings) -> dict:
    """The machine-readable document of everything held (art. 15 and 20)."""
    return {
        "format": FORMAT,
        "generated_at": _plain(timezone.now()),
        "email": holdings.email,
        "organisation_contacts": [
            {
                "organisation": c.organisation.name,
                "organisation_slug": c.organisation.slug,
                "category": c.category,
                "name": c.name,
                "function": c.function,
                "email": c.email,
                "phone": c.phone,
            }
            for c in holdings.organisation_contacts
        ],
        "project_contacts": [
            {
                "project": c.project.title,
                "project_slug": c.project.slug,
                "published": c.project.published,
                "name": c.name,
                "function": c.function,
                "email": c.email,
                "phone": c.phone,
            }
            for c in holdings.project_contacts
        ],
        "sheet_history": [
            {
                "object": change.object_slug,
                "version": change.version,
                "at": _plain(change.changed_at),
                "lines": [
                    line
                    for line in _contact_lines(change)
                    if len(_split(line)) == len(CONTACT_COLUMNS)
                    and normalise(_split(line)[EMAIL_COLUMN]) == holdings.email
                ],
            }
            for change in holdings.history
        ],
        "accounts": [_account(user) for user in holdings.accounts],
        "other_records": {label: [_row(row) for row in rows] for label, rows in holdings.other.items()},
    }


def export(email: str, *, by=None, by_label: str = "", request=None) -> dict:
    holdings = find(email)
    data = document(holdings)
    record(
        AuditEvent.Kind.PERSONAL_DATA_EXPORTED,
        request=request,
        user=by,
        username=by_label,
        email_sha256=digest(email),
        **counts(holdings),
    )
    return data


def counts(holdings: Holdings) -> dict[str, int]:
    return {
        "organisation_contacts": len(holdings.organisation_contacts),
        "project_contacts": len(holdings.project_contacts),
        "accounts": len(holdings.accounts),
        "history_rows": len(holdings.history),
        "other_records": holdings.other_count,
    }


# ------------------------------------------------------------------------------------------------- erase


def _redact_line(line, email: str, names: set[str]):
    if not isinstance(line, str):
        return line
    columns = _split(line)
    if len(columns) != len(CONTACT_COLUMNS):
        return line
    if normalise(columns[EMAIL_COLUMN]) == email or columns[NAME_COLUMN] in names:
        return REDACTED
    return line


def redact_history(changes, email: str, names: set[str]) -> int:
    """Replace the person's contact lines in these history rows; returns how many rows changed.

    History rows are never edited otherwise: erasure is the one exception, because a right to erasure that
    left the address readable in the history would not be one.
    """
    changed = 0
    for change in changes:
        entry = change.diff.get("contacts")
        if not entry:
            continue
        redacted = {
            side: [_redact_line(line, email, names) for line in values]
            if isinstance(values, list)
            else values
            for side, values in entry.items()
        }
        if redacted != entry:
            Change.objects.filter(pk=change.pk).update(diff={**change.diff, "contacts": redacted})
            changed += 1
    return changed


def _remove_project_contacts(project: Project, contact_ids: list[int], *, by, by_label: str) -> None:
    save_tracked(
        project,
        by=by,
        by_label=by_label,
        save_children=lambda p: Contact.objects.filter(pk__in=contact_ids).delete(),
        comment=ERASURE_COMMENT,
    )


def author_labels(user_model) -> list[tuple[type[models.Model], str]]:
    """(model, field) for every foreign key to accounts with a ``<field>_label`` beside it: the records that
    keep their author's name as text (sheet history's ``changed_by_label``, a campaign's
    ``confirmed_by_label``…), found by that naming rule so that new apps are covered."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is user_model and f"{f.name}_label" in names:
                found.append((model, f.name))
    return found


def _deactivate(user, *, by, request) -> None:
    for membership in Membership.objects.filter(user=user).select_related("user", "organisation"):
        roles.revoke(membership, by=by, request=request)
    for relation in user._meta.related_objects:
        label = relation.related_model._meta.label_lower
        # Rows that live and die with the account (personal tools, two-factor devices) go; records of acts
        # (the back office's log) stay, pointing at the anonymised account.
        if label in HANDLED or relation.on_delete is not models.CASCADE:
            continue
        relation.related_model._default_manager.filter(**{relation.field.name: user}).delete()
    label = REDACTED_ACCOUNT.format(pk=user.pk)
    for model, name in author_labels(type(user)):
        model._default_manager.filter(**{name: user}).update(**{f"{name}_label": label})
    user.username = label
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


def erase(email: str, *, by=None, by_label: str = "", request=None) -> dict[str, int]:
    """Erase the person's data (see the module's docstring); returns what was found, by kind."""
    holdings = find(email)
    names = holdings.names()
    summary = counts(holdings)
    with transaction.atomic():
        OrganisationContact.objects.filter(pk__in=[c.pk for c in holdings.organisation_contacts]).delete()
        by_project: dict[int, list[int]] = {}
        for contact in holdings.project_contacts:
            by_project.setdefault(contact.project_id, []).append(contact.pk)
        projects = Project.all_objects.filter(pk__in=by_project).order_by("pk")
        for project in projects:
            _remove_project_contacts(project, by_project[project.pk], by=by, by_label=by_label)
        touched = {c.project_id for c in holdings.history if c.project_id} | set(by_project)
        summary["history_rows_redacted"] = redact_history(
            Change.objects.filter(project_id__in=touched)
            | Change.objects.filter(pk__in=[c.pk for c in holdings.history]),
            holdings.email,
            names,
        )
        # Rows whose purpose is to hold the address (a directory entry, a request) go with it.
        for rows in holdings.other.values():
            for row in rows:
                row.delete()
        for user in holdings.accounts:
            _deactivate(user, by=by, request=request)
        record(
            AuditEvent.Kind.PERSONAL_DATA_ERASED,
            request=request,
            user=by,
            username=by_label,
            email_sha256=digest(email),
            **summary,
        )
    return summary
