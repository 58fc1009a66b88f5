from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from coopdec.atlas.models import Project
from coopdec.exports.importer import Importer
from coopdec.exports.mapping import Mapping, MappingError
from coopdec.exports.validation import read_directory, validate
from coopdec.search import index

# A file of a million bad lines would otherwise print a million lines before the verdict.
SHOWN_PROBLEMS = 200


class Command(BaseCommand):
    help = (
        "Importe les fichiers CSV de l'Atlas (le format écrit par export_atlas, ou une autre source décrite "
        "par --mapping). Toutes les lignes sont vérifiées avant d'écrire quoi que ce soit ; à la moindre "
        "erreur rien n'est importé. Relancer le même import ne change rien. Voir docs/opendata.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Dossier contenant les fichiers à importer.")
        parser.add_argument(
            "--mapping",
            type=Path,
            help="Fichier JSON de correspondance des colonnes pour une autre source (voir docs/opendata.md).",
        )
        parser.add_argument(
            "--all-errors",
            action="store_true",
            help=f"Afficher toutes les erreurs (sinon les {SHOWN_PROBLEMS} premières, puis leur nombre).",
        )
        parser.add_argument(
            "--by", default="import_atlas", help="Auteur inscrit dans l'historique des modifications."
        )

    def handle(
        self, *args, directory: Path, mapping: Path | None, by: str, all_errors=False, verbosity=1, **options
    ):
        if not directory.is_dir():
            raise CommandError(f"Dossier introuvable : {directory}")
        problems, unreadable = [], set()
        if mapping is not None:
            try:
                records = Mapping(mapping).read(directory, problems)
            except MappingError as error:
                raise CommandError(str(error)) from error
        else:
            records, unreadable = read_directory(directory, problems)
        # Checked even after reading errors, so that one run lists every problem of every file.
        validate(records, problems, unreadable)
        if problems:
            shown = problems if all_errors else problems[:SHOWN_PROBLEMS]
            for problem in shown:
                self.stderr.write(str(problem))
            if len(shown) < len(problems):
                self.stderr.write(
                    f"… et {len(problems) - len(shown)} autre(s) erreur(s) : --all-errors les affiche toutes."
                )
            raise CommandError(
                f"{len(problems)} erreur(s) : rien n'a été importé. "
                "Corrigez les fichiers et relancez l'import."
            )
        parameters = {"directory": str(directory), "mapping": str(mapping) if mapping else None}
        importer = Importer(records, label=by, complete_geography=mapping is not None)
        quiet = verbosity == 0
        with tqdm(total=len(Importer.STEPS), desc=_("Import"), unit=_("étape"), disable=quiet) as bar:
            started = []

            def on_step(name):
                if started:
                    bar.update(1)
                started.append(name)
                bar.set_description(_("Import : %(step)s") % {"step": name})

            with transaction.atomic():
                load = importer.run(parameters, on_step=on_step)
                if any(load.counts.values()):
                    # Written with the Atlas's rows: a run killed after its commit but before the end of
                    # the index rebuild below leaves the mark, and the next run rebuilds.
                    index.mark_stale()
            bar.update(bar.total - bar.n)
        # Bulk writes send no signals: the search index is rebuilt here when something changed (or when a
        # rebuild was interrupted), so that importing the same files twice still changes nothing.
        if index.rebuild_owed():
            with tqdm(
                total=Project.objects.count(), desc=_("Index de recherche"), unit=_("projet"), disable=quiet
            ) as bar:
                index.rebuild(progress=bar.update)
        if verbosity:
            summary = (
                ", ".join(f"{name} : {count}" for name, count in load.counts.items()) or "aucun changement"
            )
            self.stdout.write(self.style.SUCCESS(f"Import terminé ({summary})."))
