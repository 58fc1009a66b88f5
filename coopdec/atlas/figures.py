"""Key figures of the Atlas ("en chiffres"), computed live from the database."""

from coopdec.orgs.models import Organisation

from .models import Partnership, PartnershipMember, Project


def key_figures() -> dict[str, int]:
    """Counts shown on the home page and returned by ``/api/v1/stats``.

    Authorities and countries count only those engaged in at least one partnership: an organisation
    loaded from the reference data but with no partnership is not "engaged".
    """
    foreign_ids = Partnership.foreign.through.objects.values("organisation_id")
    return {
        "projects": Project.objects.count(),
        "partnerships": Partnership.objects.count(),
        "french_authorities": PartnershipMember.objects.values("organisation_id").distinct().count(),
        "foreign_authorities": Partnership.foreign.through.objects.values("organisation_id")
        .distinct()
        .count(),
        "countries": Organisation.objects.filter(pk__in=foreign_ids)
        .exclude(country=None)
        .values("country_id")
        .distinct()
        .count(),
    }
