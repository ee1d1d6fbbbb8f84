"""Facet counts beside a list: how the current results spread over countries, officials,
topics, kinds and years, each value a link that narrows the list to it.

Five queries whatever the size of the result: each groups the current result set
(passed as a subquery of meeting ids) once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from django.http import QueryDict

from .filters import MeetingFilters, parse_filters
from .models import Country, Meeting, Official, Participation, TaggedMeeting, Topic

MeetingCountry = Meeting.countries.through
FACET_SIZE = 10


@dataclass
class FacetValue:
    label: str
    count: int
    url: str
    note: str = ""  # e.g. an official's country code


@dataclass
class Facet:
    key: str
    title: str
    values: list[FacetValue] = field(default_factory=list)


def _with(query: QueryDict, **changes: str) -> str:
    """The query string with each key in `changes` set (repeatable keys: added), page dropped."""
    pairs = [(k, v) for k, values in query.lists() for v in values if k != "page"]
    repeatable = {"country", "official", "topic"}
    pairs = [(k, v) for k, v in pairs if k in repeatable or k not in changes]
    pairs += list(changes.items())
    return "?" + urlencode(pairs)


def _top(rows: QuerySet, key: str, leave_out: set[int]) -> dict[int, int]:
    """{key value: number of meetings} for the FACET_SIZE most frequent values of `key`."""
    counted = (
        rows.exclude(**{f"{key}__in": leave_out})
        .values(key)
        .annotate(count=Count("*"))
        .order_by("-count", key)[:FACET_SIZE]
    )
    return {row[key]: row["count"] for row in counted}


def facets(
    meetings: QuerySet[Meeting],
    query: QueryDict,
    filters: MeetingFilters,
    *,
    total: int,
    scope=(),
) -> list[Facet]:
    """The facets of `meetings` (the current, filtered result set of `total` readouts).

    Values already in force (the filters, and the page's own `scope`: its country,
    official or topic) are left out, and so are values every result has: each value
    listed narrows the list further. The year facet keeps every year (it draws the chart).
    """
    ids = meetings.order_by().values("pk")
    in_force = [*filters.countries, *filters.officials, *filters.topics, *scope]
    active_countries = {c.pk for c in in_force if isinstance(c, Country)}
    active_officials = {o.pk for o in in_force if isinstance(o, Official)}
    active_topics = {t.pk for t in in_force if isinstance(t, Topic)}

    # Group on the integer keys alone, then name the few winners: joining the names in
    # before grouping costs several times more on large results.
    country = Facet("country", "Countries")
    top = _top(MeetingCountry.objects.filter(meeting_id__in=ids), "country_id", active_countries)
    for c in Country.objects.filter(pk__in=top):
        country.values.append(FacetValue(c.name, top[c.pk], _with(query, country=c.code.lower())))

    official = Facet("official", "Officials")
    top = _top(Participation.objects.filter(meeting_id__in=ids), "official_id", active_officials)
    for o in Official.objects.filter(pk__in=top).select_related("country"):
        official.values.append(
            FacetValue(o.name, top[o.pk], _with(query, official=o.slug), note=o.country.code)
        )

    topic = Facet("topic", "Topics")
    top = _top(TaggedMeeting.objects.filter(content_object_id__in=ids), "tag_id", active_topics)
    for t in Topic.objects.filter(pk__in=top):
        topic.values.append(FacetValue(t.name, top[t.pk], _with(query, topic=t.slug)))

    for named in (country, official, topic):
        named.values.sort(key=lambda v: (-v.count, v.label))

    kind = Facet("kind", "Kinds")
    if not filters.kind:
        for row in (
            meetings.order_by().values("kind").annotate(count=Count("pk")).order_by("-count")
        ):
            kind.values.append(
                FacetValue(row["kind"].capitalize(), row["count"], _with(query, kind=row["kind"]))
            )

    year = Facet("year", "Years")
    for row in (
        meetings.order_by()
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("year")
    ):
        label = f"{row['year']:04d}"
        year.values.append(
            FacetValue(label, row["count"], _with(query, **{"from": label, "to": label}))
        )

    for narrowing in (country, official, topic, kind):
        narrowing.values = [v for v in narrowing.values if v.count < total]
    return [f for f in (country, official, topic, kind, year) if f.values]


def years_chart(facet_list: list[Facet]) -> list[dict]:
    """The year facet as rows for the meetings-per-year chart (share of the busiest year)."""
    values = next((f.values for f in facet_list if f.key == "year"), [])
    busiest = max((v.count for v in values), default=0)
    return [
        {"year": v.label, "count": v.count, "share": v.count / busiest, "url": v.url}
        for v in values
    ]


def without_each_filter(
    base: QuerySet[Meeting], query: QueryDict, filters: MeetingFilters, *, limit: int = 6
) -> list[tuple[str, str, int]]:
    """For an empty result: (filter, address without it, results then), per filter in force."""
    suggestions = []
    for chip in filters.chips[:limit]:
        relaxed, _form = parse_filters(QueryDict(chip.remove_url.lstrip("?")))
        if relaxed is None:
            continue
        count = relaxed.apply(base).count()
        if count:
            suggestions.append((f"{chip.label}: {chip.value}", chip.remove_url, count))
    return suggestions
