"""The correspondents' records in the back office. Corrections and inventoried partnerships are read-only
here: they are decided on their own pages, which apply them through the sheet's history."""

from django.contrib import admin

from .models import Correction, CorrespondentProfile, InventoriedPartnership


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CorrespondentProfile)
class CorrespondentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "public_email", "public_phone", "updated_at"]
    search_fields = ["user__username", "user__last_name", "public_email"]
    raw_id_fields = ["user"]


@admin.register(Correction)
class CorrectionAdmin(ReadOnly):
    list_display = [
        "object_title",
        "status",
        "proposed_by_label",
        "proposed_at",
        "decided_by_label",
        "decided_at",
    ]
    list_filter = ["status"]
    search_fields = ["object_title", "object_slug", "proposed_by_label"]


@admin.register(InventoriedPartnership)
class InventoriedPartnershipAdmin(ReadOnly):
    list_display = ["partnership_title", "french_authority", "status", "recorded_by_label", "recorded_at"]
    list_select_related = ["french_authority"]
    list_filter = ["status"]
    search_fields = ["partnership_title", "french_authority__name", "recorded_by_label"]
