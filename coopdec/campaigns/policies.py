"""Who may do what in the update campaign (see coopdec.orgs.policies for the frame).

- DAECT staff open, follow and close campaigns, and may look at any authority's checklist;
- the agents of a French authority see the campaigns and confirm their own authority's items;
- nobody else has anything to do with campaigns.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coopdec.orgs.models import Organisation
from coopdec.orgs.policies import ALLOWED, NOT_SIGNED_IN, Actor, Decision, Policy, refused

from .models import Campaign

NOT_CONCERNED = _(
    "Les campagnes de mise à jour concernent les agents des collectivités territoriales et la DAECT."
)


class CampaignPolicy(Policy):
    """``obj`` may be None: the list of campaigns and the opening form concern no campaign yet."""

    model = Campaign
    label = "campaigns.campaign"
    actions = ("view", "manage")

    def check(self, actor: Actor, action: str, obj: Campaign | None) -> Decision:
        self._known(action)
        if not actor.is_authenticated:
            return refused(NOT_SIGNED_IN)
        if actor.is_daect:
            return ALLOWED
        if action == "view" and actor.authority_ids:
            return ALLOWED
        if action == "manage":
            return refused(_("Seule la DAECT ouvre, suit et clôture les campagnes."))
        return refused(NOT_CONCERNED)

    def queryset(self, actor: Actor, action: str) -> QuerySet:
        self._known(action)
        qs = self.base_queryset()
        if self.check(actor, action, None):
            return qs
        return qs.none()

    def target(self, obj) -> str:
        return f"{self.label}:{obj.year}" if obj is not None else self.label


class ChecklistPolicy(Policy):
    """An authority's checklist in a campaign: the object is the French authority."""

    model = Organisation
    label = "orgs.organisation"
    actions = ("view", "confirm")

    def base_queryset(self) -> QuerySet:
        return Organisation.objects.french_authorities()

    def check(self, actor: Actor, action: str, obj: Organisation) -> Decision:
        self._known(action)
        if not actor.is_authenticated:
            return refused(NOT_SIGNED_IN)
        if not obj.is_french_authority:
            return refused(
                _("Seules les collectivités territoriales françaises confirment leurs informations.")
            )
        if obj.pk in actor.authority_ids:
            return ALLOWED
        if action == "view" and actor.is_daect:
            return ALLOWED
        return refused(_("Seuls les agents de la collectivité confirment ses informations."))

    def queryset(self, actor: Actor, action: str) -> QuerySet:
        self._known(action)
        qs = self.base_queryset()
        if action == "view" and actor.is_daect:
            return qs
        return qs.filter(pk__in=actor.authority_ids)


campaigns = CampaignPolicy()
checklists = ChecklistPolicy()
