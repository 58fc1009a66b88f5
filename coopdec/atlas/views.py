"""The public pages of the Atlas: home, browse levels with their figures, project sheets.

Every page runs a fixed number of queries: figures are grouped queries (``figures.py``), lists are
paginated and their related rows fetched with ``select_related`` / ``prefetch_related``.
"""

import functools
import hashlib

from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import Count, F, Max, Prefetch, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coopdec.geo.models import Continent, Country, Department, Region
from coopdec.orgs.models import Organisation

from . import figures as fig
from . import pagecache
from .models import Change, DataLoad, Financing, Participant, Partnership, PartnershipMember, Project, Theme

PER_PAGE = 20


class BadQuery(Exception):
    """A query-string value the page cannot use; its message is shown to the visitor (in French)."""


def friendly_query_errors(view):
    """Answer a bad query-string value with a 400 page that says what is wrong, never a 500."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadQuery as error:
            context = {
                "title": _("Requête incorrecte"),
                "message": str(error),
                **crumbs(_("Requête incorrecte")),
            }
            return render(request, "atlas/bad_query.html", context, status=400)

    return wrapper


def plain_code(code: str) -> str:
    """A code from the URL, refused (404) when it holds a NUL character: no code does, and PostgreSQL
    refuses the character in any query (it was a server error)."""
    if "\x00" in code:
        raise Http404
    return code


def paginate(request, queryset, param: str = "page", per_page: int = PER_PAGE):
    """One page of ``queryset``, from the query-string parameter ``param`` (1 when absent)."""
    raw = request.GET.get(param, "1")
    paginator = Paginator(queryset, per_page)
    try:
        page = paginator.page(raw)
    except PageNotAnInteger:
        raise BadQuery(
            _("Le numéro de page « %(value)s » n'est pas un nombre entier positif.") % {"value": raw}
        ) from None
    except EmptyPage:
        raise BadQuery(
            _("La page %(value)s n'existe pas : cette liste compte %(pages)s page(s).")
            % {"value": raw, "pages": paginator.num_pages}
        ) from None
    page.param = param
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page


def crumbs(current: str, *links: tuple[str, str]) -> dict:
    """Context for the DSFR breadcrumb: the home page, then ``links`` (title, url), then ``current``."""
    return {
        "breadcrumb_data": {
            "root_dir": reverse("atlas:home"),
            "links": [{"title": title, "url": url} for title, url in links],
            "current": current,
        }
    }


def atlas_crumb() -> tuple[str, str]:
    return (_("Atlas"), reverse("atlas:browse"))


def localized(obj) -> str:
    """The name of a country, continent or theme in the current language."""
    return getattr(obj, fig.name_field())


def project_list(projects):
    """Projects for a list: newest start first, with their partnership and themes in two queries."""
    return (
        projects.select_related("partnership")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("position", "code")))
        .order_by(F("start_date").desc(nulls_last=True), "slug")
    )


def engaged_french(organisations):
    """French authorities with their number of partnerships, projects and partner authorities."""
    return organisations.annotate(
        partnerships=Count("partnership_memberships__partnership", distinct=True),
        projects=Count("partnership_memberships__partnership__projects", distinct=True),
        partners=Count("partnership_memberships__partnership__foreign", distinct=True),
    ).order_by("-projects", "name")


def partnerships_of(partnerships):
    """Partnerships for a list, with their French members (lead first) and foreign partners."""
    return partnerships.prefetch_related(
        Prefetch(
            "french_members",
            queryset=PartnershipMember.objects.select_related("organisation").order_by(
                "-is_lead", "organisation__name"
            ),
        ),
        Prefetch("foreign", queryset=Organisation.objects.select_related("country")),
    ).order_by(F("start_date").desc(nulls_last=True), "slug")


# --- Home and browse -----------------------------------------------------------------------------------


# The home page's figures and latest projects are kept per state of the Atlas's data, and so is the whole
# page for anonymous visitors. Every tracked write appends a history row (``Change``) and every bulk load a
# ``DataLoad`` row, so their last ids name that state in one query on two primary keys. (The search index's
# token would do too, but the Atlas sits below the search and may not read it; nor does a partnership
# without projects reach the index.) What bypasses the history (an organisation's country corrected in
# the admin), or two writes committed out of the order of their ids, shows after HOME_CACHE_SECONDS.
HOME_CACHE_SECONDS = 60


def data_state() -> str:
    """Names the current state of the Atlas's data: changes with every tracked write and bulk load."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {Change._meta.db_table}),"  # noqa: S608 — table names only
            f" (SELECT MAX(id) FROM {DataLoad._meta.db_table}),"
            f" (SELECT MAX(finished_at) FROM {DataLoad._meta.db_table})"
        )
        return ":".join(str(value) for value in cursor.fetchone())


