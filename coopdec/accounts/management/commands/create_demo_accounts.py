"""``manage.py create_demo_accounts [--if-missing]``: one account per persona, for local use only."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coopdec.accounts import demo


class Command(BaseCommand):
    help = (
        "Crée un compte de démonstration par rôle (agent de collectivité, correspondant d'ambassade, "
        "préfecture, DAECT, opérateur, autorité étrangère, réseau) sur les données de démonstration, avec "
        "un mot de passe public : usage local seulement, refusé quand DEBUG est faux."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="laisser tels quels les comptes qui existent déjà (sinon ils sont remis à zéro)",
        )

    def handle(self, *args, if_missing=False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "create_demo_accounts refuse de s'exécuter quand DEBUG est faux : les mots de passe de ces "
                "comptes sont publics (usage local seulement)."
            )
        outcomes = []
        for account in demo.ACCOUNTS:
            try:
                outcomes.append(demo.create(account, if_missing=if_missing))
            except demo.MissingData as exc:
                raise CommandError(f"Données de référence manquantes : {exc}.") from exc
        self.report(outcomes)

    def report(self, outcomes):
        write = self.stdout.write
        write("")
        write(
            self.style.WARNING(
                "Comptes de démonstration — USAGE LOCAL SEULEMENT : leurs secrets sont publics."
            )
        )
        width = max(len(o.account.email) for o in outcomes)
        for o in outcomes:
            if o.organisation is None:
                state = self.style.ERROR("non créé : aucune organisation de ce type (lancez generate_demo)")
            else:
                state = ("créé" if o.created else "existant") + f" — {o.organisation.name}"
            two_factor = " [2FA]" if o.account.two_factor else ""
            write(f"  {o.account.email.ljust(width)}  {o.account.role_label}{two_factor} — {state}")
        write(f"  Mot de passe de tous ces comptes : {demo.DEMO_PASSWORD}")
        secret = " ".join(demo.DEMO_TOTP_SECRET[i : i + 4] for i in range(0, len(demo.DEMO_TOTP_SECRET), 4))
        write(f"  Comptes [2FA] : ajoutez la clé {secret} à une application d'authentification")
        write("  (TOTP, 6 chiffres, 30 s) et saisissez le code qu'elle affiche après le mot de passe.")
