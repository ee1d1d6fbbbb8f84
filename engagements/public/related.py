"""A readout's related readouts (the readout page): those sharing most of its officials,
and those sharing most of its topics."""

from __future__ import annotations

from engagements.models import Meeting, Participation, TaggedMeeting

RELATED_CANDIDATES = 2000
RELATED_SHOWN = 5


def _best(counted: str, params: list, meeting_id: int, size: int) -> list[Meeting]:
    """The `size` published readouts but `meeting_id` that share most, newest first among
    equals, from `counted` (SQL giving each candidate's `meeting` id and what it `shared`),
    with their title, slug, date and `shared` count.

    The candidates are ranked from the published readouts' (id, date) index alone, and
    only the winners' rows are read: joining every candidate's row (1,337 for a readout's
    five topics at 100,000 readouts) cost half of each query."""
    meetings = Meeting._meta.db_table
    # Our own table's name only; every value is a parameter.
    sql = (
        f"SELECT m.id, m.title, m.slug, m.date, best.shared FROM ("  # noqa: S608
        f"  SELECT p.id, counted.shared, p.date FROM ({counted}) AS counted"
        f"  JOIN {meetings} p ON p.id = counted.meeting"
        f"  WHERE p.status = %s AND p.id <> %s"
        f"  ORDER BY counted.shared DESC, p.date DESC, p.id DESC LIMIT %s"
        f") AS best JOIN {meetings} m ON m.id = best.id "
        f"ORDER BY best.shared DESC, best.date DESC, best.id DESC"
    )
    return list(Meeting.objects.raw(sql, [*params, Meeting.Status.PUBLISHED, meeting_id, size]))


def same_officials(
    meeting_id: int, official_ids: list[int], size: int = RELATED_SHOWN
) -> list[Meeting]:
    """The published readouts sharing most of these officials with a readout, newest first
    among equals (title, slug and date only: a link each). Their shared officials are
    counted from the participations' (official, meeting) index alone."""
    if not official_ids:
        return []
    ids = ", ".join(["%s"] * len(official_ids))
    counted = (
        f"SELECT meeting_id AS meeting, COUNT(*) AS shared "  # noqa: S608
        f"FROM {Participation._meta.db_table} WHERE official_id IN ({ids}) GROUP BY meeting_id"
    )
    return _best(counted, list(official_ids), meeting_id, size)


def same_topics(meeting_id: int, topic_ids: list[int], size: int = RELATED_SHOWN) -> list[Meeting]:
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
    ids = ", ".join(["%s"] * len(topic_ids))
    counted = (
        f"SELECT content_object_id AS meeting, COUNT(*) AS shared FROM ("  # noqa: S608
        f"  SELECT content_object_id FROM {TaggedMeeting._meta.db_table}"
        f"  WHERE tag_id IN ({ids}) ORDER BY content_object_id DESC LIMIT %s"
        f") AS newest GROUP BY content_object_id"
    )
    return _best(counted, [*topic_ids, RELATED_CANDIDATES], meeting_id, size)
