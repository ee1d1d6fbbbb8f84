"""Counts over a set of meetings: the "busiest" and "most frequent" panels on the pages.

Each function takes a queryset of meetings (already narrowed to what the public
sees) and answers in one query, whatever the number of meetings.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear

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


def meetings_per_year(meetings: QuerySet[Meeting]) -> list[dict]:
    """[{"year": 2025, "count": 12, "share": 0.4}, …] oldest first; share is of the busiest year."""
    rows = list(
        meetings.order_by()
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("year")
    )
    busiest = max((r["count"] for r in rows), default=0)
    for row in rows:
        row["share"] = row["count"] / busiest if busiest else 0
    return rows


def with_shares(items: list, attr: str = "meeting_count") -> list:
    """Set `share` (0–1, relative to the largest) on each item, for bar lengths."""
    largest = max((getattr(i, attr) for i in items), default=0)
    for item in items:
        item.share = getattr(item, attr) / largest if largest else 0
    return items
