"""One project sheet with everything public it holds, for the API detail and the PDF sheet.

Contacts are given by name and function only: their e-mail addresses and telephone numbers are kept out
of every machine-readable output and file (API, exports, PDF), so that the open data cannot be harvested
for mailing lists; people reach a contact through the authority. Version counters and history stay
internal too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation

from coopdec.atlas.models import Contact, Participant, Project, Volunteer

from .rows import ProjectRow, labels, rows_for

PARTICIPANT_KIND = labels(Participant.Kind)
VOLUNTEER_PROGRAMME = labels(Volunteer.Programme)

TEXT_FIELDS = ("objectives", "description", "history", "context", "results")


def text_titles() -> dict[str, str]:
    with translation.override("fr"):
        return {name: str(Project._meta.get_field(name).verbose_name).capitalize() for name in TEXT_FIELDS}


@dataclass
class ProjectSheet:
    row: ProjectRow
    texts: dict[str, str]
    participants: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    volunteers: list[dict] = field(default_factory=list)


def project_sheet(slug: str) -> ProjectSheet | None:
    """The sheet of the project with this slug, or None; eight queries whatever the project holds."""
    project = Project.objects.filter(slug=slug).only("pk", *TEXT_FIELDS).first()
    if project is None:
        return None
    (row,) = rows_for([project])
    participants = [
        {
            "name": name,
            "kind": kind,
            "kind_label": PARTICIPANT_KIND.get(kind),
            "country": country,
            "country_name": country_name,
            "role": role,
        }
        for name, kind, country, country_name, role in Participant.objects.filter(project=project)
        .order_by("pk")
        .values_list("name", "kind", "country_id", "country__name_fr", "role")
    ]
    contacts = [
        {"name": name, "function": function}
        for name, function in Contact.objects.filter(project=project)
        .order_by("pk")
        .values_list("name", "function")
    ]
    volunteers = [
        {
            "programme": programme,
            "programme_label": VOLUNTEER_PROGRAMME.get(programme),
            "count": count,
            "year": year,
        }
        for programme, count, year in Volunteer.objects.filter(project=project)
        .order_by("year", "pk")
        .values_list("programme", "count", "year")
    ]
    return ProjectSheet(
        row=row,
        texts={name: getattr(project, name) for name in TEXT_FIELDS},
        participants=participants,
        contacts=contacts,
        volunteers=volunteers,
    )
