"""State derived from a meeting's relations, kept on the meeting so pages can filter fast.

* `countries`: the venue's country and every participant's country (the rule by
  which a meeting "involves" a country);
* `search_primary` / `search_secondary`: the searchable text that is not in the
  meeting's own columns (participants' names and aliases; topics with their aliases,
  and places).

`refresh(meeting_ids)` recomputes both in a fixed number of queries, then brings the
facet counts in line (facetcounts.py). The admin,
signals and the importer all go through `search_texts`, so the text is the same
whichever way a meeting was written.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import facetcounts
from .models import Meeting, Participation, TaggedMeeting

MeetingCountry = Meeting.countries.through


def search_texts(
    *,
    title: str,
    people: Iterable[str],
    summary: str,
    topics: Iterable[str],
    places: Iterable[str],
) -> tuple[str, str]:
    """(primary, secondary): title with names and aliases; summary with topics and places."""
    primary = "\n".join([title, *people])
    secondary = "\n".join([summary, *topics, *places])
    return primary, secondary


def refresh(meeting_ids: Iterable[int]) -> None:
    """Recompute the derived countries and search text of these meetings."""
    ids = list(meeting_ids)
    if not ids:
        return
    meetings = {
        m.pk: m
        for m in Meeting.objects.filter(pk__in=ids)
        .select_related("location_country")
        .only("pk", "title", "summary", "city", "location_country", "search_primary",
              "search_secondary")
    }  # fmt: skip
    people: dict[int, list[str]] = {pk: [] for pk in meetings}
    countries: dict[int, dict[int, str]] = {pk: {} for pk in meetings}
    for meeting_id, name, aliases, country_id, country_name in Participation.objects.filter(
        meeting_id__in=meetings
    ).order_by("meeting_id", "order", "id").values_list(
        "meeting_id", "official__name", "official__aliases", "official__country_id",
        "official__country__name",
    ):  # fmt: skip
        people[meeting_id] += [name, *filter(None, aliases.splitlines())]
        countries[meeting_id][country_id] = country_name
    topics: dict[int, list[str]] = {pk: [] for pk in meetings}
    for meeting_id, name, aliases in TaggedMeeting.objects.filter(
        content_object_id__in=meetings
    ).values_list("content_object_id", "tag__name", "tag__aliases"):
        topics[meeting_id] += [name, *filter(None, aliases.splitlines())]

    changed = []
    for pk, meeting in meetings.items():
        venue = meeting.location_country
        if venue:
            countries[pk][venue.pk] = venue.name
        primary, secondary = search_texts(
            title=meeting.title,
            people=people[pk],
            summary=meeting.summary,
            topics=sorted(topics[pk]),
            places=[meeting.city, *sorted(countries[pk].values())],
        )
        if (primary, secondary) != (meeting.search_primary, meeting.search_secondary):
            meeting.search_primary, meeting.search_secondary = primary, secondary
            changed.append(meeting)
    Meeting.objects.bulk_update(changed, ["search_primary", "search_secondary"])

    MeetingCountry.objects.filter(meeting_id__in=meetings).delete()
    MeetingCountry.objects.bulk_create(
        MeetingCountry(meeting_id=pk, country_id=c) for pk, ids in countries.items() for c in ids
    )
    facetcounts.recount(ids)  # deleted ones among `ids` too: their counts are taken back
