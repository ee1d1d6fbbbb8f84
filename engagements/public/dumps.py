"""The whole archive as two files (CSV and JSON Lines), served the way data portals serve bulk
downloads: built once per change, then sent as static files with an ETag.

Computing a download of 100,000 readouts per request took half a minute of a worker and
the database; two at once stalled the site. Here a change to what the public sees
(archive_version.archive_changed) schedules a rebuild, in a thread of the process that wrote
(settings.DUMPS_IN_BACKGROUND), one builder at a time per machine (a lock file), each
file written beside the old one and swapped in whole. `manage.py build_dumps` does the
same from the command line (after an import, at deploy time, from a timer).

Until a rebuild lands, the previous files are served if nothing in them has been
withdrawn or changed since (only readouts published since are missing); otherwise, and
before the first build, the download answers 503 with Retry-After.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import io
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from engagements.models import Meeting
from engagements.public import downloads
from engagements.upkeep import version as archive_version

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 60
STEM = "engagement-archive"


@dataclasses.dataclass(frozen=True)
class Built:
    """What a set of dump files holds: the archive as of one version."""

    version: int
    token: str
    started_at: dt.datetime  # readouts changed after this may differ from the files
    finished_at: dt.datetime
    readouts: int

    @classmethod
    def read(cls) -> Built | None:
        try:
            data = json.loads((directory() / f"{STEM}.json").read_text())
            return cls(
                version=data["version"],
                token=data["token"],
                started_at=dt.datetime.fromisoformat(data["started_at"]),
                finished_at=dt.datetime.fromisoformat(data["finished_at"]),
                readouts=data["readouts"],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self) -> None:
        data = dataclasses.asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat()
        _replace(directory() / f"{STEM}.json", json.dumps(data).encode())


def directory() -> Path:
    return Path(settings.DUMP_DIR)


def path(fmt: str) -> Path:
    return directory() / f"{STEM}.{fmt}"


@contextlib.contextmanager
def _swapped_in(target: Path) -> Iterator[Path]:
    """A path to write `target` to: beside it, and swapped in whole once written, so a
    reader never opens half a file."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    yield partial
    os.replace(partial, target)


@contextlib.contextmanager
def _text_swapped_in(target: Path) -> Iterator[TextIO]:
    """`target` open for writing text, swapped in whole once written and closed."""
    with _swapped_in(target) as partial, open(partial, "w", encoding="utf-8", newline="") as out:
        yield out


def _replace(target: Path, content: bytes) -> None:
    with _swapped_in(target) as partial:
        partial.write_bytes(content)


def build() -> Built:
    """Write both files for the archive as it is now, from one read of its readouts; the
    description of what they hold."""
    directory().mkdir(parents=True, exist_ok=True)
    outermost = not connection.in_atomic_block
    with transaction.atomic():  # one snapshot where the database gives one (PostgreSQL)
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        version = archive_version.read_version()
        started_at = timezone.now()
        meetings = Meeting.objects.published().order_by("-date", "-id")
        with contextlib.ExitStack() as files:
            outs = {
                fmt: files.enter_context(_text_swapped_in(path(fmt))) for fmt in downloads.FORMATS
            }
            count = downloads.write(meetings, outs, site=settings.SITE_URL)
    built = Built(version.number, version.token, started_at, timezone.now(), count)
    built.write()
    return built


def is_current(built: Built | None) -> bool:
    return built is not None and built.token == archive_version.read_version().token


def still_valid(built: Built) -> bool:
    """Is every readout in the files still public, as it was? (Only new ones are missing.)"""
    unchanged = Meeting.objects.published().filter(updated_at__lte=built.started_at).count()
    return unchanged == built.readouts


def rebuild_if_stale() -> Built | None:
    """Build unless the files are of the current version; one builder per machine at a time
    (the others wait for it, then find the files current)."""
    directory().mkdir(parents=True, exist_ok=True)
    with open(directory() / f".{STEM}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = Built.read()
        while not is_current(built):  # a change during a build: build again
            built = build()
        return built


_pending = threading.Event()
_builder: threading.Thread | None = None
_builder_lock = threading.Lock()


def _build_in_background() -> None:
    try:
        while _pending.is_set():
            _pending.clear()
            try:
                rebuild_if_stale()
            except Exception:
                log.exception("rebuilding the full downloads failed")
    finally:
        close_old_connections()
        connection.close()


def schedule_rebuild(**kwargs) -> None:
    """After a change to the public archive commits: bring the files up to date."""
    global _builder
    if not settings.DUMPS_IN_BACKGROUND:
        try:
            rebuild_if_stale()
        except Exception:  # the writer's own work is done: a failed build is the files' problem
            log.exception("rebuilding the full downloads failed")
        return
    _pending.set()
    with _builder_lock:
        if _builder is None or not _builder.is_alive():
            _builder = threading.Thread(target=_build_in_background, name="dumps", daemon=True)
            _builder.start()


def on_archive_changed(sender, **kwargs) -> None:
    transaction.on_commit(schedule_rebuild)


def _not_ready() -> HttpResponse:
    response = HttpResponse(
        "The download of the whole archive is being brought up to date. "
        f"Try again in a minute (Retry-After: {RETRY_AFTER_SECONDS} s).\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def serve(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole archive in `fmt`, as a file with its validators."""
    built = Built.read()
    current = is_current(built)
    if built is None or (not current and not still_valid(built)):
        schedule_rebuild()
        built = Built.read()
        if built is None or not is_current(built):
            return _not_ready()
    etag = f'"{built.token}.{fmt}"'
    modified = built.finished_at.timestamp()
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(modified), response=HttpResponse()
    )
    if not_modified.status_code == 304:
        response = not_modified
    else:
        try:
            handle: io.BufferedReader = open(path(fmt), "rb")  # noqa: SIM115 (the response closes it)
        except OSError:
            return _not_ready()
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{STEM}-{built.finished_at:%Y-%m-%d}.{fmt}",
            content_type=downloads.FORMATS[fmt][0],
        )
        response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["X-Archive-Readouts"] = str(built.readouts)
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    if not current:  # served as they are (nothing in them withdrawn); brought up to date next
        schedule_rebuild()
    return response
