"""The list filters: one form parses the query string, one function applies it.

`/meetings/` and every page that lists meetings (a country, an official, a topic,
a bilateral pair) read the same parameters, so any filtered view is a shareable URL.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.utils.text import slugify

from engagements import search
from engagements.models import Country, Meeting, Official, Source, Topic

MAX_VALUES_PER_FILTER = 20
_CODE = re.compile(r"[A-Za-z]{2}")
_SLUG = re.compile(r"[-\w]{1,200}")  # topic slugs may be in any script
_PARTIAL_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")

SORTS = {
    "newest": ("-date", "-id"),
    "oldest": ("date", "id"),
    "relevance": ("-rank", "-date", "-id"),  # only with a search (`q`)
}


class RepeatableField(forms.Field):
    """A query parameter that may appear several times; each value must match `pattern`."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, pattern: re.Pattern, what: str, lower: bool = False, **kwargs) -> None:
        self.pattern, self.what, self.lower = pattern, what, lower
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> list[str]:
        values = [v.strip() for v in (value or []) if v.strip()]
        if len(values) > MAX_VALUES_PER_FILTER:
            raise forms.ValidationError(
                f"At most {MAX_VALUES_PER_FILTER} values of {self.what} can be combined."
            )
        for v in values:
            if not self.pattern.fullmatch(v):
                shown = v if len(v) <= 40 else v[:40] + "…"
                raise forms.ValidationError(f"“{shown}” is not a valid {self.what}.")
        if self.lower:
            values = [v.lower() for v in values]
        return list(dict.fromkeys(values))  # drop repeats, keep order


class PartialDateField(forms.CharField):
    """An ISO date, or a year or a year-month standing for its first (or last) day."""

    def __init__(self, *, end: bool, **kwargs) -> None:
        self.end = end
        super().__init__(required=False, strip=True, **kwargs)

    def to_python(self, value) -> dt.date | None:
        value = super().to_python(value)
        if not value:
            return None
        match = _PARTIAL_DATE.fullmatch(value) if len(value) <= 10 else None
        try:
            if not match:
                raise ValueError
            year, month, day = match.groups()
            year, month = int(year), int(month or (12 if self.end else 1))
            if day is not None:
                return dt.date(year, month, int(day))
            last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            return dt.date(year, month, last if self.end else 1)
        except ValueError:
            raise forms.ValidationError(
                "Enter a date as YYYY-MM-DD (or a year, YYYY, or a month, YYYY-MM)."
            ) from None


class MeetingFilterForm(forms.Form):
    country = RepeatableField(pattern=_CODE, what="country code", lower=True)
    official = RepeatableField(pattern=_SLUG, what="official")
    topic = RepeatableField(pattern=_SLUG, what="topic")
    kind = forms.ChoiceField(choices=[("", "any kind"), *Meeting.Kind.choices], required=False)
    date_from = PartialDateField(end=False, label="From")
    date_to = PartialDateField(end=True, label="To")
    q = forms.CharField(
        required=False,
        max_length=search.MAX_QUERY_CHARS,
        label="Search",
        error_messages={
            "max_length": "A search can be at most %(limit_value)d characters "
            "(this one has %(show_value)d)."
        },
    )
    named_by = forms.RegexField(
        regex=r"\A[A-Za-z]{2}\Z",
        required=False,
        strip=True,
        error_messages={"invalid": "“named_by” takes a country code, e.g. named_by=pk."},
    )
    real = forms.ChoiceField(
        choices=[("", "real and synthetic"), ("1", "real readouts only")],
        required=False,
        error_messages={"invalid_choice": "“real” takes one value: real=1 (real readouts only)."},
    )
    sort = forms.ChoiceField(
        choices=[
            ("newest", "newest first"),
            ("oldest", "oldest first"),
            ("relevance", "most relevant first"),
        ],
        required=False,
    )

    def clean_q(self) -> str:
        # (A NUL never gets here: Django's CharField refuses it with a clear message.)
        # Other control characters mean nothing in a search and cannot be written into
        # XML (a feed's title quotes the search): they become spaces.
        text = "".join(
            " " if unicodedata.category(c) == "Cc" else c for c in self.cleaned_data["q"]
        )
        return " ".join(text.split())

    # `from` is a Python keyword: the form field is date_from, the parameter `from`.
    PARAM_NAMES = {"date_from": "from", "date_to": "to"}

    def add_prefix(self, field_name: str) -> str:
        return self.PARAM_NAMES.get(field_name, field_name)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("“From” is later than “To”.")
        return data


