from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is consulted, never edited."""

    list_display = ["at", "kind", "username", "ip", "target"]
    list_filter = ["kind"]
    search_fields = ["username", "target", "ip"]
    date_hierarchy = "at"
    readonly_fields = ["at", "kind", "user", "username", "ip", "target", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
