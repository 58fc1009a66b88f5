"""The embassy correspondents' network: their public contact, the corrections they propose to Atlas sheets,
and the partnerships they inventory in their countries.

Who is a correspondent comes from ``orgs.Membership`` (role ``correspondant`` on an embassy); the countries
they cover are the embassy's. Corrections and inventoried partnerships are never deleted: a refused
correction or a declined partnership stays, with who decided, when and why.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coopdec.atlas.models import Change, Partnership, Project
from coopdec.orgs.models import Organisation


class CorrespondentProfile(models.Model):
    """What a correspondent chose to publish in the directory: nothing until they fill it in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="correspondent_profile",
        verbose_name=_("utilisateur"),
    )
    public_email = models.EmailField(
        _("courriel professionnel publié"),
        blank=True,
        help_text=_("Laissez vide pour ne publier aucun courriel."),
    )
    public_phone = models.CharField(
        _("téléphone professionnel publié"),
        max_length=40,
        blank=True,
        help_text=_("Laissez vide pour ne publier aucun numéro."),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("profil public de correspondant")
        verbose_name_plural = _("profils publics de correspondants")

    def __str__(self):
        return str(self.user)


class Correction(models.Model):
    """A correction proposed to a project sheet or a partnership: new values for chosen fields.

    ``changes`` holds, per field, the value when the correction was proposed (``old``) and the value
    proposed (``new``), as text (dates in ISO form, choices by their code), as the sheet's history does.
    Accepting applies the new values through ``save_tracked`` when none of those fields has changed since.
    """

    class Kind(models.TextChoices):
        PROJECT = "projet", _("Fiche-projet")
        PARTNERSHIP = "partenariat", _("Partenariat")

    class Status(models.TextChoices):
        PROPOSED = "proposee", _("Proposée")
        ACCEPTED = "acceptee", _("Acceptée")
        REFUSED = "refusee", _("Refusée")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fiche-projet"),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partenariat"),
    )
    # Kept as text so that the correction stays readable if the sheet is deleted.
    object_kind = models.CharField(
        _("nature de la fiche"), max_length=12, choices=Kind.choices, default=Kind.PROJECT
    )
    object_slug = models.CharField(_("identifiant de la fiche"), max_length=140)
    object_title = models.CharField(_("titre de la fiche"), max_length=300)
    changes = models.JSONField(_("modifications proposées"), default=dict)
    base_version = models.PositiveIntegerField(_("version de la fiche lors de la proposition"))
    comment = models.TextField(_("commentaire du correspondant"))
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposée par"),
    )
    proposed_by_label = models.CharField(_("proposée par (libellé)"), max_length=300)
    proposed_at = models.DateTimeField(_("proposée le"), auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_by_label = models.CharField(_("décidée par (libellé)"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    reason = models.TextField(_("motif du refus"), blank=True)
    # The history row written when the correction was applied.
    change = models.ForeignKey(
        Change,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modification enregistrée"),
    )

    class Meta:
        verbose_name = _("correction proposée")
        verbose_name_plural = _("corrections proposées")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(project__isnull=False, partnership__isnull=False),
                name="correction_one_target",
            )
        ]

    def __str__(self):
        return f"{self.object_title} ({self.get_status_display()})"

    @property
    def slug(self) -> str:
        # How the audit log names it (Policy.target).
        return str(self.uuid)

    @property
    def target_model(self):
        return Project if self.object_kind == self.Kind.PROJECT else Partnership

    @property
    def target(self):
        """The project or partnership corrected (None once it was deleted)."""
        return self.project or self.partnership

    @property
    def target_partnership(self):
        if self.project_id:
            return self.project.partnership if self.project else None
        return self.partnership


class InventoriedPartnership(models.Model):
    """A partnership found by a correspondent, unpublished until the French authority confirms it."""

    class Status(models.TextChoices):
        PENDING = "a_confirmer", _("À confirmer par la collectivité")
        CONFIRMED = "confirme", _("Confirmé et publié")
        DECLINED = "decline", _("Décliné par la collectivité")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inventory",
        verbose_name=_("partenariat"),
    )
    partnership_title = models.CharField(_("intitulé"), max_length=300)
    # The French authority asked to confirm (the partnership's lead).
    french_authority = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("collectivité française")
    )
    foreign_authority = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("autorité étrangère")
    )
    # Whether the correspondent created the foreign authority along with the partnership.
    foreign_created = models.BooleanField(_("autorité étrangère créée à cette occasion"), default=False)
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inventorié par"),
    )
    recorded_by_label = models.CharField(_("inventorié par (libellé)"), max_length=300)
    recorded_at = models.DateTimeField(_("inventorié le"), auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    decided_by_label = models.CharField(_("décidé par (libellé)"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("partenariat inventorié")
        verbose_name_plural = _("partenariats inventoriés")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self):
        return self.partnership_title

    @property
    def slug(self) -> str:
        return str(self.uuid)
