"""PostgreSQL's full-text search: a stored, weighted `tsvector` with a GIN index.

Queried with `websearch_to_tsquery` (quotes, `or`, `-`), ranked with `ts_rank`, snippets
by `ts_headline`; misspelt names get suggestions from pg_trgm. Ranking reads only the row
it ranks (no statistics of the whole table), and every query starts from published
readouts: nothing computed from drafts reaches a visitor.
"""

from __future__ import annotations

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramSimilarity,
)
from django.db.models import FloatField, QuerySet, TextField, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Concat

from engagements.models import Meeting, Official, Topic
from engagements.search.query import MARK_END, MARK_START

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


def web_query(text: str) -> SearchQuery:
    return SearchQuery(text.replace("\x00", " "), search_type="websearch", config=CONFIG)


class _StoredVector(Expression):
    """PostgreSQL's stored `search_vector` column of the meetings table, under whatever alias
    the query gives that table (subqueries rename it). Not a model field: SQLite has none."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name(compiler.query.get_initial_alias())
        return f"{alias}.{connection.ops.quote_name('search_vector')}", []


_PG_VECTOR = _StoredVector()


class _Substance(Expression):
    """How substantive a readout is, from the length of its text: 1 for a line, about 3 for
    a page. It multiplies the rank, so that a long readout that names a subject in its
    topics and text is not buried under short ones that repeat it in their titles.
    (`octet_length` reads the stored size, not the text itself.)"""

    output_field = FloatField()

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name(compiler.query.get_initial_alias())
        return f"(1 + ln(1 + octet_length({alias}.body) / {SUBSTANCE_CHARS}.0))", []


SUBSTANCE_CHARS = 1000


def matching(meetings: QuerySet, text: str) -> tuple[QuerySet, Expression]:
    """The meetings matching `text`, and the expression of their rank (higher is better)."""
    query = web_query(text)
    return meetings.alias(search_vector=_PG_VECTOR).filter(search_vector=query), SearchRank(
        _PG_VECTOR, query
    ) * _Substance()


def snippet_rows(meeting_ids: list[int], text: str):
    """(pk, passage with the engine's markers) for each of the meetings."""
    return (
        Meeting.objects.filter(pk__in=meeting_ids)
        .annotate(
            snippet=SearchHeadline(
                Concat("summary", Value(" "), "body", output_field=TextField()),
                web_query(text),
                config=CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_END,
                max_words=40,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .values_list("pk", "snippet")
    )


def suggestions(text: str, *, limit: int = 3) -> list:
    """Officials and topics whose names look like a misspelt query (pg_trgm)."""
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
