"""Sign-up in three steps, held in the session: kind of organisation → the organisation → the person."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coopdec.orgs.models import ROLE_FOR_KIND, Membership, Organisation

from .. import orgsearch, signup, throttle
from ..forms import KindForm, OrganisationChoiceForm, OrganisationRequestForm, PersonForm
from ..models import OrganisationRequest

SESSION_KEY = "accounts_signup"
STEPS = 3


def _state(request) -> dict:
    return dict(request.session.get(SESSION_KEY) or {})


def _save_state(request, **values) -> None:
    request.session[SESSION_KEY] = {**_state(request), **values}


def _kind(request) -> str | None:
    kind = _state(request).get("kind")
    return kind if kind in ROLE_FOR_KIND else None


def _organisation(request, kind: str) -> Organisation | None:
    slug = _state(request).get("organisation")
    return Organisation.objects.filter(slug=slug, kind=kind).first() if slug else None


def _stepper(step: int, title: str, next_title: str = "") -> dict:
    return {
        "current_step_id": step,
        "current_step_title": title,
        "next_step_title": next_title,
        "total_steps": STEPS,
    }


def _signed_in(request):
    messages.info(request, _("Vous êtes déjà connecté : votre compte est ouvert."))
    return redirect("accounts:account")


@require_http_methods(["GET", "POST"])
def kind_step(request):
    if request.user.is_authenticated:
        return _signed_in(request)
    form = KindForm(request.POST if request.method == "POST" else None, initial={"kind": _kind(request)})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["kind"] != _kind(request):
            request.session[SESSION_KEY] = {}
        _save_state(request, kind=form.cleaned_data["kind"])
        return redirect("accounts:signup_organisation")
    return render(
        request,
        "accounts/signup_kind.html",
        {
            "title": _("Créer un compte"),
            "form": form,
            "stepper": _stepper(1, _("Nature de votre organisation"), _("Votre organisation")),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_step(request):
    if request.user.is_authenticated:
        return _signed_in(request)
    kind = _kind(request)
    if kind is None:
        messages.info(request, _("Commencez par indiquer la nature de votre organisation."))
        return redirect("accounts:signup")
    query = request.GET.get("q", "")[:100]
    form = OrganisationChoiceForm(request.POST if request.method == "POST" else None, kind=kind)
    if request.method == "POST":
        if form.is_valid():
            _save_state(request, organisation=form.cleaned_data["organisation"].slug)
            return redirect("accounts:signup_person")
    chosen = _organisation(request, kind)
    return render(
        request,
        "accounts/signup_organisation.html",
        {
            "title": _("Créer un compte"),
            "form": form,
            "kind_label": Organisation.Kind(kind).label,
            "query": query,
            "matches": orgsearch.search(kind, query),
            "min_length": orgsearch.MIN_LENGTH,
            "chosen": chosen,
            "stepper": _stepper(2, _("Votre organisation"), _("Vous")),
        },
    )


@require_GET
def organisation_search(request):
    """The results list alone, for the type-ahead (htmx); the page above works without it."""
    kind = _kind(request)
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "accounts/_organisation_results.html",
        {
            "query": query,
            "matches": orgsearch.search(kind, query) if kind else [],
            "min_length": orgsearch.MIN_LENGTH,
            "chosen": None,
        },
    )


@require_http_methods(["GET", "POST"])
def person_step(request):
    if request.user.is_authenticated:
        return _signed_in(request)
    kind = _kind(request)
    organisation = _organisation(request, kind) if kind else None
    if organisation is None:
        messages.info(request, _("Choisissez d'abord votre organisation."))
        return redirect("accounts:signup_organisation" if kind else "accounts:signup")
    form = PersonForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not throttle.allow(request, "signup", form.cleaned_data["email"]):
            form.add_error(None, throttle.refusal_message())
            status = 429
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = signup.create_account(
                request,
                organisation=organisation,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                function=data["function"],
                password=data["password1"],
            )
        except signup.EmailTaken:
            form.add_error("email", _("Un compte existe déjà avec cette adresse."))
        else:
            request.session[SESSION_KEY] = {"done": user.email, "organisation_name": organisation.name}
            return redirect("accounts:signup_done")
    return render(
        request,
        "accounts/signup_person.html",
        {
            "title": _("Créer un compte"),
            "form": form,
            "organisation": organisation,
            "role_label": Membership.Role(ROLE_FOR_KIND[kind]).label,
            "stepper": _stepper(3, _("Vous")),
        },
        status=status,
    )


@require_GET
def done(request):
    state = _state(request)
    if not state.get("done"):
        return redirect("accounts:signup")
    return render(
        request,
        "accounts/signup_done.html",
        {
            "title": _("Confirmez votre adresse"),
            "email": state["done"],
            "organisation_name": state["organisation_name"],
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_request(request):
    """ "My organisation is not in the list": a request to DAECT."""
    initial = {"kind": _kind(request)}
    if request.user.is_authenticated:
        initial |= {"requester_name": request.user.get_full_name(), "requester_email": request.user.email}
    form = OrganisationRequestForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not throttle.allow(request, "organisation_request", form.cleaned_data["requester_email"]):
            form.add_error(None, throttle.refusal_message())
            status = 429
    if request.method == "POST" and form.is_valid():
        req = signup.request_organisation(request, **form.cleaned_fields())
        return render(
            request, "accounts/organisation_request_sent.html", {"title": _("Demande envoyée"), "req": req}
        )
    return render(
        request,
        "accounts/organisation_request.html",
        {
            "title": _("Mon organisation n'apparaît pas"),
            "form": form,
            "status_new": OrganisationRequest.Status.NEW,
        },
        status=status,
    )


@require_GET
def confirm(request, token: str):
    user, problem = signup.user_for_token(token)
    context = {"title": _("Confirmation de votre adresse"), "problem": problem}
    if user is not None:
        if user.is_active:
            context["already"] = True
        else:
            signup.confirm_email(request, user)
            context["confirmed"] = True
        context["pending"] = list(
            Membership.objects.filter(user=user, status=Membership.Status.PENDING).select_related(
                "organisation"
            )
        )
    return render(request, "accounts/confirm.html", context, status=400 if problem else 200)
