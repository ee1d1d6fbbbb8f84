"""State derived from a meeting's relations, kept on the meeting so pages can filter fast.

* `countries`: the venue's country and every participant's country (the rule by
  which a meeting "involves" a country);
* `search_primary` / `search_secondary`: the searchable text that is not in the
  meeting's own columns (participants' names and aliases; topics with their aliases,
  and places);
* `facet_keys`: its countries, officials and topics as one short text, so that a
  search counts the facets of what it found from the rows it read (engagements/search).

`refresh(meeting_ids)` recomputes them in a fixed number of queries, then brings the
facet counts in line (facetcounts.py). The admin, the receivers and the importer all go
through `search_texts` and `facet_keys`, so the result is the same whichever way a
meeting was written.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator

from engagements.models import Meeting, MeetingCountry, Participation, Source, TaggedMeeting
from engagements.upkeep import facetcounts

CHUNK = 500
_paused = contextvars.ContextVar("derived_state_paused", default=False)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Inside the block, writes leave the derived state alone: the writer keeps it (the
    importer computes it in bulk; a revert refreshes once, at the end)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def is_paused() -> bool:
    return _paused.get()


def refresh_many(meeting_ids: Iterable[int]) -> None:
    """`refresh` for any number of meetings, in chunks."""
    ids = list(meeting_ids)
    for start in range(0, len(ids), CHUNK):
        refresh(ids[start : start + CHUNK])


def search_texts(
    *,
    title: str,
    people: Iterable[str],
    summary: str,
    offices: Iterable[str] = (),
    topics: Iterable[str],
    places: Iterable[str],
    accounts: Iterable[str] = (),
) -> tuple[str, str]:
    """(primary, secondary): title with the participants' names and aliases and the names
    and abbreviations of the organisations they acted for (once each); summary with the
    offices the participants held as the readout gives them ("Consul General in Lahore"),
    topics, places and the headlines and texts of the readout's accounts (a meeting is
    found by any side's)."""
    primary = "\n".join([title, *people])
    secondary = "\n".join([summary, *offices, *topics, *places, *filter(None, accounts)])
    return primary, secondary


def participant_texts(
    participants: Iterable[tuple[str, Iterable[str], str, Iterable[str]]],
) -> tuple[list[str], list[str]]:
    """(people, offices) for `search_texts`, from each participant's (name, aliases,
    office, organisation's name and abbreviation), in their order: every name and alias;
    each organisation text and each office once. The importer and `refresh` both call it,
    so the text is the same whichever wrote the readout."""
    people: list[str] = []
    offices: list[str] = []
    for name, aliases, office, acting_for in participants:
        people += [name, *filter(None, aliases)]
        people += [text for text in acting_for if text and text not in people]
        if office and office not in offices:
            offices.append(office)
    return people, offices


# The facet each prefix of a facet key stands for.
KEY_FACETS = {"c": "country", "o": "official", "t": "topic"}


def facet_keys(*, countries: Iterable[int], officials: Iterable[int], topics: Iterable[int]) -> str:
    """A readout's country, official and topic ids as one text: "c12 c40 o7 t3"."""
    return " ".join(
        f"{prefix}{pk}"
        for prefix, ids in (("c", countries), ("o", officials), ("t", topics))
        for pk in sorted(set(ids))
    )


def parse_facet_key(key: str) -> tuple[str, int]:
    """(facet, id) of one key of a `facet_keys` text: "c12" is ("country", 12)."""
    return KEY_FACETS[key[0]], int(key[1:])


def refresh(meeting_ids: Iterable[int]) -> None:
    """Recompute the derived countries, search text and facet keys of these meetings."""
    ids = list(meeting_ids)
    if not ids:
        return
    meetings = {
        m.pk: m
        for m in Meeting.objects.filter(pk__in=ids)
        .select_related("location_country")
        .only("pk", "title", "summary", "city", "location_country", "search_primary",
              "search_secondary", "facet_keys")
    }  # fmt: skip
    participants: dict[int, list[tuple]] = {pk: [] for pk in meetings}
    official_ids: dict[int, list[int]] = {pk: [] for pk in meetings}
    countries: dict[int, dict[int, str]] = {pk: {} for pk in meetings}
    for meeting_id, official_id, name, aliases, country_id, country_name, office, *acting_for in (
        Participation.objects.filter(meeting_id__in=meetings)
        .order_by("meeting_id", "order", "id")
        .values_list("meeting_id", "official_id", "official__name", "official__aliases",
                     "official__country_id", "official__country__name",
                     "title", "organization__name", "organization__abbreviation")
    ):  # fmt: skip
        participants[meeting_id].append((name, aliases.splitlines(), office, acting_for))
        official_ids[meeting_id].append(official_id)
        countries[meeting_id][country_id] = country_name
    topics: dict[int, list[str]] = {pk: [] for pk in meetings}
    topic_ids: dict[int, list[int]] = {pk: [] for pk in meetings}
    for meeting_id, topic_id, name, aliases in TaggedMeeting.objects.filter(
        content_object_id__in=meetings
    ).values_list("content_object_id", "tag_id", "tag__name", "tag__aliases"):
        topics[meeting_id] += [name, *filter(None, aliases.splitlines())]
        topic_ids[meeting_id].append(topic_id)

    accounts: dict[int, list[str]] = {pk: [] for pk in meetings}
    for meeting_id, headline, text in (
        Source.objects.filter(meeting_id__in=meetings)
        .exclude(headline="", text="")
        .order_by("meeting_id", "order", "id")
        .values_list("meeting_id", "headline", "text")
    ):
        accounts[meeting_id] += [headline, text]

    changed = []
    for pk, meeting in meetings.items():
        venue = meeting.location_country
        if venue:
            countries[pk][venue.pk] = venue.name
        people, offices = participant_texts(participants[pk])
        primary, secondary = search_texts(
            title=meeting.title,
            people=people,
            summary=meeting.summary,
            offices=offices,
            topics=sorted(topics[pk]),
            places=[meeting.city, *sorted(countries[pk].values())],
            accounts=accounts[pk],
        )
        keys = facet_keys(countries=countries[pk], officials=official_ids[pk], topics=topic_ids[pk])
        now = (primary, secondary, keys)
        if now != (meeting.search_primary, meeting.search_secondary, meeting.facet_keys):
            meeting.search_primary, meeting.search_secondary, meeting.facet_keys = now
            changed.append(meeting)
    Meeting.objects.bulk_update(changed, ["search_primary", "search_secondary", "facet_keys"])

    MeetingCountry.objects.filter(meeting_id__in=meetings).delete()
    MeetingCountry.objects.bulk_create(
        MeetingCountry(meeting_id=pk, country_id=c) for pk, ids in countries.items() for c in ids
    )
    facetcounts.recount(ids)  # deleted ones among `ids` too: their counts are taken back
