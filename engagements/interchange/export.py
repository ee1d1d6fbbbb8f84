"""Writing the interchange format: the readouts in the database as the dicts and lines
of a file, the mirror image of format.py's reading (export → import → export is
byte-identical). The records they name come first (catalogue.record_lines)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from engagements.interchange.format import default_slug, moment_text
from engagements.models import (
    AccountTitle,
    FormerAddress,
    Meeting,
    Participation,
    Source,
    TaggedMeeting,
)
from engagements.models.lookups import Among

_MEETING_FIELDS = (
    "pk", "external_id", "date", "slug", "title", "kind", "city", "location_country__code",
    "summary", "body", "status", "synthetic", "created_at", "updated_at", "published_at",
)  # fmt: skip


def keyed_records(meetings: QuerySet[Meeting], *, chunk_size: int = 1000) -> Iterator[tuple]:
    """(meeting values, record) for `meetings` in their order, one chunk in memory at a time.

    Plain values, not model instances: exporting and the importer's "unchanged" test
    read every row, and building objects would cost more than the queries.
    """
    chunk: list[dict] = []
    for row in meetings.values(*_MEETING_FIELDS).iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield from _chunk_records(chunk)
            chunk = []
    if chunk:
        yield from _chunk_records(chunk)


def _chunk_records(rows: list[dict]) -> Iterator[tuple[dict, dict]]:
    ids = [row["pk"] for row in rows]
    people: dict[int, list[dict]] = {}
    for meeting_id, name, title, code, role, organization in (
        Participation.objects.filter(Among("meeting_id", ids))
        .order_by("meeting_id", "order", "id")
        .values_list(
            "meeting_id",
            "official__name",
            "title",
            "official__country__code",
            "role",
            "organization__slug",
        )
    ):
        person = {"name": name, "title": title, "country": code, "role": role}
        if organization:
            person["organization"] = organization
        people.setdefault(meeting_id, []).append(person)
    former: dict[int, list[str]] = {}
    for meeting_id, path in (
        FormerAddress.objects.filter(Among("meeting_id", ids))
        .order_by("path")
        .values_list("meeting_id", "path")
    ):
        former.setdefault(meeting_id, []).append(path)
    themes: dict[int, list[str]] = {}
    for meeting_id, name in (
        TaggedMeeting.objects.filter(Among("content_object_id", ids))
        .order_by("content_object_id", "order", "id")
        .values_list("content_object_id", "tag__name")
    ):
        themes.setdefault(meeting_id, []).append(name)  # main subjects first
    sources: dict[int, list[dict]] = {}
    account_titles: dict[int, dict[str, str]] = {}
    for source_id, name, title in (
        AccountTitle.objects.filter(Among("meeting_id", ids))
        .order_by("account_id", "participation__order", "participation_id")
        .values_list("account_id", "participation__official__name", "title")
    ):
        account_titles.setdefault(source_id, {})[name] = title
    account_topics: dict[int, list[str]] = {}
    for source_id, name in Source.topics.through.objects.filter(
        Among("source__meeting_id", ids)
    ).values_list("source_id", "topic__name"):
        account_topics.setdefault(source_id, []).append(name)
    for (
        source_id, meeting_id, url, publisher, published, archived, side, headline, text,
        side_organization,
    ) in (
        Source.objects.filter(Among("meeting_id", ids))
        .order_by("meeting_id", "order", "id")
        .values_list(
            "pk", "meeting_id", "url", "publisher", "published", "archived_url", "side__code",
            "headline", "text", "side_organization__slug",
        )
    ):  # fmt: skip
        source = {
            "url": url,
            "publisher": publisher,
            "published": published.isoformat() if published else None,
        }
        # Keys with their default value are left out: a version 1 readout exports as before.
        if archived:
            source["archived_url"] = archived
        if side:
            source["side"] = side
        if headline:
            source["headline"] = headline
        if text:
            source["text"] = text
        if source_id in account_topics:
            source["topics"] = sorted(account_topics[source_id], key=str.casefold)
        if source_id in account_titles:
            source["titles"] = account_titles[source_id]
        if side_organization:
            source["side_organization"] = side_organization
        sources.setdefault(meeting_id, []).append(source)
    for row in rows:
        pk = row["pk"]
        record = {
            "id": row["external_id"],
            "date": row["date"].isoformat(),
            "title": row["title"],
            "kind": row["kind"],
            "location": {"city": row["city"], "country": row["location_country__code"]},
            "participants": people.get(pk, []),
            "themes": themes.get(pk, []),
            "summary": row["summary"],
            "body": row["body"],
            "sources": sources.get(pk, []),
        }
        if row["status"] != Meeting.Status.PUBLISHED:
            record["status"] = row["status"]
        if row["synthetic"]:
            record["synthetic"] = True
        # Version 3: what restores the readout as it is here.
        if row["slug"] != default_slug(row["title"]):
            record["slug"] = row["slug"]
        if pk in former:
            record["former_addresses"] = former[pk]
        record["created_at"] = moment_text(row["created_at"])
        record["updated_at"] = moment_text(row["updated_at"])
        if row["published_at"]:
            record["published_at"] = moment_text(row["published_at"])
        yield row, record


def export_records(meetings: QuerySet[Meeting], *, chunk_size: int = 1000) -> Iterator[dict]:
    """Interchange records for `meetings`, in the queryset's order. A whole file puts the
    lines of the records they name first (catalogue.record_lines)."""
    for _row, record in keyed_records(meetings, chunk_size=chunk_size):
        yield record


def dumps(record: dict) -> str:
    """One line of the file, newline included."""
    return json.dumps(record, ensure_ascii=False) + "\n"


def write_records(records: Iterable[dict], out) -> int:
    count = 0
    for record in records:
        out.write(dumps(record))
        count += 1
    return count


def write_records_to_stdout(records: Iterable[dict], out=None) -> int:
    """Write to standard output (or a command's `self.stdout`); a reader that stops early
    (`| head`) ends the run quietly, returning -1."""
    try:
        count = write_records(records, out or sys.stdout)
        sys.stdout.flush()
        return count
    except BrokenPipeError:
        # Python would complain again when flushing at exit: point stdout at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return -1
