"""After a refused stale save: the person's values, merged with what others changed meanwhile.

The person started from version *n*; others saved up to version *m*. For every field of the main form that
others changed, the value at version *n* is known from the history (the ``old`` side of the first change that
touched it). Where the person left that value as it was, the form takes the current one, so that saving again
does not silently undo someone else's edit; where both changed it, the person's value is kept and the field
is named, so that they decide. Child rows (financings, contacts…) are kept as the person typed them: the
history shown beside the form says what others did to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.utils.text import capfirst

from coopdec.atlas.history import field_values, m2m_values


@dataclass
class Merge:
    taken: list[str] = field(default_factory=list)  # labels of fields updated to the current version
    clashes: list[str] = field(default_factory=list)  # labels of fields both sides changed (person's kept)


def _base_values(changes) -> dict:
    """Each field's value at the version the person started from (changes in ascending version order)."""
    base: dict = {}
    for change in changes:
        for name, values in change.diff.items():
            base.setdefault(name, values.get("old"))
    return base


def _as_form_values(form_field, value) -> list[str]:
    """A stored history value (text, or a list of primary keys) as the strings a browser posts."""
    if value is None:
        return []
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        keys = [str(v) for v in value]
        attribute = form_field.to_field_name
        if attribute:
            model = form_field.queryset.model
            by_pk = {
                str(pk): str(key)
                for pk, key in model._default_manager.filter(pk__in=keys).values_list("pk", attribute)
            }
            keys = [by_pk.get(k, k) for k in keys]
        return sorted(keys)
    return [str(value)]


def _posted(data, name: str, form_field) -> list[str]:
    if isinstance(form_field, forms.MultipleChoiceField):
        return sorted(v for v in data.getlist(name) if v != "")
    value = data.get(name, "")
    # Browsers post text areas with CRLF line ends; the database keeps what the form cleaned (LF).
    value = value.replace("\r\n", "\n")
    return [value] if value != "" else []


def merge_untouched(data, form, fresh, changes) -> Merge:
    """Update ``data`` (a mutable copy of the person's post) in place; say what was taken, what clashed."""
    result = Merge()
    base = _base_values(changes)
    current = {**field_values(fresh), **m2m_values(fresh)}
    for name, form_field in form.fields.items():
        if name not in base or name not in current:
            continue
        key = form.add_prefix(name)
        posted = _posted(data, key, form_field)
        before = _as_form_values(form_field, base[name])
        now = _as_form_values(form_field, current[name])
        label = capfirst(str(form_field.label or name))
        if posted == before:
            data.setlist(key, now)
            result.taken.append(label)
        elif posted != now:
            result.clashes.append(label)
    return result
