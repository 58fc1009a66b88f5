"""Access policies: one per model, one door per object.

A policy answers two questions with the same rules (Wagtail's permission policies, Zulip's access_*):

- ``policy.check(actor, action, obj)`` → a :class:`Decision` — may this person do this to this object, and if
  not, why (the reason is shown to the person, e.g. beside a disabled button);
- ``policy.queryset(actor, action)`` → the objects this person may do this to (lists are filtered by the same
  rule as pages).

Views go through ``policy.get_or_404(request, action, **lookup)``: an object that does not exist and an
object the person may not see give the same 404, and the refusal is written to the audit log. An object the
person may see but not change gives ``policy.require(request, action, obj)`` → 403 with the reason.

Rights come only from active memberships (:class:`coopdec.orgs.models.Membership`), summed up once per
request in an :class:`Actor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent

from .models import Membership, Organisation


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def refused(reason) -> Decision:
    return Decision(False, str(reason))


NOT_SIGNED_IN = _("Connectez-vous pour effectuer cette action.")


@dataclass(frozen=True)
class Actor:
    """What a person may act as: built from their active memberships, once per request."""

    user: object = None
    is_authenticated: bool = False
    is_daect: bool = False
    # French local authorities the person is an agent of.
    authority_ids: frozenset[int] = field(default_factory=frozenset)
    # ISO 3166-1 alpha-2 codes of the countries the person is the embassy correspondent for.
    correspondent_countries: frozenset[str] = field(default_factory=frozenset)
    # Codes of the regions whose prefecture the person advises.
    prefecture_regions: frozenset[str] = field(default_factory=frozenset)
    operator_ids: frozenset[int] = field(default_factory=frozenset)
    foreign_ids: frozenset[int] = field(default_factory=frozenset)
    network_ids: frozenset[int] = field(default_factory=frozenset)
    # Every organisation the person holds an active role in.
    organisation_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def roles(self) -> frozenset[str]:
        roles = set()
        if self.is_daect:
            roles.add(Membership.Role.DAECT)
        if self.authority_ids:
            roles.add(Membership.Role.AGENT)
        if self.correspondent_countries:
            roles.add(Membership.Role.CORRESPONDENT)
        if self.prefecture_regions:
            roles.add(Membership.Role.PREFECTURE)
        if self.operator_ids:
            roles.add(Membership.Role.OPERATOR)
        if self.foreign_ids:
            roles.add(Membership.Role.FOREIGN)
        if self.network_ids:
            roles.add(Membership.Role.NETWORK)
        return frozenset(roles)


ANONYMOUS = Actor()
_CACHE_ATTRIBUTE = "_coopdec_actor"


def actor_for(user_or_request) -> Actor:
    """The :class:`Actor` of a user (or of a request's user), computed once and kept on the user object."""
    user = getattr(user_or_request, "user", user_or_request)
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        .select_related("organisation")
        .prefetch_related("organisation__countries")
    )
    by_role: dict[str, set] = {role: set() for role in Membership.Role.values}
    countries, regions = set(), set()
    for m in memberships:
        org = m.organisation
        by_role[m.role].add(org.pk)
        if m.role == Membership.Role.CORRESPONDENT:
            countries.update(c.iso2 for c in org.countries.all())
            if org.country_id:
                countries.add(org.country_id)
        elif m.role == Membership.Role.PREFECTURE and org.region_id:
            regions.add(org.region_id)
    agent_ids = {
        m.organisation_id
        for m in memberships
        if m.role == Membership.Role.AGENT and m.organisation.kind in Organisation.FRENCH_AUTHORITY_KINDS
    }
    actor = Actor(
        user=user,
        is_authenticated=True,
        is_daect=bool(by_role[Membership.Role.DAECT]),
        authority_ids=frozenset(agent_ids),
        correspondent_countries=frozenset(countries),
        prefecture_regions=frozenset(regions),
        operator_ids=frozenset(by_role[Membership.Role.OPERATOR]),
        foreign_ids=frozenset(by_role[Membership.Role.FOREIGN]),
        network_ids=frozenset(by_role[Membership.Role.NETWORK]),
        organisation_ids=frozenset(m.organisation_id for m in memberships),
    )
    setattr(user, _CACHE_ATTRIBUTE, actor)
    return actor


def forget_actor(user) -> None:
    """Drop the cached actor after the user's memberships changed."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


class Policy:
    """Base class: subclasses set ``model`` and ``actions`` and implement ``check`` and ``queryset``."""

    model = None
    actions: tuple[str, ...] = ()
    # How objects are named in the audit log, e.g. "atlas.project".
    label = ""

    def _known(self, action: str) -> None:
        if action not in self.actions:
            raise ValueError(f"{type(self).__name__} knows no action {action!r}")

    def check(self, actor: Actor, action: str, obj) -> Decision:  # pragma: no cover - abstract
        raise NotImplementedError

    def queryset(self, actor: Actor, action: str) -> QuerySet:  # pragma: no cover - abstract
        raise NotImplementedError

    def base_queryset(self) -> QuerySet:
        """Every row, drafts included: the policy, not the manager, decides what a person sees."""
        return self.model._default_manager.all()

    def target(self, obj) -> str:
        return f"{self.label}:{getattr(obj, 'slug', None) or obj.pk}"

    def get_or_404(self, request, action: str, queryset: QuerySet | None = None, **lookup):
        """The object, if it exists and the request's user may do ``action`` to it; otherwise 404.

        "Does not exist" and "not yours" give the same answer; the second is written to the audit log.
        """
        self._known(action)
        qs = queryset if queryset is not None else self.base_queryset()
        obj = qs.filter(**lookup).first()
        if obj is None:
            raise Http404
        decision = self.check(actor_for(request), action, obj)
        if not decision:
            record(
                AuditEvent.Kind.PERMISSION_DENIED,
                request=request,
                target=self.target(obj),
                action=action,
                reason=decision.reason,
                path=request.path[:300],
            )
            raise Http404
        return obj

    def require(self, request, action: str, obj) -> None:
        """Raise 403 with the reason when the request's user may not do ``action`` to ``obj``."""
        self._known(action)
        decision = self.check(actor_for(request), action, obj)
        if not decision:
            record(
                AuditEvent.Kind.PERMISSION_DENIED,
                request=request,
                target=self.target(obj),
                action=action,
                reason=decision.reason,
                path=request.path[:300],
            )
            raise PermissionDenied(decision.reason)


class OrganisationPolicy(Policy):
    """Organisations are public; their profile and contacts are kept by their own agents and by DAECT."""

    model = Organisation
    label = "orgs.organisation"
    actions = ("view", "edit")

    def check(self, actor: Actor, action: str, obj: Organisation) -> Decision:
        self._known(action)
        if action == "view":
            return ALLOWED
        if not actor.is_authenticated:
            return refused(NOT_SIGNED_IN)
        if actor.is_daect:
            return ALLOWED
        if obj.pk in actor.organisation_ids:
            return ALLOWED
        return refused(_("Seuls les membres de cette organisation et la DAECT peuvent modifier sa fiche."))

    def queryset(self, actor: Actor, action: str) -> QuerySet:
        self._known(action)
        qs = self.base_queryset()
        if action == "view" or actor.is_daect:
            return qs
        return qs.filter(pk__in=actor.organisation_ids)


organisations = OrganisationPolicy()
