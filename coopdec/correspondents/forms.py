from __future__ import annotations

import re

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from dsfr.forms import DsfrBaseForm

from coopdec.atlas.models import Partnership
from coopdec.geo.models import Country, Subdivision
from coopdec.orgs.models import Organisation

from .corrections import CORRECTABLE_FIELDS

PHONE_RE = re.compile(r"^\+?[0-9 .()\-]{6,30}$")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
NUL = "\x00"


def date_field(label, required: bool) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=gettext_lazy("Format : JJ/MM/AAAA (ou AAAA-MM-JJ)."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ProfileForm(DsfrBaseForm):
    public_email = forms.EmailField(
        label=gettext_lazy("Courriel professionnel à publier"),
        required=False,
        help_text=gettext_lazy("Laissez vide pour ne publier aucun courriel."),
    )
    public_phone = forms.CharField(
        label=gettext_lazy("Téléphone professionnel à publier"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Par exemple : +221 33 839 51 00. Laissez vide pour ne publier aucun numéro."),
    )

    def clean_public_phone(self):
        phone = self.cleaned_data["public_phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(
                _(
                    "Un numéro de téléphone ne contient que des chiffres, espaces, points, tirets "
                    "et un + initial."
                )
            )
        return phone


class CorrectionForm(DsfrBaseForm):
    """The correctable fields of a sheet, filled with its current values, and a comment.

    The correction holds only the fields whose value the correspondent changed.
    """

    comment = forms.CharField(
        label=gettext_lazy("Commentaire : ce qui est inexact et d'où vient l'information"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, target, **kwargs):
        super().__init__(*args, **kwargs)
        model = type(target)
        self.correctable = CORRECTABLE_FIELDS[model]
        comment = self.fields.pop("comment")
        for name in self.correctable:
            field = model._meta.get_field(name)
            if isinstance(field, models.DateField):
                form_field = date_field(field.verbose_name.capitalize(), required=False)
            elif field.choices:
                form_field = forms.ChoiceField(label=field.verbose_name.capitalize(), choices=field.choices)
            elif isinstance(field, models.TextField):
                form_field = forms.CharField(
                    label=field.verbose_name.capitalize(),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
            else:
                form_field = forms.CharField(
                    label=field.verbose_name.capitalize(),
                    max_length=field.max_length,
                    required=name == "title",
                )
            form_field.initial = getattr(target, name)
            self.fields[name] = form_field
        self.fields["comment"] = comment

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La date de fin précède la date de début."))
        return cleaned

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.correctable}


class ReasonForm(DsfrBaseForm):
    reason = forms.CharField(
        label=gettext_lazy("Motif (transmis au correspondant)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InventoryForm(DsfrBaseForm):
    """A partnership found by a correspondent.

    The French authority is chosen among the type-ahead's suggestions (its slug in ``french_authority``);
    the foreign authority either among the suggestions of the correspondent's countries
    (``foreign_authority``) or described as new (``new_foreign_*``).
    """

    french_authority = forms.CharField(required=False, widget=forms.HiddenInput)
    foreign_authority = forms.CharField(required=False, widget=forms.HiddenInput)
    new_foreign_name = forms.CharField(
        label=gettext_lazy("Nom de la nouvelle autorité locale"), max_length=250, required=False
    )
    new_foreign_country = forms.ChoiceField(label=gettext_lazy("Pays"), required=False)
    new_foreign_subdivision = forms.CharField(
        label=gettext_lazy("Subdivision (code ISO 3166-2, facultatif)"),
        help_text=gettext_lazy("Par exemple : SN-SL pour la région de Saint-Louis."),
        max_length=10,
        required=False,
    )
    new_foreign_level = forms.ChoiceField(
        label=gettext_lazy("Échelon"), choices=Organisation.Level.choices, required=False
    )
    kind = forms.ChoiceField(label=gettext_lazy("Nature du partenariat"), choices=Partnership.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Intitulé"), max_length=300)
    start_date = date_field(gettext_lazy("Date de signature ou de début"), required=True)

    def __init__(self, *args, countries: list[Country], **kwargs):
        super().__init__(*args, **kwargs)
        self.countries = {c.iso2: c for c in countries}
        self.fields["new_foreign_country"].choices = [("", "—")] + [(c.iso2, c.name_fr) for c in countries]
        if not self.is_bound:
            self.initial.setdefault("new_foreign_level", Organisation.Level.MUNICIPAL)

    def french_choice(self) -> Organisation | None:
        slug = (self.data.get("french_authority") or "").strip() if self.is_bound else ""
        if not slug or NUL in slug:  # a slug with a NUL character names nothing (PostgreSQL refuses it)
            return None
        return Organisation.objects.french_authorities().filter(slug=slug).first()

    def foreign_choice(self) -> Organisation | None:
        slug = (self.data.get("foreign_authority") or "").strip() if self.is_bound else ""
        if not slug or NUL in slug:
            return None
        return (
            Organisation.objects.foreign_authorities()
            .filter(slug=slug, country_id__in=list(self.countries))
            .select_related("country")
            .first()
        )

    def clean(self):
        cleaned = super().clean()
        french = self.french_choice()
        if french is None:
            self.add_error(
                "french_authority",
                _("Choisissez la collectivité française : tapez son nom puis sélectionnez-la dans la liste."),
            )
        cleaned["french"] = french
        name = cleaned.get("new_foreign_name", "").strip()
        chosen = self.foreign_choice()
        if self.data.get("foreign_authority") and chosen is None:
            self.add_error("foreign_authority", _("Cette autorité étrangère n'est pas dans vos pays."))
        elif chosen and name:
            self.add_error(
                "new_foreign_name",
                _("Choisissez une autorité existante ou décrivez-en une nouvelle, pas les deux."),
            )
        elif not chosen and not name:
            self.add_error(
                "foreign_authority",
                _("Choisissez l'autorité étrangère dans la liste ou décrivez-la dans « Nouvelle autorité »."),
            )
        cleaned["foreign"] = chosen
        cleaned["new_foreign"] = self._new_foreign(cleaned, name) if name and not chosen else None
        return cleaned

    def _new_foreign(self, cleaned, name: str) -> dict | None:
        country = self.countries.get(cleaned.get("new_foreign_country") or "")
        if country is None:
            self.add_error("new_foreign_country", _("Choisissez le pays de la nouvelle autorité."))
            return None
        code = (cleaned.get("new_foreign_subdivision") or "").strip().upper()
        subdivision = None
        if code:
            subdivision = Subdivision.objects.filter(code=code, country=country).first()
            if subdivision is None:
                self.add_error(
                    "new_foreign_subdivision",
                    _("« %(code)s » n'est pas une subdivision connue de ce pays (%(country)s).")
                    % {"code": code, "country": country.name_fr},
                )
                return None
        twin = Organisation.objects.foreign_authorities().filter(country=country, name__iexact=name).first()
        if twin is not None:
            self.add_error(
                "new_foreign_name",
                _("« %(name)s » existe déjà (%(country)s) : choisissez-la dans la liste.")
                % {"name": twin.name, "country": country.name_fr},
            )
            return None
        return {
            "name": name,
            "country": country,
            "subdivision": subdivision,
            "level": cleaned.get("new_foreign_level") or Organisation.Level.MUNICIPAL,
        }
