"""The professional space's pages for partnerships and project sheets (namespace ``space``).

Every page needs a signed-in person and goes through the access policies of ``coopdec.atlas.policies``:
a sheet that does not exist and a sheet the person may not see give the same 404 (``get_or_404``), lists
are filtered by the same rules (``queryset``). Writes go through ``save_tracked`` (edits) and
``coopdec.atlas.publication`` (publish, unpublish), so that each is versioned and kept in the history.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coopdec.atlas import policies
from coopdec.atlas.history import ConflictError
from coopdec.atlas.models import Change, Partnership, PartnershipMember, Project
from coopdec.atlas.publication import (
    publication_errors,
    unpublication_errors,
)
from coopdec.atlas.views import BadQuery, friendly_query_errors, paginate
from coopdec.audit.log import record
from coopdec.audit.models import AuditEvent
from coopdec.orgs.models import Organisation
from coopdec.orgs.policies import ALLOWED, NOT_SIGNED_IN, Actor, Decision, actor_for, refused

from .diffs import readable_changes
from .forms import FORMSETS, NUL, NUL_MESSAGE, PartnershipSheet, ProjectSheet, is_plain_number, quiet
from .merge import merge_untouched
from .preview import sheet_context
from .tasks import tasks_for

SEARCH_MAX_LENGTH = 100
LOOKUP_LIMIT = 12
# The values the "state" filter of the lists accepts (never passed to the ORM as they come).
STATES = {"brouillon": False, "publie": True}


def crumbs(current: str, *links: tuple[str, str]) -> dict:
    """The DSFR breadcrumb of a page of the space: the space's home, then ``links``, then ``current``."""
    return {
        "breadcrumb_data": {
            "root_dir": reverse("atlas:home"),
            "links": [{"title": _("Mon espace Atlas"), "url": reverse("space:home")}]
            + [{"title": title, "url": url} for title, url in links],
            "current": current,
        }
    }


def may_create(actor: Actor) -> Decision:
    """Who may start a new partnership: agents of a French local authority and DAECT staff."""
    if not actor.is_authenticated:
        return refused(NOT_SIGNED_IN)
    if actor.is_daect or actor.authority_ids:
        return ALLOWED
    return refused(_("Seuls les agents d'une collectivité territoriale et la DAECT créent des partenariats."))


def refusal(request, decision: Decision, target: str):
    """A 403 page that says why, written to the audit log like the policies' refusals."""
    record(
        AuditEvent.Kind.PERMISSION_DENIED,
        request=request,
        target=target,
        reason=decision.reason,
        path=request.path[:300],
    )
    context = {
        "title": _("Action non autorisée"),
        "reason": decision.reason,
        **crumbs(_("Action non autorisée")),
    }
    return render(request, "space/refused.html", context, status=403)


# --- Home and lists ---------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    actor = actor_for(request)
    projects = policies.projects.queryset(actor, "edit")
    context = {
        "title": _("Mon espace Atlas"),
        "organisations": list(
            Organisation.objects.filter(pk__in=actor.organisation_ids).order_by("name")[:20]
        ),
        "partnership_count": policies.partnerships.queryset(actor, "edit").count(),
        "project_count": projects.count(),
        "draft_count": projects.filter(published=False).count(),
        "tasks": tasks_for(actor),
        "may_create": may_create(actor),
        "breadcrumb_data": {"root_dir": reverse("atlas:home"), "links": [], "current": _("Mon espace Atlas")},
    }
    return render(request, "space/home.html", context)


def _search_and_state(request, queryset):
    query = request.GET.get("q", "").strip()
    if len(query) > SEARCH_MAX_LENGTH:
        raise BadQuery(_("La recherche est limitée à %(n)s caractères.") % {"n": SEARCH_MAX_LENGTH})
    if NUL in query:
        raise BadQuery(str(NUL_MESSAGE))
    if query:
        queryset = queryset.filter(title__icontains=query)
    state = request.GET.get("etat", "")
    if state and state not in STATES:
        raise BadQuery(_("L'état « %(value)s » n'existe pas : brouillon ou publie.") % {"value": state[:40]})
    if state:
        queryset = queryset.filter(published=STATES[state])
    return queryset, query, state


