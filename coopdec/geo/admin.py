"""Reference geography in the admin: searchable and filterable, but read-only.

These tables are loaded by ``manage.py load_reference`` from versioned packages (docs/data.md); an edit
made here would be silently undone by the next load, so the admin only lets staff look things up.
"""

from django.contrib import admin

from .models import (
    Commune,
    Continent,
    Country,
    DacSector,
    Department,
    Epci,
    ReferenceSource,
    Region,
    Subdivision,
    WorldZone,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages, without add, change or delete: the data has another source of truth."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferenceSource)
class ReferenceSourceAdmin(ReadOnlyAdmin):
    list_display = ["package", "version", "licence", "tables", "loaded_at"]
    search_fields = ["package", "tables"]
    list_filter = ["licence"]


@admin.register(Continent)
class ContinentAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_fr", "name_en"]
    search_fields = ["code", "name_fr", "name_en"]


@admin.register(WorldZone)
class WorldZoneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_fr", "name_en"]
    search_fields = ["code", "name_fr", "name_en"]


@admin.register(Country)
class CountryAdmin(ReadOnlyAdmin):
    list_display = ["iso2", "iso3", "numeric", "name_fr", "name_en", "continent", "zone"]
    list_select_related = ["continent", "zone"]
    list_filter = ["continent", "zone"]
    search_fields = ["iso2", "iso3", "numeric", "name_fr", "name_en"]
    # The outline is a long GeoJSON string: useful in the API and maps, noise on this page.
    exclude = ["outline"]


@admin.register(Subdivision)
class SubdivisionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "name_fr", "type", "country"]
    list_select_related = ["country"]
    list_filter = ["country__continent", "type"]
    search_fields = ["code", "name", "name_fr", "country__name_fr"]
    raw_id_fields = ["country", "parent"]


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "overseas"]
    list_filter = ["overseas"]
    search_fields = ["code", "name"]
    exclude = ["outline"]


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region"]
    list_select_related = ["region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    exclude = ["outline"]


@admin.register(Epci)
class EpciAdmin(ReadOnlyAdmin):
    list_display = ["siren", "name", "kind", "population"]
    list_filter = ["kind"]
    search_fields = ["siren", "name"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["insee", "name", "department", "epci", "population"]
    list_select_related = ["department", "epci"]
    list_filter = ["department__region"]
    search_fields = ["insee", "name"]
    # 35,000 communes and 1,250 EPCI: a drop-down would load them all on every page.
    raw_id_fields = ["department", "epci"]
    show_full_result_count = False


@admin.register(DacSector)
class DacSectorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "category"]
    search_fields = ["code", "name_en"]
    list_filter = ["category"]
