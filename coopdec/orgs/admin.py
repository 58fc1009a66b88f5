from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "country", "department", "level", "last_confirmed_at"]
    list_select_related = ["country", "department"]
    list_filter = ["kind", "level", "country__continent", "region"]
    search_fields = ["name", "slug", "code"]
    # Communes (35,000), subdivisions (5,000) and countries are looked up by typing, not listed in full.
    autocomplete_fields = ["region", "department", "commune", "epci", "country", "subdivision", "countries"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "website", "last_confirmed_at"]}),
        (
            _("Collectivité française"),
            {"fields": ["code", "region", "department", "commune", "epci"]},
        ),
        (
            _("Autorité étrangère"),
            {
                "fields": [
                    "country",
                    "subdivision",
                    "level",
                    "geonames_id",
                    "population",
                    "latitude",
                    "longitude",
                ]
            },
        ),
        (_("Ambassade"), {"fields": ["countries"]}),
    ]
