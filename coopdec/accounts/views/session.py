"""Signing in (password, then the two-factor code when the person has an application), signing out, and
the password pages (Django's views with our templates and French mails)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import Q
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent

from .. import lockout, throttle, twofactor
from ..forms import (
    CodeForm,
    DsfrPasswordChangeForm,
    DsfrPasswordResetForm,
    DsfrSetPasswordForm,
    LoginForm,
    ResendConfirmationForm,
)
from ..signup import send_confirmation

PENDING_KEY = "accounts_pending_login"
# The code step must follow the password within this many seconds.
PENDING_SECONDS = 5 * 60


def safe_next(request, default: str = "") -> str:
    """The ``next`` address of the request if it is a path of this site, else ``default``.

    Only paths (what the site's own links carry): a bare word such as ``next=espace`` passed the host
    check, then ``redirect()`` took it for the name of a URL pattern and failed (a 500 after the login).
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _landing(request) -> str:
    return safe_next(request, resolve_url(settings.LOGIN_REDIRECT_URL))


def _until(moment) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return formats.time_format(local, "H:i")
    return formats.date_format(local, "j F Y H:i")


def locked_message(until) -> str:
    return _(
        "Trop d'échecs de connexion pour cette adresse : la connexion est bloquée jusqu'à %(time)s. "
        "Si vous avez oublié votre mot de passe, demandez-en un nouveau."
    ) % {"time": _until(until)}


def find_user(identifier: str) -> User | None:
    """The account an identifier names: its username, else its e-mail address (only when unambiguous)."""
    users = list(User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))[:3])
    for user in users:
        if user.username.lower() == identifier:
            return user
    return users[0] if len(users) == 1 else None


def complete_login(request, user: User, device=None, *, recovery: bool = False) -> None:
    """Open the session (and mark it verified when a second factor was given), and log it."""
    auth_login(request, user)
    if device is not None:
        otp_login(request, device)
    second = ("recovery" if recovery else "totp") if device is not None else ""
    record(AuditEvent.Kind.LOGIN, request=request, user=user, second_factor=second)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated and request.method == "GET" and request.user.is_verified():
        return redirect(_landing(request))
    form = LoginForm(request.POST if request.method == "POST" else None)
    problem = ""
    show_resend = False
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"].strip().lower()
        password = form.cleaned_data["password"]
        user = find_user(identifier)
        key = user.get_username() if user else identifier
        until = lockout.locked_until(key)
        if until:
            lockout.register_failure(request, key, user=user, reason="locked")
            problem = locked_message(until)
        else:
            username = user.get_username() if user else identifier
            authed = authenticate(request, username=username, password=password)
            if authed is not None:
                request.session.pop(PENDING_KEY, None)
                if twofactor.has_two_factor(authed):
                    request.session[PENDING_KEY] = {
                        "user": authed.pk,
                        "backend": authed.backend,
                        "at": time.time(),
                    }
                    url = resolve_url("accounts:login_otp")
                    next_url = safe_next(request)
                    return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)
                complete_login(request, authed)
                return redirect(_landing(request))
            if user is not None and not user.is_active and user.check_password(password):
                lockout.register_failure(request, key, user=user, reason="inactive")
                problem = _(
                    "Votre adresse n'est pas encore confirmée : ouvrez le lien que nous vous avons envoyé "
                    "par courriel, ou demandez-en un nouveau."
                )
                show_resend = True
            else:
                until = lockout.register_failure(request, key, user=user, reason="password")
                if until:
                    problem = locked_message(until)
                else:
                    left = lockout.attempts_left(key)
                    problem = _("Adresse électronique ou mot de passe incorrect.")
                    if left <= 2:
                        problem += " " + ngettext(
                            "Encore %(n)s essai avant le blocage temporaire de la connexion.",
                            "Encore %(n)s essais avant le blocage temporaire de la connexion.",
                            left,
                        ) % {"n": left}
    return render(
        request,
        "accounts/login.html",
        {
            "title": _("Se connecter"),
            "form": form,
            "problem": problem,
            "show_resend": show_resend,
            "next": safe_next(request),
        },
        status=400 if problem else 200,
    )


def _pending_user(request) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is not None:
        user.backend = pending.get("backend")
    return user


