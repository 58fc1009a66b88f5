"""The controlled vocabulary of thématiques, each mapped to OECD DAC 5-digit purpose codes.

This vocabulary is the portal's own (the Atlas's headings), so it is written here; the DAC codes it points
to come from the IATI Sector codelist loaded into ``DacSector`` by ``load_reference``, and loading fails
if one of them is unknown there.
"""

from dataclasses import dataclass, field

from django.db import transaction

from coopdec.geo.models import DacSector

from .models import Theme


@dataclass(frozen=True)
class ThemeEntry:
    code: str
    name_fr: str
    name_en: str
    dac: tuple[str, ...]
    children: tuple["ThemeEntry", ...] = field(default=())


VOCABULARY: tuple[ThemeEntry, ...] = (
    ThemeEntry(
        "culture-patrimoine",
        "Culture et patrimoine",
        "Culture and heritage",
        ("16061", "16066"),
        (
            ThemeEntry("patrimoine", "Patrimoine et musées", "Heritage and museums", ("16066",)),
            ThemeEntry("sport", "Sport et loisirs", "Sport and recreation", ("16065",)),
            ThemeEntry("francophonie", "Francophonie et langue française", "French language", ("16066",)),
        ),
    ),
    ThemeEntry(
        "education-formation",
        "Éducation et formation",
        "Education and training",
        ("11110", "11120", "11220", "11320", "11330"),
        (
            ThemeEntry("echanges-scolaires", "Échanges scolaires", "School exchanges", ("11120",)),
            ThemeEntry(
                "formation-professionnelle", "Formation professionnelle", "Vocational training", ("11330",)
            ),
        ),
    ),
    ThemeEntry("jeunesse", "Jeunesse", "Youth", ("11231", "16015")),
    ThemeEntry(
        "social-sante",
        "Social et santé",
        "Social affairs and health",
        ("12110", "12220", "12230", "16010", "16015"),
        (
            ThemeEntry("sante", "Santé", "Health", ("12110", "12220", "12230")),
            ThemeEntry("action-sociale", "Action sociale", "Social services", ("16010", "16015")),
        ),
    ),
    ThemeEntry(
        "recherche-enseignement-superieur",
        "Recherche et enseignement supérieur",
        "Research and higher education",
        ("11420", "11182", "31182", "41082"),
    ),
    ThemeEntry(
        "economie-developpement-durable",
        "Économie et développement durable",
        "Economy and sustainable development",
        ("25010", "25030", "16020", "32130"),
        (
            ThemeEntry("emploi-insertion", "Emploi et insertion", "Jobs and inclusion", ("16020",)),
            ThemeEntry(
                "economie-sociale-solidaire", "Économie sociale et solidaire", "Social economy", ("25030",)
            ),
        ),
    ),
    ThemeEntry(
        "eau-assainissement",
        "Eau et assainissement",
        "Water and sanitation",
        ("14010", "14020", "14030", "14031", "14032", "14050"),
    ),
    ThemeEntry(
        "agriculture-securite-alimentaire",
        "Agriculture et sécurité alimentaire",
        "Agriculture and food security",
        ("31110", "31120", "31166", "43071", "43072"),
    ),
    ThemeEntry(
        "environnement-climat-energie",
        "Environnement, climat et énergie",
        "Environment, climate and energy",
        ("41010", "41030", "41081", "23110", "23210", "23230"),
    ),
    ThemeEntry(
        "gouvernance-locale",
        "Gouvernance locale et décentralisation",
        "Local governance and decentralisation",
        ("15112", "15128", "15185", "15150"),
    ),
    ThemeEntry(
        "urbanisme-services-urbains",
        "Urbanisme et services urbains",
        "Urban planning and services",
        ("43030", "43031", "43032", "21012"),
    ),
    ThemeEntry("tourisme", "Tourisme", "Tourism", ("33210",)),
    ThemeEntry(
        "egalite-femmes-hommes",
        "Égalité femmes-hommes",
        "Gender equality",
        ("15170", "15180"),
    ),
    ThemeEntry(
        "humanitaire-urgence",
        "Humanitaire et urgence",
        "Humanitarian aid and emergencies",
        ("72010", "72040", "73010", "74020"),
    ),
)


def _flatten(entries, parent=None):
    for entry in entries:
        yield entry, parent
        yield from _flatten(entry.children, entry.code)


class UnknownSectorError(ValueError):
    pass


@transaction.atomic
def load_themes() -> int:
    """Create or update every theme and its DAC codes; returns the number of themes."""
    entries = list(_flatten(VOCABULARY))
    wanted = {code for entry, _ in entries for code in entry.dac}
    known = set(DacSector.objects.filter(code__in=wanted).values_list("code", flat=True))
    if wanted - known:
        raise UnknownSectorError(
            "Codes CAD absents de la liste des secteurs chargée : " + ", ".join(sorted(wanted - known))
        )
    for position, (entry, parent) in enumerate(entries):
        theme, _ = Theme.objects.update_or_create(
            code=entry.code,
            defaults={
                "name_fr": entry.name_fr,
                "name_en": entry.name_en,
                "parent_id": parent,
                "position": position,
            },
        )
        theme.dac_sectors.set(entry.dac)
    return len(entries)
