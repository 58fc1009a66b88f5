"""``manage.py personal_data export EMAIL`` and ``personal_data erase EMAIL`` (GDPR art. 15, 17, 20).

The same operations as DAECT's pages (coopdec/orgs/privacy.py), for the operator of the server. ``erase``
shows what it will erase and asks for confirmation (``--yes`` skips the question, for scripts).
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from coopdec.orgs import privacy

LABEL = "commande personal_data"


class Command(BaseCommand):
    help = "Exporte (JSON) ou efface les données personnelles liées à une adresse électronique."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")
        parser.add_argument("--output", help="export : fichier du JSON (sinon la sortie standard)")
        parser.add_argument("--yes", action="store_true", help="erase : ne pas demander de confirmation")

    def handle(self, *args, action, email, output=None, yes=False, **options):
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Adresse électronique invalide : {email!r}. Rien n'a été fait.") from exc
        if action == "export":
            text = json.dumps(privacy.export(email, by_label=LABEL), ensure_ascii=False, indent=2)
            if output:
                with open(output, "w", encoding="utf-8") as file:
                    file.write(text + "\n")
                self.stderr.write(f"Données exportées dans {output}.")
            else:
                self.stdout.write(text)
            return
        holdings = privacy.find(email)
        counts = privacy.counts(holdings)
        if holdings.empty:
            self.stdout.write(f"Aucune donnée liée à {holdings.email} : rien à effacer.")
            return
        self.stdout.write(
            f"Liées à {holdings.email} : {counts['organisation_contacts']} contact(s) d'organisation, "
            f"{counts['project_contacts']} contact(s) de fiches, {counts['accounts']} compte(s), "
            f"{counts['history_rows']} ligne(s) d'historique, {counts['other_records']} autre(s) "
            "enregistrement(s)."
        )
        if not yes:
            answer = input("Effacer définitivement ces données ? Tapez « oui » pour confirmer : ")
            if answer.strip().lower() != "oui":
                raise CommandError("Effacement annulé : rien n'a été changé.")
        summary = privacy.erase(email, by_label=LABEL)
        self.stdout.write(
            self.style.SUCCESS(
                f"Effacé : {summary['organisation_contacts']} contact(s) d'organisation, "
                f"{summary['project_contacts']} contact(s) de fiches, "
                f"{summary['history_rows_redacted']} ligne(s) d'historique masquée(s), "
                f"{summary['accounts']} compte(s) désactivé(s), "
                f"{summary['other_records']} autre(s) enregistrement(s) supprimé(s)."
            )
        )
