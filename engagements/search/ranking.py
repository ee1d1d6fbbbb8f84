"""One ranking on both engines: the best matches each engine finds, scored again here.

Each engine finds a search's matches and ranks them with its own function: FTS5's `bm25()`
on SQLite, `ts_rank` (with the rarity of each word) on PostgreSQL. The two weigh words
differently, so the same query used to put different readouts first on each (their top
tens shared 78% of their readouts). The engine's first RERANKED matches are scored again
here, by one function on both: BM25 over the words searched, with FTS5's column weights
(a match in the title and names counts 6, in the summary, topics, places and accounts 4,
in the body 2), each word's rarity among the published readouts, and the readout's size
against the average (in bytes), times the substance factor both engines apply (a long,
substantive readout is not buried under one-line ones), and, when the search names a
topic, times MAIN_SUBJECT for a readout that lists that topic among its first
MAIN_SUBJECT_PLACES topics (its main subjects, as its editors ordered them). Words are
read and stemmed here the same way for both (Snowball's English stemmer, diacritics
ignored): not exactly as either engine does, so a word an engine matched through its own
stemming may count nothing here. The other matches follow, in the engine's order, and so
do those found only by another of a topic's names.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import snowballstemmer
from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, Exists, Func, IntegerField, OuterRef, Value
from django.db.models.functions import Left

from engagements.models import Meeting, TaggedMeeting

# How many of the engine's best matches are scored again: on the judged queries 50 rank as
# 100 and 200 do (30 loses some); each costs a read of its text (docs/search.md).
RERANKED = 50
# BM25's saturation and length normalisation. A k1 above the usual 1.2 lets a readout that
# comes back to a subject again and again outrank one that names it once; b below the
# usual 0.75 spares long readouts. Chosen on the judged queries (docs/search.md: 1.2 and
# 0.5 before the main subject was weighed; 2.5 and 3 rank alike).
K1, B = 2.5, 0.4
# The weight of a match in search_primary (title, names), search_secondary (summary,
# topics, places, accounts) and the body: FTS5's bm25 weights too (sqlite.WEIGHTS).
COLUMN_WEIGHTS = (6.0, 4.0, 2.0)
# The substance factor, 1 + ln(1 + bytes of body / SUBSTANCE_CHARS), on both engines too.
SUBSTANCE_CHARS = 300
# A search that names a topic (names.py) wants first the readouts whose main subject it
# is: those that list it among their first two topics (their `themes`, in their editors'
# order) score half as much again. Of the readouts the judges graded 3 for such a search
# (a main subject), 43 of 52 place it so; of those graded 1 (in passing), 30 of 72.
MAIN_SUBJECT, MAIN_SUBJECT_PLACES = 1.5, 2
# How much of a body is read for its words: a readout's first 20,000 characters (some
# 3,000 words). A body may hold 500,000; fifty of those would cost a second. Its size
# (the length normalisation, the substance factor) is the whole body's.
BODY_READ = 20_000
# How long the archive's size, average size and each word's count are kept: a
# publication moves them by one in thousands.
STATISTICS_KEPT_SECONDS = 3600

_WORD = re.compile(r"\w+")
log = logging.getLogger(__name__)
# A stemmer keeps the word it works on in itself: one per thread (gunicorn's are threads).
_PER_THREAD = threading.local()


# The combining marks of Latin, Greek and Cyrillic letters ("é" is e and U+0301 once
# decomposed): those both engines' tokenizers leave out (FTS5's remove_diacritics,
# PostgreSQL's unaccent). One regular expression, not a test of each character.
_DIACRITICS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def folded(text: str) -> str:
    """Lower case, without diacritics (as both engines' tokenizers read text)."""
    text = text.casefold()
    if text.isascii():
        return text
    return _DIACRITICS.sub("", unicodedata.normalize("NFKD", text))


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


class Words:
    """A text's words that a search may need, stemmed once: those that begin as one of the
    search's stems does (a stem keeps its word's first letters, bar a rare irregular
    word), found by one scan of the text whatever the number of phrases asked."""

    def __init__(self, text: str, prefixes: frozenset[str]) -> None:
        self.text = folded(text)
        self.spans: dict[str, list[int]] = {}  # stem → where the words with it end
        if prefixes:
            for match in _starting_with(prefixes).finditer(self.text):
                self.spans.setdefault(stem(match.group()), []).append(match.end())

    def count(self, phrases: Sequence[tuple[str, ...]]) -> int:
        """How many times any of `phrases` (stems) occurs, word after word."""
        found = 0
        for phrase in phrases:
            for end in self.spans.get(phrase[0], ()):
                for wanted in phrase[1:]:
                    following = _WORD.search(self.text, end)
                    if following is None or stem(following.group()) != wanted:
                        break
                    end = following.end()
                else:
                    found += 1
        return found


@lru_cache(maxsize=1024)
def _starting_with(prefixes: frozenset[str]) -> re.Pattern:
    """The words of a text that begin with any of `prefixes`."""
    alternatives = "|".join(map(re.escape, sorted(prefixes, key=len, reverse=True)))
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*")


def prefixes_of(phrases: Iterable[tuple[str, ...]]) -> frozenset[str]:
    """The first letters (up to three) of every stem of these phrases."""
    return frozenset(word[:3] for phrase in phrases for word in phrase if word)


def occurrences(text: str, phrases: Sequence[tuple[str, ...]]) -> int:
    """How many times any of `phrases` (stems) occurs in `text`, word after word."""
    return Words(text, prefixes_of(phrases)).count(phrases) if phrases else 0


class _Bytes(Func):
    """The size of a text in bytes, as both engines' substance factor reads it."""

    function = "octet_length"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="length(CAST(%(expressions)s AS BLOB))")


