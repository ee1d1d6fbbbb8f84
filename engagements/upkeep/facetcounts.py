"""Facet counts kept up to date on write, so a broad list needs no counting at all.

Counting how 100,000 readouts spread over countries, officials and topics takes the
database a second; reading the answer from a table takes a millisecond. For every
*scope* — the whole archive, and the readouts of one country, pair of countries,
official, topic, kind or year — `FacetCount` holds how many published readouts have
each *value*: each country, official, topic, kind and month. A list whose filters are
exactly one scope (a country's or a bilateral page, `/meetings/?topic=cpec`,
`/meetings/?kind=summit`, the unfiltered list), or a span of whole years (the years'
counts added up), reads its facets from there (public/keptcounts.py); any other
combination is counted as before.

How the counts stay right: `MeetingFacet` keeps, per published readout, the values it
was last counted with. `recount(ids)` compares them with what the readouts are now and
adds or takes away the difference: `derived.refresh` calls it after every change a
readout goes through (admin, signals, fixtures), the importer after an import (or
`rebuild()` when it wrote many), and a readout's deletion takes its counts back.
`manage.py rebuild_facet_counts` recounts everything from scratch.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Case, CharField, F, IntegerField, Q, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear

from engagements.models import (
    FacetCount,
    Meeting,
    MeetingCountry,
    MeetingFacet,
    Participation,
    TaggedMeeting,
)
from engagements.upkeep import bulk, purge

log = logging.getLogger(__name__)

ALL = ("all", 0)
# What a scope can be (besides the whole archive), and what is counted within it.
SCOPE_FACETS = ("country", "pair", "official", "topic", "kind", "year")
VALUE_FACETS = ("country", "official", "topic", "kind", "month")
# Kinds are stored by their position among Meeting.Kind (append new kinds at the end).
KIND_CODES = {kind: code for code, kind in enumerate(Meeting.Kind.values)}
KINDS = dict(enumerate(Meeting.Kind.values))
# Beyond this many readouts changed at once, recounting everything is faster.
REBUILD_ABOVE = 2000
_CHUNK = 500
# A PostgreSQL advisory lock: two writers adjusting the same counts take turns.
_LOCK_KEY = 0x46414345  # "FACE"


class Pending:
    """Readouts waiting to be recounted; past REBUILD_ABOVE, only that a rebuild is due."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.everything = False

    def add(self, ids: Iterable[int]) -> None:
        if not self.everything:
            self.ids.update(ids)
            if len(self.ids) > REBUILD_ABOVE:
                self.ids, self.everything = set(), True


_deferred: contextvars.ContextVar[Pending | None] = contextvars.ContextVar(
    "facet_recount_deferred", default=None
)


def month_value(year: int, month: int) -> int:
    return year * 100 + month


def year_month(value: int) -> tuple[int, int]:
    """(year, month) of a month value."""
    return divmod(value, 100)


# Two countries, as one value (smaller id first): the scope of a bilateral page.
_PAIR_BASE = 1 << 24


def pair_value(country_a: int, country_b: int) -> int:
    low, high = sorted((country_a, country_b))
    return low * _PAIR_BASE + high


# -- what a readout counts towards ---------------------------------------------------------


def _published(meeting_ids: Iterable[int] | None):
    meetings = Meeting.objects.published().order_by()
    return meetings if meeting_ids is None else meetings.filter(pk__in=meeting_ids)


def current_values(meeting_ids: Iterable[int]) -> dict[int, set[tuple[str, int]]]:
    """{readout id: {(facet, value)}} for the published ones among `meeting_ids`, as they are."""
    ids = list(meeting_ids)
    values: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for pk, kind, date in _published(ids).values_list("pk", "kind", "date"):
        values[pk] |= {
            ("kind", KIND_CODES.get(kind, -1)),
            ("year", date.year),
            ("month", month_value(date.year, date.month)),
        }
    published = list(values)
    for model, key, facet, value in _relations():
        for pk, value_id in model.objects.filter(**{f"{key}__in": published}).values_list(
            key, value
        ):
            values[pk].add((facet, value_id))
    for found in values.values():
        countries = sorted(v for f, v in found if f == "country")
        found |= {("pair", pair_value(a, b)) for a, b in itertools.combinations(countries, 2)}
    return values


def _relations():
    """(through model, its readout column, facet, its value column) per related facet."""
    return [
        (MeetingCountry, "meeting_id", "country", "country_id"),
        (Participation, "meeting_id", "official", "official_id"),
        (TaggedMeeting, "content_object_id", "topic", "tag_id"),
    ]


