"""Counts for the "busiest" and "most frequent" panels and the activity chart.

Each reads the counts kept on write for a whole scope (the archive, one country…;
upkeep/facetcounts.py), in one small query whatever the number of readouts.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from engagements.models import Country, FacetCount, Topic
from engagements.models.addresses import index_path
from engagements.public import facets, keptcounts
from engagements.upkeep import facetcounts


def kept_count(facet: str, scope: tuple[str, int] = facetcounts.ALL) -> Subquery:
    """An annotation: a record's number of published readouts in `scope`, as kept."""
    scope_facet, scope_value = scope
    return Subquery(
        FacetCount.objects.filter(
            scope_facet=scope_facet, scope_value=scope_value, facet=facet, value=OuterRef("pk")
        ).values("count")[:1]
    )


def with_kept_count(records: QuerySet, facet: str, scope: tuple[str, int] = facetcounts.ALL):
    """`records` that have published readouts in `scope`, each with its `meeting_count`.

    Which records: a semi-join on the scope's kept counts (one range of an index), not a
    test of each record's count, so that a count of the officials' index stays one read
    of their entries whatever their number; the count itself is looked up for the rows
    shown only."""
    scope_facet, scope_value = scope
    kept = FacetCount.objects.filter(scope_facet=scope_facet, scope_value=scope_value, facet=facet)
    return records.filter(pk__in=kept.values("value")).annotate(
        meeting_count=kept_count(facet, scope)
    )


def kept_top(model, scope: tuple[str, int], *, exclude=(), limit: int = 10) -> list:
    """The `limit` records of `model` (Country or Topic) with most readouts in `scope`,
    by name where their counts tie.

    Only the records counted at least as often as the `limit`-th are looked at (the
    kept counts' index, ordered by count, gives that count at once): every topic's count
    looked up and sorted took 7 of the home page's milliseconds."""
    facet = {Country: "country", Topic: "topic"}[model]
    scope_facet, scope_value = scope
    counted = FacetCount.objects.filter(
        scope_facet=scope_facet, scope_value=scope_value, facet=facet
    ).exclude(value__in=[item.pk for item in exclude])
    nth = counted.order_by("-count", "value").values("count")[limit - 1 : limit]
    contenders = counted.filter(count__gte=Coalesce(Subquery(nth), 0)).values("value")
    return list(
        model.objects.filter(pk__in=contenders)
        .annotate(meeting_count=kept_count(facet, scope))
        .order_by("-meeting_count", "name")[:limit]
    )


def kept_records(model, scope: tuple[str, int] = facetcounts.ALL) -> list:
    """Every record of `model` (Country or Topic) with readouts in `scope`, busiest first."""
    facet = {Country: "country", Topic: "topic"}[model]
    return list(
        with_kept_count(model.objects.all(), facet, scope).order_by("-meeting_count", "name")
    )


def kept_totals(scope: tuple[str, int] = facetcounts.ALL) -> dict[str, int]:
    """{facet: how many values it has in `scope`} and "meetings": how many readouts."""
    scope_facet, scope_value = scope
    rows = (
        FacetCount.objects.filter(scope_facet=scope_facet, scope_value=scope_value)
        .values("facet")
        .annotate(values=Count("*"), total=Sum("count"))
        .order_by()
    )
    totals = {row["facet"]: row["values"] for row in rows}
    totals["meetings"] = next((row["total"] for row in rows if row["facet"] == "kind"), 0)
    return totals


def kept_activity(scope: tuple[str, int] = facetcounts.ALL) -> dict:
    """As `activity`, from the month counts kept for `scope`."""
    per_month = [
        (*facetcounts.year_month(value), count)
        for value, count in keptcounts.counted(scope, ["month"])
        .order_by("value")
        .values_list("value", "count")
    ]
    return _activity_rows(per_month)


def _activity_rows(per_month: list[tuple[int, int, int]]) -> dict:
    """Readouts per year, or per month over a short span (see facets.activity_chart);
    bars link to the year's or the month's archive page."""
    archive = index_path("engagements:meeting-list")  # + yyyy/ or yyyy/mm/ (urls.py)
    if facets.chart_unit(sorted({y for y, _m, _c in per_month})) == "month":
        periods = [
            (f"{y:04d}-{m:02d}", count, f"{archive}{y:04d}/{m:02d}/") for y, m, count in per_month
        ]
        return facets.chart_rows("month", periods)
    per_year: Counter[int] = Counter()
    for y, _m, count in per_month:
        per_year[y] += count
    periods = [(f"{y:04d}", count, f"{archive}{y:04d}/") for y, count in sorted(per_year.items())]
    return facets.chart_rows("year", periods)


def with_shares(items: list, attr: str = "meeting_count") -> list:
    """Set `share` (0–1, relative to the largest) on each item, for bar lengths."""
    largest = max((getattr(i, attr) for i in items), default=0)
    for item in items:
        item.share = getattr(item, attr) / largest if largest else 0
    return items