@login_required
@require_GET
@friendly_query_errors
def partnership_list(request):
    actor = actor_for(request)
    queryset, query, state = _search_and_state(request, policies.partnerships.queryset(actor, "edit"))
    lead = PartnershipMember.objects.filter(partnership=OuterRef("pk"), is_lead=True)
    queryset = queryset.annotate(lead_name=Subquery(lead.values("organisation__name")[:1])).order_by(
        "-updated_at", "pk"
    )
    context = {
        "title": _("Mes partenariats"),
        "page": paginate(request, queryset),
        "query": query,
        "state": state,
        "may_create": may_create(actor),
        **crumbs(_("Mes partenariats")),
    }
    return render(request, "space/partnership_list.html", context)


@login_required
@require_GET
@friendly_query_errors
def project_list(request):
    actor = actor_for(request)
    queryset, query, state = _search_and_state(request, policies.projects.queryset(actor, "edit"))
    lead = PartnershipMember.objects.filter(partnership=OuterRef("partnership_id"), is_lead=True)
    queryset = (
        queryset.select_related("partnership")
        .annotate(lead_name=Subquery(lead.values("organisation__name")[:1]))
        .order_by("-updated_at", "pk")
    )
    context = {
        "title": _("Mes fiches-projets"),
        "page": paginate(request, queryset),
        "query": query,
        "state": state,
        **crumbs(_("Mes fiches-projets")),
    }
    return render(request, "space/project_list.html", context)


@login_required
@require_GET
def lookup(request, kind):
    """Type-ahead suggestions of French or foreign authorities (an htmx fragment of "add" buttons)."""
    if kind == "francaises":
        queryset, field = Organisation.objects.french_authorities().select_related("department"), "add_french"
        query = request.GET.get("french_query", "")
    elif kind == "etrangeres":
        queryset, field = Organisation.objects.foreign_authorities().select_related("country"), "add_foreign"
        query = request.GET.get("foreign_query", "")
    else:
        raise Http404
    suggestions = search_organisations(queryset, query)
    return render(
        request,
        "space/_lookup.html",
        {"suggestions": suggestions, "field": field, "query": query.strip(), "kind": kind},
    )


def search_organisations(queryset, query: str) -> list[Organisation]:
    query = query.strip()[:SEARCH_MAX_LENGTH]
    if len(query) < 2 or NUL in query:
        return []
    return list(queryset.filter(name__icontains=query).order_by("name")[:LOOKUP_LIMIT])


# --- Editing (shared by partnerships and project sheets) -----------------------------------------------


def changes_since(instance, version: int):
    key = "project" if isinstance(instance, Project) else "partnership"
    return (
        Change.objects.filter(**{key: instance}, version__gt=version)
        .select_related("changed_by")
        .order_by("version")
    )