def _membership_sql() -> Iterator[tuple[str, tuple]]:
    """The same values as `current_values`, for every published readout, as SELECTs of
    (meeting_id, facet, value) that the rebuild inserts directly."""
    for queryset in _membership_querysets():
        yield queryset.query.sql_with_params()
    countries = MeetingCountry._meta.db_table
    meetings = Meeting._meta.db_table
    yield (
        f"SELECT a.meeting_id, 'pair', a.country_id * {_PAIR_BASE} + b.country_id "  # noqa: S608
        f"FROM {countries} a JOIN {countries} b "
        "ON b.meeting_id = a.meeting_id AND a.country_id < b.country_id "
        f"JOIN {meetings} m ON m.id = a.meeting_id WHERE m.status = %s",
        (Meeting.Status.PUBLISHED,),
    )


def _membership_querysets():
    """Querysets of (meeting_id, facet, value), columns in that order, for `_membership_sql`."""
    text = lambda name: Value(name, output_field=CharField())  # noqa: E731
    meetings = _published(None)
    kind_code = Case(
        *(When(kind=kind, then=Value(code)) for kind, code in KIND_CODES.items()),
        default=Value(-1),
        output_field=IntegerField(),
    )
    yield meetings.annotate(f=text("kind"), v=kind_code).values_list("pk", "f", "v")
    yield meetings.annotate(f=text("year"), v=ExtractYear("date")).values_list("pk", "f", "v")
    yield meetings.annotate(
        f=text("month"), v=ExtractYear("date") * 100 + ExtractMonth("date")
    ).values_list("pk", "f", "v")
    for model, key, facet, value in _relations():
        yield (
            model.objects.filter(**{f"{key}__in": meetings.values("pk")})
            .order_by()
            # Annotated, so that the SQL's columns come in this order (INSERT … SELECT).
            .annotate(f=text(facet), v=F(value))
            .values_list(key, "f", "v")
        )


def _pairs(values: set[tuple[str, int]]) -> Iterator[tuple[str, int, str, int]]:
    """Every (scope facet, scope value, facet, value) a readout with `values` counts in."""
    if not values:
        return
    scopes = [ALL, *(v for v in values if v[0] in SCOPE_FACETS)]
    counted = [v for v in values if v[0] in VALUE_FACETS]
    for (scope_facet, scope_value), (facet, value) in itertools.product(scopes, counted):
        yield scope_facet, scope_value, facet, value


# -- keeping the counts ----------------------------------------------------------------------


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


@contextlib.contextmanager
def deferred() -> Iterator[Pending]:
    """Collect the readouts to recount inside the block; recount them once if it succeeds."""
    outer = _deferred.get()
    if outer is not None:  # already deferring: the outer block recounts
        yield outer
        return
    pending = Pending()
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)
    if pending.everything:
        rebuild()
    else:
        recount(pending.ids)


def recount(meeting_ids: Iterable[int]) -> None:
    """Bring the counts in line with these readouts as they are now (deleted ones too)."""
    ids = set(meeting_ids)
    if not ids:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.add(ids)
        return
    if len(ids) > REBUILD_ABOVE:
        rebuild()
        return
    with transaction.atomic():
        _lock()
        for chunk in itertools.batched(sorted(ids), _CHUNK, strict=False):
            _recount_chunk(chunk)


def _recount_chunk(ids: tuple[int, ...]) -> None:
    before: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for pk, facet, value in MeetingFacet.objects.filter(meeting_id__in=ids).values_list(
        "meeting_id", "facet", "value"
    ):
        before[pk].add((facet, value))
    now = current_values(ids)
    changes: Counter[tuple[str, int, str, int]] = Counter()
    changed = [pk for pk in ids if before.get(pk, set()) != now.get(pk, set())]
    for pk in changed:
        changes.subtract(_pairs(before.get(pk, set())))
        changes.update(_pairs(now.get(pk, set())))
    if not changed:
        return
    for pk in changed:  # the pages of what it was and of what it is
        purge.note_facets(pk, before.get(pk, set()) | now.get(pk, set()))
    MeetingFacet.objects.filter(meeting_id__in=changed).delete()
    MeetingFacet.objects.bulk_create(
        (
            MeetingFacet(meeting_id=pk, facet=facet, value=value)
            for pk in changed
            for facet, value in now.get(pk, set())
        ),
        batch_size=_CHUNK,
    )
    _apply({key: n for key, n in changes.items() if n})


