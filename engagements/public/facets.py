"""Facet counts beside a list: how the current results spread over countries, officials,
topics, kinds and years, each value a link that narrows the list to it.

At most seven queries whatever the size of the result, one of them naming the officials
and topics that came out on top. When the filters amount to one scope whose counts are kept
up to date on write (upkeep/facetcounts.py), those counts are read. A search has already
read what it found, with each readout's facet keys (search.find): its facets are counted
from that, in Python. Any other list (two filters, a span of dates: the long tail crawlers
walk) reads its matches' facet keys the same way when they are at most
KEYS_COUNTED_UP_TO (the kept counts bound their number; when the bound is far above it,
one query asks first whether there are more); a larger one is counted by four groupings
of the result set in the database, faster past that size.
"""

from __future__ import annotations

import calendar
import heapq
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.db.models import CharField, Count, QuerySet, Value
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import QueryDict

from engagements import search
from engagements.models import (
    Country,
    Meeting,
    MeetingCountry,
    Official,
    Participation,
    TaggedMeeting,
    Topic,
)
from engagements.public import keptcounts
from engagements.public.filters import MeetingFilters, adding, parse_filters
from engagements.upkeep import derived, facetcounts

FACET_SIZE = 10
# Up to this many results, a list's facets are counted from its readouts' facet keys,
# read in one query and counted in Python (5,700 results at 100,000 readouts: 70 ms of
# counting instead of 290); past it, by groupings in the database (92,000: 0.7 s, not 1.7).
KEYS_COUNTED_UP_TO = 40_000
# When the kept counts allow more than this many times KEYS_COUNTED_UP_TO, a list most
# likely holds more, and whether it does is asked before its readouts are read.
LIKELY_OVER = 2
# A facet's page of all its values (FacetValuesView) lists at most this many, busiest first.
ALL_VALUES = 500


@dataclass
class FacetValue:
    label: str
    count: int
    url: str
    note: str = ""  # e.g. an official's country code

    @property
    def shown_count(self) -> str:
        """The count as the pages write counts: 52,364 (a filter per value would cost
        more than the formatting)."""
        return f"{self.count:,}"


@dataclass
class Facet:
    key: str
    title: str
    values: list[FacetValue] = field(default_factory=list)
    more: bool = False  # it has more values than are listed


# The facets with a page of all their values, and what that page is called.
LISTED_IN_FULL = {"country": "Countries", "official": "Officials", "topic": "Topics"}


def _top(rows: QuerySet, key: str, leave_out: set[int], size: int) -> dict[int, int]:
    """{key value: number of meetings} for the `size` most frequent values of `key`."""
    counted = (
        rows.exclude(**{f"{key}__in": leave_out})
        .values(key)
        .annotate(count=Count("*"))
        .order_by("-count", key)[:size]
    )
    return {row[key]: row["count"] for row in counted}


@dataclass
class Counts:
    """The raw numbers behind the facets: per kind and month, and the busiest few ids."""

    per_kind: Counter[str]
    per_month: Counter[tuple[int, int]]
    countries: dict[int, int]
    officials: dict[int, int]
    topics: dict[int, int]


def _live_counts(meetings: QuerySet[Meeting], leave_out, size: int = FACET_SIZE) -> Counts:
    """Count the current result set: four queries, each a grouping of `meetings`."""
    ids = meetings.order_by().values("pk")
    # One grouping gives the kinds, the years, the months (for the activity chart of a
    # short span) and the total.
    per_kind: Counter[str] = Counter()
    per_month: Counter[tuple[int, int]] = Counter()
    for row in (
        meetings.order_by()
        .annotate(year=ExtractYear("date"), month=ExtractMonth("date"))
        .values("kind", "year", "month")
        .annotate(count=Count("pk"))
    ):
        per_kind[row["kind"]] += row["count"]
        per_month[row["year"], row["month"]] += row["count"]
    if not per_kind:
        return Counts(per_kind, per_month, {}, {}, {})
    # Group on the integer keys alone, then name the few winners: joining the names in
    # before grouping costs several times more on large results.
    return Counts(
        per_kind,
        per_month,
        _top(
            MeetingCountry.objects.filter(meeting_id__in=ids),
            "country_id",
            leave_out(Country),
            size,
        ),
        _top(
            Participation.objects.filter(meeting_id__in=ids),
            "official_id",
            leave_out(Official),
            size,
        ),
        _top(
            TaggedMeeting.objects.filter(content_object_id__in=ids),
            "tag_id",
            leave_out(Topic),
            size,
        ),
    )


