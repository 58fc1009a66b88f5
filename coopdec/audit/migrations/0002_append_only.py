"""The database refuses to change audit events, and on PostgreSQL to delete them one by one.

SQLite gets no DELETE trigger and PostgreSQL no TRUNCATE trigger: the test runner empties every table between
transactional tests (DELETE on SQLite, TRUNCATE on PostgreSQL), and emptying a whole database is not an edit.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER audit_event_no_update"]

POSTGRES = [
    """CREATE FUNCTION audit_event_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER audit_event_no_change ON audit_auditevent",
    "DROP FUNCTION audit_event_refuse()",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
