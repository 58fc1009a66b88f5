from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from coopdec.exports.writer import export_atlas


class Command(BaseCommand):
    help = (
        "Écrit l'Atlas en fichiers CSV (UTF-8, un fichier par entité, codes et libellés côte à côte) "
        "avec leur description datapackage.json (Frictionless Data). Voir docs/opendata.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Dossier où écrire les fichiers (créé au besoin).")

    def handle(self, *args, directory: Path, verbosity=1, **options):
        bars = []

        def on_table(table):
            # One bar per file, on stderr; its total is unknown until the rows are counted, which would
            # cost a query per table for nothing: tqdm shows a running count and rate instead.
            bar = tqdm(desc=table.filename, unit=" lignes", disable=verbosity == 0, leave=verbosity > 1)
            bars.append(bar)
            return bar.update

        try:
            counts = export_atlas(directory, on_table=on_table)
        finally:
            for bar in bars:
                bar.close()
        if verbosity:
            summary = ", ".join(f"{name} : {count}" for name, count in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Atlas exporté dans {directory} ({summary})."))
