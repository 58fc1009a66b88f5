"""The full-text part of the index, in each vendor's own SQL.

SQLite: an FTS5 table whose rowid is the project id, holding the normalised text (see
``coopdec.search.text.index_text``). PostgreSQL: the ``unaccent`` extension, a ``coopdec_fr`` text search
configuration copied from ``french`` with ``unaccent`` before the French stemmer, and a weighted
``vector`` column (title A, the rest B) with a GIN index.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts"]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'coopdec_fr') THEN
           CREATE TEXT SEARCH CONFIGURATION coopdec_fr (COPY = french);
           ALTER TEXT SEARCH CONFIGURATION coopdec_fr
             ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
         END IF;
       END $$""",
    "ALTER TABLE search_searchdocument ADD COLUMN vector tsvector",
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
