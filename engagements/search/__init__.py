"""Full-text search: one interface, each engine's native tool.

`find` (what a list page shows), `search` (a queryset, for downloads and feeds),
`snippets`, `suggestions`; `parse` reads a visitor's query (query.py). One module per
engine (postgres.py, sqlite.py) behind it, and their indexes (schema.py). The searchable
text of a meeting lives on the meeting (`search_primary`: title, participants' names and
aliases; `search_secondary`: summary, topics, places), kept by upkeep/derived.py.

Nothing outside this package branches on the database engine.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, QuerySet, Value, When
from django.utils.safestring import SafeString

from engagements.search import postgres, ranking, spelling, sqlite
from engagements.search.accounts import AccountSnippet, account_snippets
from engagements.search.names import named_record, names_of, synonyms
from engagements.search.query import (
    MARK_START,
    MAX_QUERY_CHARS,
    ParsedQuery,
    highlight,
    parse,
    prepare,
)
from engagements.search.schema import repair_sqlite_index

__all__ = [
    "MAX_QUERY_CHARS",
    "AccountSnippet",
    "Found",
    "ParsedQuery",
    "account_snippets",
    "as_the_page_orders",
    "find",
    "find_or_correct",
    "highlight",
    "named_record",
    "names_of",
    "parse",
    "prepare",
    "read_columns",
    "repair_after_migrate",
    "search",
    "snippets",
    "suggestions",
    "synonyms",
]


def _engine():
    return postgres if connection.vendor == "postgresql" else sqlite


def search(
    meetings: QuerySet, text: str, *, every_match: bool = False, synonyms: Sequence[str] = ()
) -> QuerySet:
    """Meetings matching `text` (or, when it names a topic or official, any of `synonyms`,
    its names: names.synonyms), annotated with `rank` (higher is better): the newest
    settings.SEARCH_SAMPLE of them, or all with `every_match` (downloads)."""
    matching, rank = _engine().matching(meetings, text, synonyms=synonyms)
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
    ranks: tuple[float, ...] = ()  # the engine's
    # The ranks a list "most relevant first" orders by (ranking.reranked), computed only
    # for such a list: newest or oldest first needs no rank.
    relevance: Callable[[], tuple[float, ...]] | None = field(default=None, compare=False)

    def __len__(self) -> int:
        return len(self.pks)

    def ordered(self, sort: str) -> Sequence[int]:
        """The ids, by relevance (then newest), newest or oldest first (filters.SORTS)."""
        if sort == "relevance":
            ranks = self.relevance() if self.relevance else self.ranks
            return BestFirst(list(zip(ranks, self.dates, self.pks, strict=True)))
        return list(self.pks[::-1] if sort == "oldest" else self.pks)


class BestFirst(Sequence):
    """Ids by (rank, date, id), highest first, put in order only as far as asked: a page
    of 25 among 10,000 matches needs the 25 best (heapq.nlargest, as sorted() would
    order them), not every match sorted."""

    def __init__(self, entries: list[tuple[float, dt.date, int]]) -> None:
        self.entries = entries
        self.known: list[int] = []  # the first ids, in order
        self.whole = False

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, index: int | slice):
        needed = _needed(index)
        if not self.whole and (needed is None or needed > len(self.known)):
            if needed is not None and needed * 8 < len(self.entries):
                best = heapq.nlargest(needed, self.entries)
            else:
                best, self.whole = sorted(self.entries, reverse=True), True
            self.known = [pk for _rank, _date, pk in best]
        return self.known[index]


def _needed(index: int | slice) -> int | None:
    """How many of the first entries `index` reads, or None for "all of them" (an index
    from the end, a step)."""
    if isinstance(index, slice):
        if index.step not in (None, 1) or index.stop is None or index.stop < 0:
            return None
        if index.start is not None and index.start < 0:
            return None
        return index.stop
    return index + 1 if index >= 0 else None


def find(meetings: QuerySet, text: str, synonyms: Sequence[str] = ()) -> Found:
    """The newest settings.SEARCH_SAMPLE meetings matching `text`.

    One query reads them all, with their rank and facet keys: a search page counts its
    facets, orders its results and counts them from this (public/views.py), instead of having
    the database find the matches again for each (a third of a second each for a word in
    nearly every readout of 100,000)."""
    engine = _engine()
    # SQLite ranks every match in one pass of its index afterwards (sqlite.ranks): ranking
    # them in this query would cost n² for n matches.
    matching, rank = engine.matching(
        meetings, text, ranked=not engine.RANKED_APART, synonyms=synonyms
    )
    rows = (
        matching.annotate(rank=rank)
        .order_by("-date", "-id")
        .values_list("pk", "date", "kind", "facet_keys", "rank")
    )
    if settings.SEARCH_SAMPLE:  # 0: every match, whatever it costs
        rows = rows[: settings.SEARCH_SAMPLE]
    columns = read_columns(rows)
    if not columns:
        return Found()
    if engine.RANKED_APART:
        ranks = engine.ranks(text)
        columns[4] = tuple(ranks.get(pk, 0.0) for pk in columns[0])
    pks, dates, ranks = columns[0], columns[1], columns[4]
    # A search that names a topic or an official has its names as synonyms, the record's
    # own name first (names.synonyms).
    record_name = synonyms[0] if synonyms else ""
    return Found(
        *columns,
        # The same ranking on both engines for the best of them (ranking.py).
        relevance=lambda: ranking.reranked(
            pks, ranks, dates, prepare(text).groups, engine.count_matching, record_name
        ),
    )


def as_the_page_orders(matches: QuerySet, found: Found) -> QuerySet:
    """`matches` (from `search`, with every match: a download) most relevant first as the
    list page orders `found` (`find` among the same readouts): the page's first
    ranking.RERANKED, which ranking.py scores again, then the others by the engine's rank."""
    first = found.ordered("relevance")[: ranking.RERANKED]
    if not first:  # a CASE of no branch is a constant, which PostgreSQL reads as a column
        return matches.order_by("-rank", "-date", "-id")
    place = Case(
        *(When(pk=pk, then=Value(i)) for i, pk in enumerate(first)), default=Value(len(first))
    )
    return matches.alias(place_on_page=place).order_by("place_on_page", "-rank", "-date", "-id")


