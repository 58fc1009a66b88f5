"""A person's own tools: saved searches and maps (with their e-mail alerts), and saved extractions.

Both belong to one user and to nobody else — not even DAECT staff see them (``policies.py``). Public URLs
carry a UUID, never the database id.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SavedSearch(models.Model):
    """A search of the Atlas, or a map of a search, kept under a name.

    ``query`` is the canonical query string of the search (rebuilt from validated parameters, unknown values
    left out); a saved map adds its view (world, regions or departments). With ``alert`` on, the daily
    ``send_search_alerts`` mails the owner the projects that appeared since ``alert_since``.
    """

    class Kind(models.TextChoices):
        SEARCH = "recherche", _("Recherche")
        MAP = "carte", _("Carte")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("propriétaire"),
    )
    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices, default=Kind.SEARCH)
    name = models.CharField(_("nom"), max_length=150)
    query = models.TextField(_("critères (chaîne de requête)"), blank=True)
    view = models.CharField(_("vue de la carte"), max_length=20, blank=True)
    alert = models.BooleanField(_("alerte par courriel"), default=False)
    # Projects created or published after this moment are "new" for the next alert.
    alert_since = models.DateTimeField(_("nouveautés depuis le"), null=True, blank=True)
    last_alert_at = models.DateTimeField(_("dernière alerte envoyée le"), null=True, blank=True)
    # The owner's language when saving: the alert mail is written in it.
    language = models.CharField(_("langue"), max_length=10, default="fr")
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("recherche sauvegardée")
        verbose_name_plural = _("recherches sauvegardées")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "name"], name="unique_saved_search_name")
        ]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workspace:saved", args=[self.uuid])

    def target_url(self) -> str:
        """The search page or the map page showing this search."""
        if self.kind == self.Kind.MAP:
            pairs = [f"vue={self.view}"] if self.view else []
            pairs += [self.query] if self.query else []
            base = reverse("maps:index")
        else:
            pairs = [self.query] if self.query else []
            base = reverse("search:index")
        return base + ("?" + "&".join(pairs) if pairs else "")


class Extraction(models.Model):
    """An export of a saved search written to a file kept in the owner's space.

    The file lives at ``MEDIA_ROOT/extractions/<user id>/<uuid>.<format>`` and is served only to its owner
    (never through the public media URL).
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        GEOJSON = "geojson", "GeoJSON"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="extractions",
        verbose_name=_("propriétaire"),
    )
    saved_search = models.ForeignKey(
        SavedSearch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="extractions",
        verbose_name=_("recherche d'origine"),
    )
    # Kept apart from the saved search, which may be renamed or deleted afterwards.
    name = models.CharField(_("nom"), max_length=150)
    query = models.TextField(_("critères (chaîne de requête)"), blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    rows = models.PositiveIntegerField(_("lignes"), default=0)
    size = models.PositiveBigIntegerField(_("taille (octets)"), default=0)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("extraction")
        verbose_name_plural = _("extractions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return f"{self.name} ({self.format})"

    @property
    def relative_path(self) -> str:
        return f"extractions/{self.owner_id}/{self.uuid}.{self.format}"

    @property
    def path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.relative_path
