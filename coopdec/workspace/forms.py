from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import Extraction, SavedSearch

MAX_SAVED_PER_USER = 100


class Form(DsfrBaseForm):
    def get_context(self):
        # django-dsfr warns on every rendering until a transitional setting is set; the plain context,
        # required fields marked as the design system does today, is enough (as in coopdec.accounts.forms).
        context = forms.Form.get_context(self)
        context.setdefault("DSFR_MARK_OPTIONAL_FIELDS", False)
        return context


class NameForm(Form):
    """The name of a saved search (and its alert), unique per person and kind."""

    name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        help_text=_("Pour la retrouver dans votre espace (150 caractères au plus)."),
    )
    alert = forms.BooleanField(
        label=_("M'avertir par courriel quand de nouveaux projets correspondent"),
        required=False,
        help_text=_("Un courriel par jour au plus, seulement s'il y a du nouveau."),
    )

    def __init__(self, *args, owner, kind, instance: SavedSearch | None = None, **kwargs):
        self.owner = owner
        self.kind = kind
        self.instance = instance
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Donnez un nom."))
        taken = SavedSearch.objects.filter(owner=self.owner, kind=self.kind, name=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Vous avez déjà une %(kind)s nommée « %(name)s » : choisissez un autre nom.")
                % {"kind": SavedSearch.Kind(self.kind).label.lower(), "name": name}
            )
        return name

    def clean(self):
        cleaned = super().clean()
        if (
            self.instance is None
            and SavedSearch.objects.filter(owner=self.owner).count() >= MAX_SAVED_PER_USER
        ):
            raise forms.ValidationError(
                _(
                    "Vous conservez déjà %(max)s recherches et cartes, le maximum : supprimez-en une avant "
                    "d'en enregistrer une autre."
                )
                % {"max": MAX_SAVED_PER_USER}
            )
        return cleaned


class RadioSelect(forms.RadioSelect):
    """Radio buttons with the design system's markup. django-dsfr ships it as an override of Django's own
    ``radio_option.html``, which ``django.forms`` (listed before ``dsfr`` in INSTALLED_APPS) shadows."""

    option_template_name = "workspace/widgets/radio_option.html"


class ExtractionForm(Form):
    format = forms.ChoiceField(
        label=_("Format du fichier"),
        choices=Extraction.Format.choices,
        initial=Extraction.Format.CSV,
        widget=RadioSelect,
    )
