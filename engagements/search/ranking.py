"""One ranking on both engines: the best matches each engine finds, scored again here.

Each engine finds a search's matches and ranks them with its own function: FTS5's `bm25()`
on SQLite, `ts_rank` (with the rarity of each word) on PostgreSQL. The two weigh words
differently, so the same query used to put different readouts first on each (their top
tens shared 78% of their readouts). The engine's first RERANKED matches are scored again
here, by one function on both: BM25 over the words searched, as FTS5 reads it (a match
in the title and names counts 6, in the summary, topics, places and accounts 4, in the
body 2; each word's rarity in the whole archive; the readout's length against the
archive's average, with half of BM25's usual weight, b 0.5 rather than 0.75), times the
substance factor both engines apply (a long, substantive readout is not buried under
one-line ones). Words are read and stemmed here
the same way for both (Snowball's English stemmer, diacritics ignored). The other matches
follow, in the engine's order.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

import snowballstemmer
from django.core.cache import cache
from django.db.models import Avg, Count, Func, IntegerField
from django.db.models.functions import Left, Length

from engagements.models import Meeting

# How many of the engine's best matches are scored again: on the judged queries 50 rank as
# 100 and 200 do (30 loses some); each costs a read of its text (docs/search.md).
RERANKED = 50
K1, B = 1.2, 0.5
# The weight of a match in search_primary (title, names), search_secondary (summary,
# topics, places, accounts) and the body: FTS5's weights (sqlite.WEIGHTS).
COLUMN_WEIGHTS = (6.0, 4.0, 2.0)
SUBSTANCE_CHARS = 300  # as both engines' substance factor
# How much of a body is read for its words: a readout's first 20,000 characters (some
# 3,000 words). A body may hold 500,000; fifty of those would cost a second.
BODY_READ = 20_000
# How long the archive's size, average length and each word's count are kept: a
# publication moves them by one in thousands.
STATISTICS_KEPT_SECONDS = 3600

_WORD = re.compile(r"\w+")
# A stemmer keeps the word it works on in itself: one per thread (gunicorn's are threads).
_PER_THREAD = threading.local()


def folded(text: str) -> str:
    """Lower case, without diacritics (as both engines' tokenizers read text)."""
    text = text.casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The stem of a folded word."""
    stemmer = getattr(_PER_THREAD, "stemmer", None)
    if stemmer is None:
        stemmer = _PER_THREAD.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def phrase_stems(words: Sequence[str]) -> tuple[str, ...]:
    """A phrase of a search as stems, cut where the text is cut ("2.0" is 2, 0)."""
    return tuple(stem(w) for word in words for w in _WORD.findall(folded(word)))


def occurrences(text: str, phrases: Sequence[tuple[str, ...]]) -> int:
    """How many times any of `phrases` (stems) occurs in `text` (folded), word after word.

    Only the words that begin as a phrase's first stem does are read and stemmed (a stem
    keeps its word's first letters, bar a rare irregular word): a search scores a hundred
    readouts' text in a few milliseconds."""
    found = 0
    for phrase in phrases:
        first, rest = phrase[0], phrase[1:]
        if first[:3] not in text:  # most texts hold few of a search's words: one scan
            continue
        for match in _starting_with(first[:3]).finditer(text):
            if stem(match.group()) != first:
                continue
            end = match.end()
            for wanted in rest:
                following = _WORD.search(text, end)
                if following is None or stem(following.group()) != wanted:
                    break
                end = following.end()
            else:
                found += 1
    return found


@lru_cache(maxsize=1024)
def _starting_with(prefix: str) -> re.Pattern:
    """The words of a text that begin with `prefix`."""
    return re.compile(rf"(?<!\w){re.escape(prefix)}\w*")


class _Bytes(Func):
    """The size of a text in bytes, as both engines' substance factor reads it."""

    function = "octet_length"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="length(CAST(%(expressions)s AS BLOB))")


