"""The personal space: the task inbox, saved searches and maps, saved extractions.

Every page asks for a signed-in person; every saved item is reached through its policy (``policies.py``),
so another person's item answers 404, as one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coopdec.exports.formats import CONTENT_TYPES
from coopdec.orgs.models import Membership, Organisation
from coopdec.orgs.policies import actor_for

from . import extractions as extraction_files
from . import saved
from .forms import ExtractionForm, NameForm
from .inbox import inbox_for
from .models import Extraction, SavedSearch
from .policies import extractions, saved_searches

RECENT = 5  # saved items shown on the home page


def _crumbs(current: str, *links: tuple[str, str]) -> dict:
    home = (_("Mon espace"), reverse("workspace:home"))
    return {
        "breadcrumb_data": {
            "root_dir": reverse("atlas:home"),
            "links": [{"title": title, "url": url} for title, url in (home, *links)],
            "current": current,
        }
    }


def account_url() -> str | None:
    try:
        return reverse("accounts:account")
    except NoReverseMatch:  # "Mon compte" belongs to the accounts app
        return None


def organisation_url(organisation: Organisation) -> str | None:
    if organisation.is_french_authority:
        return reverse("atlas:french_authority", args=[organisation.slug])
    if organisation.kind == Organisation.Kind.FOREIGN_AUTHORITY:
        return reverse("atlas:foreign_authority", args=[organisation.slug])
    return None


def _menu(request, current: str) -> list[dict]:
    items = [
        ("home", _("Tâches en attente"), reverse("workspace:home")),
        ("saved", _("Recherches et cartes"), reverse("workspace:saved_list")),
        ("extractions", _("Extractions"), reverse("workspace:extraction_list")),
    ]
    # The other parts of the professional space, by what the person's roles let them do there.
    actor = actor_for(request)
    if actor.authority_ids or actor.is_daect:
        items.append(("space", _("Fiches de l'Atlas et organisation"), reverse("space:home")))
        items.append(("campaigns", _("Campagne de mise à jour"), reverse("campaigns:index")))
    if actor.correspondent_countries or actor.authority_ids or actor.is_daect:
        items.append(("corrections", _("Corrections proposées"), reverse("correspondents:corrections")))
        items.append(("inventory", _("Partenariats inventoriés"), reverse("correspondents:inventory")))
    if actor.correspondent_countries or actor.is_daect:
        items.append(
            ("coordination", _("Coordination par territoire"), reverse("correspondents:coordination_index"))
        )
    if actor.correspondent_countries:
        items.append(("profile", _("Mes coordonnées publiques"), reverse("correspondents:profile")))
    if actor.is_daect:
        items.append(("privacy", _("Données personnelles"), reverse("orgs:personal_data")))
        items.append(("admin", _("Administration"), reverse("admin:index")))
    menu = [{"key": key, "label": label, "url": url, "current": key == current} for key, label, url in items]
    url = account_url()
    if url:
        menu.append({"key": "account", "label": _("Mon compte"), "url": url, "current": False})
    return menu


def _page(request, template: str, current: str, context: dict, status: int = 200):
    context.setdefault("menu", _menu(request, current))
    return render(request, template, context, status=status)


# ------------------------------------------------------------------------------------------------ home


@login_required
@require_GET
def home(request):
    actor = actor_for(request)
    inbox = inbox_for(actor)
    memberships = [
        {"membership": m, "url": organisation_url(m.organisation)}
        for m in Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    ]
    context = {
        "title": _("Mon espace"),
        "breadcrumb_data": {"root_dir": reverse("atlas:home"), "links": [], "current": _("Mon espace")},
        "inbox": inbox,
        "memberships": memberships,
        "account_url": account_url(),
        "saved": list(saved_searches.queryset(actor, "view")[:RECENT]),
        "extractions": list(extractions.queryset(actor, "download")[:RECENT]),
    }
    return _page(request, "workspace/home.html", "home", context)


# ------------------------------------------------------------------------------------- saved searches


@login_required
@require_GET
def saved_list(request):
    actor = actor_for(request)
    items = list(saved_searches.queryset(actor, "view"))
    context = {
        "title": _("Mes recherches et cartes"),
        **_crumbs(_("Recherches et cartes")),
        "searches": [s for s in items if s.kind == SavedSearch.Kind.SEARCH],
        "maps": [s for s in items if s.kind == SavedSearch.Kind.MAP],
        "search_url": reverse("search:index"),
        "map_url": reverse("maps:index"),
    }
    return _page(request, "workspace/saved_list.html", "saved", context)


@login_required
@require_http_methods(["GET", "POST"])
def save(request):
    """Name and keep the search (or map) whose criteria ride in the query string.

    The search page's results sit inside its own GET form, where a POST form cannot be nested: its
    "Sauvegarder" button is a link here, and this page posts the same query string with a name.
    """
    kind = request.GET.get("type") or SavedSearch.Kind.SEARCH
    checked = saved.check(request.GET, kind)
    lines = saved.describe(checked.params)
    form = NameForm(
        # Bound on every POST, an empty one included: it is refused with the form's errors.
        request.POST if request.method == "POST" else None,
        owner=request.user,
        kind=checked.kind,
        initial={"name": saved.suggested_name(lines, checked.kind)},
    )
    if request.method == "POST" and not checked.errors and form.is_valid():
        now = timezone.now()
        item = SavedSearch.objects.create(
            owner=request.user,
            kind=checked.kind,
            name=form.cleaned_data["name"],
            query=checked.query,
            view=checked.view,
            alert=form.cleaned_data["alert"],
            alert_since=now if form.cleaned_data["alert"] else None,
            language=translation.get_language() or "fr",
        )
        messages.success(request, _("« %(name)s » est enregistrée dans votre espace.") % {"name": item.name})
        return redirect(item)
    status = 400 if request.method == "POST" else 200
    context = {
        "title": _("Sauvegarder une carte")
        if checked.kind == SavedSearch.Kind.MAP
        else _("Sauvegarder une recherche"),
        **_crumbs(_("Sauvegarder"), (_("Recherches et cartes"), reverse("workspace:saved_list"))),
        "kind": checked.kind,
        "errors": checked.errors,
        "lines": lines,
        "view_label": _view_label(checked.view),
        "form": form,
        "action": request.get_full_path(),
        "back_url": _target(checked),
    }
    return _page(request, "workspace/save.html", "saved", context, status=status)


def _view_label(view: str) -> str:
    return {
        "monde": _("Monde"),
        "regions": _("France : régions"),
        "departements": _("France : départements"),
    }.get(view, "")


def _target(checked: saved.Checked) -> str:
    item = SavedSearch(kind=checked.kind, query=checked.query, view=checked.view)
    return item.target_url()


@login_required
@require_http_methods(["GET", "POST"])
def saved_detail(request, uuid):
    """A saved search: its criteria, open it, rename it, its alert, its extractions."""
    item = saved_searches.get_or_404(request, "view", uuid=uuid)
    form = NameForm(
        # Bound on every POST, an empty one included: it is refused with the form's errors.
        request.POST if request.method == "POST" else None,
        owner=request.user,
        kind=item.kind,
        instance=item,
        initial={"name": item.name, "alert": item.alert},
    )
    if request.method == "POST":
        saved_searches.require(request, "edit", item)
        if form.is_valid():
            alert = form.cleaned_data["alert"]
            if alert and not item.alert:
                # Alerts start from now: turning one on never mails the whole past.
                item.alert_since = timezone.now()
            item.name = form.cleaned_data["name"]
            item.alert = alert
            item.save(update_fields=["name", "alert", "alert_since", "updated_at"])
            messages.success(request, _("Modifications enregistrées."))
            return redirect(item)
    checked = saved.check_saved(item)
    context = {
        "title": item.name,
        **_crumbs(item.name, (_("Recherches et cartes"), reverse("workspace:saved_list"))),
        "item": item,
        "errors": checked.errors,
        "lines": saved.describe(checked.params),
        "view_label": _view_label(item.view),
        "form": form,
        "extraction_form": ExtractionForm(),
        "item_extractions": list(
            extractions.queryset(actor_for(request), "download").filter(saved_search=item)
        ),
    }
    status = 400 if request.method == "POST" else 200
    return _page(request, "workspace/saved_detail.html", "saved", context, status=status)


@login_required
@require_GET
def saved_open(request, uuid):
    item = saved_searches.get_or_404(request, "view", uuid=uuid)
    return HttpResponseRedirect(item.target_url())


@login_required
@require_http_methods(["GET", "POST"])
def saved_delete(request, uuid):
    item = saved_searches.get_or_404(request, "delete", uuid=uuid)
    if request.method == "POST":
        name = item.name
        item.delete()
        messages.success(request, _("« %(name)s » a été supprimée.") % {"name": name})
        return redirect("workspace:saved_list")
    context = {
        "title": _("Supprimer « %(name)s »") % {"name": item.name},
        **_crumbs(
            _("Supprimer"),
            (_("Recherches et cartes"), reverse("workspace:saved_list")),
            (item.name, item.get_absolute_url()),
        ),
        "item": item,
        "extraction_count": item.extractions.count(),
    }
    return _page(request, "workspace/saved_delete.html", "saved", context)


@login_required
@require_POST
def extract(request, uuid):
    item = saved_searches.get_or_404(request, "extract", uuid=uuid)
    form = ExtractionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un format parmi CSV, XLSX et GeoJSON : rien n'a été créé."))
        return redirect(item)
    try:
        extraction = extraction_files.extract(item, form.cleaned_data["format"])
    except extraction_files.ExtractionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(item)
    messages.success(
        request,
        ngettext(
            "Extraction prête : %(rows)s projet, %(size)s.",
            "Extraction prête : %(rows)s projets, %(size)s.",
            extraction.rows,
        )
        % {"rows": extraction.rows, "size": filesizeformat(extraction.size)},
    )
    return redirect("workspace:extraction_list")


# ---------------------------------------------------------------------------------------- extractions


@login_required
@require_GET
def extraction_list(request):
    actor = actor_for(request)
    items = list(extractions.queryset(actor, "download").select_related("saved_search"))
    files = len(items)
    used = sum(item.size for item in items)
    context = {
        "title": _("Mes extractions"),
        **_crumbs(_("Extractions")),
        "items": items,
        "files": files,
        "used": used,
        "max_files": extraction_files.max_count(),
        "max_size": extraction_files.max_bytes(),
        "full": files >= extraction_files.max_count() or used >= extraction_files.max_bytes(),
    }
    return _page(request, "workspace/extraction_list.html", "extractions", context)


def download_name(item: Extraction) -> str:
    stem = slugify(item.name)[:80] or "extraction"
    return f"{stem}-{timezone.localtime(item.created_at):%Y%m%d-%H%M}.{item.format}"


@login_required
@require_GET
def extraction_download(request, uuid):
    item = extractions.get_or_404(request, "download", uuid=uuid)
    path = item.path
    if not path.is_file():
        raise Http404(_("Le fichier de cette extraction n'est plus disponible."))
    response = FileResponse(
        open(path, "rb"),  # FileResponse closes it
        as_attachment=True,
        filename=download_name(item),
        content_type=CONTENT_TYPES[item.format],
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def extraction_delete(request, uuid):
    item = extractions.get_or_404(request, "delete", uuid=uuid)
    if request.method == "POST":
        extraction_files.delete(item)
        messages.success(request, _("L'extraction « %(name)s » a été supprimée.") % {"name": item.name})
        return redirect("workspace:extraction_list")
    context = {
        "title": _("Supprimer l'extraction « %(name)s »") % {"name": item.name},
        **_crumbs(_("Supprimer"), (_("Extractions"), reverse("workspace:extraction_list"))),
        "item": item,
    }
    return _page(request, "workspace/extraction_delete.html", "extractions", context)
