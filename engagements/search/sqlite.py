"""SQLite's full-text search: an external-content FTS5 table kept in step by triggers.

Its tokenizer (migration 0007: `porter unicode61 remove_diacritics 2`) stems English words
and ignores diacritics, as PostgreSQL's `archive_english` configuration does. Ranked with
`bm25()` (column weights), snippets by `snippet()`. Only published readouts are in the
index: FTS5 ranks with statistics of its whole index and a search counted its matches
there, so with drafts indexed a visitor's crafted query could tell whether a draft held a
word (migration 0015).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import FloatField, QuerySet, Value
from django.db.models.expressions import Expression, RawSQL

from engagements.search import ranking
from engagements.search.query import MARK_END, MARK_START, prepare

FTS_TABLE = "engagements_meeting_fts"
# bm25 weights of search_primary, search_secondary, body (3:2:1): "6.0, 4.0, 2.0".
WEIGHTS = ", ".join(map(str, ranking.COLUMN_WEIGHTS))
# The rank is multiplied by 1 + ln(1 + bytes of text / SUBSTANCE_CHARS) (as on PostgreSQL).
SUBSTANCE_CHARS = ranking.SUBSTANCE_CHARS
# Ranking in a queryset (a correlated bm25 per row) re-reads the term's whole posting list
# for each row: n hits cost n². A queryset (search(): downloads, feeds) ranks at most this
# many hits so, the rest newest first; a list page (find()) ranks every match in one pass
# (ranks()).
RANK_LIMIT = 300
# find() takes its ranks from ranks(), not from the query that reads the matches.
RANKED_APART = True
COLUMNS = "search_primary, search_secondary, body"
# Only published readouts are in the SQLite index. FTS5 ranks with statistics of the whole
# index (how many rows hold a word, their average length) and a search counted its matches
# there: with drafts in it, a visitor's crafted query could tell whether a draft holds a
# word. (PostgreSQL's ranking reads only the row it ranks; its queries start from
# published readouts.)
SQLITE_TRIGGERS = {
    "engagements_meeting_fts_add": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_add
        AFTER INSERT ON engagements_meeting WHEN new.status = 'published' BEGIN
            INSERT INTO {FTS_TABLE}(rowid, {COLUMNS})
            VALUES (new.id, new.search_primary, new.search_secondary, new.body);
        END""",
    "engagements_meeting_fts_remove": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_remove
        AFTER DELETE ON engagements_meeting WHEN old.status = 'published' BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS})
            VALUES ('delete', old.id, old.search_primary, old.search_secondary, old.body);
        END""",
    "engagements_meeting_fts_change": f"""
        CREATE TRIGGER IF NOT EXISTS engagements_meeting_fts_change
        AFTER UPDATE OF search_primary, search_secondary, body, status ON engagements_meeting
        BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS})
            SELECT 'delete', old.id, old.search_primary, old.search_secondary, old.body
            WHERE old.status = 'published';
            INSERT INTO {FTS_TABLE}(rowid, {COLUMNS})
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
    f"INSERT INTO {FTS_TABLE}(rowid, {COLUMNS}) SELECT id, {COLUMNS} "
    "FROM engagements_meeting WHERE status = 'published'",
]


def _fts5_phrase(words: list[str]) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def _fts5_expression(groups: list[list[list[str]]], names: list[list[str]] = ()) -> str:
    """Every group (any of its phrases), or any of `names` (query.prepare)."""
    every = " AND ".join(
        "(" + " OR ".join(_fts5_phrase(p) for p in alternatives) + ")" for alternatives in groups
    )
    if not names:
        return every
    return "(" + " OR ".join(_fts5_phrase(p) for p in names) + f") OR ({every})"


class _Bm25Rank(Expression):
    """SQLite: the FTS5 rank of each meeting row for a MATCH expression (higher is better)."""

    output_field = FloatField()

    def __init__(self, expression: str) -> None:
        super().__init__()
        self.expression = expression

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name(compiler.query.get_initial_alias())
        return (
            f"(SELECT -bm25({FTS_TABLE}, {WEIGHTS}) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid = {alias}.id)"
            f" * (1 + ln(1 + length(CAST({alias}.body AS BLOB)) / {SUBSTANCE_CHARS}.0))",
            [self.expression],
        )


def ranks(text: str) -> dict[int, float]:
    """{meeting pk: rank} for every published meeting matching `text`, in one pass of the
    index (bm25 with the column weights, times the substance factor). A readout a search
    found by another of a topic's names (query.prepare) is not among them: it ranks last."""
    parsed = prepare(text)
    if not parsed.groups:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {FTS_TABLE}.rowid, -bm25({FTS_TABLE}, {WEIGHTS})"
            f" * (1 + ln(1 + length(CAST(m.body AS BLOB)) / {SUBSTANCE_CHARS}.0))"
            f" FROM {FTS_TABLE} JOIN engagements_meeting m ON m.id = {FTS_TABLE}.rowid"
            f" WHERE {FTS_TABLE} MATCH %s",
            [_fts5_expression(parsed.groups)],
        )
        return dict(cursor.fetchall())


def count_matching(alternatives: Sequence[Sequence[str]]) -> int:
    """How many published readouts hold any of these phrases (one group of a search)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
            [_fts5_expression([list(map(list, alternatives))])],
        )
        return cursor.fetchone()[0]


def matching(
    meetings: QuerySet, text: str, *, ranked: bool = True, synonyms: Sequence[str] = ()
) -> tuple[QuerySet, Expression]:
    """The meetings matching `text`, and the expression of their rank (higher is better;
    0 for all when not `ranked`, or past RANK_LIMIT hits)."""
    parsed = prepare(text, synonyms)
    no_rank = Value(0.0, output_field=FloatField())
    rank = no_rank
    if not parsed.groups:
        if not parsed.excluded:
            return meetings.none(), no_rank
        found = meetings
    else:
        expression = _fts5_expression(parsed.groups, parsed.names)
        matches = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        if ranked:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM ({matches})", [expression])
                hits = cursor.fetchone()[0]
            # Ranked by the words asked for: a readout found by another of a topic's names
            # only comes after those that use the name searched.
            rank = (
                _Bm25Rank(_fts5_expression(prepare(text).groups)) if hits <= RANK_LIMIT else no_rank
            )
        found = meetings.filter(pk__in=RawSQL(matches, [expression]))
    if parsed.excluded:
        expression = _fts5_expression([[words] for words in parsed.excluded]).replace(
            " AND ", " OR "
        )
        found = found.exclude(
            pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])
        )
    return found, rank


def snippet_rows(meeting_ids: list[int], text: str, synonyms: Sequence[str] = ()):
    """(pk, passage with the engine's markers) for each of the meetings that matches."""
    parsed = prepare(text, synonyms)
    if not parsed.groups:
        return []
    placeholders = ", ".join(["%s"] * len(meeting_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, snippet({FTS_TABLE}, 2, %s, %s, ' … ', 30) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})",
            [MARK_START, MARK_END, _fts5_expression(parsed.groups, parsed.names), *meeting_ids],
        )
        return cursor.fetchall()
