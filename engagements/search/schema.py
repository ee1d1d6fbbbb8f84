"""Each engine's index, kept after migrations and around bulk loads.

The migrations create it (0007, 0013, 0015, 0021, with their own copies of the SQL);
this module repairs SQLite's triggers after every `migrate` (a table rebuild drops them)
and lets the importer's bulk load build PostgreSQL's indexes once at the end.
"""

from __future__ import annotations

import contextlib

from django.db import connections

from engagements.search.sqlite import (
    FTS_TABLE,
    SQLITE_FORMER_TRIGGERS,
    SQLITE_REINDEX,
    SQLITE_TRIGGERS,
)
from engagements.upkeep import bulk

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
