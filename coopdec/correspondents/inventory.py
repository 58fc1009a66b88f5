"""Partnerships inventoried by correspondents: record (unpublished), then the French authority confirms
(published) or declines (kept unpublished, with the reason).

One function per write, in one transaction, raising :class:`InventoryError` with a French message when it
cannot be done; mails leave after commit.
"""

from __future__ import annotations

import datetime
import unicodedata

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coopdec.atlas.history import ConflictError, save_tracked
from coopdec.atlas.models import Partnership, PartnershipMember
from coopdec.atlas.publication import publication_errors
from coopdec.geo.models import Country, Subdivision
from coopdec.orgs.models import Organisation

from .models import InventoriedPartnership
from .notify import agents_emails, message, person_label, send_after_commit


class InventoryError(Exception):
    """An inventory write that cannot be done; ``str(error)`` is shown to the person."""


def unique_slug(model, text: str, max_length: int = 110) -> str:
    """A slug for ``text`` not yet used by ``model`` (``-2``, ``-3``… appended when needed)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = slugify(ascii_text)[:max_length].strip("-") or model._meta.model_name
    manager = model._default_manager
    candidate, n = base, 1
    while manager.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base[: max_length - len(str(n)) - 1]}-{n}"
    return candidate


def new_foreign_authority(
    *, name: str, country: Country, subdivision: Subdivision | None, level: str
) -> Organisation:
    return Organisation.objects.create(
        slug=unique_slug(Organisation, f"{name} {country.iso2}"),
        name=name,
        kind=Organisation.Kind.FOREIGN_AUTHORITY,
        country=country,
        subdivision=subdivision,
        level=level,
    )


def record(
    *,
    by,
    french: Organisation,
    foreign: Organisation | None = None,
    new_foreign: dict | None = None,
    kind: str,
    title: str,
    start_date: datetime.date,
    base_url: str,
) -> InventoriedPartnership:
    """Record a partnership between ``french`` (its lead) and ``foreign`` — an existing foreign authority,
    or one created from ``new_foreign`` (name, country, subdivision, level) — unpublished, and ask the
    French authority's agents to confirm it."""
    if not french.is_french_authority:
        raise InventoryError(_("« %(name)s » n'est pas une collectivité française.") % {"name": french.name})
    if (foreign is None) == (new_foreign is None):
        raise InventoryError(_("Choisissez une autorité étrangère existante ou décrivez-en une nouvelle."))
    label = person_label(by)
    with transaction.atomic():
        created = foreign is None
        if created:
            foreign = new_foreign_authority(**new_foreign)
        elif foreign.kind != Organisation.Kind.FOREIGN_AUTHORITY:
            raise InventoryError(
                _("« %(name)s » n'est pas une autorité locale étrangère.") % {"name": foreign.name}
            )
        existing = (
            Partnership.all_objects.filter(french_members__organisation=french, foreign=foreign, kind=kind)
            .order_by("pk")
            .first()
        )
        if existing is not None:
            raise InventoryError(
                _("Ce partenariat figure déjà dans l'Atlas : « %(title)s ».") % {"title": existing.title}
            )
        partnership = Partnership(
            slug=unique_slug(Partnership, f"{french.name} {foreign.name}"),
            title=title,
            kind=kind,
            status=Partnership.Status.ACTIVE,
            start_date=start_date,
            published=False,
        )
        save_tracked(
            partnership,
            by=by,
            m2m={"foreign": [foreign]},
            save_children=lambda p: PartnershipMember.objects.create(
                partnership=p, organisation=french, is_lead=True
            ),
            comment=_("Partenariat inventorié par %(who)s, à confirmer par %(name)s.")
            % {"who": label, "name": french.name},
        )
        entry = InventoriedPartnership.objects.create(
            partnership=partnership,
            partnership_title=title[:300],
            french_authority=french,
            foreign_authority=foreign,
            foreign_created=created,
            recorded_by=by,
            recorded_by_label=label[:300],
        )
        url = base_url.rstrip("/") + reverse("correspondents:inventoried", args=[entry.uuid])
        send_after_commit(
            [
                message(
                    _("Un partenariat de %(name)s à confirmer") % {"name": french.name},
                    [
                        _("Bonjour,"),
                        _(
                            "%(who)s a relevé un partenariat entre %(french)s et %(foreign)s "
                            "(%(country)s) : « %(title)s ». Il n'est pas publié : confirmez-le s'il existe "
                            "bien, ou déclinez-le."
                        )
                        % {
                            "who": label,
                            "french": french.name,
                            "foreign": foreign.name,
                            "country": foreign.country.name_fr if foreign.country else "",
                            "title": title,
                        },
                        url,
                    ],
                    agents_emails(pk=french.pk) or [settings.DAECT_EMAIL],
                )
            ]
        )
    return entry


