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
