"""The yearly update campaign: each French authority confirms that what the Atlas says about it is true.

DAECT opens a campaign for a year with a closing date and reminder days; the French authorities concerned
are listed when it opens (``CampaignAuthority``, with their region for the progress table). Through its
agents each authority confirms its profile, its contacts and each of its published partnerships and project
sheets: one ``Confirmation`` row per item, with who and when. An authority whose every item is confirmed is
counted as done (``CampaignAuthority.completed_at``). Reminders sent are remembered (``Reminder``) so that
the daily command never mails twice.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coopdec.atlas.models import Partnership, Project
from coopdec.orgs.models import Organisation

DEFAULT_REMINDER_DAYS = [14, 3]


class Campaign(models.Model):
    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    closes_on = models.DateField(_("date de clôture"))
    # Days before ``closes_on`` on which authorities that have not confirmed are reminded, e.g. [14, 3].
    reminder_days = models.JSONField(_("rappels (jours avant la clôture)"), default=list)
    # Only one campaign is open at a time (the partial unique constraint below).
    is_open = models.BooleanField(_("ouverte"), default=True)
    opened_at = models.DateTimeField(_("ouverte le"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ouverte par"),
    )
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("close par"),
    )

    class Meta:
        verbose_name = _("campagne de mise à jour")
        verbose_name_plural = _("campagnes de mise à jour")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_open"], condition=models.Q(is_open=True), name="one_open_campaign"
            )
        ]

    def __str__(self):
        return str(_("Campagne de mise à jour %(year)s") % {"year": self.year})

    @property
    def slug(self) -> str:
        # How the audit log names a campaign (Policy.target).
        return str(self.year)


class CampaignAuthority(models.Model):
    """A French authority concerned by a campaign, listed when the campaign opens."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="authorities", verbose_name=_("campagne")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("collectivité")
    )
    # The region code when the campaign opened: the progress table groups by it without recomputing
    # the place of every commune and EPCI.
    region_code = models.CharField(_("code de la région"), max_length=3, blank=True, db_index=True)
    completed_at = models.DateTimeField(_("tout confirmé le"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dernière confirmation par"),
    )

    class Meta:
        verbose_name = _("collectivité concernée")
        verbose_name_plural = _("collectivités concernées")
        ordering = ["campaign", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organisation"], name="unique_campaign_authority")
        ]

    def __str__(self):
        return f"{self.campaign.year} — {self.organisation}"


class Confirmation(models.Model):
    """One item confirmed during a campaign: never edited.

    Profile and contacts are confirmed once per authority; a partnership or a project sheet once per
    campaign, by an agent of any of its French authorities (``organisation`` is the one they acted for).
    """

    class Item(models.TextChoices):
        PROFILE = "profil", _("Profil de la collectivité")
        CONTACTS = "contacts", _("Contacts (élus et cadres)")
        PARTNERSHIP = "partenariat", _("Partenariat")
        PROJECT = "projet", _("Fiche-projet")

    SHEET_ITEMS = (Item.PARTNERSHIP, Item.PROJECT)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="confirmations", verbose_name=_("campagne")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("pour la collectivité")
    )
    item = models.CharField(_("élément"), max_length=12, choices=Item.choices)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partenariat"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("projet")
    )
    # The sheet's slug ("" for profile and contacts): the row stays readable if the sheet is deleted.
    object_slug = models.CharField(_("identifiant de la fiche"), max_length=140, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmé par"),
    )
    confirmed_by_label = models.CharField(_("confirmé par (libellé)"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        ordering = ["campaign", "confirmed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation", "item"],
                condition=models.Q(item__in=["profil", "contacts"]),
                name="one_profile_confirmation",
            ),
            models.UniqueConstraint(
                fields=["campaign", "item", "object_slug"],
                condition=models.Q(item__in=["partenariat", "projet"]),
                name="one_sheet_confirmation",
            ),
        ]

    def __str__(self):
        return f"{self.campaign.year} {self.get_item_display()} {self.object_slug}".strip()


class Reminder(models.Model):
    """A reminder mailed (or due and skipped) to an authority: the daily command never repeats one."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("campagne")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("collectivité")
    )
    days_before = models.PositiveSmallIntegerField(_("jours avant la clôture"))
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("destinataires"), default=0)

    class Meta:
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        ordering = ["campaign", "organisation", "days_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation", "days_before"], name="one_reminder_per_day"
            )
        ]

    def __str__(self):
        return f"{self.campaign.year} J-{self.days_before} {self.organisation}"
