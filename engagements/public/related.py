"""A readout's related readouts (the readout page): those sharing most of its officials,
and those sharing most of its topics."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from engagements.models import Meeting, TaggedMeeting

RELATED_CANDIDATES = 2000


def same_officials(meeting_id: int, official_ids: list[int], size: int = 5) -> QuerySet:
    """The published readouts sharing most of these officials with a readout, newest first
    among equals (title, slug and date only: a link each, grouped by these, not the text)."""
    return (
        Meeting.objects.published()
        .exclude(pk=meeting_id)
        .filter(participations__official__in=official_ids)
        .annotate(shared=Count("participations", distinct=True))
        .only("title", "slug", "date")
        .order_by("-shared", "-date")[:size]
    )


def same_topics(meeting_id: int, topic_ids: list[int], size: int = 5) -> list[Meeting]:
    """The published readouts sharing most of these topics with a readout, newest first
    among equals (title, slug and date only).

    Only the readouts of the latest RELATED_CANDIDATES taggings with these topics are
    ranked: a broad topic (tens of thousands of readouts) would otherwise be counted in
    full for every readout page. Their shared topics are counted from those taggings
    themselves; through the ORM, each candidate's taggings were joined and grouped again
    (13 of the readout page's 37 ms at 100,000 readouts). A candidate whose taggings the
    limit cuts in two (the oldest) may count fewer than it shares."""
    if not topic_ids:
        return []
    tagged, meetings = TaggedMeeting._meta.db_table, Meeting._meta.db_table
    ids = ", ".join(["%s"] * len(topic_ids))
    # Our own tables' names only; every value is a parameter.
    sql = (
        f"SELECT m.id, m.title, m.slug, m.date FROM ("  # noqa: S608
        f"  SELECT content_object_id, COUNT(*) AS shared FROM ("
        f"    SELECT content_object_id FROM {tagged} WHERE tag_id IN ({ids})"
        f"    ORDER BY content_object_id DESC LIMIT %s"
        f"  ) AS newest GROUP BY content_object_id"
        f") AS counted JOIN {meetings} m ON m.id = counted.content_object_id "
        f"WHERE m.status = %s AND m.id <> %s "
        f"ORDER BY counted.shared DESC, m.date DESC, m.id DESC LIMIT %s"
    )
    params = [*topic_ids, RELATED_CANDIDATES, Meeting.Status.PUBLISHED, meeting_id, size]
    return list(Meeting.objects.raw(sql, params))
