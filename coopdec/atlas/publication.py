"""The publication gate: everything that keeps a partnership or a project sheet from going public, at once.

A sheet made in the professional space starts as a draft. Before it is published, :func:`publication_errors`
lists every missing or wrong field together (akvo-rsr's ``publishing_status`` idea), so the person fixes
them all in one pass rather than discovering them one refusal at a time. Each error carries a stable
``code`` (for tests and for anyone counting them), the ``field`` it concerns (to link to the form) and a
French ``message``.

:func:`publish` and :func:`unpublish` are the two writes; both go through ``save_tracked`` so that the
change of state is in the sheet's history like any other edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .history import save_tracked
from .models import Partnership, Project


@dataclass(frozen=True)
class PublicationError:
    code: str
    field: str
    message: str


class PublicationRefused(Exception):
    """Raised by :func:`publish` and :func:`unpublish` with every reason at once."""

    def __init__(self, errors: list[PublicationError]):
        super().__init__(errors)
        self.errors = errors


def _dates(obj) -> list[PublicationError]:
    if obj.start_date and obj.end_date and obj.end_date < obj.start_date:
        return [
            PublicationError(
                "end_before_start",
                "end_date",
                _("La date de fin (%(end)s) précède la date de début (%(start)s).")
                % {"end": obj.end_date.strftime("%d/%m/%Y"), "start": obj.start_date.strftime("%d/%m/%Y")},
            )
        ]
    return []


def partnership_errors(partnership: Partnership) -> list[PublicationError]:
    """What keeps ``partnership`` from being published (empty when nothing does)."""
    errors = []
    if not partnership.title.strip():
        errors.append(PublicationError("no_title", "title", _("Le partenariat n'a pas d'intitulé.")))
    if not partnership.start_date:
        errors.append(
            PublicationError(
                "no_start_date", "start_date", _("La date de signature ou de début n'est pas renseignée.")
            )
        )
    errors += _dates(partnership)
    members = list(partnership.french_members.values_list("is_lead", flat=True)) if partnership.pk else []
    if not members:
        errors.append(
            PublicationError(
                "no_french_member", "french_members", _("Aucune collectivité française n'est membre.")
            )
        )
    elif not any(members):
        errors.append(
            PublicationError(
                "no_lead", "french_members", _("Aucune collectivité française n'est désignée chef de file.")
            )
        )
    if not partnership.pk or not partnership.foreign.exists():
        errors.append(
            PublicationError(
                "no_foreign_partner",
                "foreign",
                _("Aucune autorité locale étrangère partenaire n'est indiquée."),
            )
        )
    return errors


def project_errors(project: Project) -> list[PublicationError]:
    """What keeps ``project`` from being published (empty when nothing does)."""
    errors = []
    partnership = project.partnership
    if not project.title.strip():
        errors.append(PublicationError("no_title", "title", _("La fiche n'a pas de titre.")))
    if not project.pk or not project.themes.exists():
        errors.append(PublicationError("no_theme", "themes", _("Aucune thématique n'est choisie.")))
    if not project.objectives.strip():
        errors.append(
            PublicationError("no_objectives", "objectives", _("Les objectifs ne sont pas décrits."))
        )
    if not project.description.strip():
        errors.append(PublicationError("no_description", "description", _("La description est vide.")))
    if not project.start_date:
        errors.append(
            PublicationError("no_start_date", "start_date", _("La date de début n'est pas renseignée."))
        )
    errors += _dates(project)
    if project.status == Project.Status.COMPLETED and not project.end_date:
        errors.append(
            PublicationError(
                "completed_without_end", "end_date", _("Un projet terminé doit avoir une date de fin.")
            )
        )
    if not partnership.foreign.exists():
        errors.append(
            PublicationError(
                "no_foreign_partner",
                "partnership",
                _("Le partenariat « %(title)s » n'a aucune autorité locale étrangère partenaire.")
                % {"title": partnership.title},
            )
        )
    if not partnership.published:
        errors.append(
            PublicationError(
                "partnership_unpublished",
                "partnership",
                _("Le partenariat « %(title)s » n'est pas publié : publiez-le d'abord.")
                % {"title": partnership.title},
            )
        )
    contacts = list(project.contacts.values("name", "email", "phone")) if project.pk else []
    if not contacts:
        errors.append(PublicationError("no_contact", "contacts", _("La fiche n'indique aucun contact.")))
    for contact in contacts:
        if not contact["email"] and not contact["phone"]:
            errors.append(
                PublicationError(
                    "contact_unreachable",
                    "contacts",
                    _("Le contact « %(name)s » n'a ni courriel ni téléphone.") % {"name": contact["name"]},
                )
            )
    if project.pk and project.financings.filter(amount__lte=0).exists():
        errors.append(
            PublicationError(
                "financing_not_positive",
                "financings",
                _("Une ligne de financement a un montant nul ou négatif."),
            )
        )
    return errors


def publication_errors(obj: Partnership | Project) -> list[PublicationError]:
    """Every missing or wrong field of a partnership or a project sheet, as coded errors (empty: ready)."""
    if isinstance(obj, Project):
        return project_errors(obj)
    if isinstance(obj, Partnership):
        return partnership_errors(obj)
    raise TypeError(f"{type(obj).__name__} has no publication gate")


def unpublication_errors(obj: Partnership | Project) -> list[PublicationError]:
    """What keeps ``obj`` from being withdrawn: a partnership whose sheets are still public."""
    if isinstance(obj, Partnership):
        titles = list(
            Project.objects.filter(partnership=obj).order_by("title").values_list("title", flat=True)
        )
        if titles:
            return [
                PublicationError(
                    "published_projects",
                    "projects",
                    _("Ses fiches-projets publiées doivent d'abord être dépubliées : %(titles)s.")
                    % {"titles": ", ".join(f"« {title} »" for title in titles)},
                )
            ]
    return []


def publish(obj: Partnership | Project, *, by, expected_version: int | None):
    """Publish ``obj`` if the gate lets it through; returns the history row.

    Raises :class:`PublicationRefused` with every error, or ``ConflictError`` when ``obj`` was saved by
    someone else after ``expected_version`` (the person would publish what they have not read).
    """
    with transaction.atomic():
        errors = publication_errors(obj)
        if errors:
            raise PublicationRefused(errors)
        obj.published = True
        obj.published_at = timezone.now()
        return save_tracked(obj, by=by, expected_version=expected_version, comment=_("Publication"))


def unpublish(obj: Partnership | Project, *, by, expected_version: int | None):
    """Withdraw ``obj`` from the public pages (it becomes a draft again); returns the history row."""
    with transaction.atomic():
        errors = unpublication_errors(obj)
        if errors:
            raise PublicationRefused(errors)
        obj.published = False
        obj.published_at = None
        return save_tracked(
            obj, by=by, expected_version=expected_version, comment=_("Retrait de la publication")
        )
