from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OrganisationRequest
from .signup import answer_organisation_request


@admin.register(OrganisationRequest)
class OrganisationRequestAdmin(admin.ModelAdmin):
    """The "my organisation is missing" requests: DAECT adds the organisation (Organisations admin), links it
    here, then marks the request handled — the requester gets a mail inviting them to sign up again."""

    list_display = ["name", "kind", "place", "requester_name", "requester_email", "created_at", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "place", "requester_name", "requester_email"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "handled_at", "handled_by", "status"]
    autocomplete_fields = ["organisation"]
    actions = ["mark_done", "mark_refused"]
    fieldsets = [
        (_("Demande"), {"fields": ["name", "kind", "place", "message", "created_at"]}),
        (_("Demandeur"), {"fields": ["requester_name", "requester_email", "requester_function"]}),
        (_("Traitement"), {"fields": ["status", "organisation", "note", "handled_at", "handled_by"]}),
    ]

    def _answer(self, request, queryset, status, done_message):
        count = 0
        for req in queryset.exclude(status=status):
            answer_organisation_request(request, req, status=status, by=request.user)
            count += 1
        self.message_user(request, done_message(count) % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Marquer comme traitées (organisation ajoutée) et prévenir les demandeurs"))
    def mark_done(self, request, queryset):
        self._answer(
            request,
            queryset,
            OrganisationRequest.Status.DONE,
            lambda n: ngettext("%(n)s demande traitée.", "%(n)s demandes traitées.", n),
        )

    @admin.action(description=_("Refuser et prévenir les demandeurs"))
    def mark_refused(self, request, queryset):
        self._answer(
            request,
            queryset,
            OrganisationRequest.Status.REFUSED,
            lambda n: ngettext("%(n)s demande refusée.", "%(n)s demandes refusées.", n),
        )
