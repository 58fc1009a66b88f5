"""What waits for a person in the Atlas part of the space: the drafts of their authorities.

Two queries whatever the number of drafts: the inbox shows the most recently touched ones and says how many
there are in all.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from coopdec.atlas.models import Partnership, Project
from coopdec.orgs.policies import Actor
from coopdec.orgs.tasks import Task

# The inbox lists at most this many drafts of each kind; a last task leads to the full list.
LIMIT = 10


def _drafts(model, member_path: str, authority_ids) -> list[dict]:
    mine = model.all_objects.filter(**{f"{member_path}__in": authority_ids}).values("pk")
    return list(
        model.all_objects.filter(published=False, pk__in=mine)
        .order_by("-updated_at", "pk")
        .values("slug", "title", "updated_at")[: LIMIT + 1]
    )


def tasks_for(actor: Actor) -> list[Task]:
    """Unpublished partnerships and sheets of the person's French authorities (DAECT staff, who see every
    draft in their lists, get no task for them: the authority publishes its own sheets)."""
    if not actor.authority_ids:
        return []
    tasks = []
    kinds = (
        (
            Partnership,
            "french_members__organisation_id",
            "space:partnership",
            _("Partenariat en brouillon : « %(title)s »"),
            "space:partnerships",
        ),
        (
            Project,
            "partnership__french_members__organisation_id",
            "space:project",
            _("Fiche-projet en brouillon : « %(title)s »"),
            "space:projects",
        ),
    )
    for model, member_path, url_name, title, list_name in kinds:
        drafts = _drafts(model, member_path, actor.authority_ids)
        for draft in drafts[:LIMIT]:
            tasks.append(
                Task(
                    title=title % {"title": draft["title"]},
                    url=reverse(url_name, args=[draft["slug"]]),
                    kind="draft",
                    detail=_("Complétez-la et publiez-la, ou laissez-la en brouillon. Modifiée le %(date)s.")
                    % {
                        "date": formats.date_format(
                            timezone.localtime(draft["updated_at"]), "SHORT_DATE_FORMAT"
                        )
                    },
                )
            )
        if len(drafts) > LIMIT:
            tasks.append(
                Task(
                    title=_("D'autres brouillons attendent"),
                    url=reverse(list_name) + "?etat=brouillon",
                    kind="draft",
                    detail=_("Seuls les %(n)s plus récents sont listés ici.") % {"n": LIMIT},
                )
            )
    return tasks