def home_data(state: str) -> dict:
    """The key figures and the latest projects, computed once per data state (not per request)."""
    key = f"atlas:home:{hashlib.blake2b(state.encode(), digest_size=12).hexdigest()}"
    data = cache.get(key)
    if data is None:
        latest = Project.objects.order_by(F("start_date").desc(nulls_last=True), "-pk")[:6]
        data = {"figures": fig.key_figures(), "latest_projects": list(latest)}
        cache.set(key, data, HOME_CACHE_SECONDS)
    return data


def home(request):
    state = data_state()
    return pagecache.anonymous_page(
        request,
        state,
        lambda _whole: render(request, "atlas/home.html", home_data(state)),
        HOME_CACHE_SECONDS,
    )


def browse(request):
    continents = fig.with_figures(
        Continent.objects.order_by(fig.name_field()), fig.continents_table(), "code"
    )
    regions = fig.with_figures(
        Region.objects.order_by("name"), fig.french_areas_table(fig.region_of("organisation__")), "code"
    )
    context = {
        "title": _("Atlas de la coopération décentralisée"),
        "continents": [row for row in continents if row["projects"]],
        "regions": regions,
        "figures": fig.level_figures(fig.level_for_all()),
        **crumbs(_("Atlas")),
    }
    return render(request, "atlas/browse.html", context)


@friendly_query_errors
def continent(request, code):
    continent = get_object_or_404(Continent, code=plain_code(code).upper())
    name = localized(continent)
    context = {
        "title": name,
        "continent": continent,
        "countries": fig.countries_table(continent.code),
        "figures": fig.level_figures(fig.level_for_continent(continent.code)),
        **crumbs(name, atlas_crumb()),
    }
    return render(request, "atlas/continent.html", context)


@friendly_query_errors
def country(request, iso2):
    country = get_object_or_404(Country.objects.select_related("continent"), iso2=plain_code(iso2).upper())
    name = localized(country)
    level = fig.level_for_country(country.iso2)
    foreign = (
        Organisation.objects.foreign_authorities()
        .filter(country=country, foreign_partnerships__isnull=False)
        .annotate(
            projects=Count("foreign_partnerships__projects", distinct=True),
            partners=Count("foreign_partnerships__french_members__organisation", distinct=True),
        )
        .order_by("-projects", "name")
    )
    french = engaged_french(Organisation.objects.filter(pk__in=level.french.values("organisation_id")))
    links = [atlas_crumb()]
    if country.continent:
        links.append(
            (localized(country.continent), reverse("atlas:continent", args=[country.continent.code]))
        )
    context = {
        "title": name,
        "country": country,
        "figures": fig.level_figures(level),
        "foreign_page": paginate(request, foreign, "page_autorites"),
        "french_page": paginate(request, french, "page_collectivites"),
        "projects_page": paginate(
            request,
            project_list(Project.objects.filter(partnership_id__in=level.partnerships)),
            "page_projets",
        ),
        **crumbs(name, *links),
    }
    return render(request, "atlas/country.html", context)