def _apply(changes: dict[tuple[str, int, str, int], int]) -> None:
    """Add each change to its count: rows appear, change or go (at zero)."""
    if not changes:
        return
    existing = {
        (row.scope_facet, row.scope_value, row.facet, row.value): row
        for row in FacetCount.objects.filter(_touched(changes))
    }
    updated, emptied, created = [], [], []
    for key, change in changes.items():
        row = existing.get(key)
        if row is None:
            if change > 0:
                created.append(FacetCount(**dict(zip(_KEY_FIELDS, key, strict=True)), count=change))
            else:
                log.warning("facet count %s missing while taking %d away", key, -change)
            continue
        row.count += change
        (updated if row.count > 0 else emptied).append(row)
    bulk.update_field(FacetCount, "count", updated, batch_size=_CHUNK)
    FacetCount.objects.filter(pk__in=[row.pk for row in emptied]).delete()
    FacetCount.objects.bulk_create(created, batch_size=_CHUNK)


_KEY_FIELDS = ("scope_facet", "scope_value", "facet", "value")
# Up to this many (scope, value) combinations, the counts a change touches are looked up
# one by one in the unique index: one readout's are 150-250 (measured at 100,000: 6 ms
# against 130), fifty readouts' about 100,000 (534 ms against 258 reading their scopes
# whole).
EXACT_PROBES_UP_TO = 5000


def _touched(changes: Iterable[tuple[str, int, str, int]]) -> Q:
    """The counts these (scope facet, scope value, facet, value) changes touch, and a few
    more: every scope of theirs with every value of theirs."""
    by_scope: dict[str, set[int]] = defaultdict(set)
    by_value: dict[str, set[int]] = defaultdict(set)
    for scope_facet, scope_value, facet, value in changes:
        by_scope[scope_facet].add(scope_value)
        by_value[facet].add(value)
    probes = sum(map(len, by_scope.values())) * sum(map(len, by_value.values()))
    wanted = Q()
    if probes <= EXACT_PROBES_UP_TO:
        # One readout's changes (a publish, an edit): each (scope facet, counted facet) a
        # term of its own, naming all four columns of the unique index, which then finds
        # exactly the counts asked for. With the scopes and the values in two separate
        # ORs, PostgreSQL read every count of each scope: 93,000 rows, 130 ms, to keep
        # 252 for a readout on the busiest topic at 100,000.
        for scope_facet, scope_values in by_scope.items():
            for facet, values in by_value.items():
                wanted |= Q(
                    scope_facet=scope_facet,
                    scope_value__in=scope_values,
                    facet=facet,
                    value__in=values,
                )
        return wanted
    # Many readouts' (an import's chunk): the index would be probed for every scope and
    # value combined (millions); reading the scopes' counts whole is cheaper.
    values = Q()
    for facet, members in by_value.items():
        values |= Q(facet=facet, value__in=members)
    for scope_facet, members in by_scope.items():
        wanted |= Q(scope_facet=scope_facet, scope_value__in=members)
    return wanted & values


@contextlib.contextmanager
def _set_aside(cursor, *tables: str) -> Iterator[None]:
    """Empty the tables for a recount from scratch; on PostgreSQL, with their indexes set
    aside until the end (bulk.indexes_set_aside): writing 2.9 million counts for 100,000
    readouts took 58 s with the indexes kept row by row, 30 s so. TRUNCATE holds the
    tables' lock to the commit anyway, so nobody reads them meanwhile."""
    if connection.vendor != "postgresql":
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (our own table names)
        yield
        return
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute(f"TRUNCATE {', '.join(tables)}")
    with bulk.indexes_set_aside(cursor, tables):
        yield


def rebuild() -> None:
    """Recount every scope from scratch (after a large import, or to repair)."""
    purge.note_everything()  # which readouts changed is not known here
    facets, counts = MeetingFacet._meta.db_table, FacetCount._meta.db_table
    in_list = lambda names: ", ".join(f"'{name}'" for name in names)  # noqa: E731
    with transaction.atomic(), connection.cursor() as cursor, _set_aside(cursor, facets, counts):
        _lock()
        for sql, params in _membership_sql():
            cursor.execute(f"INSERT INTO {facets} (meeting_id, facet, value) {sql}", params)
        cursor.execute(
            f"INSERT INTO {counts} (scope_facet, scope_value, facet, value, count) "  # noqa: S608
            f"SELECT s.facet, s.value, v.facet, v.value, COUNT(*) FROM {facets} s "
            f"JOIN {facets} v ON v.meeting_id = s.meeting_id "
            f"WHERE s.facet IN ({in_list(SCOPE_FACETS)}) AND v.facet IN ({in_list(VALUE_FACETS)}) "
            "GROUP BY s.facet, s.value, v.facet, v.value"
        )
        cursor.execute(
            f"INSERT INTO {counts} (scope_facet, scope_value, facet, value, count) "  # noqa: S608
            f"SELECT 'all', 0, facet, value, COUNT(*) FROM {facets} "
            f"WHERE facet IN ({in_list(VALUE_FACETS)}) GROUP BY facet, value"
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {facets}")
            cursor.execute(f"ANALYZE {counts}")