def read_columns(rows: QuerySet) -> list[tuple]:
    """The columns of a `values_list` queryset, each a tuple ([] when it finds nothing),
    read with a plain cursor: each value comes as the database driver gives it (dates as
    dates, on both databases), without the ORM's conversion of each of 50,000 values."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # e.g. an unknown filter value: no query needed
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(zip(*cursor.fetchall(), strict=True))


def find_or_correct(
    meetings: QuerySet,
    text: str,
    vocabulary: Callable[[], dict[str, str]],
    synonyms_of: Callable[[str], Sequence[str]] = synonyms,
) -> tuple[Found, str | None]:
    """What `find` finds; when that is nothing, what the query corrected from the archive's
    vocabulary (read only then: `vocabulary()`, spelling.py) finds, with the corrected
    query (else None). `synonyms_of(query)`: the names of the topic or official a query
    names (names.synonyms, which the pages keep per version of the archive)."""
    found = find(meetings, text, synonyms_of(text))
    if found or prepare(text).is_empty:
        return found, None
    corrected = spelling.correct(text, vocabulary())
    if corrected:
        again = find(meetings, corrected, synonyms_of(corrected))
        if again:
            return again, corrected
    return found, None


def snippets(
    meeting_ids: list[int], text: str, synonyms: Sequence[str] = ()
) -> dict[int, SafeString]:
    """Highlighted passages of the readouts' text for the given meetings: {pk: html}."""
    if not meeting_ids:
        return {}
    rows = _engine().snippet_rows(meeting_ids, text, synonyms)
    return {pk: highlight(snippet) for pk, snippet in rows if snippet and MARK_START in snippet}


def suggestions(text: str, *, limit: int = 3) -> list:
    """Officials and topics whose names look like a misspelt query (PostgreSQL only: SQLite
    has no trigram matching)."""
    if connection.vendor != "postgresql" or not text.strip():
        return []
    return postgres.suggestions(text, limit=limit)


def repair_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate: a migration that rebuilt the meetings table on SQLite dropped the FTS
    triggers; put them back."""
    repair_sqlite_index(using)
