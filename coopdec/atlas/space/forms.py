"""Forms of the professional space: an organisation's profile and contacts, partnerships, project sheets.

A partnership or project form carries the version the person started from (``expected_version``), so that
``save_tracked`` refuses a save made over someone else's newer one. A project sheet is one form and four
formsets (financings, participants, contacts, volunteers) saved together as one tracked write:
:class:`ProjectSheet`.
"""

from __future__ import annotations

import re

from django import forms
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from coopdec.atlas.admin import inline_summary
from coopdec.atlas.history import save_tracked
from coopdec.atlas.models import (
    Contact,
    Financing,
    Participant,
    Partnership,
    PartnershipMember,
    Project,
    Theme,
    Volunteer,
)
from coopdec.geo.models import Country
from coopdec.numbers import bounded_int
from coopdec.orgs.models import Organisation, OrganisationContact
from coopdec.orgs.policies import Actor

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHONE = re.compile(r"^\+?[0-9 .()\-]{6,30}$")
FIRST_YEAR, LAST_YEAR = 1950, 2100
# PostgreSQL refuses the NUL character in any text: a value holding one is refused before any query.
NUL = "\x00"
NUL_MESSAGE = _("La saisie contient un caractère nul, qui n'est pas accepté.")


def is_plain_number(raw: str, max_digits: int = 18) -> bool:
    """Whether ``raw`` is a number int() reads and a database column holds (a 64-bit one: 18 digits)."""
    return bounded_int(raw, 0, 10**max_digits - 1) is not None


class _NoNul:
    """A choice of database rows that refuses a NUL character before looking the value up."""

    def clean(self, value):
        items = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(item, str) and NUL in item for item in items):
            raise forms.ValidationError(NUL_MESSAGE, code="nul")
        return super().clean(value)


class RowChoice(_NoNul, forms.ModelChoiceField):
    pass


class RowsChoice(_NoNul, forms.ModelMultipleChoiceField):
    pass


class DsfrMixin:
    """DSFR markup for a (model) form: field groups, input classes, error blocks (django-dsfr's)."""

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.visible_fields():
            if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                bound.field.template_name = "space/_choices_field.html"
            else:
                dsfr_input_class_attr(bound)


def _textarea(rows: int = 5):
    return forms.Textarea(attrs={"rows": rows})


def _check_phone(value: str) -> str:
    value = value.strip()
    if value and not PHONE.match(value):
        raise forms.ValidationError(
            _(
                "« %(value)s » n'est pas un numéro de téléphone : "
                "chiffres, espaces, points, tirets et + seulement."
            ),
            code="phone",
            params={"value": value},
        )
    return value


def _check_dates(form: forms.Form, start_name: str = "start_date", end_name: str = "end_date") -> None:
    start, end = form.cleaned_data.get(start_name), form.cleaned_data.get(end_name)
    if start and end and end < start:
        form.add_error(
            end_name,
            forms.ValidationError(
                _("La date de fin ne peut pas précéder la date de début."), code="end_before_start"
            ),
        )


# --- My organisation ------------------------------------------------------------------------------------


class OrganisationProfileForm(DsfrMixin, forms.ModelForm):
    """What an organisation's own people keep up to date; its ties to the reference data are not here."""

    latitude = forms.FloatField(label=_("latitude"), min_value=-90, max_value=90, required=False)
    longitude = forms.FloatField(label=_("longitude"), min_value=-180, max_value=180, required=False)

    class Meta:
        model = Organisation
        fields = ["website", "population", "level", "latitude", "longitude"]
        help_texts = {
            "website": _("Adresse complète, par exemple https://www.strasbourg.eu"),
            "population": _("Nombre d'habitants."),
        }

    # Only a foreign authority's own place and tier are entered by people: a French authority takes them
    # from its reference entity (commune, department, region, EPCI).
    FOREIGN_ONLY = ("level", "latitude", "longitude")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind != Organisation.Kind.FOREIGN_AUTHORITY:
            for name in self.FOREIGN_ONLY:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        if "latitude" in self.fields:
            latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
            if (latitude is None) != (longitude is None) and not self.errors:
                raise forms.ValidationError(
                    _("Indiquez la latitude et la longitude ensemble, ou aucune des deux."),
                    code="coordinates",
                )
        return cleaned


