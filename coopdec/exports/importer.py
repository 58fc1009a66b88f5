"""Writing validated records to the database: all or nothing, and only what differs.

Organisations, partnerships and projects are matched by their public identifier (``slug``); a row equal to
what is stored is not rewritten. Rows that hang from a partnership or a project (French members, foreign
partners, themes, financings, participants, contacts, volunteers) have no identifier of their own: they
are compared as a whole, by content, and replaced only when they differ. Every update of a partnership or
project bumps its version and appends a ``Change`` row in the format of ``coopdec.atlas.history``; the run
itself is recorded as one ``DataLoad``.

A table absent from the input (as when a mapped source only describes projects) leaves the matching rows
in the database untouched; a table present, even empty, is the whole truth for the objects it hangs from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coopdec.atlas.history import diff, field_values
from coopdec.atlas.models import (
    Change,
    Contact,
    DataLoad,
    Financing,
    Participant,
    Partnership,
    PartnershipMember,
    Project,
    Volunteer,
)
from coopdec.geo.models import Commune, Department
from coopdec.orgs.models import Organisation

from .atlas_tables import to_text
from .validation import AUTHORITY_REFERENCE, Record, _existing

BATCH = 500

ORGANISATION_FIELDS = {
    "name": "name",
    "kind": "kind",
    "code": "code",
    "region_code": "region_id",
    "department_code": "department_id",
    "commune_insee": "commune_id",
    "epci_siren": "epci_id",
    "country": "country_id",
    "subdivision": "subdivision_id",
    "level": "level",
    "geonames_id": "geonames_id",
    "population": "population",
    "latitude": "latitude",
    "longitude": "longitude",
    "website": "website",
    "last_confirmed_at": "last_confirmed_at",
}
FLOAT_FIELDS = {"latitude", "longitude"}
PARTNERSHIP_FIELDS = ("title", "kind", "status", "start_date", "end_date")
PROJECT_FIELDS = (
    "title",
    "objectives",
    "description",
    "history",
    "context",
    "results",
    "start_date",
    "end_date",
    "status",
    "last_confirmed_at",
)
CENT = Decimal("0.01")

# Children of a project: the columns compared and written, in the order of the tuples below.
PROJECT_CHILDREN = {
    "financings": (Financing, ("funder", "kind", "year", "amount")),
    "participants": (Participant, ("name", "kind", "country", "role")),
    "contacts": (Contact, ("name", "function", "email", "phone")),
    "volunteers": (Volunteer, ("programme", "count", "year")),
}
CHILD_LOOKUPS = {"funder": "funder__slug", "country": "country_id"}


def _slug_map(model, slugs) -> dict[str, int]:
    return _existing(model, "slug", slugs)


def _stored_by_slug(model, slugs) -> dict:
    slugs = sorted(slugs)
    found = {}
    for start in range(0, len(slugs), BATCH):
        for obj in model.objects.filter(slug__in=slugs[start : start + BATCH]):
            found[obj.slug] = obj
    return found


def _update_changed(model, objs: list, changes: list[Change], fields: tuple[str, ...]) -> None:
    """Write the changed objects' changed fields (with the version), one UPDATE per object.

    Grouped by the fields that changed, each group is one statement run with ``executemany``. Django's
    ``bulk_update`` builds a CASE WHEN per object and per field instead: an import that changed the title
    of 4,000 projects spent about 40 s there naming the dozen fields, 10 s naming three.
    """
    groups = defaultdict(list)
    for obj, change in zip(objs, changes, strict=True):
        groups[tuple(name for name in fields if name in change.diff)].append(obj)
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    for changed, group in groups.items():
        written = [model._meta.get_field(name) for name in (*changed, "version", "updated_at")]
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in written)
        # Table and column names come from the model, values are parameters.
        statement = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
        rows = [
            [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in written] + [obj.pk]
            for obj in group
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                cursor.executemany(statement, rows[start : start + BATCH])


class Importer:
    def __init__(self, records: dict[str, list[Record]], *, label: str, complete_geography: bool = False):
        self.records = records
        self.label = label
        self.complete_geography = complete_geography
        self.counts: dict[str, int] = defaultdict(int)
        self.now = timezone.now()

    # The steps of a run, in order, with the name shown in the command's progress.
    STEPS = (
        ("organisations", _("organisations")),
        ("organisation_countries", _("pays couverts")),
        ("partnerships", _("partenariats")),
        ("projects", _("projets")),
    )

    def run(self, parameters: dict, on_step: Callable[[str], None] | None = None) -> DataLoad:
        """Write everything in one transaction, ended by the ``DataLoad`` row: a run interrupted at any
        point (an error, kill -9) leaves neither rows nor a record of the load.

        ``on_step`` is called with each step's name before the step starts.
        """
        with transaction.atomic():
            for method, name in self.STEPS:
                if on_step is not None:
                    on_step(name)
                getattr(self, method)()
            return DataLoad.objects.create(
                kind=DataLoad.Kind.IMPORT,
                parameters=parameters,
                counts=dict(sorted(self.counts.items())),
                started_at=self.now,
                finished_at=timezone.now(),
            )

    # Organisations ---------------------------------------------------------------------------------

    def organisation_attrs(self, values: dict) -> dict:
        attrs = {}
        for column, attname in ORGANISATION_FIELDS.items():
            value = values.get(column)
            attrs[attname] = float(value) if attname in FLOAT_FIELDS and value is not None else value
        return attrs

    def organisations(self) -> None:
        rows = {
            r.values["slug"]: self.organisation_attrs(r.values) for r in self.records.get("organisations", [])
        }
        if self.complete_geography:
            self.fill_geography(rows.values())
        stored = _stored_by_slug(Organisation, rows)
        created, updated = [], defaultdict(list)
        for slug, attrs in rows.items():
            obj = stored.get(slug)
            if obj is None:
                created.append(Organisation(slug=slug, **attrs))
                continue
            changed = tuple(name for name, value in attrs.items() if getattr(obj, name) != value)
            if changed:
                for name in changed:
                    setattr(obj, name, attrs[name])
                updated[changed].append(obj)
        Organisation.objects.bulk_create(created, batch_size=BATCH)
        for changed, objs in updated.items():
            Organisation.objects.bulk_update(objs, changed, batch_size=BATCH)
        updated = [obj for objs in updated.values() for obj in objs]
        self.counts["organisations_creees"] += len(created)
        self.counts["organisations_modifiees"] += len(updated)

    def fill_geography(self, rows) -> None:
        """For sources that give only the official code, find the entity and its department and region."""
        for attrs in rows:
            if attrs["kind"] in AUTHORITY_REFERENCE and not any(
                attrs[name] for name in ("region_id", "department_id", "commune_id", "epci_id")
            ):
                column = AUTHORITY_REFERENCE[attrs["kind"]][1]
                attrs[ORGANISATION_FIELDS[column]] = attrs["code"]
        communes = {a["commune_id"] for a in rows if a["commune_id"] and not a["department_id"]}
        commune_departments = _existing(Commune, "insee", communes, ("department_id",))
        for attrs in rows:
            if attrs["commune_id"] in commune_departments and not attrs["department_id"]:
                attrs["department_id"] = commune_departments[attrs["commune_id"]]
        departments = {a["department_id"] for a in rows if a["department_id"] and not a["region_id"]}
        department_regions = _existing(Department, "code", departments, ("region_id",))
        for attrs in rows:
            if attrs["department_id"] in department_regions and not attrs["region_id"]:
                attrs["region_id"] = department_regions[attrs["department_id"]]

    def organisation_countries(self) -> None:
        if "organisation_countries" not in self.records:
            return
        wanted = {slug: set() for slug in (r.values["slug"] for r in self.records.get("organisations", []))}
        for record in self.records["organisation_countries"]:
            wanted.setdefault(record.values["organisation"], set()).add(record.values["country"])
        ids = _slug_map(Organisation, wanted)
        through = Organisation.countries.through
        stored = defaultdict(set)
        for start in range(0, len(ids), BATCH):
            chunk = list(ids.values())[start : start + BATCH]
            for organisation_id, country_id in through.objects.filter(organisation_id__in=chunk).values_list(
                "organisation_id", "country_id"
            ):
                stored[organisation_id].add(country_id)
        for slug, countries in wanted.items():
            organisation_id = ids[slug]
            if stored[organisation_id] == countries:
                continue
            through.objects.filter(organisation_id=organisation_id).exclude(country_id__in=countries).delete()
            through.objects.bulk_create(
                [
                    through(organisation_id=organisation_id, country_id=code)
                    for code in sorted(countries - stored[organisation_id])
                ]
            )
            self.counts["pays_couverts_modifies"] += 1

    # Partnerships ----------------------------------------------------------------------------------

    def partnerships(self) -> None:
        rows = {r.values["slug"]: r.values for r in self.records.get("partnerships", [])}
        members = self.grouped("partnership_members", "partnership", ("organisation", "is_lead"))
        foreign = self.grouped("partnership_foreign_partners", "partnership", ("organisation",))
        slugs = set(rows) | set(members or {}) | set(foreign or {})
        stored = _stored_by_slug(Partnership, slugs)
        created = [
            Partnership(slug=slug, version=1, **{name: values[name] for name in PARTNERSHIP_FIELDS})
            for slug, values in rows.items()
            if slug not in stored
        ]
        Partnership.objects.bulk_create(created, batch_size=BATCH)
        self.counts["partenariats_crees"] += len(created)

        stored_members = self.stored_children(
            PartnershipMember, "partnership", stored, ("organisation__slug", "is_lead")
        )
        stored_foreign = self.stored_children(
            Partnership.foreign.through, "partnership", stored, ("organisation__slug",)
        )
        organisation_ids = _slug_map(
            Organisation,
            {row[0] for group in (members or {}).values() for row in group}
            | {row[0] for group in (foreign or {}).values() for row in group},
        )
        # The stored foreign partners by id, as ``m2m_values`` gives them, read once for all partnerships.
        stored_foreign_ids = self.stored_children(
            Partnership.foreign.through, "partnership", stored, ("organisation_id",)
        )
        changed_members, changed_foreign, changes = [], [], []
        for slug, obj in stored.items():
            old = {
                **field_values(obj),
                "foreign": sorted(str(i) for (i,) in stored_foreign_ids.get(slug, [])),
            }
            if slug in rows:
                for name in PARTNERSHIP_FIELDS:
                    setattr(obj, name, rows[slug][name])
            new = {**field_values(obj), "foreign": old["foreign"]}
            if foreign is not None and sorted(
                foreign.get(slug, []), key=self.child_key
            ) != stored_foreign.get(slug, []):
                new["foreign"] = sorted(str(organisation_ids[s]) for (s,) in foreign.get(slug, []))
                changed_foreign.append(obj)
            extra_old, extra_new = {}, {}
            if members is not None and sorted(
                members.get(slug, []), key=self.child_key
            ) != stored_members.get(slug, []):
                extra_old["french_members"] = [self.member_text(m) for m in stored_members.get(slug, [])]
                extra_new["french_members"] = [self.member_text(m) for m in sorted(members.get(slug, []))]
                changed_members.append(obj)
            difference = {**diff(old, new), **diff(extra_old, extra_new)}
            if difference:
                changes.append(self.bump(obj, difference))
        _update_changed(Partnership, [change.partnership for change in changes], changes, PARTNERSHIP_FIELDS)
        Change.objects.bulk_create(changes, batch_size=BATCH)
        self.counts["partenariats_modifies"] += len(changes)

        ids = {obj.slug: obj.pk for obj in stored.values()} | _slug_map(
            Partnership, [p.slug for p in created]
        )
        if members is not None:
            renewed = [obj.pk for obj in changed_members]
            PartnershipMember.objects.filter(partnership_id__in=renewed).delete()
            targets = set(p.slug for p in created) | {obj.slug for obj in changed_members}
            PartnershipMember.objects.bulk_create(
                [
                    PartnershipMember(
                        partnership_id=ids[slug],
                        organisation_id=organisation_ids[organisation],
                        is_lead=is_lead,
                    )
                    for slug in sorted(targets)
                    for organisation, is_lead in sorted(members.get(slug, []))
                ],
                batch_size=BATCH,
            )
        if foreign is not None:
            through = Partnership.foreign.through
            through.objects.filter(partnership_id__in=[obj.pk for obj in changed_foreign]).delete()
            targets = set(p.slug for p in created) | {obj.slug for obj in changed_foreign}
            through.objects.bulk_create(
                [
                    through(partnership_id=ids[slug], organisation_id=organisation_ids[organisation])
                    for slug in sorted(targets)
                    for (organisation,) in sorted(foreign.get(slug, []))
                ],
                batch_size=BATCH,
            )

    @staticmethod
    def member_text(member: tuple) -> str:
        organisation, is_lead = member
        return f"{organisation} (chef de file)" if is_lead else organisation

    # Projects --------------------------------------------------------------------------------------

    def projects(self) -> None:
        rows = {r.values["slug"]: r.values for r in self.records.get("projects", [])}
        themes = self.grouped("project_themes", "project", ("theme",))
        children = {
            name: self.grouped(name, "project", tuple(columns))
            for name, (_model, columns) in PROJECT_CHILDREN.items()
        }
        slugs = set(rows) | set(themes or {}) | {s for group in children.values() if group for s in group}
        stored = _stored_by_slug(Project, slugs)
        partnership_ids = _slug_map(Partnership, {values["partnership"] for values in rows.values()})
        created = [
            Project(
                slug=slug,
                partnership_id=partnership_ids[values["partnership"]],
                version=1,
                **{name: values[name] for name in PROJECT_FIELDS},
            )
            for slug, values in rows.items()
            if slug not in stored
        ]
        Project.objects.bulk_create(created, batch_size=BATCH)
        self.counts["projets_crees"] += len(created)

        stored_themes = self.stored_children(Project.themes.through, "project", stored, ("theme_id",))
        stored_children = {
            name: self.stored_children(model, "project", stored, [CHILD_LOOKUPS.get(c, c) for c in columns])
            for name, (model, columns) in PROJECT_CHILDREN.items()
        }
        renew: dict[str, set[str]] = defaultdict(set, {name: {p.slug for p in created} for name in children})
        renew["themes"] = {p.slug for p in created}
        changes = []
        for slug, obj in stored.items():
            old = {**field_values(obj), "themes": sorted(code for (code,) in stored_themes.get(slug, []))}
            if slug in rows:
                obj.partnership_id = partnership_ids[rows[slug]["partnership"]]
                for name in PROJECT_FIELDS:
                    setattr(obj, name, rows[slug][name])
            new = {**field_values(obj), "themes": old["themes"]}
            if themes is not None and sorted(themes.get(slug, []), key=self.child_key) != stored_themes.get(
                slug, []
            ):
                new["themes"] = sorted(code for (code,) in themes.get(slug, []))
                renew["themes"].add(slug)
            extra_old, extra_new = {}, {}
            for name, group in children.items():
                if group is None:
                    continue
                wanted = self.child_texts(group.get(slug, []))
                current = self.child_texts(stored_children[name].get(slug, []))
                if wanted != current:
                    extra_old[name], extra_new[name] = current, wanted
                    renew[name].add(slug)
            difference = {**diff(old, new), **diff(extra_old, extra_new)}
            if difference:
                changes.append(self.bump(obj, difference))
        _update_changed(
            Project, [change.project for change in changes], changes, ("partnership", *PROJECT_FIELDS)
        )
        Change.objects.bulk_create(changes, batch_size=BATCH)
        self.counts["projets_modifies"] += len(changes)

        ids = {obj.slug: obj.pk for obj in stored.values()} | _slug_map(Project, [p.slug for p in created])
        if themes is not None:
            through = Project.themes.through
            through.objects.filter(project_id__in=[ids[s] for s in renew["themes"]]).delete()
            through.objects.bulk_create(
                [
                    through(project_id=ids[slug], theme_id=code)
                    for slug in sorted(renew["themes"])
                    for (code,) in sorted(themes.get(slug, []))
                ],
                batch_size=BATCH,
            )
        funders = _slug_map(
            Organisation, {row[0] for group in (children["financings"] or {}).values() for row in group}
        )
        for name, group in children.items():
            if group is None:
                continue
            model, columns = PROJECT_CHILDREN[name]
            model.objects.filter(project_id__in=[ids[s] for s in renew[name]]).delete()
            model.objects.bulk_create(
                [
                    self.child(model, columns, ids[slug], row, funders)
                    for slug in sorted(renew[name])
                    for row in sorted(group.get(slug, []), key=self.child_key)
                ],
                batch_size=BATCH,
            )
            self.counts[f"{name}_ecrits"] += sum(len(group.get(slug, [])) for slug in renew[name])

    @staticmethod
    def child(model, columns, project_id: int, row: tuple, funders: dict):
        attrs = dict(zip(columns, row, strict=True))
        if "funder" in attrs:
            attrs["funder_id"] = funders[attrs.pop("funder")]
        if "country" in attrs:
            attrs["country_id"] = attrs.pop("country")
        return model(project_id=project_id, **attrs)

    @staticmethod
    def child_key(row: tuple) -> tuple:
        return tuple(to_text(value) for value in row)

    @classmethod
    def child_texts(cls, rows) -> list[str]:
        """Child rows as sorted text lines: the form they are compared in and shown in the history."""
        return sorted(" | ".join(cls.child_key(cls.normalised(row))) for row in rows)

    @staticmethod
    def normalised(row: tuple) -> tuple:
        return tuple(value.quantize(CENT) if isinstance(value, Decimal) else value for value in row)

    # Shared ----------------------------------------------------------------------------------------

    def grouped(self, table: str, parent: str, columns: tuple[str, ...]) -> dict[str, list[tuple]] | None:
        """Rows of ``table`` as tuples of ``columns`` by parent slug; ``None`` when the table is absent."""
        if table not in self.records:
            return None
        groups = defaultdict(list)
        for record in self.records[table]:
            groups[record.values[parent]].append(
                self.normalised(tuple(record.values[column] for column in columns))
            )
        return groups

    @staticmethod
    def stored_children(model, parent: str, stored: dict, columns) -> dict[str, list[tuple]]:
        by_id = {obj.pk: slug for slug, obj in stored.items()}
        groups = defaultdict(list)
        ids = sorted(by_id)
        for start in range(0, len(ids), BATCH):
            for row in model.objects.filter(**{f"{parent}_id__in": ids[start : start + BATCH]}).values_list(
                f"{parent}_id", *columns
            ):
                groups[by_id[row[0]]].append(Importer.normalised(row[1:]))
        return {slug: sorted(rows, key=Importer.child_key) for slug, rows in groups.items()}

    def bump(self, obj, difference: dict) -> Change:
        obj.version += 1
        obj.updated_at = self.now
        return Change(
            **({"project": obj} if isinstance(obj, Project) else {"partnership": obj}),
            object_slug=obj.slug,
            action=Change.Action.UPDATE,
            version=obj.version,
            changed_by_label=self.label,
            diff=difference,
            comment="import_atlas",
        )