def _abandon(request, message: str):
    """Drop a half-done login (or the unverified session) and send the person back to the login page."""
    request.session.pop(PENDING_KEY, None)
    if request.user.is_authenticated:
        auth_logout(request)
    messages.error(request, message)
    return redirect("accounts:login")


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_otp(request):
    """Step two of the login: a code from the application, or a recovery code.

    Reached after the password (the session then holds a pending login, not yet a signed-in user), or, for a
    session already signed in without a second factor, sent here by the two-factor middleware.
    """
    if request.user.is_authenticated:
        if request.user.is_verified():
            return redirect(_landing(request))
        user = request.user
    else:
        user = _pending_user(request)
        if user is None:
            request.session.pop(PENDING_KEY, None)
            messages.info(request, _("Votre connexion a expiré : saisissez à nouveau votre mot de passe."))
            return redirect("accounts:login")
    if not twofactor.has_two_factor(user):
        return redirect("accounts:login")
    key = user.get_username()
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        until = lockout.locked_until(key)
        if until:
            return _abandon(request, locked_message(until))
        result = twofactor.verify_code(user, form.cleaned_data["code"])
        if result.device is not None:
            if request.user.is_authenticated:
                otp_login(request, result.device)
                record(AuditEvent.Kind.LOGIN, request=request, user=user, second_factor="totp", step="otp")
            else:
                request.session.pop(PENDING_KEY, None)
                complete_login(request, user, result.device, recovery=result.recovery)
            if result.recovery:
                # Shown on "Mon compte", where new codes are one button away.
                left = twofactor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "Vous avez utilisé un code de secours (codes restants : %(n)s). "
                        "Générez-en de nouveaux ci-dessous si besoin."
                    )
                    % {"n": left},
                )
                return redirect("accounts:account")
            return redirect(_landing(request))
        if result.throttled:
            form.add_error(
                "code", _("Trop de codes erronés à la suite : attendez quelques secondes avant de réessayer.")
            )
        else:
            until = lockout.register_failure(request, key, user=user, reason="otp")
            if until:
                return _abandon(request, locked_message(until))
            form.add_error(
                "code", _("Code incorrect. Saisissez le code affiché maintenant par l'application.")
            )
    return render(
        request,
        "accounts/login_otp.html",
        {"title": _("Double authentification"), "form": form, "next": safe_next(request)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def logout_view(request):
    """Sign out (POST; a GET shows the button, so that a link cannot sign anybody out)."""
    if request.method == "POST":
        if request.user.is_authenticated:
            record(AuditEvent.Kind.LOGOUT, request=request)
        request.session.pop(PENDING_KEY, None)
        auth_logout(request)
        # No "signed out" message: the home page shows none, and a message left waiting would keep the
        # visitor's pages out of the anonymous page cache until one is shown.
        return redirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
    return render(request, "accounts/logout.html", {"title": _("Se déconnecter")})


@require_http_methods(["GET", "POST"])
def resend_confirmation(request):
    form = ResendConfirmationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        if not throttle.allow(request, "confirmation", email):
            form.add_error(None, throttle.refusal_message())
            return render(
                request,
                "accounts/resend_confirmation.html",
                {"title": _("Recevoir un nouveau lien"), "form": form},
                status=429,
            )
        user = User.objects.filter(email__iexact=email, is_active=False).first()
        if user is not None and user.has_usable_password():
            send_confirmation(request, user)
        # The same answer whether or not the address has an account waiting.
        messages.success(
            request,
            _("Si un compte attend la confirmation de cette adresse, un nouveau lien vient d'y être envoyé."),
        )
        return redirect("accounts:login")
    return render(
        request, "accounts/resend_confirmation.html", {"title": _("Recevoir un nouveau lien"), "form": form}
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = DsfrPasswordChangeForm
    success_url = reverse_lazy("accounts:account")
    extra_context = {"title": gettext_lazy("Changer de mot de passe")}

    def form_valid(self, form):
        response = super().form_valid(form)
        record(AuditEvent.Kind.PASSWORD_CHANGED, request=self.request, target=f"auth.user:{form.user.pk}")
        messages.success(self.request, _("Votre mot de passe a été changé."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = DsfrPasswordResetForm
    email_template_name = "accounts/mail/password_reset_body.txt"
    subject_template_name = "accounts/mail/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"title": gettext_lazy("Mot de passe oublié")}

    def form_valid(self, form):
        if not throttle.allow(self.request, "password_reset", form.cleaned_data["email"]):
            form.add_error(None, throttle.refusal_message())
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"title": gettext_lazy("Mot de passe oublié")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = DsfrSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"title": gettext_lazy("Nouveau mot de passe")}

    def form_valid(self, form):
        response = super().form_valid(form)
        record(
            AuditEvent.Kind.PASSWORD_RESET,
            request=self.request,
            user=form.user,
            target=f"auth.user:{form.user.pk}",
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"title": gettext_lazy("Mot de passe changé")}


password_change = login_required(PasswordChangeView.as_view())