@dataclass
class ActiveFilter:
    """One filter in force, shown as a chip that removes it."""

    label: str
    value: str
    remove_url: str
    known: bool = True


@dataclass
class MeetingFilters:
    """The parsed state of a list's query string."""

    countries: list[Country]
    officials: list[Official]
    topics: list[Topic]
    kind: str
    date_from: dt.date | None
    date_to: dt.date | None
    q: str
    sort: str
    chips: list[ActiveFilter]
    unknown: list[str]
    query_string: str = ""  # the filters alone, without the page, e.g. "country=pk&topic=trade"
    real: bool = False  # real readouts only: no synthetic sample data
    # Only readouts told by this side and another, whose account by this side names the
    # topics filtered on: what the "What each side names" tables count.
    named_by: Country | None = None

    @property
    def is_empty(self) -> bool:
        return not self.chips

    def file_name(self, extension: str) -> str:
        """A download name that says what was filtered: readouts_country-pk_topic-trade.csv."""
        parts = [f"{chip.label}-{chip.value}" for chip in self.chips]
        stem = "_".join(["readouts", *(slugify(p) for p in parts)])
        return f"{stem[:150].rstrip('_-')}.{extension}"

    def narrow(self, meetings):
        """Narrow a meeting queryset by every filter but the search; every named country,
        official and topic must match."""
        if self.unknown:
            return meetings.none()
        meetings = meetings.of(*self.countries, *self.officials, *self.topics)
        if self.kind:
            meetings = meetings.filter(kind=self.kind)
        if self.date_from:
            meetings = meetings.filter(date__gte=self.date_from)
        if self.date_to:
            meetings = meetings.filter(date__lte=self.date_to)
        if self.real:
            meetings = meetings.filter(synthetic=False)
        if self.named_by:
            sided = Source.objects.filter(meeting=OuterRef("pk"), side__isnull=False)
            ours = sided.filter(side=self.named_by)
            meetings = meetings.filter(Exists(sided.exclude(side=self.named_by)))
            for topic in self.topics or [None]:
                meetings = meetings.filter(Exists(ours.filter(topics=topic) if topic else ours))
        return meetings

    def apply(self, meetings, *, every_match: bool = False):
        """Narrow a meeting queryset by every filter, in the order asked for.

        A search keeps its newest SEARCH_SAMPLE matches (engagements/search) unless `every_match`:
        a download holds every readout the filters select."""
        if self.unknown:  # nothing to search or order (an empty set has no rank to sort by)
            return meetings.none()
        meetings = self.narrow(meetings)
        if self.q:
            synonyms = search.synonyms(self.q)
            matches = search.search(meetings, self.q, every_match=every_match, synonyms=synonyms)
            if every_match and self.sort == "relevance":
                # A download's first readouts are the page's first: those ranking.py
                # scored again, in its order (the engine's rank alone orders them otherwise).
                found = search.find(meetings, self.q, synonyms)
                return search.as_the_page_orders(matches, found)
            meetings = matches
        return meetings.order_by(*SORTS[self.sort])

    @property
    def searches_nothing(self) -> bool:
        """A search with no word to look for (only punctuation or operators)."""
        return bool(self.q) and search.prepare(self.q).is_empty


REPEATABLE = frozenset({"country", "official", "topic"})


def _kept_pairs(query: QueryDict, add: Iterable[str], drop: tuple[str, str | None]) -> list:
    """The pairs of `query` that stay when the keys `add` are set and `drop` is dropped."""
    key, value = drop
    return [
        (k, v)
        for k, values in query.lists()
        for v in values
        if k != "page"
        and (k in REPEATABLE or k not in add)
        and not (k == key and (value is None or v.strip().lower() == value.lower()))
    ]


def changed_query(
    query: QueryDict,
    *,
    add: dict[str, str] | None = None,
    drop: tuple[str, str | None] = ("", None),
) -> str:
    """The query string with the page left out, one value of a key (or all its values)
    dropped, and keys set: a repeatable filter's value is added to those in force, any
    other key replaced. Every link that changes a list's filters is made here."""
    add = add or {}
    pairs = _kept_pairs(query, add, drop) + list(add.items())
    return "?" + urlencode(pairs) if pairs else "?"


