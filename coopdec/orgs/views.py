"""DAECT's personal-data desk: what is held about a person, its export, its erasure (orgs/privacy.py).

Every page is for DAECT staff whose session passed the second factor: a visitor who is not signed in is sent
to the login page; anyone else is refused (403, with the reason, written to the audit log). Addresses travel
in POST bodies only, never in URLs, where server logs and browser histories would keep them.
"""

from __future__ import annotations

import json
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from dsfr.forms import DsfrBaseForm

from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent

from . import privacy
from .adminsite import second_factor_passed
from .policies import actor_for

REFUSED = gettext_lazy("Les demandes relatives aux données personnelles sont traitées par la DAECT.")


def daect_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.is_authenticated or (actor.is_daect and not second_factor_passed(request.user)):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not actor.is_daect:
            record(
                AuditEvent.Kind.PERMISSION_DENIED,
                request=request,
                target="orgs.personal_data",
                reason=str(REFUSED),
                path=request.path[:300],
            )
            raise PermissionDenied(REFUSED)
        response = view(request, *args, **kwargs)
        # Pages and files that hold someone's personal data are kept by no cache.
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


class EmailForm(DsfrBaseForm):
    email = forms.EmailField(
        label=gettext_lazy("Adresse électronique de la personne"),
        max_length=254,
        help_text=gettext_lazy("Format attendu : nom@domaine.fr"),
    )


class EraseForm(EmailForm):
    email = forms.EmailField(widget=forms.HiddenInput, max_length=254)
    confirm = forms.BooleanField(
        label=gettext_lazy("Je confirme l'effacement : il ne pourra pas être annulé."),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer l'effacement.")},
    )


def _crumbs(current: str) -> dict:
    return {
        "breadcrumb_data": {
            "root_dir": reverse("atlas:home"),
            "links": [],
            "current": current,
        }
    }


@daect_only
@require_http_methods(["GET", "POST"])
def personal_data(request):
    """The desk: an address in, the list of what is held about it out, with the export and erase buttons."""
    # Bound on every POST, an empty one included (it then says that the address is missing).
    form = EmailForm(request.POST if request.method == "POST" else None)
    holdings = None
    if request.method == "POST" and form.is_valid():
        holdings = privacy.find(form.cleaned_data["email"])
    return render(
        request,
        "orgs/privacy/index.html",
        {
            "title": _("Données personnelles"),
            "form": form,
            "holdings": holdings,
            **_crumbs(_("Données personnelles")),
        },
    )


@daect_only
@require_POST
def personal_data_export(request):
    form = EmailForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Adresse électronique invalide : rien n'a été exporté."))
        return redirect("orgs:personal_data")
    email = form.cleaned_data["email"]
    data = privacy.export(email, by=request.user, request=request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    name = f"donnees-personnelles-{timezone.localtime():%Y%m%d-%H%M%S}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@daect_only
@require_POST
def personal_data_erase(request):
    """From the desk: the confirmation page. From the confirmation page, with the box ticked: the erasure."""
    email_form = EmailForm(request.POST)
    if not email_form.is_valid():
        messages.error(request, _("Adresse électronique invalide : rien n'a été effacé."))
        return redirect("orgs:personal_data")
    email = email_form.cleaned_data["email"]
    holdings = privacy.find(email)
    if request.POST.get("step") != "erase":
        return _confirm_page(request, EraseForm(initial={"email": email}), holdings)
    if holdings.empty:
        messages.warning(
            request, _("Rien n'est conservé pour « %(email)s » : il n'y a rien à effacer.") % {"email": email}
        )
        return redirect("orgs:personal_data")
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _confirm_page(request, form, holdings, status=400)
    summary = privacy.erase(email, by=request.user, request=request)
    messages.success(
        request,
        _(
            "Effacement fait : %(org)s contact(s) d'organisation supprimé(s), %(project)s contact(s) de "
            "fiches retiré(s), %(history)s ligne(s) d'historique masquée(s), %(accounts)s compte(s) "
            "désactivé(s), %(other)s autre(s) enregistrement(s) supprimé(s)."
        )
        % {
            "org": summary["organisation_contacts"],
            "project": summary["project_contacts"],
            "history": summary["history_rows_redacted"],
            "accounts": summary["accounts"],
            "other": summary["other_records"],
        },
    )
    return redirect("orgs:personal_data")


def _confirm_page(request, form, holdings, status=200):
    return render(
        request,
        "orgs/privacy/confirm_erase.html",
        {
            "title": _("Confirmer l'effacement"),
            "form": form,
            "holdings": holdings,
            **_crumbs(_("Confirmer l'effacement")),
        },
        status=status,
    )