def _found_counts(found: search.Found, leave_out, size: int = FACET_SIZE) -> Counts:
    """Count what a search found from the rows it read (search.find): no query at all."""
    per_kind = Counter(found.kinds)
    per_month: Counter[tuple[int, int]] = Counter()
    for day, count in Counter(found.dates).items():
        per_month[day.year, day.month] += count
    candidates: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for key, count in Counter(" ".join(found.facet_keys).split()).items():
        facet, pk = derived.parse_facet_key(key)
        candidates[facet].append((-count, pk))
    tops = {}
    for model, facet in keptcounts.FACET_OF.items():
        left_out = leave_out(model)
        # Busiest first, then by id, as the database's groupings order them.
        best = heapq.nsmallest(size + len(left_out), candidates[facet])
        kept = ((pk, -negative) for negative, pk in best if pk not in left_out)
        tops[facet] = dict(itertools.islice(kept, size))
    return Counts(per_kind, per_month, tops["country"], tops["official"], tops["topic"])


def _found_up_to(
    meetings: QuerySet[Meeting], limit: int, *, at_most: int | None = None
) -> search.Found | None:
    """The result set read as a search reads what it found (its readouts' dates, kinds and
    facet keys), or None when it holds more than `limit` readouts. `at_most`: what the
    kept counts say it can hold at most (keptcounts.at_most), if known."""
    meetings = meetings.order_by()
    rows = meetings.values_list("pk", "date", "kind", "facet_keys")
    if at_most is not None and at_most <= limit:
        return search.Found(*search.read_columns(rows))
    if at_most is None or at_most > LIKELY_OVER * limit:
        # Most likely too many: whether there are more is asked first, reading only ids,
        # so that a large result set is counted in the database, not read twice.
        if meetings[limit : limit + 1].exists():
            return None
        return search.Found(*search.read_columns(rows))
    # Most likely not (two filters whose readouts overlap in part): one more than the
    # limit is read, and a result set that has it is counted in the database instead.
    # Asking first would cost as much as the read, which indexes serve (migration 0023).
    columns = search.read_columns(rows[: limit + 1])
    if columns and len(columns[0]) > limit:
        return None
    return search.Found(*columns)


def _kept_counts(scopes: list[tuple[str, int]], leave_out, size: int = FACET_SIZE) -> Counts:
    """Read the counts kept for `scopes`, added up (keptcounts.py): one indexed read."""
    per_kind: Counter[str] = Counter()
    per_month: Counter[tuple[int, int]] = Counter()
    tops: dict[str, dict[int, int]] = {"country": {}, "official": {}, "topic": {}}
    left_out = {"country": leave_out(Country), "official": leave_out(Official)}
    left_out["topic"] = leave_out(Topic)
    for facet, value, count in keptcounts.facets_of(scopes, left_out, size):
        if facet == "kind":
            per_kind[facetcounts.KINDS.get(value, "meeting")] += count
        elif facet == "month":
            per_month[facetcounts.year_month(value)] += count
        else:
            tops[facet][value] = count  # busiest first, as read
    if not per_kind:
        return Counts(per_kind, per_month, {}, {}, {})
    return Counts(per_kind, per_month, tops["country"], tops["official"], tops["topic"])