def _locked(entry: InventoriedPartnership) -> InventoriedPartnership:
    locked = InventoriedPartnership.objects.select_for_update().get(pk=entry.pk)
    if locked.status != InventoriedPartnership.Status.PENDING:
        raise InventoryError(_("Ce partenariat a déjà été confirmé ou décliné."))
    if locked.partnership_id is None:
        raise InventoryError(_("Ce partenariat a été supprimé entre-temps."))
    return locked


def _decided(entry: InventoriedPartnership, status: str, by, reason: str = "") -> None:
    entry.status = status
    entry.reason = reason
    entry.decided_by = by
    entry.decided_by_label = (by.get_full_name() or by.get_username())[:200]
    entry.decided_at = timezone.now()
    entry.save(update_fields=["status", "reason", "decided_by", "decided_by_label", "decided_at"])


def _tell_recorder(entry: InventoriedPartnership, lines: list[str]) -> None:
    user = entry.recorded_by
    if user is not None and user.email:
        send_after_commit(
            [
                message(
                    _("Le partenariat inventorié « %(title)s »") % {"title": entry.partnership_title},
                    [_("Bonjour,"), *lines],
                    [user.email],
                )
            ]
        )


def confirm(entry: InventoriedPartnership, *, by) -> InventoriedPartnership:
    """The French authority confirms: the partnership passes the publication gate and is published."""
    with transaction.atomic():
        entry = _locked(entry)
        partnership = Partnership.all_objects.select_for_update().get(pk=entry.partnership_id)
        errors = publication_errors(partnership)
        if errors:
            raise InventoryError(
                _("Ce partenariat ne peut pas être publié tel quel : %(errors)s Complétez-le d'abord.")
                % {"errors": " ".join(e.message for e in errors)}
            )
        now = timezone.now()
        partnership.published = True
        partnership.published_at = now
        partnership.last_confirmed_at = now
        try:
            save_tracked(
                partnership,
                by=by,
                expected_version=partnership.version,
                comment=_("Partenariat inventorié par %(who)s, confirmé par %(name)s et publié.")
                % {"who": entry.recorded_by_label, "name": entry.french_authority.name},
            )
        except ConflictError:  # pragma: no cover - the row is locked above
            raise InventoryError(_("Le partenariat vient d'être modifié : rechargez la page.")) from None
        _decided(entry, InventoriedPartnership.Status.CONFIRMED, by)
        _tell_recorder(
            entry,
            [
                _("%(name)s a confirmé le partenariat « %(title)s » : il est publié dans l'Atlas.")
                % {"name": entry.french_authority.name, "title": entry.partnership_title}
            ],
        )
    return entry


def decline(entry: InventoriedPartnership, reason: str, *, by) -> InventoriedPartnership:
    """The French authority declines: the partnership stays unpublished, the entry keeps the reason."""
    if not reason.strip():
        raise InventoryError(_("Indiquez pourquoi : le motif est transmis au correspondant."))
    with transaction.atomic():
        entry = _locked(entry)
        _decided(entry, InventoriedPartnership.Status.DECLINED, by, reason.strip())
        _tell_recorder(
            entry,
            [
                _("%(name)s a décliné le partenariat « %(title)s ».")
                % {"name": entry.french_authority.name, "title": entry.partnership_title},
                _("Motif : %(reason)s") % {"reason": entry.reason},
            ],
        )
    return entry
