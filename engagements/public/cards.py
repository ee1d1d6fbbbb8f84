"""A list's rows: what each readout shows in a list, read in three flat queries.

A page of 25 readouts read through the ORM's prefetch (participations → officials →
countries, and topics) built some 300 model instances with their related managers, and
the row template then walked those to make each link: about 30 of the list page's 52 ms
at 100,000 readouts. A card is plain values with its links already made
(models/addresses.py); the rows of every list (the list, a country's, official's,
topic's or pair's page, a search, the year and month archives, the home page) are cards.

A card is drawn here too (render), not by a template: the row template cost 0.3 ms a
row, 8 ms a page, in the template engine's lookups alone; f-strings draw the same markup,
every value escaped as Django escapes it (html.escape), in a quarter of that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from engagements.models import Meeting, Participation, TaggedMeeting
from engagements.models.addresses import readout_path, record_path
from engagements.search import AccountSnippet


@dataclass(slots=True)
class Link:
    label: str
    url: str
    note: str = ""  # a participant's country code


@dataclass(slots=True)
class Card:
    """One readout as a list shows it."""

    pk: int
    title: str
    url: str
    date: dt.date
    place: str
    kind: str  # as shown: "Courtesy call"
    summary: str
    synthetic: bool
    people: list[Link] = field(default_factory=list)
    topics: list[Link] = field(default_factory=list)
    # A search's highlighted passage, or the account it was found in (views.py).
    snippet: SafeString | None = None
    account_snippet: AccountSnippet | None = None


KIND_LABELS = {value: label[:1].upper() + label[1:] for value, label in Meeting.Kind.choices}


# What a list's query reads of each readout: Meeting.objects….values_list(*FIELDS).
FIELDS = (
    "pk", "title", "slug", "date", "kind", "city", "location_country__name", "summary",
    "synthetic",
)  # fmt: skip


def from_rows(rows: Iterable[tuple]) -> list[Card]:
    """The cards of rows read as values_list(*FIELDS), in their order, each with its
    participants and topics: two more queries, whatever the number of rows."""
    cards = {}
    for pk, title, slug, date, kind, city, country, summary, synthetic in rows:
        cards[pk] = Card(
            pk=pk,
            title=title,
            url=readout_path(date, slug),
            date=date,
            place=", ".join(part for part in (city, country) if part),
            kind=KIND_LABELS.get(kind, kind),
            summary=summary,
            synthetic=synthetic,
        )
    if not cards:
        return []
    people = (
        Participation.objects.filter(meeting_id__in=cards)
        .order_by("meeting_id", "order", "id")
        .values_list("meeting_id", "official__name", "official__slug", "official__country__code")
    )
    for meeting_id, name, slug, code in people:
        cards[meeting_id].people.append(
            Link(name, record_path("engagements:official-list", slug), code)
        )
    topics = (
        TaggedMeeting.objects.filter(content_object_id__in=cards)
        .order_by("content_object_id", "order", "id")  # main subjects first
        .values_list("content_object_id", "tag__name", "tag__slug")
    )
    for meeting_id, name, slug in topics:
        cards[meeting_id].topics.append(Link(name, record_path("engagements:topic-list", slug)))
    return list(cards.values())


def for_ids(meeting_ids: Iterable[int]) -> list[Card]:
    """The cards of these readouts, in the order given (those that no longer exist left
    out): three queries, whatever the number."""
    meeting_ids = list(meeting_ids)
    if not meeting_ids:
        return []
    found = {
        card.pk: card
        for card in from_rows(Meeting.objects.filter(pk__in=meeting_ids).values_list(*FIELDS))
    }
    return [found[pk] for pk in meeting_ids if pk in found]


SUMMARY_WORDS = 45


def _escaped(value) -> str:
    """conditional_escape without its lazy-string wrapper (a third of the cost here)."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


def render(card: Card) -> SafeString:
    """The card as a list's <li> (includes/meeting_list.html), every value escaped."""
    e = _escaped
    parts = ['<li class="meeting-row">']
    if card.synthetic:
        parts.append('<p class="badge-synthetic">Synthetic sample — not a real readout</p>')
    place = f" · {e(card.place)}" if card.place else ""
    parts.append(
        f'<p class="meeting-meta"><time datetime="{card.date.isoformat()}">'
        f"{e(format_date(card.date, 'j F Y'))}</time>{place} · {e(card.kind)}</p>"
        f'<h3 class="meeting-title"><a href="{e(card.url)}">{e(card.title)}</a></h3>'
    )
    if card.people:
        people = ", ".join(
            f'<a href="{e(p.url)}">{e(p.label)}</a> <span class="flag">({e(p.note)})</span>'
            for p in card.people
        )
        parts.append(f'<p class="meeting-people">{people}</p>')
    if card.snippet:
        parts.append(f'<p class="meeting-snippet">{e(card.snippet)}</p>')
    elif card.account_snippet:
        whose, passage = card.account_snippet.whose, card.account_snippet.passage
        parts.append(
            f'<p class="meeting-snippet"><span class="snippet-whose">In {e(whose)}’s account:'
            f"</span> {e(passage)}</p>"
        )
    elif card.summary:
        summary = Truncator(card.summary).words(SUMMARY_WORDS, truncate=" …")
        parts.append(f'<p class="meeting-summary">{e(summary)}</p>')
    if card.topics:
        topics = "".join(f'<li><a href="{e(t.url)}">{e(t.label)}</a></li>' for t in card.topics)
        parts.append(f'<ul class="tags" aria-label="Topics">{topics}</ul>')
    parts.append("</li>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above escaped)
