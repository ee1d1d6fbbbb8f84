"""SQLite: the full-text index holds published readouts only (see engagements/search.py).

FTS5 ranks by statistics of its whole index, and a search counted its matches there: with
drafts indexed, a visitor could tell from the order of results whether a draft held a
word. The SQL is written out here, not imported, so that later changes to the search
module never change what this migration did.
"""

from django.db import migrations

FTS = "engagements_meeting_fts"
COLUMNS = "search_primary, search_secondary, body"
OLD = {
    "engagements_meeting_fts_insert": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_insert
        AFTER INSERT ON engagements_meeting BEGIN
            INSERT INTO {FTS}(rowid, {COLUMNS})
            VALUES (new.id, new.search_primary, new.search_secondary, new.body);
        END""",
    "engagements_meeting_fts_delete": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_delete
        AFTER DELETE ON engagements_meeting BEGIN
            INSERT INTO {FTS}({FTS}, rowid, {COLUMNS})
            VALUES ('delete', old.id, old.search_primary, old.search_secondary, old.body);
        END""",
    "engagements_meeting_fts_update": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_update
        AFTER UPDATE OF search_primary, search_secondary, body ON engagements_meeting BEGIN
            INSERT INTO {FTS}({FTS}, rowid, {COLUMNS})
            VALUES ('delete', old.id, old.search_primary, old.search_secondary, old.body);
            INSERT INTO {FTS}(rowid, {COLUMNS})
            VALUES (new.id, new.search_primary, new.search_secondary, new.body);
        END""",
}
NEW = {
    "engagements_meeting_fts_add": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_add
        AFTER INSERT ON engagements_meeting WHEN new.status = 'published' BEGIN
            INSERT INTO {FTS}(rowid, {COLUMNS})
            VALUES (new.id, new.search_primary, new.search_secondary, new.body);
        END""",
    "engagements_meeting_fts_remove": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_remove
        AFTER DELETE ON engagements_meeting WHEN old.status = 'published' BEGIN
            INSERT INTO {FTS}({FTS}, rowid, {COLUMNS})
            VALUES ('delete', old.id, old.search_primary, old.search_secondary, old.body);
        END""",
    "engagements_meeting_fts_change": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_change
        AFTER UPDATE OF search_primary, search_secondary, body, status ON engagements_meeting
        BEGIN
            INSERT INTO {FTS}({FTS}, rowid, {COLUMNS})
            SELECT 'delete', old.id, old.search_primary, old.search_secondary, old.body
            WHERE old.status = 'published';
            INSERT INTO {FTS}(rowid, {COLUMNS})
            SELECT new.id, new.search_primary, new.search_secondary, new.body
            WHERE new.status = 'published';
        END""",
}


def _replace(schema_editor, drop: dict, create: dict, fill: list[str]) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in drop:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in [*create.values(), f"INSERT INTO {FTS}({FTS}) VALUES ('delete-all')", *fill]:
        schema_editor.execute(sql)


def published_only(apps, schema_editor):
    fill = f"SELECT id, {COLUMNS} FROM engagements_meeting WHERE status = 'published'"
    _replace(schema_editor, OLD, NEW, [f"INSERT INTO {FTS}(rowid, {COLUMNS}) {fill}"])


def every_readout(apps, schema_editor):
    _replace(schema_editor, NEW, OLD, [f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')"])


class Migration(migrations.Migration):
    dependencies = [("engagements", "0014_offices_from_indexes")]

    operations = [migrations.RunPython(published_only, every_readout)]
