from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "coopdec.campaigns"
    verbose_name = _("Campagnes de mise à jour")
