"""The public directory of embassy correspondents: one row per correspondent and country covered.

A correspondent is a person with an active ``correspondant`` membership on an embassy; the countries are
the embassy's (``countries``, and its own ``country``). Only the work e-mail and phone the person chose to
publish (``CorrespondentProfile``) are shown; their account's address never is.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from django.db.models import Prefetch, Q

from coopdec.exports.formats.columns import Column
from coopdec.geo.models import Continent, Country
from coopdec.orgs.models import Membership, Organisation

from .models import CorrespondentProfile


@dataclass(frozen=True)
class DirectoryRow:
    country_code: str
    country: str
    continent: str
    embassy: str
    name: str
    function: str
    email: str
    phone: str


def correspondent_memberships():
    return Membership.objects.filter(
        role=Membership.Role.CORRESPONDENT, status=Membership.Status.ACTIVE, user__is_active=True
    )


def covered_countries():
    """Countries with at least one correspondent, for the filter."""
    embassies = correspondent_memberships().values("organisation_id")
    own = Organisation.objects.filter(pk__in=embassies).exclude(country=None).values("country_id")
    return Country.objects.filter(Q(embassies__in=embassies) | Q(iso2__in=own)).distinct().order_by("name_fr")


def directory_rows(
    *, country: Country | None = None, continent: Continent | None = None
) -> list[DirectoryRow]:
    """The directory, sorted by country then name, filtered by country or continent; three queries."""
    memberships = correspondent_memberships().select_related("user", "organisation__country__continent")
    if country is not None:
        memberships = memberships.filter(
            Q(organisation__countries=country) | Q(organisation__country=country)
        )
    elif continent is not None:
        memberships = memberships.filter(
            Q(organisation__countries__continent=continent) | Q(organisation__country__continent=continent)
        )
    memberships = memberships.distinct().prefetch_related(
        Prefetch("organisation__countries", queryset=Country.objects.select_related("continent"))
    )
    memberships = list(memberships)
    profiles = {
        p.user_id: p
        for p in CorrespondentProfile.objects.filter(user_id__in={m.user_id for m in memberships})
    }
    rows = []
    for m in memberships:
        embassy = m.organisation
        countries = {c.iso2: c for c in embassy.countries.all()}
        if embassy.country is not None:
            countries.setdefault(embassy.country.iso2, embassy.country)
        profile = profiles.get(m.user_id)
        for c in countries.values():
            if country is not None and c.iso2 != country.iso2:
                continue
            if continent is not None and c.continent_id != continent.code:
                continue
            rows.append(
                DirectoryRow(
                    country_code=c.iso2,
                    country=c.name_fr,
                    continent=c.continent.name_fr if c.continent else "",
                    embassy=embassy.name,
                    # Never the username: sign-up sets it to the e-mail address, which stays private.
                    name=m.user.get_full_name(),
                    function=m.function,
                    email=profile.public_email if profile else "",
                    phone=profile.public_phone if profile else "",
                )
            )
    rows.sort(key=lambda r: (r.country, r.name.lower(), r.embassy))
    return rows


COLUMNS: tuple[Column, ...] = (
    Column("country_code", "Code pays", "string", attrgetter("country_code")),
    Column("country", "Pays", "string", attrgetter("country")),
    Column("continent", "Continent", "string", attrgetter("continent")),
    Column("embassy", "Ambassade", "string", attrgetter("embassy")),
    Column("name", "Nom", "string", attrgetter("name")),
    Column("function", "Fonction", "string", attrgetter("function")),
    Column("email", "Courriel", "string", attrgetter("email")),
    Column("phone", "Téléphone", "string", attrgetter("phone")),
)
