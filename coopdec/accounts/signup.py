"""Sign-up: the writes behind the three steps, the e-mail confirmation and the requests to DAECT.

A new account is an inactive user (username = e-mail, lower-cased) with one *pending* membership in the
organisation chosen, in the role that organisation's kind gives (``ROLE_FOR_KIND``). Confirming the e-mail
address activates the user, who may then sign in; the membership stays pending, and gives no right, until
DAECT staff grant it in the back office.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent
from coopdec.orgs.models import ROLE_FOR_KIND, Membership, Organisation

from .models import OrganisationRequest

# The kinds offered at step 1, in this order: French local authorities first.
SIGNUP_KINDS = [kind for kind in Organisation.Kind if kind in ROLE_FOR_KIND]

CONFIRMATION_SALT = "coopdec.accounts.confirm-email"
CONFIRMATION_MAX_AGE = 3 * 24 * 60 * 60  # seconds: the link in the mail works for three days


class EmailTaken(Exception):
    """An account already uses this address."""


def email_taken(email: str) -> bool:
    return User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists()


def _mail(request, template: str, context: dict, recipients: list[str]) -> None:
    """Render ``accounts/mail/<template>_subject.txt`` and ``_body.txt`` and send after commit."""
    context = {**context, "site": request.build_absolute_uri("/").rstrip("/")}
    subject = " ".join(render_to_string(f"accounts/mail/{template}_subject.txt", context).split())
    body = render_to_string(f"accounts/mail/{template}_body.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def create_account(
    request,
    *,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    email: str,
    function: str,
    password: str,
) -> User:
    """Create the inactive user and their pending membership, and mail the confirmation link.

    Raises :class:`EmailTaken` (and creates nothing) when the address already has an account.
    """
    email = email.strip().lower()
    role = ROLE_FOR_KIND[organisation.kind]
    if email_taken(email):
        raise EmailTaken(email)
    try:
        with transaction.atomic():
            user = User(
                username=email,
                email=email,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                is_active=False,
            )
            user.set_password(password)
            user.save()
            membership = Membership.objects.create(
                user=user,
                organisation=organisation,
                role=role,
                function=function.strip(),
                status=Membership.Status.PENDING,
            )
            record(
                AuditEvent.Kind.SIGNUP,
                request=request,
                user=user,
                target=f"orgs.membership:{membership.pk}",
                step="account_created",
                organisation=organisation.slug,
                role=role,
            )
            send_confirmation(request, user)
    except IntegrityError as exc:  # the same address submitted twice at the same moment
        raise EmailTaken(email) from exc
    return user


def confirmation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRMATION_SALT, compress=True)


def user_for_token(token: str) -> tuple[User | None, str]:
    """The user a confirmation token names and "" — or None and why not (``expired`` or ``invalid``)."""
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        return None, "expired"
    except signing.BadSignature:
        return None, "invalid"
    user = User.objects.filter(pk=data.get("u"), email=data.get("e")).first()
    return (user, "") if user else (None, "invalid")


def send_confirmation(request, user: User) -> None:
    url = request.build_absolute_uri(reverse("accounts:confirm", args=[confirmation_token(user)]))
    days = CONFIRMATION_MAX_AGE // 86400
    _mail(request, "confirm", {"user": user, "url": url, "days": days}, [user.email])


@transaction.atomic
def confirm_email(request, user: User) -> None:
    """Activate the account; tell DAECT that its memberships wait to be granted."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    pending = list(
        Membership.objects.filter(user=user, status=Membership.Status.PENDING).select_related("organisation")
    )
    record(AuditEvent.Kind.SIGNUP, request=request, user=user, step="email_confirmed")
    if pending:
        _mail(request, "membership_pending", {"user": user, "memberships": pending}, [settings.DAECT_EMAIL])


@transaction.atomic
def request_organisation(request, **fields) -> OrganisationRequest:
    """Record a "my organisation is missing" request and mail it to DAECT."""
    req = OrganisationRequest.objects.create(**fields)
    admin_url = request.build_absolute_uri(
        reverse("admin:accounts_organisationrequest_change", args=[req.pk])
    )
    _mail(request, "organisation_request", {"req": req, "admin_url": admin_url}, [settings.DAECT_EMAIL])
    return req


@transaction.atomic
def answer_organisation_request(request, req: OrganisationRequest, *, status: str, by: User) -> None:
    """DAECT's answer from the back office: the request marked handled or refused, a mail to its author."""
    if req.status == status:
        return
    req.status = status
    req.handled_at = timezone.now()
    req.handled_by = by
    req.save(update_fields=["status", "handled_at", "handled_by"])
    signup_url = request.build_absolute_uri(reverse("accounts:signup"))
    context = {"req": req, "done": status == OrganisationRequest.Status.DONE, "signup_url": signup_url}
    _mail(request, "organisation_answer", context, [req.requester_email])
