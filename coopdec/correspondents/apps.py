from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorrespondentsConfig(AppConfig):
    name = "coopdec.correspondents"
    verbose_name = _("Réseau des correspondants")
