"""A sheet drawn as the public page draws it, drafts included, for the people allowed to see it."""

from __future__ import annotations

from django.db.models import Count, F, Max, Prefetch, Sum
from django.template.loader import render_to_string

from coopdec.atlas.models import Change, Financing, Participant, PartnershipMember, Project, Theme
from coopdec.orgs.models import Organisation


def sheet_context(project: Project) -> dict:
    """The context of ``atlas/_project_sheet.html`` for ``project`` (published or not), rendered as
    ``sheet``; the public view reads published sheets only (``Project.objects``), so it is not reused."""
    project = (
        Project.all_objects.select_related("partnership")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("position", "code")),
            Prefetch(
                "partnership__french_members",
                queryset=PartnershipMember.objects.select_related("organisation").order_by(
                    "-is_lead", "organisation__name"
                ),
            ),
            Prefetch("partnership__foreign", queryset=Organisation.objects.select_related("country")),
            Prefetch("financings", queryset=Financing.objects.select_related("funder")),
            Prefetch("participants", queryset=Participant.objects.select_related("country")),
            "contacts",
            "volunteers",
        )
        .get(pk=project.pk)
    )
    financings = Financing.objects.filter(project=project)
    context = {
        "project": project,
        "by_funder": financings.values(name=F("funder__name"))
        .annotate(total=Sum("amount"))
        .order_by("-total", "name"),
        "by_year": financings.values("year").annotate(total=Sum("amount")).order_by("year"),
        "total": financings.aggregate(total=Sum("amount"))["total"] or 0,
        "history": Change.objects.filter(project=project).aggregate(
            last=Max("changed_at"), count=Count("pk")
        ),
    }
    return {"project": project, "sheet": render_to_string("atlas/_project_sheet.html", context)}
