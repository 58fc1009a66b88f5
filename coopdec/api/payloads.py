"""JSON shapes of the API, built from the same rows as the exports (``coopdec.exports.formats``).

A coded value is always ``{"code": …, "label": …}`` with the French label; no database id appears:
projects, partnerships and authorities are named by their slug, places by their official codes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from coopdec.exports.formats.rows import (
    FINANCING_KIND,
    ORGANISATION_KIND,
    PARTNERSHIP_KIND,
    PROJECT_STATUS,
    Authority,
    ProjectRow,
)
from coopdec.exports.formats.sheet import ProjectSheet


def coded(code, labels: dict[str, str]) -> dict | None:
    return {"code": code, "label": labels.get(code, code)} if code else None


def date(value: datetime.date | None) -> str | None:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value.isoformat() if value else None


def amount(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def place(code, name) -> dict | None:
    return {"code": code, "label": name} if code else None


def authority(item: Authority) -> dict:
    return {
        "slug": item.slug,
        "name": item.name,
        "kind": coded(item.kind, ORGANISATION_KIND),
        "region": place(item.region, item.region_name),
        "department": place(item.department, item.department_name),
        "country": place(item.country, item.country_name),
    }


def project(row: ProjectRow, *, base_url: str, snippet: str | None = None) -> dict:
    payload = {
        "slug": row.slug,
        "url": f"{base_url}{row.slug}",
        "title": row.title,
        "status": coded(row.status, PROJECT_STATUS),
        "start_date": date(row.start_date),
        "end_date": date(row.end_date),
        "themes": [{"code": code, "label": label} for code, label in row.themes],
        "partnership": {
            "slug": row.partnership,
            "title": row.partnership_title,
            "kind": coded(row.partnership_kind, PARTNERSHIP_KIND),
        },
        "lead_authority": authority(row.lead) if row.lead else None,
        "french_authorities": [authority(item) for item in row.french],
        "foreign_authorities": [authority(item) for item in row.foreign],
        "countries": [{"code": code, "label": label} for code, label in row.countries],
        "total_amount": amount(row.total_amount),
        "last_confirmed_at": date(row.last_confirmed_at),
    }
    if snippet is not None:
        payload["snippet"] = snippet
    return payload


def project_detail(sheet: ProjectSheet, *, base_url: str) -> dict:
    payload = project(sheet.row, base_url=base_url)
    payload.update(sheet.texts)
    payload["financings"] = [
        {
            "funder": {"slug": line.funder, "name": line.funder_name},
            "kind": coded(line.kind, FINANCING_KIND),
            "year": line.year,
            "amount": amount(line.amount),
        }
        for line in sheet.row.financings
    ]
    payload["participants"] = [
        {
            "name": item["name"],
            "kind": {"code": item["kind"], "label": item["kind_label"]},
            "country": place(item["country"], item["country_name"]),
            "role": item["role"],
        }
        for item in sheet.participants
    ]
    payload["contacts"] = sheet.contacts
    payload["volunteers"] = [
        {
            "programme": {"code": item["programme"], "label": item["programme_label"]},
            "count": item["count"],
            "year": item["year"],
        }
        for item in sheet.volunteers
    ]
    return payload


def organisation(org, *, partnerships: int, projects: int) -> dict:
    region = org.region or (org.department.region if org.department else None)
    if region is None and org.commune is not None:
        region = org.commune.department.region
    department = org.department or (org.commune.department if org.commune else None)
    return {
        "slug": org.slug,
        "name": org.name,
        "kind": coded(org.kind, ORGANISATION_KIND),
        "code": org.code or None,
        "region": place(region.code, region.name) if region else None,
        "department": place(department.code, department.name) if department else None,
        "country": place(org.country_id, org.country.name_fr) if org.country_id else None,
        "subdivision": org.subdivision_id or None,
        "level": org.level or None,
        "population": org.population,
        "latitude": org.latitude,
        "longitude": org.longitude,
        "website": org.website or None,
        "partnerships": partnerships,
        "projects": projects,
    }


def country(item) -> dict:
    return {
        "iso2": item.iso2,
        "iso3": item.iso3,
        "name": item.name,
        "name_en": item.name_en,
        "continent": place(item.continent, item.continent_name),
        "latitude": item.latitude,
        "longitude": item.longitude,
        "foreign_authorities": item.foreign_authorities,
        "french_authorities": item.french_authorities,
        "partnerships": item.partnerships,
        "projects": item.projects,
    }