def _edit(request, *, instance, make, template: str, context: dict, done_url):
    """The editing flow of a partnership or a sheet, new or existing.

    - "Enregistrer": validate everything; save through ``save_tracked`` with the version the person started
      from; a stale version gives the conflict page (409): the person's own values are shown again, with
      what others changed meanwhile, and the form now carries the current version so that saving again
      applies their values over it, knowingly.
    - "Ajouter une ligne", "Rechercher", "Ajouter" (an authority): the form is shown again with the
      person's values and nothing is saved.
    """
    if request.method != "POST":
        return render(request, template, {**context, "sheet": make(None, instance)})
    post = request.POST
    if "_save" not in post:
        data = post.copy()
        more = post.get("_more", "")
        if more in FORMSETS:
            key = f"{more}-TOTAL_FORMS"
            total = str(data.get(key, "0"))
            data[key] = str(int(total) + 1) if is_plain_number(total, max_digits=4) else "1"
        for name in ("add_french", "add_foreign"):
            if post.get(name):
                data.appendlist(name.removeprefix("add_"), post[name])
        sheet = make(data, instance)
        quiet(*sheet.parts)
        suggestions = {}
        if "_lookup" in post:
            suggestions = {
                "french_suggestions": search_organisations(
                    Organisation.objects.french_authorities().select_related("department"),
                    post.get("french_query", ""),
                ),
                "foreign_suggestions": search_organisations(
                    Organisation.objects.foreign_authorities().select_related("country"),
                    post.get("foreign_query", ""),
                ),
            }
        return render(request, template, {**context, "sheet": sheet, "unsaved": True, **suggestions})

    sheet = make(post, instance)
    expected = sheet.form.submitted_version()
    if instance.pk is not None:
        if expected is None:
            messages.error(request, _("Le formulaire est incomplet : rechargez la page avant de l'envoyer."))
            return render(request, template, {**context, "sheet": sheet}, status=400)
        if expected != instance.version:
            return _conflict(request, instance, make, expected, template, context)
    if not sheet.is_valid():
        messages.error(request, _("La fiche n'a pas été enregistrée : corrigez les erreurs signalées."))
        return render(request, template, {**context, "sheet": sheet}, status=400)
    try:
        change = sheet.save_tracked(by=request.user, expected_version=expected if instance.pk else None)
    except ConflictError as error:
        return _conflict(request, instance, make, error.expected_version, template, context)
    saved = sheet.form.instance
    if change is None:
        messages.info(request, _("Aucune modification : rien n'a été enregistré."))
    else:
        messages.success(request, _("Enregistré (version %(version)s).") % {"version": saved.version})
    return redirect(done_url(saved))


def _conflict(request, instance, make, expected: int, template: str, context: dict):
    """The form shown again after a refused stale save: the person's values (merged with others' changes
    to the fields they had not touched, see ``merge``), and what changed meanwhile."""
    fresh = type(instance).all_objects.get(pk=instance.pk)
    changes = list(changes_since(fresh, expected))
    data = request.POST.copy()
    data["expected_version"] = str(fresh.version)
    merged = merge_untouched(data, make(None, fresh).form, fresh, changes)
    sheet = make(data, fresh)
    quiet(*sheet.parts)
    context = {
        **context,
        "sheet": sheet,
        "conflict": readable_changes(changes),
        "conflict_versions": {"expected": expected, "current": fresh.version},
        "merged": merged,
    }
    return render(request, template, context, status=409)


def gate_state(actor: Actor, obj, policy) -> dict:
    """What the publication buttons of ``obj`` show: may the person publish, and what is missing."""
    decision = policy.check(actor, "publish", obj)
    if obj.published:
        return {"decision": decision, "errors": [], "withdraw_errors": unpublication_errors(obj)}
    return {"decision": decision, "errors": publication_errors(obj), "withdraw_errors": []}


# --- Partnerships ---------------------------------------------------------------------------------------


def partnership_crumbs(current: str, partnership: Partnership | None = None) -> dict:
    links = [(_("Mes partenariats"), reverse("space:partnerships"))]
    if partnership is not None:
        links.append((partnership.title, reverse("space:partnership", args=[partnership.slug])))
    return crumbs(current, *links)


def _make_partnership(actor):
    def make(data, instance):
        return PartnershipSheet(data, instance=instance, actor=actor)

    return make


def _partnership_done(partnership):
    return reverse("space:partnership", args=[partnership.slug])


@login_required
@require_http_methods(["GET", "POST"])
def partnership_create(request):
    actor = actor_for(request)
    decision = may_create(actor)
    if not decision:
        return refusal(request, decision, "atlas.partnership:nouveau")
    context = {"title": _("Nouveau partenariat"), **partnership_crumbs(_("Nouveau partenariat"))}
    instance = Partnership(published=False)
    return _edit(
        request,
        instance=instance,
        make=_make_partnership(actor),
        template="space/partnership_form.html",
        context=context,
        done_url=_partnership_done,
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request, slug):
    partnership = policies.partnerships.get_or_404(request, "edit", slug=slug)
    title = _("Modifier le partenariat")
    context = {
        "title": title,
        "object": partnership,
        "gate": gate_state(actor_for(request), partnership, policies.partnerships),
        **partnership_crumbs(title, partnership),
    }
    return _edit(
        request,
        instance=partnership,
        make=_make_partnership(actor_for(request)),
        template="space/partnership_form.html",
        context=context,
        done_url=_partnership_done,
    )


