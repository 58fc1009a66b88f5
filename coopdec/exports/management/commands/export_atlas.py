import os
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from coopdec.exports.atlas_tables import TABLES
from coopdec.exports.writer import export_atlas

MANIFEST = "datapackage.json"
# Files are written here, inside the target directory (same file system, so moving them is a rename), and
# moved out only once all are complete; a run killed before leaves only this folder, which the next run
# empties.
STAGING = ".export_atlas.part"


def _durable(path: Path) -> None:
    """Flush ``path`` to disk before it is renamed into place (a rename can outlive unwritten data)."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


class Command(BaseCommand):
    help = (
        "Écrit l'Atlas en fichiers CSV (UTF-8, un fichier par entité, codes et libellés côte à côte) "
        "avec leur description datapackage.json (Frictionless Data), écrite en dernier : un dossier qui la "
        "contient tient un export complet, même si une exécution a été interrompue. Voir docs/opendata.md."
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

        directory.mkdir(parents=True, exist_ok=True)
        # The manifest goes first and comes back last: while files are being replaced, the directory does
        # not claim to hold a complete export (a mix of old and new files would otherwise pass for one).
        (directory / MANIFEST).unlink(missing_ok=True)
        staging = directory / STAGING
        shutil.rmtree(staging, ignore_errors=True)
        try:
            counts = export_atlas(staging, on_table=on_table)
        finally:
            for bar in bars:
                bar.close()
        names = [table.filename for table in TABLES]
        for name in [*names, MANIFEST]:
            _durable(staging / name)
        for name in [*names, MANIFEST]:
            os.replace(staging / name, directory / name)
        staging.rmdir()
        # The renames themselves, on disk.
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if verbosity:
            summary = ", ".join(f"{name} : {count}" for name, count in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Atlas exporté dans {directory} ({summary})."))