def archive_statistics() -> tuple[int, float]:
    """(published readouts, their average length in characters), kept an hour."""
    key = "search-statistics"
    known = cache.get(key)
    if known is None:
        length = Length("search_primary") + Length("search_secondary") + Length("body")
        found = Meeting.objects.published().aggregate(total=Count("pk"), average=Avg(length))
        known = (found["total"], float(found["average"] or 0.0))
        cache.set(key, known, STATISTICS_KEPT_SECONDS)
    return known


def _frequency_key(group) -> str:
    return "search-df:" + hashlib.sha256(repr(group).encode()).hexdigest()[:40]


def document_frequencies(
    groups: Sequence[Sequence[Sequence[str]]], count: Callable[[Sequence[Sequence[str]]], int]
) -> list[int]:
    """How many published readouts match each group of a search (`count(group)`: the
    engine's count), each kept an hour (a common word's count reads much of the index)."""
    keys = [
        "search-df:" + hashlib.sha256(repr(group).encode()).hexdigest()[:40] for group in groups
    ]
    known = cache.get_many(keys)
    missing = {key: group for key, group in zip(keys, groups, strict=True) if key not in known}
    if missing:
        counted = {key: count(group) for key, group in missing.items()}
        cache.set_many(counted, STATISTICS_KEPT_SECONDS)
        known |= counted
    return [known[key] for key in keys]


def scores(
    meeting_ids: Sequence[int],
    groups: Sequence[Sequence[Sequence[str]]],
    count: Callable[[Sequence[Sequence[str]]], int],
) -> dict[int, float]:
    """{meeting id: score} for these readouts and the groups of a search (query.prepare:
    every group, each any of its phrases): BM25 as FTS5 reads it, times the substance
    factor. One read of their text."""
    if not meeting_ids or not groups:
        return {}
    total, average = archive_statistics()
    stems = [[phrase_stems(p) for p in alternatives] for alternatives in groups]
    stems = [[p for p in alternatives if p] for alternatives in stems]
    rarity = [
        math.log(1 + (total - n + 0.5) / (n + 0.5)) for n in document_frequencies(groups, count)
    ]
    found = {}
    rows = Meeting.objects.filter(pk__in=meeting_ids).values_list(
        "pk", "search_primary", "search_secondary", Left("body", BODY_READ), Length("body"),
        _Bytes("body"),
    )  # fmt: skip
    for pk, primary, secondary, body, body_length, body_bytes in rows:
        columns = (primary or "", secondary or "", body or "")
        length = len(columns[0]) + len(columns[1]) + (body_length or 0)
        relative = length / average if average else 1.0
        texts = [folded(text) for text in columns]
        score = 0.0
        for phrases, idf in zip(stems, rarity, strict=True):
            # A group's phrases are one word of the search ("defence" or "defense").
            tf = sum(
                weight * occurrences(text, phrases)
                for weight, text in zip(COLUMN_WEIGHTS, texts, strict=True)
            )
            if tf:
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * relative))
        substance = 1 + math.log(1 + (body_bytes or 0) / SUBSTANCE_CHARS)
        found[pk] = score * substance
    return found


def reranked(
    pks: Sequence[int],
    ranks: Sequence[float],
    dates: Sequence,
    groups: Sequence[Sequence[Sequence[str]]],
    count: Callable[[Sequence[Sequence[str]]], int],
) -> tuple[float, ...]:
    """The ranks of a search's matches (as search.Found holds them) with the engine's first
    RERANKED scored again (`scores`); the others below them, in the engine's order."""
    if len(pks) < 2 or not groups:
        return tuple(ranks)
    # The engine's best (rank, then newest), found without sorting every match.
    best = heapq.nlargest(RERANKED, zip(ranks, dates, pks, range(len(pks)), strict=True))
    again = scores([pk for _rank, _date, pk, _i in best], groups, count)
    below = max(ranks) + 1  # every score is at least 0, every engine's rank too
    shifted = [rank - below for rank in ranks]
    for _rank, _date, pk, i in best:
        shifted[i] = again.get(pk, shifted[i])
    return tuple(shifted)
