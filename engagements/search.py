"""Full-text search: one interface, each engine's native tool.

PostgreSQL: a stored, weighted `tsvector` column with a GIN index, queried with
`websearch_to_tsquery` (quotes, `or`, `-`), ranked with `ts_rank`, snippets by
`ts_headline`. SQLite: an external-content FTS5 table kept in step by triggers,
ranked with `bm25()`, snippets by `snippet()`. The searchable text of a meeting
lives on the meeting (`search_primary`: title, participants' names and aliases;
`search_secondary`: summary, topics, places), refreshed in `derived.py`.

Nothing outside this module (and the migration that calls `install`) branches on
the database engine.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import FloatField, QuerySet, TextField, Value
from django.db.models.expressions import Expression, RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_CHARS = 300
MAX_TERMS = 24
SQLITE_RANK_LIMIT = 300
CONFIG = "english"
_MARK_START, _MARK_END = "\x02", "\x03"
FTS_TABLE = "engagements_meeting_fts"
_WEIGHTS = "10.0, 4.0, 1.0"  # bm25 weights of search_primary, search_secondary, body

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
SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_primary, search_secondary, body, content='engagements_meeting', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
)
_COLUMNS = "search_primary, search_secondary, body"
# Only published readouts are in the SQLite index. FTS5 ranks with statistics of the whole
# index (how many rows hold a word, their average length) and a search counted its matches
# there: with drafts in it, a visitor's crafted query could tell whether a draft holds a
# word. (PostgreSQL's ranking reads only the row it ranks; its queries start from
# published readouts.)
SQLITE_TRIGGERS = {
    "engagements_meeting_fts_add": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_add
        AFTER INSERT ON engagements_meeting WHEN new.status = 'published' BEGIN
            INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS})
            VALUES (new.id, new.search_primary, new.search_secondary, new.body);
        END""",
    "engagements_meeting_fts_remove": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_remove
        AFTER DELETE ON engagements_meeting WHEN old.status = 'published' BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLUMNS})
            VALUES ('delete', old.id, old.search_primary, old.search_secondary, old.body);
        END""",
    "engagements_meeting_fts_change": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_change
        AFTER UPDATE OF search_primary, search_secondary, body, status ON engagements_meeting
        BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLUMNS})
            SELECT 'delete', old.id, old.search_primary, old.search_secondary, old.body
            WHERE old.status = 'published';
            INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS})
            SELECT new.id, new.search_primary, new.search_secondary, new.body
            WHERE new.status = 'published';
        END""",
}
# Before migration 0015 the index held drafts too, kept by triggers of these names.
SQLITE_FORMER_TRIGGERS = [
    "engagements_meeting_fts_insert",
    "engagements_meeting_fts_delete",
    "engagements_meeting_fts_update",
]
# FTS5's own 'rebuild' would read every row of the meetings table, drafts included.
SQLITE_REINDEX = [
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')",
    f"INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS}) SELECT id, {_COLUMNS} "
    "FROM engagements_meeting WHERE status = 'published'",
]


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


def prepare_bulk_write(*, empty_archive: bool, using: str = "default"):
    """Inside a transaction about to write many meetings: let the index absorb them in bulk.

    PostgreSQL: a larger GIN pending list and work memory for this transaction only.
    Into an empty archive (a first load, nobody reading yet) the GIN index is dropped
    and built once at the end, which is faster than growing it row by row. The returned
    function finishes (call it before the transaction commits): it rebuilds the index
    if it was dropped and refreshes the planner's statistics, which a large load makes
    stale (the facet queries then pick bad plans until autovacuum catches up).
    """
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql":
        return lambda: None
    with conn.cursor() as cursor:
        cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        if empty_archive:
            cursor.execute("DROP INDEX IF EXISTS meeting_search_vector_idx")

    def finish() -> None:
        with conn.cursor() as cursor:
            if empty_archive:
                # Run the deferred foreign-key checks now: PostgreSQL won't index a table
                # with checks still pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(POSTGRES_SQL[1])
            cursor.execute(
                "ANALYZE engagements_meeting, engagements_participation, "
                "engagements_taggedmeeting, engagements_meeting_countries, engagements_source, "
                "engagements_official, engagements_topic"
            )

    return finish


