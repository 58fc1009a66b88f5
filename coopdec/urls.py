from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Portail de la coopération décentralisée — administration")
admin.site.site_title = _("Administration coopdec")
admin.site.index_title = _("Données du portail")

urlpatterns = [
    path("api/v1/", include("coopdec.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    # The API's documentation page and /api/openapi.json, in French at /api/ and in English at /en/api/.
    path("api/", include("coopdec.api.doc_urls")),
    path("compte/", include("coopdec.accounts.urls")),
    # The professional space: the personal tools and inbox, then each part's own pages.
    path("espace/donnees-personnelles/", include("coopdec.orgs.urls")),
    path("espace/", include("coopdec.workspace.urls")),
    path("espace/atlas/", include("coopdec.atlas.space.urls")),
    path("espace/campagnes/", include("coopdec.campaigns.urls")),
    path("correspondants/", include("coopdec.correspondents.urls")),
    path("atlas/recherche/", include("coopdec.search.urls")),
    path("atlas/carte/", include("coopdec.maps.urls")),
    path("", include("coopdec.pages.urls")),
    path("", include("coopdec.atlas.urls")),
    prefix_default_language=False,
)

# 503 with Retry-After when the database is unreachable (a restart, a failover), 500 otherwise.
handler500 = "coopdec.pages.errors.server_error"
