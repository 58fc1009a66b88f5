"""The Atlas: themes, partnerships, project sheets and what hangs from them, with their history.

Every partnership and project carries a ``version`` that each save through ``coopdec.atlas.history``
increments, and a history row (who, when, which fields went from what to what). Bulk loads
(``generate_demo``, ``import_atlas``) are recorded as one ``DataLoad`` each.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coopdec.geo.models import DacSector
from coopdec.orgs.models import Organisation


class Theme(models.Model):
    """A thématique of the controlled vocabulary, possibly under a parent theme."""

    code = models.SlugField(_("code"), max_length=60, primary_key=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("thème parent"),
    )
    name_fr = models.CharField(_("nom (français)"), max_length=120)
    name_en = models.CharField(_("nom (anglais)"), max_length=120)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    dac_sectors = models.ManyToManyField(
        DacSector, blank=True, related_name="themes", verbose_name=_("secteurs CAD de l'OCDE")
    )

    class Meta:
        verbose_name = _("thématique")
        verbose_name_plural = _("thématiques")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name_fr


class PartnershipQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def involving(self, organisation):
        return self.filter(
            models.Q(french_members__organisation=organisation) | models.Q(foreign=organisation)
        )


class PublishedManager(models.Manager):
    """``Model.objects``: published rows only, so public code cannot show a draft by forgetting a filter.

    Code that needs drafts asks for them on purpose through ``Model.all_objects`` (the default manager,
    used by the back office and by the access policies in ``coopdec.atlas.policies``).
    """

    def get_queryset(self):
        return super().get_queryset().filter(published=True)


class Partnership(models.Model):
    class Kind(models.TextChoices):
        CONVENTION = "convention", _("Convention de coopération décentralisée")
        TWINNING = "jumelage", _("Jumelage")
        OTHER_ACTION = "hors_convention", _("Action extérieure hors convention")

    class Status(models.TextChoices):
        PLANNED = "en_projet", _("En projet")
        ACTIVE = "active", _("Active")
        DORMANT = "en_sommeil", _("En sommeil")
        ENDED = "terminee", _("Terminée")

    slug = models.SlugField(_("identifiant public"), max_length=120, unique=True)
    title = models.CharField(_("intitulé"), max_length=300)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, db_index=True)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField(_("date de signature ou de début"), null=True, blank=True)
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    foreign = models.ManyToManyField(
        Organisation,
        related_name="foreign_partnerships",
        verbose_name=_("autorités locales étrangères"),
        limit_choices_to={"kind": Organisation.Kind.FOREIGN_AUTHORITY},
    )
    # Rows made by the generator or an import are public; the professional space creates drafts
    # (published=False) that go public through the publication gate, and a partnership inventoried by an
    # embassy correspondent stays unpublished until the French authority confirms it.
    published = models.BooleanField(_("publié"), default=True, db_index=True)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    last_confirmed_at = models.DateTimeField(
        _("dernière confirmation par la collectivité"), null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = PublishedManager.from_queryset(PartnershipQuerySet)()
    all_objects = PartnershipQuerySet.as_manager()

    class Meta:
        default_manager_name = "all_objects"
        verbose_name = _("partenariat")
        verbose_name_plural = _("partenariats")
        ordering = ["slug"]

    def __str__(self):
        return self.title


class PartnershipMember(models.Model):
    """A French local authority in a partnership; exactly one of them leads (chef de file)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="french_members", verbose_name=_("partenariat")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="partnership_memberships",
        verbose_name=_("collectivité française"),
    )
    is_lead = models.BooleanField(_("chef de file"), default=False)

    class Meta:
        verbose_name = _("collectivité française du partenariat")
        verbose_name_plural = _("collectivités françaises du partenariat")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "organisation"], name="unique_partnership_member"),
            models.UniqueConstraint(
                fields=["partnership"], condition=models.Q(is_lead=True), name="one_lead_per_partnership"
            ),
        ]

    def __str__(self):
        return str(self.organisation)


class ProjectQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def in_country(self, iso2: str):
        return self.filter(partnership__foreign__country_id=iso2).distinct()

    def of_authority(self, organisation):
        return self.filter(partnership__french_members__organisation=organisation).distinct()


