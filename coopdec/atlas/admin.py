"""The Atlas in the admin, for DAECT staff.

Partnerships and projects are written only through ``coopdec.atlas.history.save_tracked`` so that every
save keeps who, when and what changed, and an editor working from an old version is refused instead of
overwriting someone else's work. The rows that hang from a project (financings, participants, contacts,
volunteers) and the French members of a partnership are edited on their parent's page, inside the same
tracked save; their own lists are read-only so that no edit escapes the parent's version check.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coopdec.geo.admin import ReadOnlyAdmin

from .history import ConflictError, delete_tracked, save_tracked
from .models import (
    Change,
    Contact,
    DataLoad,
    Financing,
    Participant,
    Partnership,
    PartnershipMember,
    Project,
    Theme,
    Volunteer,
)

COMMENT_MAX_LENGTH = Change._meta.get_field("comment").max_length


def conflict_message(error: ConflictError) -> str:
    """The refusal shown to an editor who started from an old version, naming who saved meanwhile."""
    authors = sorted({change.changed_by_label for change in error.changes_since if change.changed_by_label})
    message = str(error)
    if authors:
        message += " " + gettext("Modifiée entre-temps par : %(authors)s.") % {"authors": ", ".join(authors)}
    return (
        message
        + " "
        + gettext(
            "Vos saisies n'ont pas été enregistrées : rechargez la page pour repartir de la dernière version."
        )
    )


class TrackedForm(forms.ModelForm):
    """A form that carries the version the editor started from, so a stale save can be refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            self.fields["expected_version"].required = True

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("expected_version")
        # ``self.instance`` was read from the database when this request began: an early, friendly refusal
        # that keeps the editor's input on screen. save_tracked checks again under a row lock.
        if self.instance.pk and expected is not None and expected != self.instance.version:
            changes_since = Change.objects.filter(
                **{type(self.instance)._meta.model_name: self.instance}, version__gt=expected
            )
            raise ValidationError(
                conflict_message(
                    ConflictError(
                        expected_version=expected,
                        current_version=self.instance.version,
                        changes_since=list(changes_since),
                    )
                ),
                code="conflict",
            )
        return cleaned


def inline_summary(formsets) -> str:
    """A sentence per inline that changed ("Lignes de financement : 1 ajout(s), …"), for the history."""
    parts = []
    for formset in formsets:
        if formset.model is Change:
            continue
        deleted = [form for form in formset.deleted_forms if form.instance.pk]
        kept = [form for form in formset.forms if form not in formset.deleted_forms and form.has_changed()]
        added = sum(1 for form in kept if form.instance.pk is None)
        changed = len(kept) - added
        if added or changed or deleted:
            parts.append(
                gettext(
                    "%(what)s : %(added)s ajout(s), %(changed)s modification(s), %(deleted)s suppression(s)"
                )
                % {
                    "what": formset.model._meta.verbose_name_plural,
                    "added": added,
                    "changed": changed,
                    "deleted": len(deleted),
                }
            )
    summary = " ; ".join(parts)
    return summary if len(summary) <= COMMENT_MAX_LENGTH else summary[: COMMENT_MAX_LENGTH - 1] + "…"


class ChangeInline(admin.TabularInline):
    """The history of the object, newest first, read-only."""

    model = Change
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["changed_at", "version", "action", "changed_by_label", "differences", "comment"]
    readonly_fields = fields
    verbose_name_plural = _("historique des modifications")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("différences"))
    def differences(self, change):
        return render_diff(change)


def render_diff(change: Change):
    """One line per field: its label, then the old and the new value."""
    # A deletion keeps no link to its object: its field names are looked up on both tracked models.
    if change.project_id:
        models = [Project]
    elif change.partnership_id:
        models = [Partnership]
    else:
        models = [Project, Partnership]

    def label(name):
        for model in models:
            try:
                return model._meta.get_field(name).verbose_name
            except FieldDoesNotExist:
                continue
        return name  # a field removed since the change was recorded keeps its technical name

    return format_html_join(
        "",
        "<div><strong>{}</strong> : {} → {}</div>",
        (
            (label(name), _display(values.get("old")), _display(values.get("new")))
            for name, values in sorted(change.diff.items())
        ),
    )


