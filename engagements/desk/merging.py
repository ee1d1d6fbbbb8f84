"""Merging duplicates: two records of one official (or one topic) become one.

The kept record takes over every participation (or topic link), the others' names and
aliases become its aliases, and their addresses redirect to it (upkeep/permalinks.py). One
transaction: a merge that fails half way leaves both records as they were.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from engagements.models import FormerAddress, Official, Participation, TaggedMeeting, Topic
from engagements.upkeep import derived, permalinks


def _merged_aliases(keep, duplicates) -> str:
    names = [*keep.alias_list]
    for duplicate in duplicates:
        names += [duplicate.name, *duplicate.alias_list]
    seen = {keep.name.casefold()}
    aliases = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            aliases.append(name)
    return "\n".join(aliases)


def _take_addresses(keep, duplicate, field: str) -> None:
    """The duplicate's address, and every address it had before, now lead to `keep`."""
    FormerAddress.objects.filter(**{field: duplicate}).update(**{field: keep})
    old_path = duplicate.get_absolute_url()
    duplicate.delete()
    permalinks.remember(keep, old_path)


def _finish(keep, duplicates, field: str, meeting_ids: set[int]) -> int:
    """The others' names become aliases and their addresses lead to `keep`; they go."""
    keep.aliases = _merged_aliases(keep, duplicates)
    for duplicate in duplicates:
        _take_addresses(keep, duplicate, field)
    keep.save()
    derived.refresh_many(meeting_ids)
    return len(meeting_ids)


@transaction.atomic
def merge_officials(*, keep: Official, duplicates: Sequence[Official]) -> int:
    """Merge `duplicates` into `keep`; the number of readouts that changed official."""
    meeting_ids: set[int] = set()
    for duplicate in duplicates:
        theirs = Participation.objects.filter(official=duplicate)
        meeting_ids |= set(theirs.values_list("meeting_id", flat=True))
        shared = theirs.filter(
            meeting_id__in=Participation.objects.filter(official=keep).values("meeting_id")
        )
        for participation in shared:
            # Both are in the same readout (entered twice): keep one participation, with
            # what only the duplicate's had.
            kept = Participation.objects.get(meeting_id=participation.meeting_id, official=keep)
            kept.title = kept.title or participation.title
            kept.organization_id = kept.organization_id or participation.organization_id
            kept.save(update_fields=["title", "organization"])
            participation.delete()
        theirs.update(official=keep)
        keep.wikidata_id = keep.wikidata_id or duplicate.wikidata_id
        keep.bio = keep.bio or duplicate.bio
    return _finish(keep, duplicates, "official", meeting_ids)


@transaction.atomic
def merge_topics(*, keep: Topic, duplicates: Sequence[Topic]) -> int:
    """Merge `duplicates` into `keep`; the number of readouts that changed topic."""
    meeting_ids: set[int] = set()
    for duplicate in duplicates:
        links = TaggedMeeting.objects.filter(tag=duplicate)
        ids = set(links.values_list("content_object_id", flat=True))
        meeting_ids |= ids
        already = set(
            TaggedMeeting.objects.filter(tag=keep, content_object_id__in=ids).values_list(
                "content_object_id", flat=True
            )
        )
        # Where a readout has both, the kept topic takes the better of their places.
        places = dict(
            links.filter(content_object_id__in=already).values_list("content_object_id", "order")
        )
        for link in TaggedMeeting.objects.filter(tag=keep, content_object_id__in=already):
            if places[link.content_object_id] < link.order:
                link.order = places[link.content_object_id]
                link.save(update_fields=["order"])
        links.filter(content_object_id__in=already).delete()
        links.update(tag=keep)
        keep.description = keep.description or duplicate.description
    return _finish(keep, duplicates, "topic", meeting_ids)
