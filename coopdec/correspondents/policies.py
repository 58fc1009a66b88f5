"""Who may do what with corrections, inventoried partnerships and coordination views
(see coopdec.orgs.policies for the frame; the sheets themselves are coopdec.atlas.policies').

In words:

- a correction is seen by the correspondent who proposed it, by the other correspondents of the sheet's
  foreign countries, by the agents of the partnership's French authorities and by DAECT staff; while it is
  proposed, the agents of those French authorities and DAECT staff accept or refuse it;
- an inventoried partnership is seen by the correspondent who recorded it, by the correspondents of the
  foreign authority's country, by the agents of the French authority asked to confirm and by DAECT staff;
  only the agents of that French authority confirm or decline it (it is their statement that the
  partnership exists);
- the coordination view of a foreign territory (a country or one of its ISO 3166-2 subdivisions) is open to
  the correspondents of that country and to DAECT staff; to anyone else it does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent
from coopdec.geo.models import Country, Subdivision
from coopdec.orgs.policies import ALLOWED, NOT_SIGNED_IN, Actor, Decision, Policy, actor_for, refused

from .models import Correction, InventoriedPartnership

NOT_A_CORRESPONDENT = _(
    "Cette page est réservée aux correspondants coopération décentralisée des ambassades."
)


def correspondent_only(actor: Actor) -> Decision:
    if not actor.is_authenticated:
        return refused(NOT_SIGNED_IN)
    if actor.correspondent_countries:
        return ALLOWED
    return refused(NOT_A_CORRESPONDENT)


def _french_ids(partnership) -> set[int]:
    if partnership is None:
        return set()
    return set(partnership.french_members.values_list("organisation_id", flat=True))


def _countries(partnership) -> set[str]:
    if partnership is None:
        return set()
    return set(partnership.foreign.exclude(country=None).values_list("country_id", flat=True))


class CorrectionPolicy(Policy):
    model = Correction
    label = "correspondents.correction"
    actions = ("view", "decide")

    def base_queryset(self) -> QuerySet:
        return Correction.objects.select_related("project__partnership", "partnership")

    def check(self, actor: Actor, action: str, obj: Correction) -> Decision:
        self._known(action)
        if not actor.is_authenticated:
            return refused(NOT_SIGNED_IN)
        partnership = obj.target_partnership
        french = actor.authority_ids & _french_ids(partnership)
        if action == "view":
            if actor.is_daect or french or obj.proposed_by_id == actor.user.pk:
                return ALLOWED
            if actor.correspondent_countries & _countries(partnership):
                return ALLOWED
            return refused(_("Cette correction concerne des fiches d'autres collectivités et d'autres pays."))
        if obj.status != Correction.Status.PROPOSED:
            return refused(_("Cette correction a déjà été traitée."))
        if obj.target is None:
            return refused(_("La fiche corrigée n'existe plus."))
        if actor.is_daect or french:
            return ALLOWED
        return refused(
            _(
                "Seuls les agents des collectivités françaises du partenariat et la DAECT acceptent ou "
                "refusent une correction."
            )
        )

    def queryset(self, actor: Actor, action: str) -> QuerySet:
        self._known(action)
        qs = self.base_queryset()
        if not actor.is_authenticated:
            return qs.none()
        if action == "decide":
            qs = qs.filter(status=Correction.Status.PROPOSED).exclude(project=None, partnership=None)
        if actor.is_daect:
            return qs
        ids = actor.authority_ids
        condition = Q(project__partnership__french_members__organisation_id__in=ids) | Q(
            partnership__french_members__organisation_id__in=ids
        )
        if action == "view":
            countries = actor.correspondent_countries
            condition |= (
                Q(proposed_by=actor.user)
                | Q(project__partnership__foreign__country_id__in=countries)
                | Q(partnership__foreign__country_id__in=countries)
            )
        return qs.filter(pk__in=Correction.objects.filter(condition).values("pk"))


class InventoryPolicy(Policy):
    model = InventoriedPartnership
    label = "correspondents.inventory"
    actions = ("view", "decide")

    def base_queryset(self) -> QuerySet:
        return InventoriedPartnership.objects.select_related(
            "partnership", "french_authority", "foreign_authority__country"
        )

    def check(self, actor: Actor, action: str, obj: InventoriedPartnership) -> Decision:
        self._known(action)
        if not actor.is_authenticated:
            return refused(NOT_SIGNED_IN)
        mine = obj.french_authority_id in actor.authority_ids
        if action == "view":
            if actor.is_daect or mine or obj.recorded_by_id == actor.user.pk:
                return ALLOWED
            if obj.foreign_authority.country_id in actor.correspondent_countries:
                return ALLOWED
            return refused(_("Ce partenariat inventorié concerne d'autres collectivités et d'autres pays."))
        if obj.status != InventoriedPartnership.Status.PENDING:
            return refused(_("Ce partenariat a déjà été confirmé ou décliné."))
        if obj.partnership_id is None:
            return refused(_("Ce partenariat a été supprimé entre-temps."))
        if mine:
            return ALLOWED
        return refused(
            _("Seuls les agents de %(name)s confirment ou déclinent ce partenariat.")
            % {"name": obj.french_authority.name}
        )

    def queryset(self, actor: Actor, action: str) -> QuerySet:
        self._known(action)
        qs = self.base_queryset()
        if not actor.is_authenticated:
            return qs.none()
        if action == "decide":
            return qs.filter(
                status=InventoriedPartnership.Status.PENDING,
                partnership__isnull=False,
                french_authority_id__in=actor.authority_ids,
            )
        if actor.is_daect:
            return qs
        return qs.filter(
            Q(french_authority_id__in=actor.authority_ids)
            | Q(recorded_by=actor.user)
            | Q(foreign_authority__country_id__in=actor.correspondent_countries)
        )


@dataclass(frozen=True)
class Territory:
    """A foreign territory: a country, or one of its ISO 3166-2 subdivisions."""

    country: Country
    subdivision: Subdivision | None = None

    @property
    def code(self) -> str:
        return self.subdivision.code if self.subdivision else self.country.iso2

    @property
    def slug(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        if self.subdivision:
            return self.subdivision.name_fr or self.subdivision.name
        return self.country.name_fr


def find_territory(code: str) -> Territory | None:
    code = code.strip().upper()
    if "\x00" in code:  # no code holds one, and PostgreSQL refuses it in any query
        return None
    if "-" in code:
        subdivision = Subdivision.objects.select_related("country").filter(code=code).first()
        return Territory(subdivision.country, subdivision) if subdivision else None
    country = Country.objects.filter(iso2=code).first()
    return Territory(country) if country else None


class TerritoryPolicy(Policy):
    model = Country
    label = "geo.territory"
    actions = ("coordinate",)

    def check(self, actor: Actor, action: str, obj: Territory) -> Decision:
        self._known(action)
        if not actor.is_authenticated:
            return refused(NOT_SIGNED_IN)
        if actor.is_daect or obj.country.iso2 in actor.correspondent_countries:
            return ALLOWED
        return refused(_("La coordination d'un territoire est ouverte à ses correspondants et à la DAECT."))

    def queryset(self, actor: Actor, action: str) -> QuerySet:
        self._known(action)
        if actor.is_daect:
            return Country.objects.all()
        return Country.objects.filter(iso2__in=actor.correspondent_countries)

    def get_or_404(self, request, action: str, queryset=None, **lookup):
        """The territory of code ``lookup["code"]`` if the person may coordinate it; otherwise 404."""
        self._known(action)
        territory = find_territory(lookup["code"])
        if territory is None:
            raise Http404
        decision = self.check(actor_for(request), action, territory)
        if not decision:
            record(
                AuditEvent.Kind.PERMISSION_DENIED,
                request=request,
                target=self.target(territory),
                action=action,
                reason=decision.reason,
                path=request.path[:300],
            )
            raise Http404
        return territory


corrections = CorrectionPolicy()
inventory = InventoryPolicy()
territories = TerritoryPolicy()
