"""Corrections proposed by correspondents: propose, accept (applied to the sheet), refuse.

One function per write, each in one transaction, raising :class:`CorrectionError` with a message in French
when it cannot be done (nothing is changed then); mails leave after commit. Who may call them is decided by
the views through ``coopdec.atlas.policies`` (propose) and ``coopdec.correspondents.policies`` (decide).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopdec.atlas.history import ConflictError, field_values, save_tracked
from coopdec.atlas.models import Partnership, Project

from .models import Correction
from .notify import agents_emails, message, person_label, send_after_commit

# The fields a correspondent may correct, in the order the form shows them.
CORRECTABLE_FIELDS = {
    Project: (
        "title",
        "status",
        "start_date",
        "end_date",
        "objectives",
        "description",
        "context",
        "history",
        "results",
    ),
    Partnership: ("title", "kind", "status", "start_date", "end_date"),
}
KIND_LABELS = {Project: gettext_lazy("fiche-projet"), Partnership: gettext_lazy("partenariat")}


class CorrectionError(Exception):
    """A correction write that cannot be done; ``str(error)`` is shown to the person."""


def as_text(value) -> str | None:
    """A field value as the sheet's history writes it (``coopdec.atlas.history``)."""
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def display_value(model, name: str, text: str | None) -> str:
    """A stored text value as a person reads it: the label of a choice, a date as 31/05/2026."""
    if text in (None, ""):
        return "—"
    field = model._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(text, text))
    if isinstance(field, models.DateField):
        try:
            return datetime.date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            return text
    return text


def propose(target: Project | Partnership, values: dict, comment: str, *, by, base_url: str) -> Correction:
    """Record a correction of ``target`` to ``values`` (field → new value, only the fields changed).

    ``base_url`` (scheme and host) starts the link in the mail to the authority's agents.
    """
    model = type(target)
    allowed = CORRECTABLE_FIELDS[model]
    current = field_values(target)
    changes = {}
    for name, value in values.items():
        if name not in allowed:
            raise CorrectionError(_("Le champ « %(name)s » ne peut pas être corrigé.") % {"name": name})
        new = as_text(value)
        if (new or None) != (current.get(name) or None):
            changes[name] = {"old": current.get(name), "new": new}
    if not changes:
        raise CorrectionError(_("Aucune valeur ne diffère de la fiche : modifiez au moins un champ."))
    if not comment.strip():
        raise CorrectionError(_("Expliquez la correction dans le commentaire (la source, ce qui a changé)."))
    partnership = target if model is Partnership else target.partnership
    with transaction.atomic():
        correction = Correction.objects.create(
            project=target if model is Project else None,
            partnership=target if model is Partnership else None,
            object_kind=Correction.Kind.PROJECT if model is Project else Correction.Kind.PARTNERSHIP,
            object_slug=target.slug,
            object_title=target.title[:300],
            changes=changes,
            base_version=target.version,
            comment=comment.strip(),
            proposed_by=by,
            proposed_by_label=person_label(by)[:300],
        )
        to = agents_emails(pk__in=_french_ids(partnership)) or [settings.DAECT_EMAIL]
        url = base_url.rstrip("/") + reverse("correspondents:correction", args=[correction.uuid])
        send_after_commit(
            [
                message(
                    _("Correction proposée pour « %(title)s »") % {"title": correction.object_title},
                    [
                        _("Bonjour,"),
                        _("%(who)s propose de corriger la %(kind)s « %(title)s » (%(fields)s).")
                        % {
                            "who": correction.proposed_by_label,
                            "kind": KIND_LABELS[model],
                            "title": correction.object_title,
                            "fields": ", ".join(field_label(model, name) for name in changes),
                        },
                        _("Acceptez-la ou refusez-la sur le portail :") + f"\n{url}",
                    ],
                    to,
                )
            ]
        )
    return correction


def _french_ids(partnership) -> list[int]:
    return list(partnership.french_members.values_list("organisation_id", flat=True))


