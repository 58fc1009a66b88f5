"""Publishing, withdrawing and the history of partnerships and project sheets (namespace ``space``).

Publishing and withdrawing go through ``coopdec.atlas.publication`` (the gate, then a tracked save); the
history pages show the ``Change`` rows as readable differences (``diffs``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coopdec.atlas import policies
from coopdec.atlas.history import ConflictError
from coopdec.atlas.models import Change, Project
from coopdec.atlas.publication import PublicationRefused, publish, unpublish
from coopdec.atlas.views import friendly_query_errors, paginate
from coopdec.orgs.policies import actor_for

from .diffs import readable_changes
from .forms import is_plain_number
from .views import changes_since, gate_state, partnership_crumbs, project_crumbs

# --- Publication ------------------------------------------------------------------------------------------


def _publication(request, obj, policy, *, withdraw: bool, detail_url: str, edit_url: str, crumb: dict):
    """Publish or withdraw ``obj``: a confirmation page, then the write (refused with every reason)."""
    actor = actor_for(request)
    status = 200
    conflict = None
    if request.method == "POST":
        raw = request.POST.get("expected_version", "")
        if not is_plain_number(raw):
            messages.error(request, _("Le formulaire est incomplet : rechargez la page avant de l'envoyer."))
            status = 400
        else:
            expected = int(raw)
            try:
                (unpublish if withdraw else publish)(obj, by=request.user, expected_version=expected)
            except PublicationRefused:
                status = 400
                obj.refresh_from_db()
            except ConflictError:
                status = 409
                obj.refresh_from_db()
                conflict = readable_changes(changes_since(obj, expected))
            else:
                if withdraw:
                    messages.success(request, _("Retiré de la publication : c'est de nouveau un brouillon."))
                else:
                    messages.success(request, _("Publié : visible de tous sur l'Atlas."))
                return redirect(detail_url)
    if withdraw:
        title = _("Retirer de la publication")
    else:
        title = _("Publier")
    context = {
        "title": title,
        "object": obj,
        "withdraw": withdraw,
        "gate": gate_state(actor, obj, policy),
        "conflict": conflict,
        "detail_url": detail_url,
        "edit_url": edit_url,
        **crumb,
    }
    return render(request, "space/publication.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_publish(request, slug, withdraw=False):
    project = policies.projects.get_or_404(
        request, "publish", queryset=Project.all_objects.select_related("partnership"), slug=slug
    )
    title = _("Retirer de la publication") if withdraw else _("Publier")
    return _publication(
        request,
        project,
        policies.projects,
        withdraw=withdraw,
        detail_url=reverse("space:project", args=[project.slug]),
        edit_url=reverse("space:project_edit", args=[project.slug]),
        crumb=project_crumbs(title, project),
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_publish(request, slug, withdraw=False):
    partnership = policies.partnerships.get_or_404(request, "publish", slug=slug)
    title = _("Retirer de la publication") if withdraw else _("Publier")
    return _publication(
        request,
        partnership,
        policies.partnerships,
        withdraw=withdraw,
        detail_url=reverse("space:partnership", args=[partnership.slug]),
        edit_url=reverse("space:partnership_edit", args=[partnership.slug]),
        crumb=partnership_crumbs(title, partnership),
    )


# --- History ----------------------------------------------------------------------------------------------


@friendly_query_errors
def _history(request, obj, *, changes, detail_url: str | None, crumb: dict):
    page = paginate(request, changes.select_related("changed_by").order_by("-version", "-pk"))
    context = {
        "title": _("Historique : %(title)s") % {"title": obj.title},
        "object": obj,
        "page": page,
        "changes": readable_changes(page.object_list),
        "detail_url": detail_url,
        **crumb,
    }
    return render(request, "space/history.html", context)


@login_required
@require_GET
def project_history(request, slug):
    project = policies.projects.get_or_404(request, "history", slug=slug)
    may_edit = policies.projects.check(actor_for(request), "edit", project)
    return _history(
        request,
        project,
        changes=Change.objects.filter(project=project),
        detail_url=reverse("space:project", args=[slug]) if may_edit else None,
        crumb=project_crumbs(_("Historique"), project if may_edit else None),
    )


@login_required
@require_GET
def partnership_history(request, slug):
    partnership = policies.partnerships.get_or_404(request, "view", slug=slug)
    may_edit = policies.partnerships.check(actor_for(request), "edit", partnership)
    return _history(
        request,
        partnership,
        changes=Change.objects.filter(partnership=partnership),
        detail_url=reverse("space:partnership", args=[slug]) if may_edit else None,
        crumb=partnership_crumbs(_("Historique"), partnership if may_edit else None),
    )
