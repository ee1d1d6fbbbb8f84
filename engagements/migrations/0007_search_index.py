"""Each engine's full-text index over the meetings (see engagements/search/).

A migration of its own: PostgreSQL adds a column here, and must not in the same
transaction as 0006's row updates. The SQL is written out here, as it was when this
migration was written (0015 narrows SQLite's index to published readouts): later changes
to the search package never change what this migration does.
"""

from django.db import migrations

CONFIG = "english"
POSTGRES_SQL = [
    f"""
    ALTER TABLE engagements_meeting ADD COLUMN IF NOT EXISTS search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('{CONFIG}', coalesce(search_primary, '')), 'A')
        || setweight(to_tsvector('{CONFIG}', coalesce(search_secondary, '')), 'B')
        || setweight(to_tsvector('{CONFIG}', coalesce(body, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX IF NOT EXISTS meeting_search_vector_idx "
    "ON engagements_meeting USING GIN (search_vector)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
]
FTS = "engagements_meeting_fts"
COLUMNS = "search_primary, search_secondary, body"
SQLITE_SQL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "search_primary, search_secondary, body, content='engagements_meeting', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"""
    CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_insert
    AFTER INSERT ON engagements_meeting BEGIN
        INSERT INTO {FTS}(rowid, {COLUMNS})
        VALUES (new.id, new.search_primary, new.search_secondary, new.body);
    END""",
    f"""
    CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_delete
    AFTER DELETE ON engagements_meeting BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.search_primary, old.search_secondary, old.body);
    END""",
    f"""
    CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_update
    AFTER UPDATE OF search_primary, search_secondary, body ON engagements_meeting BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.search_primary, old.search_secondary, old.body);
        INSERT INTO {FTS}(rowid, {COLUMNS})
        VALUES (new.id, new.search_primary, new.search_secondary, new.body);
    END""",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRES_SQL, "sqlite": SQLITE_SQL}.get(vendor, []):
        schema_editor.execute(sql)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS meeting_search_vector_idx")
        schema_editor.execute("ALTER TABLE engagements_meeting DROP COLUMN IF EXISTS search_vector")
    elif vendor == "sqlite":
        for name in ["insert", "delete", "update", "add", "remove", "change"]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS engagements_meeting_fts_{name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


class Migration(migrations.Migration):
    dependencies = [("engagements", "0006_fill_search_text")]

    operations = [migrations.RunPython(install, uninstall)]
