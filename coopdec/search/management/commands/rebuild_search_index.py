"""manage.py rebuild_search_index: (re)index every project, in place and idempotently."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from coopdec.atlas.models import Project
from coopdec.search import index


class Command(BaseCommand):
    help = _("Reconstruit l'index de recherche (documents et facettes) de tous les projets.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help=_(
                "Ne rien faire si chaque projet a déjà son document dans l'index et qu'aucune "
                "reconstruction n'a été interrompue depuis le dernier chargement en masse."
            ),
        )

    def handle(self, *args, **options):
        # An interrupted rebuild (or import) leaves every document in place, some with old text: only the
        # mark it leaves (index.rebuild_owed) tells it apart from an index that is up to date.
        if (
            options["if_stale"]
            and not index.rebuild_owed()
            and not index.missing_project_ids(1)
            and not index.has_orphans()
        ):
            if options["verbosity"]:
                self.stdout.write(_("L'index de recherche est à jour : rien à faire."))
            return
        started = time.monotonic()
        with tqdm(
            total=Project.objects.count(),
            desc=_("Index de recherche"),
            unit=_("projet"),
            disable=options["verbosity"] == 0,
        ) as bar:
            total = index.rebuild(progress=bar.update)
        if options["verbosity"]:
            self.stdout.write(
                _("%(n)s projets indexés en %(s).0f s.") % {"n": total, "s": time.monotonic() - started}
            )
