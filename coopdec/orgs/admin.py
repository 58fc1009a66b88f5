"""Organisations and roles in the back office (open to DAECT staff only: see coopdec/orgs/adminsite.py).

Memberships are granted (pending → active) and revoked (deleted, after the admin's confirmation page) with the
list's actions or the change form; every grant, revocation and change of role goes through
coopdec/orgs/roles.py, which writes it to the audit log.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import roles
from .models import Membership, Organisation, OrganisationContact


class OrganisationContactInline(admin.TabularInline):
    model = OrganisationContact
    fields = ["position", "category", "name", "function", "email", "phone"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "country", "department", "level", "last_confirmed_at"]
    list_select_related = ["country", "department"]
    list_filter = ["kind", "level", "country__continent", "region"]
    search_fields = ["name", "slug", "code"]
    # Communes (35,000), subdivisions (5,000) and countries are looked up by typing, not listed in full.
    autocomplete_fields = ["region", "department", "commune", "epci", "country", "subdivision", "countries"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationContactInline]
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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "user_email", "organisation", "role", "function", "status", "requested_at"]
    list_select_related = ["user", "organisation"]
    list_filter = ["status", "role", "organisation__kind"]
    search_fields = [
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "organisation__name",
    ]
    autocomplete_fields = ["user", "organisation"]
    fields = [
        "user",
        "organisation",
        "role",
        "function",
        "status",
        "requested_at",
        "granted_at",
        "granted_by",
    ]
    readonly_fields = ["requested_at", "granted_at", "granted_by"]
    actions = ["grant_selected"]
    date_hierarchy = "requested_at"

    @admin.display(description=_("courriel"), ordering="user__email")
    def user_email(self, membership):
        return membership.user.email

    @admin.action(description=_("Accorder les rôles sélectionnés"), permissions=["change"])
    def grant_selected(self, request, queryset):
        granted = sum(
            roles.grant(membership, by=request.user, request=request)
            for membership in queryset.select_related("user", "organisation")
        )
        self.message_user(
            request,
            ngettext("%(n)s rôle accordé.", "%(n)s rôles accordés.", granted) % {"n": granted},
            messages.SUCCESS,
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            # Django's own action, with its confirmation page; deleting is how a role is revoked.
            function, name, _description = actions["delete_selected"]
            actions["delete_selected"] = (function, name, _("Retirer les rôles sélectionnés"))
        return actions

    def save_model(self, request, obj, form, change):
        roles.save(obj, by=request.user, request=request)

    def delete_model(self, request, obj):
        roles.revoke(obj, by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organisation"):
            roles.revoke(membership, by=request.user, request=request)
