"""Accounts keep no user data of their own: users are Django's, roles are ``orgs.Membership`` rows, failed
logins are counted in the audit log and two-factor devices are django-otp's. The one model here is the
request a person sends to DAECT when their organisation is missing from the reference data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coopdec.orgs.models import Organisation


class OrganisationRequest(models.Model):
    """ "My organisation is not listed": sent from sign-up step 2, handled by DAECT in the back office."""

    class Status(models.TextChoices):
        NEW = "nouvelle", _("À traiter")
        DONE = "traitee", _("Traitée : organisation ajoutée")
        REFUSED = "refusee", _("Refusée")

    name = models.CharField(_("nom de l'organisation"), max_length=250)
    kind = models.CharField(_("nature"), max_length=20, choices=Organisation.Kind.choices)
    place = models.CharField(
        _("lieu"), max_length=200, help_text=_("Commune, département ou pays où elle se trouve.")
    )
    requester_name = models.CharField(_("demandeur"), max_length=200)
    requester_email = models.EmailField(_("courriel du demandeur"))
    requester_function = models.CharField(_("fonction du demandeur"), max_length=200, blank=True)
    message = models.TextField(_("précisions"), blank=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True, db_index=True)
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("traitée par"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation créée"),
        help_text=_("L'organisation ajoutée au référentiel en réponse à la demande."),
    )
    note = models.TextField(_("réponse de la DAECT"), blank=True)

    class Meta:
        verbose_name = _("demande d'ajout d'organisation")
        verbose_name_plural = _("demandes d'ajout d'organisation")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()}) — {self.requester_email}"
