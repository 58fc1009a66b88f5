from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "coopdec.search"
    verbose_name = _("Recherche")

    def ready(self):
        from . import signals

        signals.connect()
