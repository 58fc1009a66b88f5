"""Organisations: French and foreign local authorities and the other actors of decentralised cooperation.

A French local authority is tied to its reference entity (a region, department, commune or EPCI) and takes
its code, name and place from it; a foreign authority carries its country, its ISO 3166-2 subdivision when
known, its level and its coordinates.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from coopdec.geo.models import Commune, Country, Department, Epci, Region, Subdivision


class OrganisationQuerySet(models.QuerySet):
    def french_authorities(self):
        return self.filter(kind__in=Organisation.FRENCH_AUTHORITY_KINDS)

    def foreign_authorities(self):
        return self.filter(kind=Organisation.Kind.FOREIGN_AUTHORITY)

    def in_country(self, iso2: str):
        return self.filter(country_id=iso2)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        REGION = "region", _("Région")
        DEPARTMENT = "departement", _("Département")
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("Intercommunalité (EPCI)")
        SPECIAL = "csp", _("Collectivité à statut particulier")
        FOREIGN_AUTHORITY = "autorite_etrangere", _("Autorité locale étrangère")
        EMBASSY = "ambassade", _("Ambassade")
        PREFECTURE = "prefecture", _("Préfecture de région")
        MINISTRY = "ministere", _("Ministère")
        OPERATOR = "operateur", _("Opérateur")
        NETWORK = "reseau", _("Réseau de collectivités")
        ASSOCIATION = "association", _("Association")
        OTHER = "autre", _("Autre financeur")

    class Level(models.TextChoices):
        """The tier of a foreign local authority."""

        MUNICIPAL = "municipal", _("Municipalité")
        INTERMEDIATE = "intermediaire", _("Province, département ou comté")
        REGIONAL = "regional", _("Région ou État fédéré")
        NATIONAL_ASSOCIATION = "association", _("Association d'autorités locales")

    FRENCH_AUTHORITY_KINDS = (Kind.REGION, Kind.DEPARTMENT, Kind.COMMUNE, Kind.EPCI, Kind.SPECIAL)

    slug = models.SlugField(_("identifiant public"), max_length=120, unique=True)
    name = models.CharField(_("nom"), max_length=250, db_index=True)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, db_index=True)

    # French local authorities: the reference entity they govern.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("région")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("département"),
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    epci = models.ForeignKey(
        Epci, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("EPCI")
    )
    code = models.CharField(
        _("code officiel"),
        max_length=20,
        blank=True,
        db_index=True,
        help_text=_("INSEE pour une commune, un département ou une région ; SIREN pour un EPCI."),
    )

    # Foreign authorities (and embassies, through ``countries``).
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("pays")
    )
    subdivision = models.ForeignKey(
        Subdivision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subdivision"),
    )
    level = models.CharField(_("échelon"), max_length=20, choices=Level.choices, blank=True)
    geonames_id = models.PositiveIntegerField(_("identifiant GeoNames"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    # An embassy covers one or more countries.
    countries = models.ManyToManyField(
        Country, blank=True, related_name="embassies", verbose_name=_("pays couverts")
    )
    website = models.URLField(_("site internet"), blank=True)
    last_confirmed_at = models.DateTimeField(_("dernière confirmation"), null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "country"])]

    def __str__(self):
        return self.name

    @property
    def is_french_authority(self) -> bool:
        return self.kind in self.FRENCH_AUTHORITY_KINDS


class OrganisationContact(models.Model):
    """An elected official or an officer in charge of an organisation's international relations."""

    class Category(models.TextChoices):
        ELECTED = "elu", _("Élu ou élue")
        OFFICER = "cadre", _("Cadre administratif")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("organisation")
    )
    category = models.CharField(_("catégorie"), max_length=10, choices=Category.choices)
    name = models.CharField(_("nom"), max_length=200)
    function = models.CharField(_("fonction"), max_length=200)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("contact de l'organisation")
        verbose_name_plural = _("contacts de l'organisation")
        ordering = ["organisation", "position", "pk"]

    def __str__(self):
        return f"{self.name} ({self.function})"


class Membership(models.Model):
    """A person's role in an organisation: the only place where rights come from.

    A membership asked for at sign-up waits (``pending``) until DAECT staff grant it in the back office;
    revoking deletes the row. Both are written to the audit log.
    """

    class Role(models.TextChoices):
        AGENT = "agent", _("Agent ou élu d'une collectivité territoriale")
        CORRESPONDENT = "correspondant", _("Correspondant coopération décentralisée (ambassade)")
        PREFECTURE = "prefecture", _("Conseiller diplomatique de préfecture de région")
        DAECT = "daect", _("Agent de la DAECT")
        OPERATOR = "operateur", _("Agent d'un opérateur")
        FOREIGN = "autorite_etrangere", _("Représentant d'une autorité locale étrangère")
        NETWORK = "reseau", _("Membre d'un réseau ou d'une association")

    class Status(models.TextChoices):
        PENDING = "en_attente", _("En attente de validation")
        ACTIVE = "active", _("Active")

    user = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("utilisateur")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    function = models.CharField(_("fonction"), max_length=200, blank=True)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    granted_at = models.DateTimeField(_("accordée le"), null=True, blank=True)
    granted_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accordée par"),
    )

    class Meta:
        verbose_name = _("rôle dans une organisation")
        verbose_name_plural = _("rôles dans les organisations")
        ordering = ["organisation__name", "user__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership_role")
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


# The role a person takes in an organisation of each kind (sign-up step 1 asks for the kind).
ROLE_FOR_KIND = {
    **{kind: Membership.Role.AGENT for kind in Organisation.FRENCH_AUTHORITY_KINDS},
    Organisation.Kind.EMBASSY: Membership.Role.CORRESPONDENT,
    Organisation.Kind.PREFECTURE: Membership.Role.PREFECTURE,
    Organisation.Kind.MINISTRY: Membership.Role.DAECT,
    Organisation.Kind.OPERATOR: Membership.Role.OPERATOR,
    Organisation.Kind.FOREIGN_AUTHORITY: Membership.Role.FOREIGN,
    Organisation.Kind.NETWORK: Membership.Role.NETWORK,
    Organisation.Kind.ASSOCIATION: Membership.Role.NETWORK,
}
