"""A list's rows: what each readout shows in a list, read in three flat queries.

A page of 25 readouts read through the ORM's prefetch (participations → officials →
countries, and topics) built some 300 model instances with their related managers, and
the row template then walked those to make each link: about 30 of the list page's 52 ms
at 100,000 readouts. A card is plain values with its links already made
(models/addresses.py); the rows of every list (the list, a country's, official's,
topic's or pair's page, a search, the year and month archives, the home page) are cards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from engagements.models import Meeting, Participation, TaggedMeeting
from engagements.models.addresses import readout_path, record_path


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
    account_snippet: dict | None = None


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
        .order_by("content_object_id", "tag__name", "tag_id")
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
