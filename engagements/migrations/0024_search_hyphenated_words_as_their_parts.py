"""PostgreSQL: a hyphenated word is indexed as its parts only, as SQLite indexes it.

PostgreSQL's parser gives a hyphenated word ("phase-II", "Anwaar-ul-Haq") whole and then
its parts, each at a position of its own, so every word after it stood one place (or
more) further on than the words of a search, which are the parts in a row: "CPEC phase
II" did not find "CPEC phase-II", nor did a quoted phrase with a hyphenated word after its
first word. SQLite's tokenizer has always given the parts alone. `archive_english`
(migration 0021) no longer maps the whole word (asciihword, hword, numhword), only its
parts; the stored search vector is computed again with it: at 100,000 readouts 32 s
here, during which the readouts' table is locked. (The SQL is written out here, not
imported from the app.)
"""

from django.db import migrations

TABLE = "engagements_meeting"
WHOLE_WORDS = "asciihword, hword, numhword"


def _compute_vectors_again(schema_editor) -> None:
    for sql in [
        "DROP INDEX IF EXISTS meeting_search_vector_idx",
        f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
        # One statement: the storage (in the row, migration 0013) is set before the
        # rewrite that computes the vectors.
        f"""ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('archive_english', coalesce(search_primary, '')), 'A')
            || setweight(to_tsvector('archive_english', coalesce(search_secondary, '')), 'B')
            || setweight(to_tsvector('archive_english', coalesce(body, '')), 'C')
        ) STORED, ALTER COLUMN search_vector SET STORAGE MAIN""",
        f"CREATE INDEX meeting_search_vector_idx ON {TABLE} USING GIN (search_vector)",
        f"ANALYZE {TABLE}",
    ]:
        schema_editor.execute(sql)


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TEXT SEARCH CONFIGURATION archive_english DROP MAPPING IF EXISTS FOR {WHOLE_WORDS}"
    )
    _compute_vectors_again(schema_editor)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    # As migration 0021 left them: `english`'s own, with unaccent before the stemmer.
    for sql in [
        "ALTER TEXT SEARCH CONFIGURATION archive_english ADD MAPPING FOR asciihword "
        "WITH english_stem",
        "ALTER TEXT SEARCH CONFIGURATION archive_english ADD MAPPING FOR hword "
        "WITH unaccent, english_stem",
        "ALTER TEXT SEARCH CONFIGURATION archive_english ADD MAPPING FOR numhword WITH simple",
    ]:
        schema_editor.execute(sql)
    _compute_vectors_again(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("engagements", "0023_facet_reads_from_indexes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