def stale_fields(correction: Correction, target) -> list[str]:
    """The corrected fields whose stored value is no longer the one the correspondent saw."""
    current = field_values(target)
    return [
        name
        for name, change in correction.changes.items()
        if (current.get(name) or None) != (change["old"] or None)
    ]


def _stale_error(model, names: list[str]) -> CorrectionError:
    return CorrectionError(
        _(
            "La fiche a été modifiée depuis la proposition de cette correction (%(fields)s) : elle ne peut "
            "plus être appliquée telle quelle. Refusez-la en l'expliquant ; le correspondant pourra en "
            "proposer une nouvelle à partir de la fiche à jour."
        )
        % {"fields": ", ".join(field_label(model, name) for name in names)}
    )


def _locked(correction: Correction) -> Correction:
    locked = Correction.objects.select_for_update().get(pk=correction.pk)
    if locked.status != Correction.Status.PROPOSED:
        raise CorrectionError(_("Cette correction a déjà été traitée."))
    return locked


def _decision_mail(correction: Correction, lines: list[str]) -> None:
    user = correction.proposed_by
    if user is not None and user.email:
        send_after_commit(
            [
                message(
                    _("Votre correction de « %(title)s »") % {"title": correction.object_title},
                    [_("Bonjour,"), *lines],
                    [user.email],
                )
            ]
        )


def accept(correction: Correction, *, by) -> Correction:
    """Apply the correction to its sheet (a history row names the correspondent) and mark it accepted."""
    with transaction.atomic():
        correction = _locked(correction)
        target = correction.target
        if target is None:
            raise CorrectionError(_("La fiche corrigée n'existe plus."))
        model = type(target)
        target = model.all_objects.select_for_update().get(pk=target.pk)
        stale = stale_fields(correction, target)
        if stale:
            raise _stale_error(model, stale)
        for name, change in correction.changes.items():
            field = model._meta.get_field(name)
            value = field.to_python(change["new"]) if change["new"] not in (None, "") else None
            if value is None and not field.null:
                value = ""
            setattr(target, name, value)
        if not (target.title or "").strip():
            raise CorrectionError(_("Le titre ne peut pas être vide."))
        if target.start_date and target.end_date and target.end_date < target.start_date:
            raise CorrectionError(_("Avec cette correction, la date de fin précèderait la date de début."))
        comment = _("Correction proposée par %(who)s, acceptée : %(comment)s") % {
            "who": correction.proposed_by_label,
            "comment": correction.comment,
        }
        try:
            change = save_tracked(target, by=by, expected_version=target.version, comment=comment[:500])
        except ConflictError:
            raise _stale_error(model, list(correction.changes)) from None
        correction.status = Correction.Status.ACCEPTED
        correction.decided_by = by
        correction.decided_by_label = (by.get_full_name() or by.get_username())[:200]
        correction.decided_at = timezone.now()
        correction.change = change
        correction.save(update_fields=["status", "decided_by", "decided_by_label", "decided_at", "change"])
        _decision_mail(
            correction,
            [
                _("Votre correction de « %(title)s » a été acceptée par %(who)s et appliquée à la fiche.")
                % {"title": correction.object_title, "who": correction.decided_by_label}
            ],
        )
    return correction


def refuse(correction: Correction, reason: str, *, by) -> Correction:
    """Mark the correction refused, with the reason given to the correspondent."""
    if not reason.strip():
        raise CorrectionError(_("Indiquez le motif du refus : il est transmis au correspondant."))
    with transaction.atomic():
        correction = _locked(correction)
        correction.status = Correction.Status.REFUSED
        correction.reason = reason.strip()
        correction.decided_by = by
        correction.decided_by_label = (by.get_full_name() or by.get_username())[:200]
        correction.decided_at = timezone.now()
        correction.save(update_fields=["status", "reason", "decided_by", "decided_by_label", "decided_at"])
        _decision_mail(
            correction,
            [
                _("Votre correction de « %(title)s » a été refusée par %(who)s.")
                % {"title": correction.object_title, "who": correction.decided_by_label},
                _("Motif : %(reason)s") % {"reason": correction.reason},
            ],
        )
    return correction
