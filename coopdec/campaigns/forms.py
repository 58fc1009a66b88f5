from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from dsfr.forms import DsfrBaseForm

from coopdec.numbers import bounded_int

from .models import DEFAULT_REMINDER_DAYS


class OpenCampaignForm(DsfrBaseForm):
    year = forms.IntegerField(label=gettext_lazy("Année de la campagne"), min_value=2000, max_value=2100)
    closes_on = forms.DateField(
        label=gettext_lazy("Date de clôture"),
        help_text=gettext_lazy("Format : JJ/MM/AAAA (ou AAAA-MM-JJ)."),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reminder_days = forms.CharField(
        label=gettext_lazy("Rappels, en jours avant la clôture"),
        help_text=gettext_lazy("Des nombres séparés par des virgules, par exemple : 14, 3."),
        max_length=50,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)
            self.initial.setdefault("reminder_days", ", ".join(str(d) for d in DEFAULT_REMINDER_DAYS))

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if closes_on <= timezone.localdate():
            raise forms.ValidationError(_("La date de clôture doit être postérieure à aujourd'hui."))
        return closes_on

    def clean_reminder_days(self) -> list[int]:
        raw = self.cleaned_data["reminder_days"]
        parts = [p for p in re.split(r"[\s,;]+", raw.strip()) if p]
        if not parts:
            raise forms.ValidationError(_("Indiquez au moins un jour de rappel, par exemple : 14, 3."))
        days = []
        for part in parts:
            day = bounded_int(part, 1, 365)
            if day is None:
                raise forms.ValidationError(
                    _("« %(value)s » n'est pas un nombre de jours entre 1 et 365.") % {"value": part}
                )
            days.append(day)
        return sorted(set(days), reverse=True)
