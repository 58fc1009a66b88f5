"""Reference geography: countries and their subdivisions, French regions, departments, communes, EPCI.

Everything here is loaded by ``manage.py load_reference`` from installed packages (docs/data.md) and
never typed by hand. Outlines are stored as GeoJSON geometry text, simplified for small-scale maps; this
app knows nothing of projects or organisations.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceSource(models.Model):
    """One package a reference table came from, with the version that was loaded."""

    package = models.CharField(_("paquet"), max_length=100, unique=True)
    version = models.CharField(_("version"), max_length=50)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    tables = models.CharField(_("tables alimentées"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(_("chargé le"))

    class Meta:
        verbose_name = _("source de référence")
        verbose_name_plural = _("sources de référence")
        ordering = ["package"]

    def __str__(self):
        return f"{self.package} {self.version}"


class Continent(models.Model):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name_fr = models.CharField(_("nom (français)"), max_length=100)
    name_en = models.CharField(_("nom (anglais)"), max_length=100)

    class Meta:
        verbose_name = _("continent")
        verbose_name_plural = _("continents")
        ordering = ["name_fr"]

    def __str__(self):
        return self.name_fr


class WorldZone(models.Model):
    """A UN M49 sub-region ("Afrique de l'Ouest", "Europe de l'Ouest"…)."""

    code = models.CharField(_("code M49"), max_length=3, primary_key=True)
    name_fr = models.CharField(_("nom (français)"), max_length=100)
    name_en = models.CharField(_("nom (anglais)"), max_length=100)

    class Meta:
        verbose_name = _("sous-région ONU")
        verbose_name_plural = _("sous-régions ONU")
        ordering = ["name_fr"]

    def __str__(self):
        return self.name_fr


class Country(models.Model):
    iso2 = models.CharField(_("code ISO alpha-2"), max_length=2, primary_key=True)
    iso3 = models.CharField(_("code ISO alpha-3"), max_length=3, unique=True)
    numeric = models.CharField(_("code ISO numérique"), max_length=3, unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=100, db_index=True)
    name_en = models.CharField(_("nom (anglais)"), max_length=100)
    continent = models.ForeignKey(
        Continent, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("continent")
    )
    zone = models.ForeignKey(
        WorldZone, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("sous-région ONU")
    )
    latitude = models.FloatField(_("latitude du centroïde"), null=True, blank=True)
    longitude = models.FloatField(_("longitude du centroïde"), null=True, blank=True)
    outline = models.TextField(_("contour (GeoJSON, basse résolution)"), blank=True)

    class Meta:
        verbose_name = _("pays")
        verbose_name_plural = _("pays")
        ordering = ["name_fr"]

    def __str__(self):
        return self.name_fr


class Subdivision(models.Model):
    """A foreign subdivision from ISO 3166-2 (state, province, county…)."""

    code = models.CharField(_("code ISO 3166-2"), max_length=10, primary_key=True)
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="subdivisions", verbose_name=_("pays")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("subdivision parente")
    )
    name = models.CharField(_("nom"), max_length=200)
    name_fr = models.CharField(_("nom (français)"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("subdivision étrangère")
        verbose_name_plural = _("subdivisions étrangères")
        ordering = ["code"]

    def __str__(self):
        return self.name_fr or self.name


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    overseas = models.BooleanField(_("outre-mer"), default=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    outline = models.TextField(_("contour (GeoJSON simplifié)"), blank=True)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Department(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("région")
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    outline = models.TextField(_("contour (GeoJSON simplifié)"), blank=True)

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    """An établissement public de coopération intercommunale with its own taxation."""

    class Kind(models.TextChoices):
        CC = "CC", _("Communauté de communes")
        CA = "CA", _("Communauté d'agglomération")
        CU = "CU", _("Communauté urbaine")
        ME = "ME", _("Métropole")

    siren = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("nom"), max_length=200, db_index=True)
    kind = models.CharField(_("type"), max_length=2, choices=Kind.choices)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Commune(models.Model):
    insee = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=200, db_index=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="communes", verbose_name=_("département")
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("EPCI"),
    )
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["insee"]

    def __str__(self):
        return f"{self.name} ({self.insee})"


class DacSector(models.Model):
    """An OECD DAC 5-digit purpose code (CRS), as published in the IATI codelists."""

    code = models.CharField(_("code CAD"), max_length=5, primary_key=True)
    name_en = models.CharField(_("intitulé (anglais)"), max_length=300)
    category = models.CharField(_("catégorie CAD (3 chiffres)"), max_length=3)

    class Meta:
        verbose_name = _("secteur CAD")
        verbose_name_plural = _("secteurs CAD")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name_en}"
