"""The search index: one document per project, its facet values, and the index generation.

These tables are derived from the Atlas and rebuilt by ``manage.py rebuild_search_index`` or refreshed
by ``coopdec.search.index.refresh_projects(ids)``; nothing else writes them. The full-text part lives
beside them in vendor-specific SQL (see migration 0001): an FTS5 table ``search_fts`` on SQLite, a
``vector`` tsvector column with a GIN index on PostgreSQL.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from coopdec.atlas.models import Project


class SearchDocument(models.Model):
    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.CharField(_("titre"), max_length=300)
    # What the keywords are searched in besides the title, as people read it (snippets come from here).
    body = models.TextField(_("texte indexé"))
    start_year = models.PositiveSmallIntegerField(_("année de début"), null=True, db_index=True)
    # Sort keys beside the filters, with their indexes, so that a page of a large result set sorted by
    # date or title is read in index order. A project without a start date sorts last (date 1-01-01).
    start_sort = models.DateField(_("date de début (tri)"), default=datetime.date.min)

    class Meta:
        verbose_name = _("document de recherche")
        verbose_name_plural = _("documents de recherche")
        indexes = [
            models.Index(fields=["start_sort", "project"], name="search_doc_start_sort"),
            models.Index(fields=["title", "project"], name="search_doc_title_sort"),
        ]

    def __str__(self):
        return self.title


class FacetEntry(models.Model):
    """One (project, facet, value) row: a project has as many rows per facet as it has values."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    facet = models.CharField(_("facette"), max_length=20)
    value = models.CharField(_("valeur"), max_length=120)

    class Meta:
        verbose_name = _("valeur de facette")
        verbose_name_plural = _("valeurs de facettes")
        constraints = [
            models.UniqueConstraint(fields=["project", "facet", "value"], name="unique_facet_entry")
        ]
        # (facet, value, project): filtering on a value reads only its projects, counting needs no table.
        indexes = [models.Index(fields=["facet", "value", "project"], name="search_facet_value_project")]

    def __str__(self):
        return f"{self.project_id} {self.facet}={self.value}"


class IndexState(models.Model):
    """A single row whose generation changes with every write to the index (cache keys depend on it)."""

    generation = models.PositiveBigIntegerField(default=0)
    # A random token renewed with every generation: cache keys use it, because a rolled-back write can
    # reuse a generation number (and per-process caches would then serve another state of the index).
    token = models.CharField(max_length=32, blank=True, default="")
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    # Set when a full rebuild is owed (a bulk load, or a rebuild that has started) and cleared when one ends:
    # the search pages then say that results may be incomplete. ``rebuilt_at`` alone cannot say it, being
    # empty too on a database whose index was only ever refreshed project by project.
    rebuild_owed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("état de l'index de recherche")

    def __str__(self):
        return str(self.generation)
