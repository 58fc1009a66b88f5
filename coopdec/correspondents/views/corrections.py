"""Corrections: the list, proposing one to a sheet, reading it, accepting or refusing it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coopdec.atlas.models import Partnership, Project
from coopdec.atlas.policies import partnerships, projects
from coopdec.orgs.policies import actor_for

from .. import corrections as actions
from ..forms import CorrectionForm, ReasonForm
from ..models import Correction
from ..policies import corrections
from .common import base_url, crumbs, page_of

TARGETS = {"projet": (Project, projects), "partenariat": (Partnership, partnerships)}
STATUS_FILTERS = dict(Correction.Status.choices)


def corrections_crumb() -> tuple[str, str]:
    return (_("Corrections proposées"), reverse("correspondents:corrections"))


@login_required
def correction_list(request):
    actor = actor_for(request)
    status = request.GET.get("etat", "")
    if status and status not in STATUS_FILTERS:
        raise Http404(_("Cet état de correction n'existe pas."))
    qs = corrections.queryset(actor, "view").order_by("-proposed_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    context = {
        "title": _("Corrections proposées"),
        "page": page_of(request, qs),
        "status": status,
        "statuses": Correction.Status.choices,
        **crumbs(_("Corrections proposées")),
    }
    return render(request, "correspondents/corrections.html", context)


@login_required
def propose(request, kind: str, slug: str):
    if kind not in TARGETS:
        raise Http404
    model, policy = TARGETS[kind]
    target = policy.get_or_404(request, "propose_correction", slug=slug)
    if request.method == "POST":
        form = CorrectionForm(request.POST, target=target)
        if form.is_valid():
            try:
                correction = actions.propose(
                    target,
                    form.values(),
                    form.cleaned_data["comment"],
                    by=request.user,
                    base_url=base_url(request),
                )
            except actions.CorrectionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Votre correction est transmise aux agents de la collectivité et à la DAECT."),
                )
                return redirect("correspondents:correction", correction.uuid)
    else:
        form = CorrectionForm(target=target)
    context = {
        "title": _("Proposer une correction : %(title)s") % {"title": target.title},
        "target": target,
        "kind": kind,
        "form": form,
        "public_url": reverse("atlas:project", args=[target.slug])
        if model is Project and target.published
        else "",
        **crumbs(_("Proposer une correction"), corrections_crumb()),
    }
    return render(request, "correspondents/propose.html", context)


def _detail_context(request, correction: Correction, **extra) -> dict:
    actor = actor_for(request)
    model = correction.target_model
    rows = [
        {
            "label": actions.field_label(model, name),
            "old": actions.display_value(model, name, change["old"]),
            "new": actions.display_value(model, name, change["new"]),
        }
        for name, change in correction.changes.items()
    ]
    target = correction.target
    stale = (
        actions.stale_fields(correction, target)
        if target is not None and correction.status == "proposee"
        else []
    )
    return {
        "title": _("Correction de « %(title)s »") % {"title": correction.object_title},
        "correction": correction,
        "rows": rows,
        "decision": corrections.check(actor, "decide", correction),
        "stale": [actions.field_label(model, name) for name in stale],
        "reason_form": extra.pop("reason_form", None) or ReasonForm(),
        "target_url": (
            reverse("atlas:project", args=[target.slug])
            if isinstance(target, Project) and target.published
            else ""
        ),
        **crumbs(correction.object_title, corrections_crumb()),
        **extra,
    }


@login_required
def correction_detail(request, uuid):
    correction = corrections.get_or_404(request, "view", uuid=uuid)
    return render(request, "correspondents/correction.html", _detail_context(request, correction))


@login_required
@require_POST
def correction_accept(request, uuid):
    correction = corrections.get_or_404(request, "view", uuid=uuid)
    corrections.require(request, "decide", correction)
    try:
        actions.accept(correction, by=request.user)
    except actions.CorrectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Correction acceptée : la fiche est modifiée et son historique le dit."))
    return redirect("correspondents:correction", correction.uuid)


@login_required
@require_POST
def correction_refuse(request, uuid):
    correction = corrections.get_or_404(request, "view", uuid=uuid)
    corrections.require(request, "decide", correction)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, correction, reason_form=form)
        return render(request, "correspondents/correction.html", context, status=400)
    try:
        actions.refuse(correction, form.cleaned_data["reason"], by=request.user)
    except actions.CorrectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Correction refusée ; le correspondant en est informé."))
    return redirect("correspondents:correction", correction.uuid)