def _display(value) -> str:
    if value is None or value == "":
        return "∅"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "∅"
    return str(value)


class TrackedAdmin(admin.ModelAdmin):
    """Saves and deletes through save_tracked / delete_tracked, refusing stale versions."""

    form = TrackedForm
    readonly_fields = ["version", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        """Nothing here: the tracked save happens in ``save_related``, once the inline changes are known,
        so that a single history row describes the fields, the many-to-many values and the inlines."""

    def save_related(self, request, form, formsets, change):
        instance = form.instance
        m2m = {
            field.name: form.cleaned_data[field.name]
            for field in instance._meta.many_to_many
            if field.name in form.cleaned_data
        }

        def save_children(saved):
            for formset in formsets:
                formset.instance = saved
                self.save_formset(request, form, formset, change=change)

        save_tracked(
            instance,
            by=request.user,
            expected_version=form.cleaned_data.get("expected_version") if change else None,
            m2m=m2m,
            save_children=save_children,
            comment=inline_summary(formsets),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form already refuses a stale version; this catches the narrow race where someone saved
        # between that check and our save. The admin's transaction has been rolled back: nothing changed.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConflictError as error:
            self.message_user(request, conflict_message(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_model(self, request, obj):
        delete_tracked(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_tracked(obj, by=request.user)


class ProjectChangeInline(ChangeInline):
    fk_name = "project"


class PartnershipChangeInline(ChangeInline):
    fk_name = "partnership"


class PartnershipMemberFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        members = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("organisation")
        ]
        leads = sum(1 for member in members if member.get("is_lead"))
        if members and leads != 1:
            raise ValidationError(
                gettext(
                    "Un partenariat a exactement une collectivité chef de file "
                    "(%(count)s cochée(s) sur %(members)s collectivités)."
                )
                % {"count": leads, "members": len(members)},
                code="lead",
            )


class PartnershipMemberInline(admin.TabularInline):
    model = PartnershipMember
    formset = PartnershipMemberFormSet
    extra = 0
    min_num = 1
    fields = ["organisation", "is_lead"]
    autocomplete_fields = ["organisation"]


@admin.register(Partnership)
class PartnershipAdmin(TrackedAdmin):
    list_display = [
        "title",
        "slug",
        "kind",
        "status",
        "lead_authority",
        "start_date",
        "version",
        "updated_at",
    ]
    list_filter = ["kind", "status", "start_date"]
    search_fields = ["title", "slug", "french_members__organisation__name", "foreign__name"]
    autocomplete_fields = ["foreign"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PartnershipMemberInline, PartnershipChangeInline]
    date_hierarchy = "start_date"

    def get_queryset(self, request):
        lead = PartnershipMember.objects.filter(partnership=OuterRef("pk"), is_lead=True)
        return (
            super().get_queryset(request).annotate(lead_name=Subquery(lead.values("organisation__name")[:1]))
        )

    @admin.display(description=_("chef de file"), ordering="lead_name")
    def lead_authority(self, partnership):
        return partnership.lead_name or "—"


class FinancingInline(admin.TabularInline):
    model = Financing
    extra = 0
    fields = ["funder", "kind", "year", "amount"]
    autocomplete_fields = ["funder"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    fields = ["name", "kind", "country", "role"]
    autocomplete_fields = ["country"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "function", "email", "phone"]


class VolunteerInline(admin.TabularInline):
    model = Volunteer
    extra = 0
    fields = ["programme", "count", "year"]


@admin.register(Project)
class ProjectAdmin(TrackedAdmin):
    list_display = [
        "title",
        "slug",
        "partnership",
        "status",
        "start_date",
        "end_date",
        "version",
        "updated_at",
    ]
    list_select_related = ["partnership"]
    list_filter = ["status", "themes", "partnership__kind", "start_date"]
    search_fields = ["title", "slug", "partnership__title", "partnership__slug"]
    autocomplete_fields = ["partnership", "themes"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [FinancingInline, ParticipantInline, ContactInline, VolunteerInline, ProjectChangeInline]
    date_hierarchy = "start_date"

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Financings, participants, contacts and volunteers are read-only on their own lists (so that edits
        # go through the project's version check), but deleting the project rightly takes them with it.
        children = {str(model._meta.verbose_name) for model in (Financing, Participant, Contact, Volunteer)}
        return deleted, model_count, {name for name in perms_needed if str(name) not in children}, protected

    fieldsets = [
        (None, {"fields": ["title", "slug", "partnership", "themes", "status", "expected_version"]}),
        (_("Dates"), {"fields": ["start_date", "end_date", "last_confirmed_at"]}),
        (
            _("Fiche-projet"),
            {"fields": ["objectives", "description", "history", "context", "results"]},
        ),
        (_("Suivi"), {"fields": ["version", "created_at", "updated_at"]}),
    ]


@admin.register(Theme)
class ThemeAdmin(ReadOnlyAdmin):
    """Read-only: the vocabulary is defined in ``coopdec/atlas/themes.py`` and loaded by load_reference."""

    list_display = ["code", "name_fr", "name_en", "parent", "position"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name_fr", "name_en"]
    filter_horizontal = ["dac_sectors"]


@admin.register(PartnershipMember)
class PartnershipMemberAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "partnership", "is_lead"]
    list_select_related = ["organisation", "partnership"]
    list_filter = ["is_lead", "organisation__kind"]
    search_fields = ["organisation__name", "partnership__title", "partnership__slug"]
    raw_id_fields = ["organisation", "partnership"]


@admin.register(Financing)
class FinancingAdmin(ReadOnlyAdmin):
    list_display = ["project", "funder", "kind", "year", "amount"]
    list_select_related = ["project", "funder"]
    list_filter = ["kind", "year"]
    search_fields = ["project__title", "project__slug", "funder__name"]
    raw_id_fields = ["project", "funder"]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "country", "role", "project"]
    list_select_related = ["country", "project"]
    list_filter = ["kind", "country__continent"]
    search_fields = ["name", "role", "project__title"]
    raw_id_fields = ["project", "country"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["name", "function", "email", "phone", "project"]
    list_select_related = ["project"]
    list_filter = ["project__status"]
    search_fields = ["name", "function", "email", "project__title"]
    raw_id_fields = ["project"]


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ["project", "programme", "count", "year"]
    list_select_related = ["project"]
    list_filter = ["programme", "year"]
    search_fields = ["project__title", "project__slug"]
    raw_id_fields = ["project"]


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    """The audit trail: never added, edited or deleted by hand."""

    list_display = ["changed_at", "object_slug", "action", "version", "changed_by_label", "comment"]
    list_filter = ["action", "changed_at"]
    search_fields = ["object_slug", "changed_by_label", "comment"]
    date_hierarchy = "changed_at"
    fields = [
        "object_slug",
        "action",
        "version",
        "changed_at",
        "changed_by_label",
        "partnership",
        "project",
        "differences",
        "comment",
    ]
    readonly_fields = fields

    @admin.display(description=_("différences"))
    def differences(self, change):
        return render_diff(change) or format_html("{}", "∅")


@admin.register(DataLoad)
class DataLoadAdmin(ReadOnlyAdmin):
    list_display = ["kind", "started_at", "finished_at", "parameters", "counts"]
    list_filter = ["kind"]
    search_fields = ["kind"]
    date_hierarchy = "started_at"
