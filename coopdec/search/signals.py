"""Keeping the search index current when the Atlas changes one object at a time.

The Atlas sits below the search in the app order and must not call it; so the search listens to saves of
the objects its documents are built from and refreshes the affected projects once the transaction commits
(by then many-to-many values and child rows saved in the same transaction are in place). Bulk loads send no
signals: ``generate_demo`` is followed by ``rebuild_search_index`` (``make data``), and ``import_atlas``
rebuilds the index itself.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from coopdec.atlas.models import Financing, Partnership, PartnershipMember, Project
from coopdec.orgs.models import Organisation

from . import index


def _refresh_later(project_ids):
    """Refresh, after commit, the projects that ``project_ids`` (a list, or a queryset evaluated only
    then) names: saving costs no query, and an aborted transaction refreshes nothing."""
    transaction.on_commit(lambda: index.refresh_projects(list(project_ids)))


def project_saved(sender, instance, **kwargs):
    _refresh_later([instance.pk])


def project_deleted(sender, instance, **kwargs):
    transaction.on_commit(index.remove_orphans)


def _projects_of(partnership_id):
    # Drafts included: a sheet that was just unpublished must leave the index.
    return Project.all_objects.filter(partnership_id=partnership_id).values_list("pk", flat=True)


def partnership_saved(sender, instance, **kwargs):
    _refresh_later(_projects_of(instance.pk))


def member_changed(sender, instance, **kwargs):
    _refresh_later(_projects_of(instance.partnership_id))


def financing_changed(sender, instance, **kwargs):
    _refresh_later([instance.project_id])


def organisation_saved(sender, instance, created, **kwargs):
    if created:
        return
    _refresh_later(
        Project.all_objects.filter(partnership__in=Partnership.all_objects.involving(instance))
        .values_list("pk", flat=True)
        .distinct()
    )


def themes_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Project):
        _refresh_later([instance.pk])


def foreign_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Partnership):
        _refresh_later(_projects_of(instance.pk))


def connect():
    post_save.connect(project_saved, sender=Project, dispatch_uid="search-project-saved")
    post_delete.connect(project_deleted, sender=Project, dispatch_uid="search-project-deleted")
    post_save.connect(partnership_saved, sender=Partnership, dispatch_uid="search-partnership-saved")
    post_save.connect(member_changed, sender=PartnershipMember, dispatch_uid="search-member-saved")
    post_delete.connect(member_changed, sender=PartnershipMember, dispatch_uid="search-member-deleted")
    post_save.connect(financing_changed, sender=Financing, dispatch_uid="search-financing-saved")
    post_delete.connect(financing_changed, sender=Financing, dispatch_uid="search-financing-deleted")
    post_save.connect(organisation_saved, sender=Organisation, dispatch_uid="search-organisation-saved")
    m2m_changed.connect(themes_changed, sender=Project.themes.through, dispatch_uid="search-themes")
    m2m_changed.connect(foreign_changed, sender=Partnership.foreign.through, dispatch_uid="search-foreign")
