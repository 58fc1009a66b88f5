"""The audit log: logins, failed logins, permission refusals, role changes, personal-data requests.

Append-only: the model refuses updates and deletions, and the database itself refuses them too (triggers
created by migration 0002), so neither a bug nor a shell session can rewrite it. Deleting a user leaves their
events in place, with the user's id and identifier.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    """Bulk updates and deletions are refused too (on SQLite the database refuses updates only)."""

    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are never changed.")

    def delete(self):
        raise AppendOnlyError("Audit events are never deleted.")


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("Connexion")
        LOGIN_FAILED = "login_failed", _("Échec de connexion")
        LOCKED_OUT = "locked_out", _("Compte verrouillé après des échecs répétés")
        LOGOUT = "logout", _("Déconnexion")
        OTP_FAILED = "otp_failed", _("Code de double authentification refusé")
        OTP_ENABLED = "otp_enabled", _("Double authentification activée")
        OTP_DISABLED = "otp_disabled", _("Double authentification désactivée")
        PASSWORD_CHANGED = "password_changed", _("Mot de passe changé")
        PASSWORD_RESET = "password_reset", _("Mot de passe réinitialisé")
        SIGNUP = "signup", _("Inscription")
        PERMISSION_DENIED = "permission_denied", _("Accès refusé")
        ROLE_GRANTED = "role_granted", _("Rôle accordé")
        ROLE_REVOKED = "role_revoked", _("Rôle retiré")
        PERSONAL_DATA_EXPORTED = "personal_data_exported", _("Données personnelles exportées")
        PERSONAL_DATA_ERASED = "personal_data_erased", _("Données personnelles effacées")

    at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("événement"), max_length=30, choices=Kind.choices, db_index=True)
    # The acting user, kept as a label too: the event must stay readable after the account is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # No cascade and no SET NULL (that would be an UPDATE, which the database refuses).
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("utilisateur"),
    )
    username = models.CharField(_("identifiant"), max_length=254, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    # What the event concerns, e.g. "atlas.project:ma-fiche" or "orgs.membership:12".
    target = models.CharField(_("objet"), max_length=200, blank=True)
    detail = models.JSONField(_("détail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["username", "kind", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("An audit event is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("An audit event is never deleted.")
