"""PostgreSQL's full-text search: a stored, weighted `tsvector` with a GIN index.

Queried with a tsquery built from the same reading of a search as SQLite's (query.prepare:
quotes, `or`, `-`, stop words, spellings, a topic's other names), ranked with `ts_rank`
(weights in the proportions of SQLite's bm25), snippets by `ts_headline`; misspelt names
get suggestions from pg_trgm. Ranking reads only the row it ranks (no statistics of the
whole table), and every query starts from published readouts: nothing computed from
drafts reaches a visitor.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from functools import reduce

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
from engagements.search import ranking
from engagements.search.query import MARK_END, MARK_START, prepare

# `english` that ignores diacritics, as SQLite's tokenizer does (migration 0021): the
# stored search vector is computed with it.
CONFIG = "archive_english"


# A whole number after a hyphen is a signed number to PostgreSQL's parser ("phase-2":
# phase, -2; "COVID-19": covid, -19), and "phase 2" is not: a phrase with a whole number
# also tries it with the sign toggled, as SQLite's tokenizer reads both alike. Variants
# for the first two such numbers only (at most four phrases).
_WHOLE_NUMBER = re.compile(r"-?\d+")
SIGNED_VARIANTS_OF = 2


def _variants(words: list[str]) -> list[SearchQuery]:
    """The phrase, and the same with its whole numbers' signs toggled."""
    variants = [words]
    numbers = [i for i, word in enumerate(words) if _WHOLE_NUMBER.fullmatch(word)]
    for i in numbers[:SIGNED_VARIANTS_OF]:
        toggled = words[i][1:] if words[i].startswith("-") else f"-{words[i]}"
        variants += [[*v[:i], toggled, *v[i + 1 :]] for v in variants]
    return [SearchQuery(" ".join(v), search_type="phrase", config=CONFIG) for v in variants]


def _phrase(words: list[str]) -> SearchQuery:
    """Any of the phrase's variants."""
    return reduce(operator.or_, _variants(words))


def _not_phrase(words: list[str]) -> SearchQuery:
    """None of the phrase's variants (Django negates a single query, not a combination)."""
    return reduce(operator.and_, (~variant for variant in _variants(words)))


def _any_phrase(alternatives: Sequence[Sequence[str]]) -> SearchQuery:
    """Any of a group's phrases (one word of a search, in its spellings or names)."""
    return reduce(operator.or_, (_phrase(list(p)) for p in alternatives))


def web_query(text: str, synonyms: Sequence[str] = ()) -> SearchQuery | None:
    """The tsquery of the search both engines run (query.prepare): each group one of its
    phrases, every group, none of the excluded phrases, or any of the names the search
    names; None when no word is left."""
    parsed = prepare(text, synonyms)
    query = None
    for alternatives in parsed.groups:
        either = _any_phrase(alternatives)
        query = either if query is None else query & either
    for words in parsed.excluded:
        query = _not_phrase(words) if query is None else query & _not_phrase(words)
    for words in parsed.names:  # a topic's or an official's names, as well as the words
        query = query | _phrase(words)
    return query


class _StoredVector(Expression):
    """PostgreSQL's stored `search_vector` column of the meetings table, under whatever alias
    the query gives that table (subqueries rename it). Not a model field: SQLite has none."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name(compiler.query.get_initial_alias())
        return f"{alias}.{connection.ops.quote_name('search_vector')}", []


_PG_VECTOR = _StoredVector()


class _Substance(Expression):
    """How substantive a readout is, from the length of its text: 1 for a line, about 4 for
    a page. It multiplies the rank, so that a long readout that names a subject in its
    topics and text is not buried under short ones that repeat it in their titles.
    (`octet_length` reads the stored size, not the text itself.)"""

    output_field = FloatField()

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name(compiler.query.get_initial_alias())
        # In float8: `/ 300.0` made it numeric, whose ln() took 20-35 ms of a search
        # ranking 10,000 matches (2 µs each); the rank itself took 1 ms.
        return f"(1 + ln(1 + octet_length({alias}.body)::float8 / {SUBSTANCE_CHARS}))", []


SUBSTANCE_CHARS = ranking.SUBSTANCE_CHARS
# ts_rank's weights of the body (C: and D, unused), the summary, topics, places and accounts
# (B), and the title and names (A).
WEIGHTS = [0.1, 0.33, 0.67, 1.0]


# find() reads each match's rank with the match (no separate pass, as on SQLite).
RANKED_APART = False


def matching(
    meetings: QuerySet, text: str, *, ranked: bool = True, synonyms: Sequence[str] = ()
) -> tuple[QuerySet, Expression]:
    """The meetings matching `text`, and the expression of their rank (higher is better)."""
    query = web_query(text, synonyms)
    if query is None:
        return meetings.none(), Value(0.0, output_field=FloatField())
    # Ranked by the words asked for: a readout found by another of a topic's names only
    # comes after those that use the name searched (as on SQLite).
    asked = web_query(text) if synonyms else query
    rank = (
        SearchRank(_PG_VECTOR, asked, weights=WEIGHTS) if synonyms else _weighted_rank(text, asked)
    ) * _Substance()
    return meetings.alias(search_vector=_PG_VECTOR).filter(search_vector=query), rank


def _weighted_rank(text: str, asked: SearchQuery) -> Expression:
    """ts_rank of the words asked, each group of the search weighted by how rare it is in
    the archive (bm25's inverse document frequency, which SQLite's rank has): in "telephone
    call Wang Yi", "telephone" tells more than "Wang". A search that is one group, or a
    topic's or an official's name (ranked whole, as a name), is ranked as before."""
    groups = prepare(text).groups
    if len(groups) < 2:
        return SearchRank(_PG_VECTOR, asked, weights=WEIGHTS)
    queries = [_any_phrase(alternatives) for alternatives in groups]
    total, _average = ranking.archive_statistics()
    found = ranking.document_frequencies(groups, count_matching)
    rank = Value(0.0, output_field=FloatField())
    for query, matches in zip(queries, found, strict=True):
        idf = ranking.rarity(total, matches)
        rank = rank + SearchRank(_PG_VECTOR, query, weights=WEIGHTS) * Value(idf)
    return rank


def count_matching(alternatives: Sequence[Sequence[str]]) -> int:
    """How many published readouts hold any of these phrases (one group of a search)."""
    return (
        Meeting.objects.published()
        .alias(search_vector=_PG_VECTOR)
        .filter(search_vector=_any_phrase(alternatives))
        .count()
    )


def snippet_rows(meeting_ids: list[int], text: str, synonyms: Sequence[str] = ()):
    """(pk, passage with the engine's markers) for each of the meetings."""
    query = web_query(text, synonyms)
    if query is None:
        return []
    return (
        Meeting.objects.filter(pk__in=meeting_ids)
        .annotate(
            snippet=SearchHeadline(
                Concat("summary", Value(" "), "body", output_field=TextField()),
                query,
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
