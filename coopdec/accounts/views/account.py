""" "Mon compte" and the two-factor pages: set up, recovery codes, turn off (or replace the application)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent
from coopdec.orgs.models import Membership
from coopdec.orgs.policies import actor_for

from .. import twofactor
from ..forms import ConfirmPasswordForm, SetupCodeForm
from .session import safe_next


@login_required
@never_cache
def account(request):
    user = request.user
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    device = twofactor.confirmed_totp(user)
    return render(
        request,
        "accounts/account.html",
        {
            "title": _("Mon compte"),
            "memberships": memberships,
            "pending_status": Membership.Status.PENDING,
            "two_factor": device is not None,
            "two_factor_since": device.created_at if device is not None else None,
            "mandatory": twofactor.is_mandatory(actor_for(request)),
            "recovery_left": twofactor.recovery_codes_left(user) if device is not None else 0,
        },
    )


def _codes_page(request, codes: list[str], *, first_time: bool):
    return render(
        request,
        "accounts/otp_codes.html",
        {
            "title": _("Vos codes de secours"),
            "codes": [twofactor.format_code(code) for code in codes],
            "first_time": first_time,
            "next": safe_next(request),
        },
    )


@sensitive_post_parameters("code")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    user = request.user
    if twofactor.has_two_factor(user):
        if not user.is_verified():
            # Setting up a second application must not be a way round the code of the first one.
            return redirect("accounts:login_otp")
        messages.info(request, _("La double authentification est déjà activée sur votre compte."))
        return redirect("accounts:account")
    device = twofactor.unconfirmed_totp(user)
    form = SetupCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", _("Trop de codes erronés à la suite : attendez quelques secondes."))
        elif device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            codes = twofactor.enable(request, device)
            messages.success(request, _("La double authentification est activée."))
            return _codes_page(request, codes, first_time=True)
        else:
            record(AuditEvent.Kind.OTP_FAILED, request=request, step="setup")
            form.add_error(
                "code",
                _(
                    "Code incorrect. Saisissez le code affiché maintenant par l'application ; "
                    "vérifiez que l'heure de votre téléphone est juste."
                ),
            )
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "title": _("Activer la double authentification"),
            "form": form,
            "qr_svg": twofactor.qr_code_svg(device),
            "secret": twofactor.secret_base32(device),
            "mandatory": twofactor.is_mandatory(actor_for(request)),
            "next": safe_next(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_POST
def otp_recovery_codes(request):
    """New recovery codes (the old ones stop working), shown once."""
    if not twofactor.has_two_factor(request.user):
        return redirect("accounts:otp_setup")
    codes = twofactor.regenerate_recovery_codes(request, request.user)
    messages.success(request, _("Vos anciens codes de secours ne fonctionnent plus."))
    return _codes_page(request, codes, first_time=False)


@sensitive_post_parameters("password")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def otp_disable(request):
    """Turn two-factor authentication off — or, when the role requires it, replace the application."""
    user = request.user
    if not twofactor.has_two_factor(user):
        return redirect("accounts:account")
    mandatory = twofactor.is_mandatory(actor_for(request))
    form = ConfirmPasswordForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        twofactor.disable(request, user)
        if mandatory:
            messages.info(request, _("Votre ancienne application est retirée : configurez la nouvelle."))
            return redirect("accounts:otp_setup")
        messages.success(request, _("La double authentification est désactivée."))
        return redirect("accounts:account")
    return render(
        request,
        "accounts/otp_disable.html",
        {
            "title": _("Remplacer l'application")
            if mandatory
            else _("Désactiver la double authentification"),
            "form": form,
            "mandatory": mandatory,
        },
        status=400 if form.errors else 200,
    )