@friendly_query_errors
def foreign_authority(request, slug):
    authority = get_object_or_404(
        Organisation.objects.foreign_authorities().select_related("country__continent", "subdivision"),
        slug=slug,
    )
    level = fig.level_for_foreign_authority(authority.pk)
    links = [atlas_crumb()]
    if authority.country:
        country_name = localized(authority.country)
        if authority.country.continent:
            links.append(
                (
                    localized(authority.country.continent),
                    reverse("atlas:continent", args=[authority.country.continent.code]),
                )
            )
        links.append((country_name, reverse("atlas:country", args=[authority.country.iso2])))
    context = {
        "title": authority.name,
        "authority": authority,
        "figures": fig.level_figures(level),
        "partnerships_page": paginate(
            request, partnerships_of(Partnership.objects.filter(foreign=authority)), "page_partenariats"
        ),
        "projects_page": paginate(
            request,
            project_list(Project.objects.filter(partnership_id__in=level.partnerships)),
            "page_projets",
        ),
        **crumbs(authority.name, *links),
    }
    return render(request, "atlas/foreign_authority.html", context)


@friendly_query_errors
def region(request, code):
    region = get_object_or_404(Region, code=plain_code(code))
    level = fig.level_for_region(region.code)
    members = fig.members_in_region(region.code)
    departments = fig.with_figures(
        region.departments.order_by("code"),
        fig.french_areas_table(fig.department_of("organisation__"), members),
        "code",
    )
    authorities = engaged_french(
        Organisation.objects.filter(pk__in=members.values("organisation_id")).select_related("department")
    )
    context = {
        "title": region.name,
        "region": region,
        "departments": departments,
        "figures": fig.level_figures(level),
        "authorities_page": paginate(request, authorities, "page_collectivites"),
        **crumbs(region.name, atlas_crumb()),
    }
    return render(request, "atlas/region.html", context)


@friendly_query_errors
def department(request, code):
    department = get_object_or_404(Department.objects.select_related("region"), code=plain_code(code).upper())
    level = fig.level_for_department(department.code)
    members = fig.members_in_department(department.code)
    authorities = engaged_french(Organisation.objects.filter(pk__in=members.values("organisation_id")))
    title = str(department)
    context = {
        "title": title,
        "department": department,
        "figures": fig.level_figures(level),
        "authorities_page": paginate(request, authorities, "page_collectivites"),
        "projects_page": paginate(
            request,
            project_list(Project.objects.filter(partnership_id__in=level.partnerships)),
            "page_projets",
        ),
        **crumbs(
            title,
            atlas_crumb(),
            (department.region.name, reverse("atlas:region", args=[department.region.code])),
        ),
    }
    return render(request, "atlas/department.html", context)


@friendly_query_errors
def french_authority(request, slug):
    authority = get_object_or_404(
        Organisation.objects.french_authorities()
        .select_related("commune", "epci")
        .annotate(region_code=fig.region_of(), department_code=fig.department_of()),
        slug=slug,
    )
    # Two small lookups by primary key: the place is computed above, not stored on every authority.
    place_region = (
        Region.objects.filter(code=authority.region_code).first() if authority.region_code else None
    )
    place_department = (
        Department.objects.filter(code=authority.department_code).first()
        if authority.department_code
        else None
    )
    level = fig.level_for_french_authority(authority.pk)
    links = [atlas_crumb()]
    if place_region:
        links.append((place_region.name, reverse("atlas:region", args=[place_region.code])))
    if place_department:
        links.append((str(place_department), reverse("atlas:department", args=[place_department.code])))
    context = {
        "title": authority.name,
        "authority": authority,
        "place_region": place_region,
        "place_department": place_department,
        "figures": fig.level_figures(level),
        "partnerships_page": paginate(
            request,
            partnerships_of(Partnership.objects.filter(french_members__organisation=authority)),
            "page_partenariats",
        ),
        "projects_page": paginate(
            request,
            project_list(Project.objects.filter(partnership_id__in=level.partnerships)),
            "page_projets",
        ),
        **crumbs(authority.name, *links),
    }
    return render(request, "atlas/french_authority.html", context)


# --- The project sheet ---------------------------------------------------------------------------------


# The rendered body of a sheet is cached under its versions: every tracked save of the project or its
# partnership (children included) changes ``version`` or ``updated_at``, and a campaign confirmation
# ``last_confirmed_at``, and so the key. What is not versioned
# with the sheet (an authority or theme renamed) shows after at most SHEET_CACHE_SECONDS. Anonymous visitors
# get the whole page from the cache under the same versions (``pagecache``); others get the page rendered
# around the cached body.
SHEET_CACHE_SECONDS = 300