def _cached(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:  # a cache server that is down must not take searches with it
        log.warning("cache read failed; counting instead", exc_info=True)
        return {}


def _keep(values: dict) -> None:
    try:
        cache.set_many(values, STATISTICS_KEPT_SECONDS)
    except Exception:
        log.warning("cache write failed", exc_info=True)


def _key(name: str, part: object = "") -> str:
    # Each engine its own: SQLite and PostgreSQL count words their own way.
    digest = hashlib.sha256(repr(part).encode()).hexdigest()[:40]
    return f"search-{name}:{connection.vendor}:{digest}"


def archive_statistics() -> tuple[int, float]:
    """(published readouts, their average size in bytes), kept an hour."""
    key = _key("statistics")
    known = _cached([key]).get(key)
    if known is None:
        size = _Bytes("search_primary") + _Bytes("search_secondary") + _Bytes("body")
        found = Meeting.objects.published().aggregate(total=Count("pk"), average=Avg(size))
        known = (found["total"], float(found["average"] or 0.0))
        _keep({key: known})
    return known


def document_frequencies(
    groups: Sequence[Sequence[Sequence[str]]], count: Callable[[Sequence[Sequence[str]]], int]
) -> list[int]:
    """How many published readouts match each group of a search (`count(group)`: the
    engine's count), each kept an hour (a common word's count reads much of the index)."""
    keys = [_key("df", group) for group in groups]
    known = _cached(keys)
    missing = {key: group for key, group in zip(keys, groups, strict=True) if key not in known}
    if missing:
        counted = {key: count(group) for key, group in missing.items()}
        _keep(counted)
        known |= counted
    return [known[key] for key in keys]


def rarity(total: int, matching: int) -> float:
    """A word's weight by how few readouts hold it (BM25's idf), never below 0: the counts
    are kept an hour, and a word counted after a burst of publishing may seem to be in
    more readouts than the archive held when it was counted."""
    matching = min(matching, total)
    return math.log(1 + (total - matching + 0.5) / (matching + 0.5))


def scores(
    meeting_ids: Sequence[int],
    groups: Sequence[Sequence[Sequence[str]]],
    count: Callable[[Sequence[Sequence[str]]], int],
    record_name: str = "",
) -> dict[int, float]:
    """{meeting id: score} for these readouts and the groups of a search (query.prepare:
    every group, each any of its phrases): BM25 as FTS5 reads it, times the substance
    factor, and times MAIN_SUBJECT where a topic named `record_name` (the record the
    search names, if any) is among the readout's first topics. One read of their text."""
    if not meeting_ids or not groups:
        return {}
    total, average = archive_statistics()
    # Each group once, each of its phrases once ("china or china" is china).
    unique = list({repr(alternatives): alternatives for alternatives in groups}.values())
    stems = [list(dict.fromkeys(phrase_stems(p) for p in alternatives)) for alternatives in unique]
    stems = [[p for p in alternatives if p] for alternatives in stems]
    weights = [rarity(total, n) for n in document_frequencies(unique, count)]
    prefixes = prefixes_of(p for alternatives in stems for p in alternatives)
    found = {}
    rows = Meeting.objects.filter(pk__in=meeting_ids).values_list(
        "pk", "synthetic", _main_subject(record_name), "search_primary", "search_secondary",
        Left("body", BODY_READ), _Bytes("search_primary"), _Bytes("search_secondary"),
        _Bytes("body"),
    )  # fmt: skip
    for pk, synthetic, is_main_subject, primary, secondary, body, *sizes in rows:
        words = [Words(text or "", prefixes) for text in (primary, secondary, body)]
        relative = sum(size or 0 for size in sizes) / average if average else 1.0
        score = 0.0
        for phrases, idf in zip(stems, weights, strict=True):
            # A group's phrases are one word of the search ("defence" or "defense").
            tf = sum(
                weight * column.count(phrases)
                for weight, column in zip(COLUMN_WEIGHTS, words, strict=True)
            )
            if tf:
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * relative))
        substance = 1 + math.log(1 + (sizes[2] or 0) / SUBSTANCE_CHARS)
        # Synthetic sample data has no editor: its topics' order says nothing of its subject.
        main_subject = MAIN_SUBJECT if is_main_subject and not synthetic else 1.0
        found[pk] = score * substance * main_subject
    return found


