"""Saving partnerships and projects so that nothing is silently overwritten.

``save_tracked`` is the one way a partnership or project is written outside bulk loads: it compares the
object with what is stored, refuses the save if someone else saved a newer version meanwhile
(``expected_version``), bumps ``version`` and appends a ``Change`` row with the readable difference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils.translation import gettext as _

from .models import Change, Partnership, Project

TRACKED_MODELS = (Partnership, Project)
UNTRACKED_FIELDS = {"id", "version", "created_at", "updated_at"}


# eq=False keeps the exception hashable (a dataclass with eq=True sets __hash__ to None, and logging and
# traceback code put exceptions in sets); __post_init__ fills ``args`` as Exception.__init__ would.
@dataclass(eq=False)
class ConflictError(Exception):
    """The object was saved by someone else after the version the editor started from."""

    expected_version: int
    current_version: int
    changes_since: list[Change]

    def __post_init__(self):
        super().__init__(self.expected_version, self.current_version)

    def __str__(self):
        return _(
            "Cette fiche a été modifiée par quelqu'un d'autre pendant votre saisie "
            "(version %(current)s, vous éditiez la version %(expected)s)."
        ) % {"current": self.current_version, "expected": self.expected_version}


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def field_values(instance: models.Model) -> dict[str, str | None]:
    """The instance's concrete field values as text, keyed by field name (foreign keys by their code)."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in UNTRACKED_FIELDS:
            continue
        values[field.name] = _as_text(getattr(instance, field.attname))
    return values


def m2m_values(instance: models.Model) -> dict[str, list[str]]:
    if instance.pk is None:
        return {}
    return {
        field.name: sorted(str(pk) for pk in getattr(instance, field.name).values_list("pk", flat=True))
        for field in instance._meta.many_to_many
    }


def diff(old: dict, new: dict) -> dict[str, dict]:
    return {
        name: {"old": old.get(name), "new": new.get(name)}
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    }


def _change_kwargs(instance) -> dict:
    if isinstance(instance, Project):
        return {"project": instance}
    return {"partnership": instance}


def _child_lines(rows, columns) -> list[str]:
    return sorted(" | ".join(_as_text(row[c]) or "" for c in columns) for row in rows)


# The rows that hang from a tracked object, compared and shown in its history as sorted text lines.
CHILDREN = {
    Project: {
        "financings": ("funder__slug", "kind", "year", "amount"),
        "participants": ("name", "kind", "country_id", "role"),
        "contacts": ("name", "function", "email", "phone"),
        "volunteers": ("programme", "count", "year"),
    },
    Partnership: {"french_members": ("organisation__slug", "is_lead")},
}


def child_values(instance: models.Model) -> dict[str, list[str]]:
    if instance.pk is None:
        return {}
    return {
        name: _child_lines(getattr(instance, name).values(*columns), columns)
        for name, columns in CHILDREN[type(instance)].items()
    }


def _keep_later_confirmation(instance: Partnership | Project, stored: Partnership | Project) -> None:
    """Never take a sheet's last confirmation back in time.

    A campaign's confirmation (``coopdec.campaigns.actions.confirm``) is not an edit: it sets
    ``last_confirmed_at`` with a plain UPDATE, without a new version. An editor whose copy of the sheet was
    read before it would otherwise write the older date back, without a conflict, and the history would
    show them undoing a confirmation they never saw.
    """
    confirmed, given = stored.last_confirmed_at, instance.last_confirmed_at
    if confirmed is not None and (given is None or given < confirmed):
        instance.last_confirmed_at = confirmed


def save_tracked(
    instance: Partnership | Project,
    *,
    by=None,
    by_label: str = "",
    expected_version: int | None = None,
    m2m: dict[str, list] | None = None,
    save_children: Callable[[Partnership | Project], None] | None = None,
    comment: str = "",
) -> Change | None:
    """Save ``instance`` (its many-to-many values in ``m2m``, its child rows through ``save_children``)
    with a history row.

    ``save_children(instance)`` is called inside the same transaction once the instance has a primary key;
    the child rows (financings, contacts…, or a partnership's French members) before and after it are part
    of the difference, so an edit of a contact alone is versioned and recorded like any other.
    Returns the ``Change`` written, or ``None`` when nothing differed from what was stored.
    Raises ``ConflictError`` when ``expected_version`` is given and the stored version is newer.
    """
    if not isinstance(instance, TRACKED_MODELS):
        raise TypeError(f"{type(instance).__name__} is not a tracked model")
    model = type(instance)
    m2m = m2m or {}
    with transaction.atomic():
        stored = (
            model._default_manager.select_for_update().filter(pk=instance.pk).first() if instance.pk else None
        )
        if stored is not None and expected_version is not None and stored.version != expected_version:
            raise ConflictError(
                expected_version=expected_version,
                current_version=stored.version,
                changes_since=list(
                    Change.objects.filter(**_change_kwargs(stored), version__gt=expected_version).order_by(
                        "version"
                    )
                ),
            )
        if stored is not None:
            _keep_later_confirmation(instance, stored)
        old = {**field_values(stored), **m2m_values(stored), **child_values(stored)} if stored else {}
        new_m2m = {name: sorted(str(getattr(v, "pk", v)) for v in values) for name, values in m2m.items()}
        new = {**field_values(instance), **(m2m_values(stored) if stored else {}), **new_m2m}
        if stored is None:
            # A new object needs its primary key before its children can point to it.
            instance.version = 1
            instance.save()
            for name, values in m2m.items():
                getattr(instance, name).set(values)
        if save_children is not None:
            save_children(instance)
        if save_children is not None:
            # Children that are still empty on a new object are not news.
            new.update({name: lines for name, lines in child_values(instance).items() if stored or lines})
        elif stored is not None:
            new.update(child_values(stored))
        changes = diff(old, new)
        if stored is not None:
            if not changes:
                return None
            instance.version = stored.version + 1
            instance.save()
            for name, values in m2m.items():
                getattr(instance, name).set(values)
        return Change.objects.create(
            **_change_kwargs(instance),
            object_slug=instance.slug,
            action=Change.Action.UPDATE if stored else Change.Action.CREATE,
            version=instance.version,
            changed_by=by if (by is not None and by.is_authenticated) else None,
            changed_by_label=by_label
            or (by.get_username() if by is not None and by.is_authenticated else ""),
            diff=changes,
            comment=comment,
        )


def delete_tracked(
    instance: Partnership | Project, *, by=None, by_label: str = "", comment: str = ""
) -> Change:
    """Delete ``instance`` and keep a last history row holding everything it had."""
    with transaction.atomic():
        # The snapshot and version come from the stored row: the caller's copy may be stale, and the last
        # history row must hold what was really deleted.
        stored = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        snapshot = {**field_values(stored), **m2m_values(stored)}
        change = Change.objects.create(
            object_slug=stored.slug,
            action=Change.Action.DELETE,
            version=stored.version + 1,
            changed_by=by if (by is not None and by.is_authenticated) else None,
            changed_by_label=by_label
            or (by.get_username() if by is not None and by.is_authenticated else ""),
            diff={name: {"old": value, "new": None} for name, value in snapshot.items()},
            comment=comment,
        )
        instance.delete()
        return change
