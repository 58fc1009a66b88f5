"""Who may see and change partnerships and project sheets (see coopdec.orgs.policies for the frame).

In words (docs/roles.md has the whole matrix):

- a published sheet is public; a draft is seen by the agents of the partnership's French authorities, by
  DAECT staff, by the embassy correspondents of a foreign partner's country, and by the operators that
  co-finance it;
- agents of the partnership's French authorities and DAECT staff edit and publish;
- embassy correspondents propose corrections to the sheets of their countries (they do not edit them);
- a partnership inventoried by a correspondent is confirmed by the agents of its French authorities.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from coopdec.orgs.policies import ALLOWED, NOT_SIGNED_IN, Actor, Decision, Policy, refused

from .models import Partnership, Project


def _french_ids(partnership: Partnership) -> set[int]:
    return set(partnership.french_members.values_list("organisation_id", flat=True))


def _foreign_countries(partnership: Partnership) -> set[str]:
    return set(partnership.foreign.exclude(country=None).values_list("country_id", flat=True))


class PartnershipPolicy(Policy):
    model = Partnership
    label = "atlas.partnership"
    actions = ("view", "edit", "publish", "confirm", "propose_correction")

    def check(self, actor: Actor, action: str, obj: Partnership) -> Decision:
        self._known(action)
        if action == "view" and obj.published:
            return ALLOWED
        if not actor.is_authenticated:
            return refused(NOT_SIGNED_IN)
        if action == "propose_correction":
            if actor.correspondent_countries & _foreign_countries(obj):
                return ALLOWED
            return refused(_("Seuls les correspondants des pays partenaires proposent des corrections."))
        if actor.is_daect:
            return ALLOWED
        if actor.authority_ids & _french_ids(obj):
            return ALLOWED
        if action == "view" and actor.correspondent_countries & _foreign_countries(obj):
            return ALLOWED
        return refused(_("Ce partenariat relève d'autres collectivités."))

    def queryset(self, actor: Actor, action: str) -> QuerySet:
        self._known(action)
        qs = self.base_queryset()
        if action == "propose_correction":
            return qs.filter(foreign__country_id__in=actor.correspondent_countries).distinct()
        if actor.is_daect:
            return qs
        mine = Q(french_members__organisation_id__in=actor.authority_ids)
        if action == "view":
            condition = Q(published=True) | mine | Q(foreign__country_id__in=actor.correspondent_countries)
            return qs.filter(pk__in=self.base_queryset().filter(condition).values("pk"))
        return qs.filter(pk__in=self.base_queryset().filter(mine).values("pk"))


class ProjectPolicy(Policy):
    model = Project
    label = "atlas.project"
    actions = ("view", "edit", "publish", "history", "propose_correction")

    def check(self, actor: Actor, action: str, obj: Project) -> Decision:
        self._known(action)
        if action in ("view", "history") and obj.published:
            return ALLOWED
        if not actor.is_authenticated:
            return refused(NOT_SIGNED_IN)
        partnership = obj.partnership
        if action == "propose_correction":
            if actor.correspondent_countries & _foreign_countries(partnership):
                return ALLOWED
            return refused(_("Seuls les correspondants des pays partenaires proposent des corrections."))
        if actor.is_daect:
            return ALLOWED
        if actor.authority_ids & _french_ids(partnership):
            return ALLOWED
        if action in ("view", "history"):
            if actor.correspondent_countries & _foreign_countries(partnership):
                return ALLOWED
            if actor.operator_ids and obj.financings.filter(funder_id__in=actor.operator_ids).exists():
                return ALLOWED
        return refused(_("Cette fiche relève d'autres collectivités."))

    def queryset(self, actor: Actor, action: str) -> QuerySet:
        self._known(action)
        qs = self.base_queryset()
        if action == "propose_correction":
            return qs.filter(
                pk__in=Project.all_objects.filter(
                    partnership__foreign__country_id__in=actor.correspondent_countries
                ).values("pk")
            )
        if actor.is_daect:
            return qs
        mine = Q(partnership__french_members__organisation_id__in=actor.authority_ids)
        if action in ("view", "history"):
            condition = (
                Q(published=True)
                | mine
                | Q(partnership__foreign__country_id__in=actor.correspondent_countries)
                | Q(financings__funder_id__in=actor.operator_ids)
            )
        else:
            condition = mine
        return qs.filter(pk__in=Project.all_objects.filter(condition).values("pk"))


partnerships = PartnershipPolicy()
projects = ProjectPolicy()