def adding(query: QueryDict, *keys: str) -> Callable[..., str]:
    """changed_query(query, add=dict(zip(keys, values))) as a function of the values, for
    a facet's dozens of links: the rest of the query is encoded once, not once a link."""
    rest = urlencode(_kept_pairs(query, keys, ("", None)))

    def link(*values: str) -> str:
        return "?" + "&".join(filter(None, [rest, urlencode(list(zip(keys, values, strict=True)))]))

    return link


def _without(query: QueryDict, key: str, value: str | None = None) -> str:
    """The query string with one value of `key` (or all of them) and the page removed."""
    return changed_query(query, drop=(key, value))


def parse_filters(query: QueryDict) -> tuple[MeetingFilters | None, MeetingFilterForm]:
    """Validate the query string; (None, form with errors) when a value is malformed."""
    data = QueryDict(mutable=True)
    for key in ("country", "official", "topic"):
        data.setlist(key, query.getlist(key))
    for key in ("q", "kind", "from", "to", "sort", "real", "named_by"):
        if key in query:
            data[key] = query.get(key)
    form = MeetingFilterForm(data)
    if not form.is_valid():
        return None, form
    clean = form.cleaned_data

    codes = [c.upper() for c in clean["country"]]
    # Only what is public: a country only a draft names must read as unknown, not by name.
    countries = (
        {c.code: c for c in Country.objects.public().filter(code__in=codes)} if codes else {}
    )
    officials = (
        {o.slug: o for o in Official.objects.public().filter(slug__in=clean["official"])}
        if clean["official"]
        else {}
    )
    topics = (
        {t.slug: t for t in Topic.objects.public().filter(slug__in=clean["topic"])}
        if clean["topic"]
        else {}
    )

    chips: list[ActiveFilter] = []
    unknown: list[str] = []

    def chip(key: str, raw: str, found, label: str, describe) -> None:
        if found is None:
            unknown.append(f"{label} “{raw}”")
        chips.append(
            ActiveFilter(
                label=label,
                value=describe(found) if found is not None else raw,
                remove_url=_without(query, key, raw),
                known=found is not None,
            )
        )

    for raw in clean["country"]:
        chip("country", raw, countries.get(raw.upper()), "country", lambda c: c.name)
    for raw in clean["official"]:
        chip("official", raw, officials.get(raw), "official", lambda o: o.name)
    for raw in clean["topic"]:
        chip("topic", raw, topics.get(raw), "topic", lambda t: t.name)
    if clean["q"]:
        chips.append(ActiveFilter("search", f"“{clean['q']}”", _without(query, "q")))
    if clean["kind"]:
        chips.append(ActiveFilter("kind", clean["kind"], _without(query, "kind")))
    if clean["date_from"]:
        chips.append(ActiveFilter("from", clean["date_from"].isoformat(), _without(query, "from")))
    if clean["date_to"]:
        chips.append(ActiveFilter("to", clean["date_to"].isoformat(), _without(query, "to")))
    if clean["real"]:
        chips.append(ActiveFilter("readouts", "real only", _without(query, "real")))
    named_by = None
    if clean["named_by"]:
        raw = clean["named_by"]
        named_by = Country.objects.public().filter(code=raw.upper()).first()
        chip("named_by", raw, named_by, "named in", lambda c: f"{c.name}’s account")

    filters = MeetingFilters(
        countries=[countries[c] for c in dict.fromkeys(codes) if c in countries],
        officials=[officials[s] for s in clean["official"] if s in officials],
        topics=[topics[s] for s in clean["topic"] if s in topics],
        kind=clean["kind"],
        date_from=clean["date_from"],
        date_to=clean["date_to"],
        q=clean["q"],
        # With a search the best matches come first unless another order is asked for.
        sort=(
            (clean["sort"] or "relevance")
            if clean["q"]
            else ("newest" if clean["sort"] in ("", "relevance") else clean["sort"])
        ),
        chips=chips,
        unknown=unknown,
        query_string=_without(query, "page").lstrip("?"),
        real=bool(clean["real"]),
        named_by=named_by,
    )
    return filters, form
