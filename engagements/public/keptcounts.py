"""Reading the facet counts kept on write (upkeep/facetcounts.py keeps them).

A list whose filters amount to one *scope* (the archive, a country, a pair of countries,
an official, topic, kind or year) reads its facets here instead of counting its readouts.
"""

from __future__ import annotations

from collections.abc import Iterable

from engagements.models import Country, FacetCount, Official, Topic
from engagements.upkeep.facetcounts import ALL, KIND_CODES, pair_value


def scope_of(filters, scope: Iterable = ()) -> tuple[str, int] | None:
    """The one scope a list's filters (and its page's own scope) amount to, if they do."""
    # Counts are kept per scope over every published readout: a list narrowed further (to
    # real readouts, or to what one side's accounts name) is counted as it stands.
    if filters.q or filters.unknown or filters.real or filters.named_by:
        return None
    # The page's own country may also be given as a filter: count it once.
    items = list(
        {
            (type(i), i.pk): i
            for i in [*scope, *filters.countries, *filters.officials, *filters.topics]
        }.values()
    )
    dated = bool(filters.date_from or filters.date_to)
    if len(items) + bool(filters.kind) + dated == 0:
        return ALL
    if (
        len(items) == 2
        and not (filters.kind or dated)
        and all(isinstance(item, Country) for item in items)
    ):
        return "pair", pair_value(items[0].pk, items[1].pk)
    if len(items) + bool(filters.kind) + dated > 1:
        return None
    if items:
        facet = {Country: "country", Official: "official", Topic: "topic"}[type(items[0])]
        return facet, items[0].pk
    if filters.kind:
        return ("kind", KIND_CODES[filters.kind]) if filters.kind in KIND_CODES else None
    start, end = filters.date_from, filters.date_to
    whole_year = (
        start is not None
        and end is not None
        and start.year == end.year
        and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    )
    return ("year", start.year) if whole_year else None


def counted(scope: tuple[str, int], facets: Iterable[str]):
    """The counts of these facets' values within `scope`, busiest first."""
    scope_facet, scope_value = scope
    return FacetCount.objects.filter(
        scope_facet=scope_facet, scope_value=scope_value, facet__in=list(facets)
    ).order_by("-count", "value")
