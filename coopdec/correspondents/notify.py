"""Mails of the correspondents' workflows (sent once the transaction commits) and how people are named."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from coopdec.orgs.models import Membership


def person_label(user) -> str:
    """ "Awa Ndiaye (Ambassade de France au Sénégal)": how a correspondent is named in histories."""
    # Never the username, which sign-up sets to the e-mail address (histories are read by other people).
    # Stored with the history, in French like the rest of it.
    name = user.get_full_name() or "Correspondant·e sans nom renseigné"
    embassies = list(
        Membership.objects.filter(
            user=user, role=Membership.Role.CORRESPONDENT, status=Membership.Status.ACTIVE
        ).values_list("organisation__name", flat=True)
    )
    return f"{name} ({', '.join(embassies)})" if embassies else name


def agents_emails(**organisation_lookup) -> list[str]:
    """The addresses of the active agents of the organisations matching ``organisation_lookup``."""
    return sorted(
        set(
            Membership.objects.filter(
                role=Membership.Role.AGENT,
                status=Membership.Status.ACTIVE,
                user__is_active=True,
                **{f"organisation__{key}": value for key, value in organisation_lookup.items()},
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def message(subject: str, lines: list[str], to: list[str]) -> EmailMessage:
    return EmailMessage(
        subject=subject, body="\n\n".join(lines), from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )


def send_after_commit(messages: list[EmailMessage]) -> None:
    if messages:
        transaction.on_commit(lambda: get_connection().send_messages(messages))