# What the sheet's cache keys are made of, in the order of ``sheet_stamp``'s row.
# A campaign confirmation sets ``last_confirmed_at`` without a new version: it is part of the stamp too.
STAMP_FIELDS = (
    "title",
    "version",
    "updated_at",
    "partnership__version",
    "partnership__updated_at",
    "last_confirmed_at",
    "partnership__last_confirmed_at",
)
_SLUG_SLOT = "\x00slug"


@functools.cache
def _stamp_sql(alias: str) -> tuple[str, tuple, int]:
    """The SQL of the stamp query, compiled once per database by the ORM from ``Project.objects`` (so it
    keeps the manager's rule on published sheets), with the position of the slug among its parameters."""
    query = Project.objects.filter(slug=_SLUG_SLOT).values_list(*STAMP_FIELDS)[:1].query
    sql, params = query.get_compiler(using=alias).as_sql()
    return sql, tuple(params), params.index(_SLUG_SLOT)


def sheet_stamp(slug: str) -> tuple | None:
    """(title, then the versions, timestamps and confirmation dates of STAMP_FIELDS) of the public sheet
    ``slug``, or None. On a cached sheet, building this query with the ORM cost more than the rest of the
    request: its SQL is compiled once and run with the slug as a parameter."""
    sql, params, slot = _stamp_sql(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params[:slot], slug, *params[slot + 1 :]))
        return cursor.fetchone()


def sheet_version(stamp: tuple) -> str:
    """A short digest of a stamp's versions and timestamps, for the sheet's cache keys. Timestamps are
    taken as the database returns them (text on SQLite): they only need to change with the row."""
    return hashlib.blake2b(repr(stamp[1:]).encode(), digest_size=12).hexdigest()


def project(request, slug):
    stamp = sheet_stamp(slug)
    if stamp is None:
        raise Http404(_("Aucune fiche-projet ne porte cet identifiant."))
    title, version = stamp[0], sheet_version(stamp)

    def build(whole: bool):
        key = f"atlas:sheet:{slug}:{get_language()}:{version}"
        sheet = cache.get(key)
        if sheet is None:
            sheet = project_sheet(slug)
            if not whole:  # else the whole page is cached, the body within it
                cache.set(key, sheet, SHEET_CACHE_SECONDS)
        context = {"title": title, "sheet": sheet["body"], **crumbs(title, *sheet["links"])}
        return render(request, "atlas/project.html", context)

    return pagecache.anonymous_page(request, version, build, SHEET_CACHE_SECONDS)


def project_sheet(slug) -> dict:
    """The sheet's body (HTML) and its breadcrumb links, from a fixed number of queries."""
    project = get_object_or_404(
        Project.objects.select_related("partnership").prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("position", "code")),
            Prefetch(
                "partnership__french_members",
                queryset=PartnershipMember.objects.select_related("organisation").order_by(
                    "-is_lead", "organisation__name"
                ),
            ),
            Prefetch("partnership__foreign", queryset=Organisation.objects.select_related("country")),
            Prefetch("financings", queryset=Financing.objects.select_related("funder")),
            Prefetch("participants", queryset=Participant.objects.select_related("country")),
            "contacts",
            "volunteers",
        ),
        slug=slug,
    )
    financings = Financing.objects.filter(project=project)
    history = Change.objects.filter(project=project).aggregate(last=Max("changed_at"), count=Count("pk"))
    links = [atlas_crumb()]
    lead = next((m.organisation for m in project.partnership.french_members.all() if m.is_lead), None)
    if lead:
        links.append((lead.name, reverse("atlas:french_authority", args=[lead.slug])))
    context = {
        "project": project,
        "by_funder": financings.values(name=F("funder__name"))
        .annotate(total=Sum("amount"))
        .order_by("-total", "name"),
        "by_year": financings.values("year").annotate(total=Sum("amount")).order_by("year"),
        "total": sum_or_zero(financings),
        "history": history,
    }
    # Without the request: the body needs no context processor (they run once, for the whole page).
    return {"body": render_to_string("atlas/_project_sheet.html", context), "links": links}


def sum_or_zero(financings):
    return financings.aggregate(total=Sum("amount"))["total"] or 0