@login_required
@require_GET
def partnership_detail(request, slug):
    actor = actor_for(request)
    partnership = policies.partnerships.get_or_404(
        request,
        "edit",
        queryset=Partnership.all_objects.prefetch_related("foreign__country"),
        slug=slug,
    )
    members = PartnershipMember.objects.filter(partnership=partnership).select_related("organisation")
    context = {
        "title": partnership.title,
        "partnership": partnership,
        "members": members.order_by("-is_lead", "organisation__name"),
        "projects": Project.all_objects.filter(partnership=partnership).order_by("title"),
        "gate": gate_state(actor, partnership, policies.partnerships),
        "change_count": Change.objects.filter(partnership=partnership).count(),
        **partnership_crumbs(partnership.title),
    }
    return render(request, "space/partnership_detail.html", context)


# --- Project sheets ------------------------------------------------------------------------------------


def project_crumbs(current: str, project: Project | None = None) -> dict:
    links = [(_("Mes fiches-projets"), reverse("space:projects"))]
    if project is not None:
        links.append((project.title, reverse("space:project", args=[project.slug])))
    return crumbs(current, *links)


def _make_project(data, instance):
    return ProjectSheet(data, instance=instance)


def _project_done(project):
    return reverse("space:project", args=[project.slug])


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request, slug):
    """A new sheet, in a partnership the person may edit."""
    partnership = policies.partnerships.get_or_404(request, "edit", slug=slug)
    title = _("Nouvelle fiche-projet")
    context = {
        "title": title,
        "partnership": partnership,
        **partnership_crumbs(title, partnership),
    }
    instance = Project(partnership=partnership, published=False)
    return _edit(
        request,
        instance=instance,
        make=_make_project,
        template="space/project_form.html",
        context=context,
        done_url=_project_done,
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, slug):
    project = policies.projects.get_or_404(
        request, "edit", queryset=Project.all_objects.select_related("partnership"), slug=slug
    )
    title = _("Modifier la fiche-projet")
    context = {
        "title": title,
        "object": project,
        "partnership": project.partnership,
        "gate": gate_state(actor_for(request), project, policies.projects),
        **project_crumbs(title, project),
    }
    return _edit(
        request,
        instance=project,
        make=_make_project,
        template="space/project_form.html",
        context=context,
        done_url=_project_done,
    )


@login_required
@require_GET
def project_detail(request, slug):
    actor = actor_for(request)
    project = policies.projects.get_or_404(
        request,
        "edit",
        queryset=Project.all_objects.select_related("partnership").prefetch_related("themes"),
        slug=slug,
    )
    context = {
        "title": project.title,
        "project": project,
        "gate": gate_state(actor, project, policies.projects),
        "change_count": Change.objects.filter(project=project).count(),
        "counts": {
            "financings": project.financings.count(),
            "participants": project.participants.count(),
            "contacts": project.contacts.count(),
            "volunteers": project.volunteers.count(),
        },
        **project_crumbs(project.title),
    }
    return render(request, "space/project_detail.html", context)


@login_required
@require_GET
def project_preview(request, slug):
    """The sheet as it will look once published, for the people allowed to see it (drafts included)."""
    project = policies.projects.get_or_404(request, "view", slug=slug)
    context = {
        **sheet_context(project),
        "title": _("Aperçu : %(title)s") % {"title": project.title},
        "may_edit": policies.projects.check(actor_for(request), "edit", project),
        **project_crumbs(_("Aperçu"), project),
    }
    return render(request, "space/preview.html", context)