def _main_subject(name: str) -> Exists | Value:
    """Whether a readout lists the topic called `name` (if any) among its first topics."""
    if not name:
        return Value(False)
    return Exists(
        TaggedMeeting.objects.filter(
            content_object=OuterRef("pk"), tag__name=name, order__lt=MAIN_SUBJECT_PLACES
        )
    )


def reranked(
    pks: Sequence[int],
    ranks: Sequence[float],
    dates: Sequence,
    groups: Sequence[Sequence[Sequence[str]]],
    count: Callable[[Sequence[Sequence[str]]], int],
    record_name: str = "",
) -> tuple[float, ...]:
    """The ranks of a search's matches (as search.Found holds them) with the engine's first
    RERANKED scored again (`scores`, with the `record_name` the search names); the
    others below them, in the engine's order."""
    if len(pks) < 2 or not groups:
        return tuple(ranks)
    # The engine's best (rank, then newest), found without sorting every match; not those
    # it found only by another of a topic's names (rank 0), which come after the others.
    best = heapq.nlargest(RERANKED, zip(ranks, dates, pks, range(len(pks)), strict=True))
    best = [entry for entry in best if entry[0] > 0]
    again = scores([pk for _rank, _date, pk, _i in best], groups, count, record_name)
    below = max(ranks) + 1  # every score is at least 0 (`rarity`), every engine's rank too
    shifted = [rank - below for rank in ranks]
    for _rank, _date, pk, i in best:
        shifted[i] = again.get(pk, shifted[i])
    return tuple(shifted)
