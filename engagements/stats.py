"""Counts over a set of meetings: the "busiest" and "most frequent" panels on the pages.

Each function takes a queryset of meetings (already narrowed to what the public
sees) and answers in one query, whatever the number of meetings.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear
from django.urls import reverse

from . import facets
from .models import Country, Meeting, Topic


def top_countries(meetings: QuerySet[Meeting], *, exclude=(), limit: int = 10) -> list[Country]:
    return list(
        Country.objects.filter(meetings__in=meetings.order_by().values("pk"))
        .exclude(pk__in=[c.pk for c in exclude])
        .annotate(meeting_count=Count("meetings"))
        .order_by("-meeting_count", "name")[:limit]
    )


def top_topics(meetings: QuerySet[Meeting], *, exclude=(), limit: int = 12) -> list[Topic]:
    return list(
        Topic.objects.filter(meeting_links__content_object__in=meetings.order_by().values("pk"))
        .exclude(pk__in=[t.pk for t in exclude])
        .annotate(meeting_count=Count("meeting_links"))
        .order_by("-meeting_count", "name")[:limit]
    )


def activity(meetings: QuerySet[Meeting]) -> dict:
    """Readouts per year, or per month over a short span, for the activity chart.

    One grouping by month; see facets.activity_chart for the shape. Bars link to the
    year's or the month's archive page.
    """
    per_month = list(
        meetings.order_by()
        .annotate(year=ExtractYear("date"), month=ExtractMonth("date"))
        .values_list("year", "month")
        .annotate(count=Count("pk"))
        .order_by("year", "month")
    )
    years = sorted({y for y, _m, _c in per_month})
    if years and years[-1] - years[0] < facets.SHORT_SPAN_YEARS:
        periods = [
            (f"{y:04d}-{m:02d}", count, reverse("engagements:meeting-month", args=[y, m]))
            for y, m, count in per_month
        ]
        return facets.chart_rows("month", periods)
    per_year: Counter[int] = Counter()
    for y, _m, count in per_month:
        per_year[y] += count
    periods = [
        (f"{y:04d}", count, reverse("engagements:meeting-year", args=[y]))
        for y, count in sorted(per_year.items())
    ]
    return facets.chart_rows("year", periods)


def with_shares(items: list, attr: str = "meeting_count") -> list:
    """Set `share` (0–1, relative to the largest) on each item, for bar lengths."""
    largest = max((getattr(i, attr) for i in items), default=0)
    for item in items:
        item.share = getattr(item, attr) / largest if largest else 0
    return items
