"""PostgreSQL: search without regard to diacritics, as SQLite does ("Turkiye" finds
"Türkiye", "Turkiye" and "Türkiye" find the same readouts).

SQLite's FTS5 tokenizer has folded diacritics from the start (`remove_diacritics 2`).
PostgreSQL's `english` configuration keeps them. A configuration of our own,
`archive_english`, is `english` with the `unaccent` dictionary (a trusted extension that
ships with PostgreSQL) before its stemmer; the stored search vector is computed with it,
so the column is made again, and every readout's vector with it: at 100,000 readouts
about a minute, during which the readouts' table is locked. (The SQL is written out here,
not imported from the app.)
"""

from django.db import migrations

TABLE = "engagements_meeting"


def _vector_sql(config: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS meeting_search_vector_idx",
        f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
        # One statement: the storage (in the row, migration 0013) is set before the
        # rewrite that computes the vectors.
        f"""ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('{config}', coalesce(search_primary, '')), 'A')
            || setweight(to_tsvector('{config}', coalesce(search_secondary, '')), 'B')
            || setweight(to_tsvector('{config}', coalesce(body, '')), 'C')
        ) STORED, ALTER COLUMN search_vector SET STORAGE MAIN""",
        f"CREATE INDEX meeting_search_vector_idx ON {TABLE} USING GIN (search_vector)",
        f"ANALYZE {TABLE}",
    ]


CREATE_CONFIG = """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'archive_english') THEN
            CREATE TEXT SEARCH CONFIGURATION archive_english (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION archive_english
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
    END $$
"""


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(CREATE_CONFIG)
    for sql in _vector_sql("archive_english"):
        schema_editor.execute(sql)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in _vector_sql("english"):
        schema_editor.execute(sql)
    schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS archive_english")


class Migration(migrations.Migration):
    dependencies = [("engagements", "0020_facetcount_statistics")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
