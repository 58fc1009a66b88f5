"""History rows (``Change``) made readable: field labels, values as people know them, texts diffed by word.

``Change.diff`` stores values as text (foreign keys by their primary key, many-to-many values as sorted lists
of primary keys, child rows as sorted lines "value | value | …"). This module turns a page of them into
lines "label: before → after", looking every referenced object up once for the whole page (a fixed number
of queries, whatever the number of changes), and long texts into a word-level difference marked with
``<del>`` and ``<ins>``.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coopdec.atlas.history import CHILDREN
from coopdec.atlas.models import Change, Partnership, Project, Theme
from coopdec.geo.models import Country
from coopdec.orgs.models import Organisation

# Values longer than this (and every TextField) are shown as a word-level difference.
LONG_TEXT = 120
_WORDS = re.compile(r"\S+\s*|\s+")


@dataclass
class FieldChange:
    label: str
    # Exactly one of the three shapes is filled: a before/after pair, a word diff, or removed/added items.
    old: str = ""
    new: str = ""
    text_diff: SafeString | None = None
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return bool(self.removed or self.added)


@dataclass
class ReadableChange:
    change: Change
    author: str
    fields: list[FieldChange]


def word_diff(old: str, new: str) -> SafeString:
    """``new`` with the words removed from ``old`` in ``<del>`` and the words added in ``<ins>``.

    Words are compared without the spaces that follow them, so that a word moved to the end of a line
    still counts as the same word.
    """
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    matcher = difflib.SequenceMatcher(None, [t.strip() for t in a], [t.strip() for t in b], autojunk=False)
    parts = []
    removed, added = escape(_("supprimé : ")), escape(_("ajouté : "))
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(b[j1:j2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f'<del><span class="fr-sr-only">{removed}</span>{escape("".join(a[i1:i2]))}</del>')
        if op in ("insert", "replace"):
            parts.append(f'<ins><span class="fr-sr-only">{added}</span>{escape("".join(b[j1:j2]))}</ins>')
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


def _model_field(models_: list[type[models.Model]], name: str):
    for model in models_:
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


class _Lookups:
    """Names of the objects a page of changes refers to, fetched once per kind."""

    def __init__(self):
        self.org_pks: set[str] = set()
        self.org_slugs: set[str] = set()
        self.themes: set[str] = set()
        self.countries: set[str] = set()
        self.partnerships: set[str] = set()
        self.names: dict[tuple[str, str], str] = {}

    def want(self, kind: str, value) -> None:
        if value in (None, ""):
            return
        getattr(self, kind).add(str(value))

    def fetch(self) -> None:
        def ints(values):
            return [int(v) for v in values if v.isdigit()]

        if self.org_pks:
            for pk, name in Organisation.objects.filter(pk__in=ints(self.org_pks)).values_list("pk", "name"):
                self.names["org_pks", str(pk)] = name
        if self.org_slugs:
            for slug, name in Organisation.objects.filter(slug__in=self.org_slugs).values_list(
                "slug", "name"
            ):
                self.names["org_slugs", slug] = name
        if self.themes:
            for code, name in Theme.objects.filter(code__in=self.themes).values_list("code", "name_fr"):
                self.names["themes", code] = name
        if self.countries:
            for iso2, name in Country.objects.filter(iso2__in=self.countries).values_list("iso2", "name_fr"):
                self.names["countries", iso2] = name
        if self.partnerships:
            rows = Partnership.all_objects.filter(pk__in=ints(self.partnerships)).values_list("pk", "title")
            for pk, title in rows:
                self.names["partnerships", str(pk)] = title

    def name(self, kind: str, value) -> str:
        return self.names.get((kind, str(value)), str(value))


def _related_kind(model_field) -> str | None:
    """Which lookup names the values of a foreign key or many-to-many field, or None."""
    target = getattr(model_field, "related_model", None)
    if target is Organisation:
        return "org_pks"
    if target is Theme:
        return "themes"
    if target is Country:
        return "countries"
    if target is Partnership:
        return "partnerships"
    return None


def _child_columns(parent_models, name):
    """(child model, its columns) for a child list such as ``financings``, or (None, None)."""
    for parent in parent_models:
        columns = CHILDREN.get(parent, {}).get(name)
        if columns:
            return parent._meta.get_field(name).related_model, columns
    return None, None


def _column_kind(child_model, column: str) -> tuple[str, object]:
    """How one column of a child line is shown: ("org_slugs"|"countries"|"field", the model field)."""
    if column.endswith("__slug"):
        return "org_slugs", None
    name = column.removesuffix("_id")
    model_field = child_model._meta.get_field(name)
    if isinstance(model_field, models.ForeignKey):
        return _related_kind(model_field) or "raw", model_field
    return "field", model_field


def _scalar(model_field, value) -> str:
    """One stored text value as a person reads it."""
    if value is None or value == "":
        return "∅"
    if model_field is None:
        return str(value)
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("oui") if value in (True, "True") else _("non")
    if isinstance(model_field, models.DateTimeField):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return str(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "j F Y H:i")
    if isinstance(model_field, models.DateField):
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "j F Y")
        except ValueError:
            return str(value)
    if isinstance(model_field, models.DecimalField):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            return str(value)
        decimals = 0 if amount == amount.to_integral_value() else 2
        return formats.number_format(amount, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return str(value)


class _Page:
    """Turns a list of changes into readable ones, with one round of lookups for the whole list."""

    def __init__(self, changes: list[Change]):
        self.changes = changes
        self.lookups = _Lookups()

    @staticmethod
    def models_of(change: Change) -> list[type[models.Model]]:
        # A deletion keeps no link to its object: its field names are looked up on both tracked models.
        if change.project_id:
            return [Project]
        if change.partnership_id:
            return [Partnership]
        return [Project, Partnership]

    def _collect(self) -> None:
        for change in self.changes:
            parents = self.models_of(change)
            for name, values in change.diff.items():
                child_model, columns = _child_columns(parents, name)
                if child_model is not None:
                    for line in (values.get("old") or []) + (values.get("new") or []):
                        for column, cell in zip(columns, str(line).split(" | "), strict=False):
                            kind, _field = _column_kind(child_model, column)
                            if kind in ("org_slugs", "countries", "org_pks"):
                                self.lookups.want(kind, cell)
                    continue
                kind = _related_kind(_model_field(parents, name))
                if kind is None:
                    continue
                for value in (values.get("old"), values.get("new")):
                    for item in value if isinstance(value, list) else [value]:
                        self.lookups.want(kind, item)

    def _child_line(self, child_model, columns, line: str) -> str:
        shown = []
        for column, cell in zip(columns, str(line).split(" | "), strict=False):
            kind, model_field = _column_kind(child_model, column)
            if kind in ("org_slugs", "countries", "org_pks"):
                if cell:
                    shown.append(self.lookups.name(kind, cell))
            elif isinstance(model_field, models.BooleanField):
                if cell == "True":
                    shown.append(str(model_field.verbose_name))
            elif cell:
                shown.append(_scalar(model_field, cell))
        return " · ".join(shown)

    def _field_change(self, parents, name: str, values: dict) -> FieldChange:
        old, new = values.get("old"), values.get("new")
        child_model, columns = _child_columns(parents, name)
        if child_model is not None:
            old_lines, new_lines = old or [], new or []
            return FieldChange(
                label=str(child_model._meta.verbose_name_plural),
                removed=[
                    self._child_line(child_model, columns, line)
                    for line in old_lines
                    if line not in new_lines
                ],
                added=[
                    self._child_line(child_model, columns, line)
                    for line in new_lines
                    if line not in old_lines
                ],
            )
        model_field = _model_field(parents, name)
        label = str(model_field.verbose_name) if model_field is not None else name
        kind = _related_kind(model_field)
        if isinstance(old, list) or isinstance(new, list):
            old_items, new_items = old or [], new or []
            return FieldChange(
                label=label,
                removed=[self.lookups.name(kind, v) for v in old_items if v not in new_items],
                added=[self.lookups.name(kind, v) for v in new_items if v not in old_items],
            )
        if kind is not None:
            return FieldChange(
                label=label,
                old=self.lookups.name(kind, old) if old else "∅",
                new=self.lookups.name(kind, new) if new else "∅",
            )
        is_long = isinstance(model_field, models.TextField) or max(len(old or ""), len(new or "")) > LONG_TEXT
        if is_long and (old or new):
            return FieldChange(label=label, text_diff=word_diff(old or "", new or ""))
        return FieldChange(label=label, old=_scalar(model_field, old), new=_scalar(model_field, new))

    def readable(self) -> list[ReadableChange]:
        self._collect()
        self.lookups.fetch()
        result = []
        for change in self.changes:
            parents = self.models_of(change)
            user = change.changed_by
            author = (
                (user.get_full_name() if user is not None else "") or change.changed_by_label or _("inconnu")
            )
            fields = [
                self._field_change(parents, name, values) for name, values in sorted(change.diff.items())
            ]
            fields.sort(key=lambda item: item.label.lower())
            result.append(ReadableChange(change=change, author=author, fields=fields))
        return result


def readable_changes(changes) -> list[ReadableChange]:
    """``changes`` (fetch them with ``select_related("changed_by")``) as readable differences."""
    return _Page(list(changes)).readable()
