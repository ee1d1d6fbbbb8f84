"""Each engine's index, created and kept by migrations and after them.

Called by migrations 0007 and 0013 (through their own copies, never this module, since
0016), after every `migrate` (a table rebuild on SQLite drops the triggers), and by the
importer around a bulk load.
"""

from __future__ import annotations

import contextlib

from django.db import connections

from engagements.search.postgres import POSTGRES_SQL
from engagements.search.sqlite import (
    FTS_TABLE,
    SQLITE_FORMER_TRIGGERS,
    SQLITE_REINDEX,
    SQLITE_TABLE,
    SQLITE_TRIGGERS,
)
from engagements.upkeep import bulk


def install(schema_editor) -> None:
    """Create the engine's index (called by a migration)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_SQL:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TABLE)
        for sql in [*SQLITE_TRIGGERS.values(), *SQLITE_REINDEX]:
            schema_editor.execute(sql)


def keep_vectors_inline(schema_editor) -> None:
    """PostgreSQL: keep each row's search vector in the row, and rewrite the rows stored
    before (called by a migration).

    A search reads the vector of every readout it considers. Stored out of line (TOAST,
    where PostgreSQL puts a row's largest values by default), each costs three more page
    reads: a common word's newest 10,000 matches took 43 ms instead of 11 on 100,000
    readouts. With the vector kept in the row (compressed), the body and its HTML, which
    only the readout page reads, are moved out instead."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = "engagements_meeting"
    schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN search_vector SET STORAGE MAIN")
    # Values already stored keep their place until written again: write them again (the
    # generated vector is recomputed and stored the new way).
    schema_editor.execute(f"UPDATE {table} SET search_primary = search_primary")


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS meeting_search_vector_idx")
        schema_editor.execute("ALTER TABLE engagements_meeting DROP COLUMN IF EXISTS search_vector")
    elif vendor == "sqlite":
        for name in [*SQLITE_TRIGGERS, *SQLITE_FORMER_TRIGGERS]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


# What a first load writes, besides the meetings' own table.
_PARTS = [
    "engagements_participation",
    "engagements_taggedmeeting",
    "engagements_meeting_countries",
    "engagements_source",
    "engagements_source_topics",
    "engagements_accounttitle",
]


def prepare_bulk_write(*, empty_archive: bool, using: str = "default"):
    """Inside a transaction about to write many meetings: let the indexes absorb them in
    bulk.

    PostgreSQL: a larger GIN pending list and work memory for this transaction only.
    Into an empty archive (a first load, nobody reading yet) the indexes, unique and
    foreign-key constraints of the meetings and their parts are set aside and built once
    at the end (upkeep/bulk.py), which is faster than growing them row by row (the GIN
    index of the search vectors above all). The returned function finishes (call it
    before the transaction commits): it builds what was set aside, and refreshes the
    planner's statistics, which a large load makes stale (the facet queries then pick bad
    plans until autovacuum catches up).
    """
    conn = connections[using]
    if conn.vendor != "postgresql":
        return lambda: None
    set_aside = contextlib.ExitStack()
    with conn.cursor() as cursor:
        cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        if empty_archive:
            set_aside.enter_context(
                bulk.indexes_set_aside(
                    conn.cursor(), ["engagements_meeting", *_PARTS], foreign_keys=True
                )
            )

    def finish() -> None:
        set_aside.close()
        with conn.cursor() as cursor:
            cursor.execute(
                "ANALYZE engagements_meeting, engagements_participation, "
                "engagements_taggedmeeting, engagements_meeting_countries, engagements_source, "
                "engagements_official, engagements_topic"
            )

    return finish


def repair_sqlite_index(using: str = "default") -> bool:
    """Recreate FTS5 triggers a table rebuild dropped, and reindex. True if it had to."""
    conn = connections[using]
    if conn.vendor != "sqlite":
        return False
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
            [f"{FTS_TABLE}%"],
        )
        present = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE not in present:
            return False  # not migrated that far yet
        if set(SQLITE_TRIGGERS) <= present:
            return False
        for name in SQLITE_FORMER_TRIGGERS:  # never both kinds: each would index a row
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for sql in [*SQLITE_TRIGGERS.values(), *SQLITE_REINDEX]:
            cursor.execute(sql)
    return True
