"""The archive's version: one number that goes up with every change to what the public sees.

Every cache key and ETag carries it (public/pagecache.py), with the code's release, so a
change makes everything cached before it unreachable at once, in every server process:
nothing has to be found and deleted. It lives in the database (models.ArchiveVersion),
not in the cache, so every process sees a change at once whatever the cache. What bumps it
is connected in upkeep/receivers.py; `archive_changed` tells what is built from the
public archive (the whole archive's download files) to follow.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections, router
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from engagements.models import (
    ArchiveVersion,
    Country,
    Meeting,
    Official,
    Organization,
    Participation,
    Source,
    TaggedMeeting,
    Topic,
)
from engagements.upkeep import purge


def _release() -> tuple[str, dt.datetime]:
    """An id of the code and templates being served, and when they last changed.

    The same in every process serving the same files, so ETags agree between workers;
    different after a deploy that changes any of them, so no cached page outlives its code.
    """
    digest = hashlib.sha256(settings.RELEASE.encode())
    newest = 0.0
    for folder in (Path(settings.BASE_DIR) / "engagements", Path(settings.BASE_DIR) / "templates"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".xml", ".css", ".js", ".svg"}:
                digest.update(path.as_posix().encode() + path.read_bytes())
                newest = max(newest, path.stat().st_mtime)
    return digest.hexdigest()[:12], dt.datetime.fromtimestamp(int(newest), tz=dt.UTC)


RELEASE, RELEASED_AT = _release()


@dataclass(frozen=True)
class Version:
    number: int
    changed_at: dt.datetime
    has_synthetic: bool = False

    @property
    def token(self) -> str:
        # The time is part of it: a write rolled back leaves the number as it was, and the
        # next write must not reuse a key something may have been cached under meanwhile.
        return f"{RELEASE}.{self.number}.{self.changed_at.timestamp():.6f}"

    def __str__(self) -> str:
        return f"version {self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S} UTC)"

    @property
    def last_modified(self) -> dt.datetime:
        return max(self.changed_at, RELEASED_AT)


# Sent by every bump: what is built from the public archive (dumps.py) follows.
archive_changed = Signal()

_request_version: ContextVar[Version | None] = ContextVar("archive_version", default=None)


def current() -> Version:
    """The archive's version: read once per request (one query), then remembered."""
    version = _request_version.get()
    if version is None:
        version = read_version()
    return version


def read_version() -> Version:
    """The archive's version as the database holds it now (not the request's)."""
    # A plain cursor: on a cached page this is the only query, and the ORM's machinery
    # cost more than the query itself (about half a millisecond a request).
    # Where the request reads from (a replica, through the router): a page is cached under
    # the version of the very database it was computed from.
    reading = connections[router.db_for_read(ArchiveVersion)]
    table = reading.ops.quote_name(ArchiveVersion._meta.db_table)
    with reading.cursor() as cursor:
        cursor.execute(f"SELECT number, changed_at, has_synthetic FROM {table} WHERE id = 1")  # noqa: S608 (our table name)
        row = cursor.fetchone()
    if row is None:
        return Version(0, dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    number, changed_at, has_synthetic = row
    if isinstance(changed_at, str):  # SQLite hands back text
        changed_at = dt.datetime.fromisoformat(changed_at)
    if timezone.is_naive(changed_at):
        changed_at = changed_at.replace(tzinfo=dt.UTC)
    return Version(number, changed_at, bool(has_synthetic))


def bump() -> None:
    """Record a change to the public archive: everything cached so far is out of date."""
    changes = {
        "changed_at": timezone.now(),
        "has_synthetic": Meeting.objects.published().filter(synthetic=True).exists(),
    }
    if not ArchiveVersion.objects.filter(pk=1).update(number=F("number") + 1, **changes):
        # The row is gone (a flushed database): start again.
        ArchiveVersion.objects.update_or_create(pk=1, defaults={"number": 1, **changes})
    _request_version.set(None)
    purge.changed_public()  # an HTTP cache in front empties what the write touched
    archive_changed.send(sender=ArchiveVersion)


@contextlib.contextmanager
def pinned() -> Iterator[Version]:
    """Within the block (one request), `current()` is read from the database once."""
    token = _request_version.set(current())
    try:
        yield current()
    finally:
        _request_version.reset(token)


# -- what the public sees: only a write to it changes the version ---------------------------
# A draft's save must leave the version alone: it would empty the cache and move every
# page's Last-Modified, telling anyone who watches that something unpublished changed.


def published_meeting(meeting_id) -> bool:
    return Meeting.objects.published().filter(pk=meeting_id).exists()


def is_public(record) -> bool:
    """Whether the public pages show `record` (as it is in the database now)."""
    if isinstance(record, Meeting):
        return record.is_published
    if isinstance(record, (Participation, Source)):
        return published_meeting(record.meeting_id)
    if isinstance(record, TaggedMeeting):
        return published_meeting(record.content_object_id)
    if isinstance(record, (Official, Topic, Country)):
        return type(record).objects.public().filter(pk=record.pk).exists()
    if isinstance(record, Organization):
        return Meeting.objects.published().filter(participations__organization=record).exists()
    return False  # bookkeeping (former addresses, counts): no cached page shows it