def facets(
    results: QuerySet[Meeting] | search.Found,
    query: QueryDict,
    filters: MeetingFilters,
    *,
    scope=(),
    country_names: dict[int, tuple[str, str]],
    size: int = FACET_SIZE,
) -> tuple[list[Facet], int]:
    """The facets of `results` (the current, filtered result set: a queryset, or what a
    search found, search.find), and its size.

    Values already in force (the filters, and the page's own `scope`: its country,
    official or topic) are left out, and so are values every result has: each value
    listed narrows the list further. The year facet keeps every year (it draws the chart).
    `country_names` ({id: (name, code)} of the public countries) names the country facet.
    When the filters amount to one scope whose counts are kept (keptcounts.py), they are
    read rather than counted; what a search found is counted as it is, without a query;
    any other result set of at most KEYS_COUNTED_UP_TO readouts is read once and counted
    the same way. Seven queries at most, whatever the size of the result.
    """
    in_force = [*filters.countries, *filters.officials, *filters.topics, *scope]

    def leave_out(model) -> set[int]:
        return {item.pk for item in in_force if isinstance(item, model)}

    kept_scopes = keptcounts.scopes_of(filters, scope)
    # More than are listed: whether a facet has more values than it lists, once the values
    # every result shares (which narrow nothing) are left out.
    wanted = 2 * size + 1
    if isinstance(results, search.Found):
        counts = _found_counts(results, leave_out, wanted)
    elif kept_scopes is not None:
        counts = _kept_counts(kept_scopes, leave_out, wanted)
    elif (
        found := _found_up_to(
            results, KEYS_COUNTED_UP_TO, at_most=keptcounts.at_most(filters, scope)
        )
    ) is not None:
        counts = _found_counts(found, leave_out, wanted)
    else:
        counts = _live_counts(results, leave_out, wanted)

    kind, year, month = Facet("kind", "Kinds"), Facet("year", "Years"), Facet("month", "Months")
    per_year: Counter[int] = Counter()
    for (y, _m), count in counts.per_month.items():
        per_year[y] += count
    total = counts.per_kind.total()
    if not filters.kind:
        with_kind = adding(query, "kind")
        for value, count in sorted(counts.per_kind.items(), key=lambda kv: (-kv[1], kv[0])):
            kind.values.append(FacetValue(value.capitalize(), count, with_kind(value)))
    within = adding(query, "from", "to")
    for value, count in sorted(per_year.items()):
        label = f"{value:04d}"
        year.values.append(FacetValue(label, count, within(label, label)))
    # The months draw the activity chart over a short span only (chart_unit): over
    # twenty years they would be 240 links nobody sees.
    if chart_unit(sorted(per_year)) == "month":
        for (y, m), count in sorted(counts.per_month.items()):
            label = f"{y:04d}-{m:02d}"
            month.values.append(FacetValue(label, count, within(label, label)))
    if not total:
        return [], 0

    country = Facet("country", "Countries")
    with_country = adding(query, "country")
    for pk, count in counts.countries.items():
        if pk not in country_names:  # not public (a count must never name what is not)
            continue
        name, code = country_names[pk]
        country.values.append(FacetValue(name, count, with_country(code.lower())))
    official, topic = Facet("official", "Officials"), Facet("topic", "Topics")
    top_officials, top_topics = counts.officials, counts.topics
    if top_officials or top_topics:
        text = partial(Value, output_field=CharField())
        names = (
            Official.objects.filter(pk__in=top_officials)
            .order_by()
            .values_list(text("official"), "pk", "name", "slug", "country__code")
            .union(
                Topic.objects.filter(pk__in=top_topics)
                .order_by()
                .values_list(text("topic"), "pk", "name", "slug", text("")),
                all=True,
            )
        )
        with_official, with_topic = adding(query, "official"), adding(query, "topic")
        for facet_key, pk, name, slug, note in names:
            if facet_key == "official":
                official.values.append(
                    FacetValue(name, top_officials[pk], with_official(slug), note=note)
                )
            else:
                topic.values.append(FacetValue(name, top_topics[pk], with_topic(slug)))

    for narrowing in (country, official, topic, kind):
        narrowing.values = [v for v in narrowing.values if v.count < total]
        narrowing.values.sort(key=lambda v: (-v.count, v.label))
        narrowing.more = narrowing.key in LISTED_IN_FULL and len(narrowing.values) > size
        del narrowing.values[size:]
    return [f for f in (country, official, topic, kind, year, month) if f.values], total


# A span of at most this many years is drawn month by month.
SHORT_SPAN_YEARS = 2


def chart_unit(years: list[int]) -> str:
    """ "month" when the years (sorted) span less than SHORT_SPAN_YEARS, else "year"."""
    return "month" if years and years[-1] - years[0] < SHORT_SPAN_YEARS else "year"


def activity_chart(facet_list: list[Facet]) -> dict:
    """Readouts per year, or per month over a short span, as rows for the activity chart.

    {"unit": "year" | "month", "rows": [{"label", "period", "count", "share", "url"}]}:
    `period` is the facet's value (2025 or 2025-09), `label` what the chart shows, `share`
    the bar's length relative to the busiest period, `url` the list narrowed to it.
    """
    by_key = {f.key: f.values for f in facet_list}
    years = by_key.get("year", [])
    unit = chart_unit([int(value.label) for value in years])
    values = by_key.get("month", []) if unit == "month" else years
    return chart_rows(unit, [(v.label, v.count, v.url) for v in values])


def chart_rows(unit: str, periods: list[tuple[str, int, str]]) -> dict:
    """{"unit", "rows"} from (period, count, url) triples, oldest first."""
    busiest = max((count for _period, count, _url in periods), default=0)
    rows = [
        {
            "period": period,
            "label": _month_label(period) if unit == "month" else period,
            "count": count,
            "share": count / busiest if busiest else 0,
            "url": url,
        }
        for period, count, url in periods
    ]
    return {"unit": unit, "rows": rows}


def _month_label(period: str) -> str:
    y, m = period.split("-")
    return f"{calendar.month_abbr[int(m)]} {y}"


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
