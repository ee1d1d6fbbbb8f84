"""Reading the facet counts kept on write (upkeep/facetcounts.py keeps them).

A list whose filters amount to one *scope* (the archive, a country, a pair of countries,
an official, topic, kind or year), or to a span of whole years (each year's counts added
up), reads its facets here instead of counting its readouts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import Q

from engagements.models import Country, FacetCount, Official, Topic
from engagements.upkeep.facetcounts import ALL, KIND_CODES, month_value, pair_value

# The facet each kind of record filtered on counts in.
FACET_OF = {Country: "country", Official: "official", Topic: "topic"}


def _records(filters, scope: Iterable) -> list:
    """The countries, officials and topics a list is narrowed to, each once: the page's own
    (its country, official or topic) may also be given as a filter."""
    items = [*scope, *filters.countries, *filters.officials, *filters.topics]
    return list({(type(item), item.pk): item for item in items}.values())


def scopes_of(filters, scope: Iterable = ()) -> list[tuple[str, int]] | None:
    """The scopes whose kept counts add up to a list's (its filters' and its page's own
    scope's), if there are such: one scope, or for a span of whole years, each year's (a
    readout falls in one year: ten years' counts are ten years' kept counts added up)."""
    # Counts are kept per scope over every published readout: a list narrowed further (to
    # real readouts, or to what one side's accounts name) is counted as it stands.
    if filters.q or filters.unknown or filters.real or filters.named_by:
        return None
    items = _records(filters, scope)
    dated = bool(filters.date_from or filters.date_to)
    if len(items) + bool(filters.kind) + dated == 0:
        return [ALL]
    if (
        len(items) == 2
        and not (filters.kind or dated)
        and all(isinstance(item, Country) for item in items)
    ):
        return [("pair", pair_value(items[0].pk, items[1].pk))]
    if len(items) + bool(filters.kind) + dated > 1:
        return None
    if items:
        return [(FACET_OF[type(items[0])], items[0].pk)]
    if filters.kind:
        return [("kind", KIND_CODES[filters.kind])] if filters.kind in KIND_CODES else None
    start, end = filters.date_from, filters.date_to
    # (The filter form refuses a start after the end.)
    whole_years = (
        start is not None
        and end is not None
        and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    )
    return [("year", year) for year in range(start.year, end.year + 1)] if whole_years else None


def at_most(filters, scope: Iterable = ()) -> int | None:
    """At most how many published readouts a list's filters (and its page's own scope)
    leave: the smallest kept count of the countries, officials, topics and kind filtered
    on, and of the months its dates span (added up: exact for whole months). One indexed
    read; None when nothing of these is filtered on."""
    values = [(FACET_OF[type(item)], item.pk) for item in _records(filters, scope)]
    if filters.kind:  # one of Meeting.Kind (the filter form's choices): all are coded
        values.append(("kind", KIND_CODES[filters.kind]))
    dated = bool(filters.date_from or filters.date_to)
    if not values and not dated:
        return None
    wanted = Q()
    for facet, value in values:
        wanted |= Q(facet=facet, value=value)
    if dated:
        start, end = filters.date_from, filters.date_to
        first = month_value(start.year, start.month) if start else 0
        last = month_value(end.year, end.month) if end else month_value(9999, 12)
        wanted |= Q(facet="month", value__gte=first, value__lte=last)
    counts = {}
    months = 0
    for facet, value, count in FacetCount.objects.filter(
        wanted, scope_facet=ALL[0], scope_value=ALL[1]
    ).values_list("facet", "value", "count"):
        if facet == "month":
            months += count
        else:
            counts[facet, value] = count
    # A value no published readout has is counted nowhere: nothing is left.
    return min([counts.get(key, 0) for key in values] + ([months] if dated else []))


def count_of(record: Country | Official | Topic) -> int:
    """How many published readouts name a country, official or topic, as kept (one
    indexed read, where counting them joined every one: 12 ms for an official with
    11,351 readouts at 100,000)."""
    kept = counted(ALL, [FACET_OF[type(record)]]).filter(value=record.pk)
    return kept.values_list("count", flat=True).first() or 0


def counted(scope: tuple[str, int], facets: Iterable[str]):
    """The counts of these facets' values within `scope`, busiest first."""
    scope_facet, scope_value = scope
    return FacetCount.objects.filter(
        scope_facet=scope_facet, scope_value=scope_value, facet__in=list(facets)
    ).order_by("-count", "value")


def facets_of(
    scopes: list[tuple[str, int]], left_out: Mapping[str, Iterable[int]], size: int
) -> list[tuple[str, int, int]]:
    """(facet, value, count) of the `scopes` added up: every kind and month, and the `size`
    busiest values of each facet of `left_out` but the values it leaves out, busiest first.

    One statement for what took four queries: through the ORM, building the four and
    reading the 450 months of twenty years cost 6 ms of every list page; written out, this
    costs 1.5 ms. Of one scope, the counts are read as kept, in the order of their index;
    of several (the years of a span), each value's counts are added up first: ten years at
    100,000 readouts add up 45,000 officials' counts in 24 ms, where counting the 60,000
    readouts took 0.4 s. (FacetCount's own table and columns: tests/upkeep/test_facetcounts.py
    compares the facets read here with the readouts counted.)"""
    scope_facet = scopes[0][0]
    if any(facet != scope_facet for facet, _ in scopes):
        raise ValueError(f"scopes of more than one facet: {scopes}")
    scope_values = [value for _, value in scopes]
    # Each value named (IN), not a range: the index leads with the scope's value, and a
    # range of years would also read every other kind of scope numbered like a year
    # (officials 2015 to 2024…): 8.4 ms instead of 0.4 for ten years' kinds and months.
    in_scope = f"scope_value IN ({', '.join(['%s'] * len(scope_values))})"
    count, grouped = ("count", "") if len(scopes) == 1 else ("SUM(count)", " GROUP BY facet, value")
    in_scope_params = [scope_facet, *scope_values]
    table = FacetCount._meta.db_table
    # Only our own table's name is written into the SQL; every value is a parameter.
    parts = [
        f"SELECT facet, value, {count} FROM {table} "  # noqa: S608
        f"WHERE scope_facet = %s AND {in_scope} AND facet IN ('kind', 'month'){grouped}"
    ]
    params: list = [*in_scope_params]
    for number, (facet, values) in enumerate(left_out.items()):
        excluded = sorted(values)
        leave_out = f" AND value NOT IN ({', '.join(['%s'] * len(excluded))})" if excluded else ""
        # Wrapped, as SQLite takes no ORDER BY or LIMIT in a part of a UNION itself.
        parts.append(
            f"SELECT * FROM (SELECT facet, value, {count} AS total FROM {table} "  # noqa: S608
            f"WHERE scope_facet = %s AND {in_scope} AND facet = %s{leave_out}{grouped} "
            f"ORDER BY total DESC, value LIMIT %s) AS part{number}"
        )
        params += [*in_scope_params, facet, *excluded, size]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()