class Project(models.Model):
    """A fiche-projet."""

    class Status(models.TextChoices):
        PLANNED = "en_preparation", _("En préparation")
        ONGOING = "en_cours", _("En cours")
        COMPLETED = "termine", _("Terminé")
        SUSPENDED = "suspendu", _("Suspendu")

    slug = models.SlugField(_("identifiant public"), max_length=140, unique=True)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="projects", verbose_name=_("partenariat")
    )
    title = models.CharField(_("titre"), max_length=300)
    themes = models.ManyToManyField(Theme, related_name="projects", verbose_name=_("thématiques"))
    objectives = models.TextField(_("objectifs"), blank=True)
    description = models.TextField(_("description"), blank=True)
    history = models.TextField(_("historique"), blank=True)
    context = models.TextField(_("contexte"), blank=True)
    results = models.TextField(_("résultats"), blank=True)
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.ONGOING, db_index=True
    )
    last_confirmed_at = models.DateTimeField(
        _("dernière confirmation par la collectivité"), null=True, blank=True
    )
    # See Partnership.published: drafts are invisible to ``Project.objects`` and to every public page.
    published = models.BooleanField(_("publiée"), default=True, db_index=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = PublishedManager.from_queryset(ProjectQuerySet)()
    all_objects = ProjectQuerySet.as_manager()

    class Meta:
        default_manager_name = "all_objects"
        verbose_name = _("fiche-projet")
        verbose_name_plural = _("fiches-projets")
        ordering = ["slug"]

    def __str__(self):
        return self.title


class Financing(models.Model):
    class Kind(models.TextChoices):
        OWN_FUNDS = "fonds_propres", _("Fonds propres")
        DAECT = "daect", _("Cofinancement DAECT")
        AFD = "afd_ficol", _("AFD / FICOL")
        EU = "ue", _("Union européenne")
        OTHER = "autre", _("Autre")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="financings", verbose_name=_("projet")
    )
    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="financings",
        verbose_name=_("financeur"),
    )
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("année"))
    amount = models.DecimalField(_("montant (€)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("ligne de financement")
        verbose_name_plural = _("lignes de financement")
        ordering = ["project", "year", "kind", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} : {self.amount} €"


class Participant(models.Model):
    """Another actor in a project (association, university, hospital, company…) and its role."""

    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("Association")
        UNIVERSITY = "universite", _("Université ou école")
        HOSPITAL = "hopital", _("Hôpital")
        COMPANY = "entreprise", _("Entreprise")
        PUBLIC_BODY = "etablissement_public", _("Établissement public")
        OTHER = "autre", _("Autre")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="participants", verbose_name=_("projet")
    )
    name = models.CharField(_("nom"), max_length=250)
    kind = models.CharField(_("nature"), max_length=30, choices=Kind.choices)
    country = models.ForeignKey(
        "geo.Country", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("pays")
    )
    role = models.CharField(_("rôle"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("autre participant")
        verbose_name_plural = _("autres participants")
        ordering = ["project", "pk"]

    def __str__(self):
        return self.name


class Contact(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("projet")
    )
    name = models.CharField(_("nom"), max_length=200)
    function = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["project", "pk"]

    def __str__(self):
        return self.name


class Volunteer(models.Model):
    """Volunteers sent or hosted by a project, counted by programme."""

    class Programme(models.TextChoices):
        VSI = "vsi", _("Volontariat de solidarité internationale (VSI)")
        CIVIC = "service_civique", _("Service civique")
        VIA = "via", _("Volontariat international en administration (VIA)")
        RECIPROCITY = "reciprocite", _("Volontariat de réciprocité")
        UNPAID = "benevole", _("Bénévolat")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="volunteers", verbose_name=_("projet")
    )
    programme = models.CharField(_("dispositif"), max_length=20, choices=Programme.choices)
    count = models.PositiveSmallIntegerField(_("nombre"), default=1)
    year = models.PositiveSmallIntegerField(_("année"))

    class Meta:
        verbose_name = _("volontaires")
        verbose_name_plural = _("volontaires")
        ordering = ["project", "year", "pk"]

    def __str__(self):
        return f"{self.count} × {self.get_programme_display()} ({self.year})"


class Change(models.Model):
    """One saved change to a partnership or a project: append-only, never edited."""

    class Action(models.TextChoices):
        CREATE = "creation", _("Création")
        UPDATE = "modification", _("Modification")
        DELETE = "suppression", _("Suppression")

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("partenariat"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("projet"),
    )
    object_slug = models.CharField(_("identifiant de l'objet"), max_length=140)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    version = models.PositiveIntegerField(_("version après le changement"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    changed_by_label = models.CharField(_("auteur (libellé)"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)
    # {"field": {"old": …, "new": …}}, values as text or lists of codes for many-to-many fields.
    diff = models.JSONField(_("différences"), default=dict)
    comment = models.CharField(_("commentaire"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("modification")
        verbose_name_plural = _("historique des modifications")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.object_slug} v{self.version} ({self.get_action_display()})"


class DataLoad(models.Model):
    """A bulk load of Atlas data (demo generation or import), recorded once per run."""

    class Kind(models.TextChoices):
        DEMO = "demo", _("Jeu de démonstration")
        IMPORT = "import", _("Import de fichiers")

    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices)
    parameters = models.JSONField(_("paramètres"), default=dict)
    counts = models.JSONField(_("objets chargés"), default=dict)
    started_at = models.DateTimeField(_("commencé le"))
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("chargement de données")
        verbose_name_plural = _("chargements de données")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"