class OrganisationContactForm(DsfrMixin, forms.ModelForm):
    class Meta:
        model = OrganisationContact
        fields = ["category", "name", "function", "email", "phone", "position"]
        widgets = {"category": forms.RadioSelect}
        help_texts = {"position": _("Les contacts sont présentés dans cet ordre (0 en premier).")}

    def clean_phone(self):
        return _check_phone(self.cleaned_data.get("phone", ""))


# --- Partnerships -------------------------------------------------------------------------------------


class VersionedForm(DsfrMixin, forms.ModelForm):
    """A model form carrying the version of the object the person started from."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            self.fields["expected_version"].required = True

    def submitted_version(self) -> int | None:
        """The version in the submitted data, read before (and whatever) the validation."""
        raw = str(self.data.get(self.add_prefix("expected_version"), "") if self.is_bound else "")
        return int(raw) if is_plain_number(raw) else None


class PartnershipForm(VersionedForm):
    """A partnership: its own fields, its French members (one lead) and its foreign partners.

    Members and partners are chosen by their slugs; the page shows only those chosen and lets the person
    add more through a type-ahead (``space:lookup``), never a list of thousands of authorities.
    """

    french = RowsChoice(
        queryset=Organisation.objects.french_authorities(),
        to_field_name="slug",
        required=False,
        widget=forms.MultipleHiddenInput,
        label=_("collectivités françaises"),
    )
    lead = RowChoice(
        queryset=Organisation.objects.french_authorities(),
        to_field_name="slug",
        required=False,
        widget=forms.HiddenInput,
        label=_("chef de file"),
    )
    foreign = RowsChoice(
        queryset=Organisation.objects.foreign_authorities(),
        to_field_name="slug",
        required=False,
        widget=forms.MultipleHiddenInput,
        label=_("autorités locales étrangères"),
    )

    class Meta:
        model = Partnership
        fields = ["title", "kind", "status", "start_date", "end_date"]
        widgets = {"start_date": DATE_WIDGET, "end_date": DATE_WIDGET}

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if self.instance.pk:
            members = list(self.instance.french_members.select_related("organisation"))
            self.fields["french"].initial = [m.organisation.slug for m in members]
            lead = next((m.organisation.slug for m in members if m.is_lead), None)
            self.fields["lead"].initial = lead
            self.fields["foreign"].initial = list(self.instance.foreign.values_list("slug", flat=True))
        elif len(actor.authority_ids) == 1:
            mine = list(
                Organisation.objects.filter(pk__in=actor.authority_ids).values_list("slug", flat=True)
            )
            self.fields["french"].initial = mine
            self.fields["lead"].initial = mine[0] if mine else None

    def clean(self):
        cleaned = super().clean()
        _check_dates(self)
        french = list(cleaned.get("french") or [])
        if "french" in self.errors:
            return cleaned
        if not french:
            self.add_error(
                "french",
                forms.ValidationError(
                    _("Choisissez au moins une collectivité française membre du partenariat."),
                    code="no_member",
                ),
            )
            return cleaned
        if not self.actor.is_daect and not ({org.pk for org in french} & self.actor.authority_ids):
            self.add_error(
                "french",
                forms.ValidationError(
                    _(
                        "Le partenariat doit compter au moins une de vos collectivités parmi ses membres : "
                        "sans elle, vous ne pourriez plus le modifier."
                    ),
                    code="not_mine",
                ),
            )
        lead = cleaned.get("lead")
        if lead is None and len(french) == 1 and "lead" not in self.errors:
            cleaned["lead"] = french[0]
        elif lead is None:
            self.add_error(
                "lead", forms.ValidationError(_("Désignez la collectivité chef de file."), code="no_lead")
            )
        elif lead not in french:
            self.add_error(
                "lead",
                forms.ValidationError(
                    _("La collectivité chef de file doit être cochée parmi les membres."),
                    code="lead_not_member",
                ),
            )
        return cleaned

    def chosen(self) -> dict:
        """What the page shows as chosen: French candidates (the person's authorities and those chosen)
        with their state, and the foreign partners chosen; from the submitted data when there is some."""
        if self.is_bound:
            # A slug with a NUL character names nothing, and PostgreSQL refuses it in a query.
            french_slugs = [s for s in self.data.getlist(self.add_prefix("french")) if NUL not in s]
            lead_slug = self.data.get(self.add_prefix("lead"), "")
            foreign_slugs = [s for s in self.data.getlist(self.add_prefix("foreign")) if NUL not in s]
        else:
            french_slugs = list(self.fields["french"].initial or [])
            lead_slug = self.fields["lead"].initial or ""
            foreign_slugs = list(self.fields["foreign"].initial or [])
        candidates = (
            Organisation.objects.french_authorities()
            .filter(Q(slug__in=french_slugs) | Q(pk__in=self.actor.authority_ids))
            .select_related("department")
            .order_by("name")
        )
        french = [
            {
                "org": org,
                "checked": org.slug in french_slugs,
                "lead": org.slug == lead_slug,
                "mine": org.pk in self.actor.authority_ids,
            }
            for org in candidates
        ]
        foreign = list(
            Organisation.objects.foreign_authorities()
            .filter(slug__in=foreign_slugs)
            .select_related("country")
            .order_by("name")
        )
        return {"french": french, "foreign": foreign}

    def save_tracked(self, *, by, expected_version: int | None):
        partnership = self.save(commit=False)
        if partnership.pk is None:
            # New partnerships start as drafts: they go public through the publication gate.
            partnership.slug = unique_slug(
                Partnership, partnership.title, Partnership._meta.get_field("slug").max_length
            )
            partnership.published = False
        french = list(self.cleaned_data["french"])
        lead = self.cleaned_data["lead"]

        def save_members(saved):
            saved.french_members.all().delete()
            for org in sorted(french, key=lambda o: o.pk != lead.pk):
                PartnershipMember.objects.create(
                    partnership=saved, organisation=org, is_lead=org.pk == lead.pk
                )

        return save_tracked(
            partnership,
            by=by,
            expected_version=expected_version,
            m2m={"foreign": list(self.cleaned_data["foreign"])},
            save_children=save_members,
        )


class PartnershipSheet:
    """The partnership form, with the same interface as :class:`ProjectSheet` for the editing pages."""

    def __init__(self, data=None, *, instance: Partnership, actor: Actor):
        self.instance = instance
        self.form = PartnershipForm(data, instance=instance, actor=actor)
        self.formsets: dict = {}

    @property
    def parts(self) -> list:
        return [self.form]

    def is_valid(self) -> bool:
        return self.form.is_valid()

    def save_tracked(self, *, by, expected_version: int | None):
        return self.form.save_tracked(by=by, expected_version=expected_version)


# --- Project sheets -----------------------------------------------------------------------------------


class ThemesField(RowsChoice):
    def label_from_instance(self, theme):
        return f"{theme.parent.name_fr} — {theme.name_fr}" if theme.parent_id else theme.name_fr


def theme_queryset():
    """Themes with each parent followed by its children."""
    return Theme.objects.select_related("parent").order_by(
        Coalesce("parent__position", "position"),
        Coalesce("parent_id", "code"),
        F("parent_id").asc(nulls_first=True),
        "position",
        "code",
    )


class ProjectForm(VersionedForm):
    themes = ThemesField(
        queryset=Theme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Thématiques"),
        help_text=_("Au moins une pour publier la fiche."),
    )

    class Meta:
        model = Project
        fields = [
            "title",
            "status",
            "start_date",
            "end_date",
            "themes",
            "objectives",
            "description",
            "context",
            "history",
            "results",
        ]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "objectives": _textarea(4),
            "description": _textarea(8),
            "context": _textarea(4),
            "history": _textarea(4),
            "results": _textarea(4),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = theme_queryset()

    def clean(self):
        cleaned = super().clean()
        _check_dates(self)
        return cleaned


class ChildForm(DsfrMixin, forms.ModelForm):
    """A row of a project sheet (financing, participant, contact, volunteer)."""

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices computed once for the whole formset: each form would otherwise run its own query.
        for name, values in (choices or {}).items():
            self.fields[name].choices = values


def _check_year(value):
    if value is not None and not FIRST_YEAR <= value <= LAST_YEAR:
        raise forms.ValidationError(
            _("L'année doit être comprise entre %(first)s et %(last)s."),
            code="year",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


class FinancingForm(ChildForm):
    class Meta:
        model = Financing
        fields = ["funder", "kind", "year", "amount"]

    def clean_year(self):
        return _check_year(self.cleaned_data.get("year"))

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("Le montant doit être strictement positif."), code="amount")
        return amount


class ParticipantForm(ChildForm):
    class Meta:
        model = Participant
        fields = ["name", "kind", "country", "role"]
        field_classes = {"country": RowChoice}


class ContactForm(ChildForm):
    class Meta:
        model = Contact
        fields = ["name", "function", "email", "phone"]

    def clean_phone(self):
        return _check_phone(self.cleaned_data.get("phone", ""))


class VolunteerForm(ChildForm):
    class Meta:
        model = Volunteer
        fields = ["programme", "count", "year"]

    def clean_year(self):
        return _check_year(self.cleaned_data.get("year"))

    def clean_count(self):
        count = self.cleaned_data.get("count")
        if count is not None and count < 1:
            raise forms.ValidationError(_("Indiquez au moins un volontaire."), code="count")
        return count


def _formset(model, form):
    return forms.inlineformset_factory(Project, model, form=form, extra=1, can_delete=True)


FORMSETS = {
    "financings": _formset(Financing, FinancingForm),
    "participants": _formset(Participant, ParticipantForm),
    "contacts": _formset(Contact, ContactForm),
    "volunteers": _formset(Volunteer, VolunteerForm),
}

FUNDER_KINDS = (
    Organisation.Kind.MINISTRY,
    Organisation.Kind.OPERATOR,
    Organisation.Kind.NETWORK,
    Organisation.Kind.OTHER,
)


def funder_choices(project: Project) -> list[tuple]:
    """Who may fund a sheet: the partnership's French authorities, the ministry, operators, networks and
    other funders (a few dozen), plus whoever funds it already."""
    # Three indexed lookups united, not one OR across two joins: that form made PostgreSQL hash every
    # membership and financing row (508,000 at scale 1) for a dozen names, 200 ms on each edit form and save.
    ids = (
        Organisation.objects.filter(kind__in=FUNDER_KINDS)
        .order_by()
        .values("pk")
        .union(
            PartnershipMember.objects.filter(partnership_id=project.partnership_id)
            .order_by()
            .values("organisation_id")
        )
    )
    if project.pk:
        ids = ids.union(Financing.objects.filter(project=project).order_by().values("funder_id"))
    rows = Organisation.objects.filter(pk__in=ids).values_list("pk", "name")
    return [("", "---------"), *sorted(rows, key=lambda row: row[1])]


def country_choices() -> list[tuple]:
    return [("", "---------"), *Country.objects.order_by("name_fr").values_list("iso2", "name_fr")]


class ProjectSheet:
    """A project form and its four formsets, validated together and saved as one tracked write."""

    def __init__(self, data=None, *, instance: Project):
        self.instance = instance
        self.form = ProjectForm(data, instance=instance)
        choices = {
            "financings": {"funder": funder_choices(instance)},
            "participants": {"country": country_choices()},
        }
        self.formsets = {
            prefix: formset_class(
                data, instance=instance, prefix=prefix, form_kwargs={"choices": choices.get(prefix)}
            )
            for prefix, formset_class in FORMSETS.items()
        }

    @property
    def parts(self) -> list:
        return [self.form, *self.formsets.values()]

    def is_valid(self) -> bool:
        # Every part is validated, so that all the errors show at once.
        results = [self.form.is_valid(), *(formset.is_valid() for formset in self.formsets.values())]
        return all(results)

    def save_tracked(self, *, by, expected_version: int | None):
        project = self.form.save(commit=False)
        if project.pk is None:
            project.slug = unique_slug(Project, project.title, Project._meta.get_field("slug").max_length)
            project.published = False
        formsets = list(self.formsets.values())

        def save_children(saved):
            for formset in formsets:
                formset.instance = saved
                formset.save()

        return save_tracked(
            project,
            by=by,
            expected_version=expected_version,
            m2m={"themes": list(self.form.cleaned_data["themes"])},
            save_children=save_children,
            comment=inline_summary(formsets),
        )


def quiet(*forms_) -> None:
    """Validate then forget the errors: for a page shown again after "add a line" or "search", where the
    person has not asked to save yet and should not be greeted by "this field is required"."""
    from django.forms.utils import ErrorDict, ErrorList

    for form in forms_:
        if isinstance(form, forms.BaseFormSet):
            form.is_valid()
            form._non_form_errors = ErrorList()
            form._errors = [ErrorDict() for _child in form.forms]
            for child in form.forms:
                child._errors = ErrorDict()
        else:
            form.is_valid()
            form._errors = ErrorDict()


def unique_slug(model, title: str, max_length: int) -> str:
    """A slug from ``title`` not yet used by any row of ``model`` (drafts included)."""
    from django.utils.text import slugify

    base = slugify(title)[: max_length - 8].strip("-") or "fiche"
    # "nouveau" is a path of the space (partenariats/nouveau/), not a possible slug.
    taken = {"nouveau"} | set(
        model._default_manager.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
