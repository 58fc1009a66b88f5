"""Mail the owners of saved searches with an alert the projects that appeared since the last run.

Meant for a daily cron; idempotent: a second run the same day finds nothing new to send.
"""

from django.core.management.base import BaseCommand, CommandError

from coopdec.workspace.alerts import IndexNotReady, send_alerts


class Command(BaseCommand):
    help = "Envoie les alertes des recherches sauvegardées (nouveaux projets depuis la dernière alerte)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            help="Adresse du portail dans les liens des courriels (défaut : réglage SITE_URL, sinon "
            "http://localhost:8000).",
        )

    def handle(self, *args, base_url=None, **options):
        try:
            report = send_alerts(root=base_url)
        except IndexNotReady as error:
            raise CommandError(str(error)) from error
        for line in report.suspended:
            self.stderr.write(f"Alerte suspendue (critères invalides) : {line}")
        self.stdout.write(
            f"{report.sent} alerte(s) envoyée(s), {report.nothing_new} recherche(s) sans nouveauté, "
            f"{len(report.suspended)} suspendue(s)."
        )