def repair_sqlite_index(using: str = "default") -> bool:
    """Recreate FTS5 triggers a table rebuild dropped, and reindex. True if it had to."""
    from django.db import connections

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


# --- Queries ------------------------------------------------------------------------------


@dataclass
class ParsedQuery:
    """A web-search query: groups of alternatives (AND between groups), and exclusions."""

    groups: list[list[list[str]]] = field(default_factory=list)  # [[phrase tokens, …], …]
    excluded: list[list[str]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.excluded


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse(text: str) -> ParsedQuery:
    """Read quotes ("exact phrase"), `or` and a leading `-`, the way search engines do.

    Words are cut at anything that is not a letter or digit, as both engines' tokenizers
    do; unbalanced quotes run to the end, lone operators are ignored.
    """
    parsed = ParsedQuery()
    pending_or = False
    for negative, quoted, bare in _TOKEN.findall(text.replace("\x00", " ")):
        if bare and bare.lower() == "or":
            pending_or = bool(parsed.groups)
            continue
        if bare.startswith("-") and len(bare) > 1:
            negative, bare = "-", bare[1:]
        words = re.findall(r"\w+", quoted if quoted or not bare else bare)
        if not words:
            continue
        if negative:
            parsed.excluded.append(words)
        elif pending_or:
            parsed.groups[-1].append(words)
        else:
            parsed.groups.append([words])
        pending_or = False
        if len(parsed.groups) + len(parsed.excluded) >= MAX_TERMS:
            break
    return parsed


def _fts5_phrase(words: list[str]) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def _fts5_expression(groups: list[list[list[str]]]) -> str:
    return " AND ".join(
        "(" + " OR ".join(_fts5_phrase(p) for p in alternatives) + ")" for alternatives in groups
    )


def _postgres_query(text: str) -> SearchQuery:
    return SearchQuery(text.replace("\x00", " "), search_type="websearch", config=CONFIG)


class _StoredVector(Expression):
    """PostgreSQL's stored `search_vector` column of the meetings table, under whatever alias
    the query gives that table (subqueries rename it). Not a model field: SQLite has none."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name(compiler.query.get_initial_alias())
        return f"{alias}.{connection.ops.quote_name('search_vector')}", []


_PG_VECTOR = _StoredVector()


class _Bm25Rank(Expression):
    """SQLite: the FTS5 rank of each meeting row for a MATCH expression (higher is better)."""

    output_field = FloatField()

    def __init__(self, expression: str) -> None:
        super().__init__()
        self.expression = expression

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name(compiler.query.get_initial_alias())
        return (
            f"(SELECT -bm25({FTS_TABLE}, {_WEIGHTS}) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid = {alias}.id)",
            [self.expression],
        )


def _matching(meetings: QuerySet, text: str) -> tuple[QuerySet, Expression]:
    """The meetings matching `text`, and the expression of their rank (higher is better)."""
    if connection.vendor == "postgresql":
        query = _postgres_query(text)
        matching = meetings.alias(search_vector=_PG_VECTOR).filter(search_vector=query)
        return matching, SearchRank(_PG_VECTOR, query)
    parsed = parse(text)
    no_rank = Value(0.0, output_field=FloatField())
    rank = no_rank
    if not parsed.groups:
        if not parsed.excluded:
            return meetings.none(), no_rank
        matching = meetings
    else:
        expression = _fts5_expression(parsed.groups)
        matches = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({matches})", [expression])
            hits = cursor.fetchone()[0]
        # Each row's bm25 re-reads the term's whole posting list: ranking n hits costs n².
        # Past SQLITE_RANK_LIMIT hits the matches come newest first instead.
        rank = _Bm25Rank(expression) if hits <= SQLITE_RANK_LIMIT else no_rank
        matching = meetings.filter(pk__in=RawSQL(matches, [expression]))
    if parsed.excluded:
        expression = _fts5_expression([[words] for words in parsed.excluded]).replace(
            " AND ", " OR "
        )
        matching = matching.exclude(
            pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])
        )
    return matching, rank


def search(meetings: QuerySet, text: str, *, every_match: bool = False) -> QuerySet:
    """Meetings matching `text`, annotated with `rank` (higher is better): the newest
    settings.SEARCH_SAMPLE of them, or all with `every_match` (downloads)."""
    matching, rank = _matching(meetings, text)
    if not every_match and settings.SEARCH_SAMPLE:  # 0: every match, whatever it costs
        newest = matching.order_by("-date", "-id").values("pk")[: settings.SEARCH_SAMPLE]
        matching = matching.model.objects.filter(pk__in=newest)
    return matching.annotate(rank=rank)


@dataclass(frozen=True)
class Found:
    """What a search found, newest first, column by column: what its list page orders by
    and its facets count (an object per match would cost more than the counting)."""

    pks: tuple[int, ...] = ()
    dates: tuple[dt.date, ...] = ()
    kinds: tuple[str, ...] = ()
    facet_keys: tuple[str, ...] = ()  # derived.facet_keys
    ranks: tuple[float, ...] = ()

    def __len__(self) -> int:
        return len(self.pks)

    def ordered(self, sort: str) -> list[int]:
        """The ids, by relevance (then newest), newest or oldest first (filters.SORTS)."""
        if sort == "relevance":
            best_first = sorted(zip(self.ranks, self.dates, self.pks, strict=True), reverse=True)
            return [pk for _rank, _date, pk in best_first]
        return list(self.pks[::-1] if sort == "oldest" else self.pks)


def find(meetings: QuerySet, text: str) -> Found:
    """The newest settings.SEARCH_SAMPLE meetings matching `text`.

    One query reads them all, with their rank and facet keys: a search page counts its
    facets, orders its results and counts them from this (views.py), instead of having
    the database find the matches again for each (a third of a second each for a word in
    nearly every readout of 100,000)."""
    matching, rank = _matching(meetings, text)
    rows = (
        matching.annotate(rank=rank)
        .order_by("-date", "-id")
        .values_list("pk", "date", "kind", "facet_keys", "rank")
    )
    if settings.SEARCH_SAMPLE:  # 0: every match, whatever it costs
        rows = rows[: settings.SEARCH_SAMPLE]
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # e.g. an unknown filter value: no query needed
        return Found()
    # A plain cursor: each column comes as the database driver gives it (dates as dates,
    # on both databases), without the ORM's conversion of each of the 50,000 values.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = list(zip(*cursor.fetchall(), strict=True))
    return Found(*columns) if columns else Found()


def snippets(meeting_ids: list[int], text: str) -> dict[int, SafeString]:
    """Highlighted passages of the readouts' text for the given meetings: {pk: html}."""
    if not meeting_ids:
        return {}
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchHeadline
        from django.db.models.functions import Concat

        from .models import Meeting

        rows = (
            Meeting.objects.filter(pk__in=meeting_ids)
            .annotate(
                snippet=SearchHeadline(
                    Concat("summary", Value(" "), "body", output_field=TextField()),
                    _postgres_query(text),
                    config=CONFIG,
                    start_sel=_MARK_START,
                    stop_sel=_MARK_END,
                    max_words=40,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                )
            )
            .values_list("pk", "snippet")
        )
    else:
        parsed = parse(text)
        if not parsed.groups:
            return {}
        placeholders = ", ".join(["%s"] * len(meeting_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, snippet({FTS_TABLE}, 2, %s, %s, ' … ', 30) FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})",
                [_MARK_START, _MARK_END, _fts5_expression(parsed.groups), *meeting_ids],
            )
            rows = cursor.fetchall()
    return {pk: highlight(snippet) for pk, snippet in rows if snippet and _MARK_START in snippet}


def highlight(snippet: str) -> SafeString:
    """Escape a snippet's text, then turn the engine's markers into <mark>."""
    html = escape(snippet).replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 (escaped above; only our own tags added)


def suggestions(text: str, *, limit: int = 3) -> list:
    """Officials and topics whose names look like a misspelt query (PostgreSQL: pg_trgm)."""
    if connection.vendor != "postgresql" or not text.strip():
        return []
    from django.contrib.postgres.search import TrigramSimilarity

    from .models import Official, Topic

    text = text.replace("\x00", " ").strip()[:100]
    found = []
    for model in (Official, Topic):
        found += list(
            model.objects.public()
            .annotate(similarity=TrigramSimilarity("name", text))
            .filter(similarity__gt=0.3)
            .order_by("-similarity")[:limit]
        )
    found.sort(key=lambda item: -item.similarity)
    return found[:limit]
