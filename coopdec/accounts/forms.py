"""Forms of the accounts pages, drawn with the State design system (django-dsfr)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.models import User
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from coopdec.orgs.models import Organisation

from .signup import SIGNUP_KINDS, email_taken


class Form(DsfrBaseForm):
    def get_context(self):
        # django-dsfr warns on every rendering until a transitional setting is set; our templates mark the
        # required fields as the design system does today, so the plain context is enough.
        context = forms.Form.get_context(self)
        context.setdefault("DSFR_MARK_OPTIONAL_FIELDS", False)
        return context


def _password_help() -> str:
    """The password rules in force (settings.AUTH_PASSWORD_VALIDATORS), as one line of hint text.

    Django's own hint is an HTML list, which cannot sit in the design system's hint (a span in the label).
    """
    return " ".join(str(rule) for rule in password_validation.password_validators_help_texts())


password_help = lazy(_password_help, str)


class KindForm(Form):
    kind = forms.ChoiceField(
        label=_("Votre organisation est…"),
        choices=[(kind.value, kind.label) for kind in SIGNUP_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez la nature de votre organisation.")},
    )


class OrganisationChoiceForm(Form):
    """Step 2: the organisation chosen among the search results (by its public slug)."""

    organisation = forms.SlugField(
        error_messages={"required": _("Choisissez votre organisation dans la liste.")},
    )

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def clean_organisation(self) -> Organisation:
        slug = self.cleaned_data["organisation"]
        organisation = Organisation.objects.filter(slug=slug, kind=self.kind).first()
        if organisation is None:
            raise forms.ValidationError(
                _("Cette organisation n'est pas de la nature choisie à l'étape 1 : cherchez-la à nouveau.")
            )
        return organisation


class PersonForm(Form):
    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label=_("Adresse électronique professionnelle"),
        help_text=_("Elle sert d'identifiant de connexion. Un lien de confirmation y sera envoyé."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    function = forms.CharField(
        label=_("Fonction"),
        max_length=200,
        help_text=_("Par exemple : chargée de mission relations internationales, élu délégué."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        help_text=password_help(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email_taken(email):
            raise forms.ValidationError(
                _(
                    "Un compte existe déjà avec cette adresse. Connectez-vous, ou demandez un nouveau mot "
                    "de passe si vous l'avez oublié."
                ),
                code="email_taken",
            )
        return email

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif password1:
            # Checked against what the person typed, so that a password made of their name is refused.
            candidate = User(
                username=data.get("email") or "",
                email=data.get("email") or "",
                first_name=data.get("first_name") or "",
                last_name=data.get("last_name") or "",
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class OrganisationRequestForm(Form):
    name = forms.CharField(label=_("Nom de l'organisation"), max_length=250)
    kind = forms.ChoiceField(label=_("Nature"), choices=[(k.value, k.label) for k in SIGNUP_KINDS])
    place = forms.CharField(
        label=_("Lieu"),
        max_length=200,
        help_text=_("Commune et département pour une collectivité française ; ville et pays sinon."),
    )
    requester_name = forms.CharField(label=_("Vos prénom et nom"), max_length=200)
    requester_email = forms.EmailField(
        label=_("Votre adresse électronique"), help_text=_("La DAECT vous répondra à cette adresse.")
    )
    requester_function = forms.CharField(label=_("Votre fonction"), max_length=200, required=False)
    message = forms.CharField(
        label=_("Précisions (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Code INSEE ou SIREN, site internet, nom sous lequel elle est parfois connue…"),
    )

    def cleaned_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class LoginForm(Form):
    identifier = forms.CharField(
        label=_("Adresse électronique"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(Form):
    code = forms.CharField(
        label=_("Code à 6 chiffres de votre application"),
        help_text=_("Ou l'un de vos codes de secours (8 caractères), si vous n'avez plus votre application."),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class SetupCodeForm(Form):
    code = forms.CharField(
        label=_("Code à 6 chiffres affiché par l'application"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ConfirmPasswordForm(Form):
    """Asked before a sensitive change (turning two-factor authentication off)."""

    password = forms.CharField(
        label=_("Votre mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."))
        return password


class ResendConfirmationForm(Form):
    email = forms.EmailField(label=_("Adresse électronique"))


# Django's password forms, with the design system's markup and the rules as one line of hint.
class DsfrPasswordChangeForm(PasswordChangeForm, Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = password_help()


class DsfrPasswordResetForm(PasswordResetForm, Form):
    pass


class DsfrSetPasswordForm(SetPasswordForm, Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = password_help()
