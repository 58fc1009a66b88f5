from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "coopdec.workspace"
    verbose_name = _("Espace personnel")

    def ready(self):
        from . import signals

        signals.connect()
