"""Campaigns in the back office: read-only. They are opened, followed and closed on their own pages
(/espace/campagnes/), where the confirmation step and the rules live."""

from django.contrib import admin

from .models import Campaign, Confirmation, Reminder


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnly):
    list_display = ["year", "is_open", "closes_on", "opened_at", "closed_at"]


@admin.register(Confirmation)
class ConfirmationAdmin(ReadOnly):
    list_display = ["campaign", "organisation", "item", "object_slug", "confirmed_by_label", "confirmed_at"]
    list_select_related = ["campaign", "organisation"]
    list_filter = ["campaign__year", "item"]
    search_fields = ["organisation__name", "object_slug", "confirmed_by_label"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnly):
    list_display = ["campaign", "organisation", "days_before", "recipients", "sent_at"]
    list_select_related = ["campaign", "organisation"]
    list_filter = ["campaign__year", "days_before"]
    search_fields = ["organisation__name"]
