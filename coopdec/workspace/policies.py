"""Access to a person's own tools: only the owner, for every action.

Saved searches and extractions are private notes, not data of an organisation: DAECT staff have no more
access to them than anyone else (the owner's colleagues neither). Anyone else gets the same 404 as for an
object that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coopdec.orgs.policies import ALLOWED, NOT_SIGNED_IN, Actor, Decision, Policy, refused

from .models import Extraction, SavedSearch

NOT_OWNER = _("Seule la personne qui l'a enregistré y a accès.")


class OwnerPolicy(Policy):
    """Objects with an ``owner``: the owner may do everything, nobody else anything."""

    def check(self, actor: Actor, action: str, obj) -> Decision:
        self._known(action)
        if not actor.is_authenticated:
            return refused(NOT_SIGNED_IN)
        if obj.owner_id != actor.user.pk:
            return refused(NOT_OWNER)
        return ALLOWED

    def queryset(self, actor: Actor, action: str) -> QuerySet:
        self._known(action)
        if not actor.is_authenticated:
            return self.model._default_manager.none()
        return self.base_queryset().filter(owner=actor.user)

    def target(self, obj) -> str:
        return f"{self.label}:{obj.uuid}"


class SavedSearchPolicy(OwnerPolicy):
    model = SavedSearch
    label = "workspace.savedsearch"
    actions = ("view", "edit", "delete", "extract")


class ExtractionPolicy(OwnerPolicy):
    model = Extraction
    label = "workspace.extraction"
    actions = ("download", "delete")


saved_searches = SavedSearchPolicy()
extractions = ExtractionPolicy()
