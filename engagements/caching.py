"""Compute once, serve many times: public pages and counts cached until the archive changes.

- The archive's version (models.ArchiveVersion) goes up with every write: a save or
  delete anywhere in the archive (signals below), a queryset update of meetings, an
  import. Every cache key carries the version and the code's release, so a write makes
  everything cached before it unreachable at once: nothing has to be found and deleted,
  and no visitor is served a page from before a publish, in any server process.
- PageCacheMiddleware serves whole public pages (200 responses to GET) from the cache,
  gives each an ETag and a Last-Modified so that a repeat visit is a 304, and tells
  browsers and CDNs to revalidate.
- memo() caches one value computed from the database (facet counts, totals, the home
  page's statistics) for the requests the page cache misses: page 2 of a list reuses the
  counts page 1 computed.

The cache is Django's default cache: local memory per process, or Redis when REDIS_URL
is set (settings.py). A cache that fails (Redis down) is logged and treated as empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

log = logging.getLogger(__name__)
_MISSING = object()


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
    table = connection.ops.quote_name(
        apps.get_model("engagements", "ArchiveVersion")._meta.db_table
    )
    with connection.cursor() as cursor:
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
    ArchiveVersion = apps.get_model("engagements", "ArchiveVersion")
    Meeting = apps.get_model("engagements", "Meeting")
    changes = {
        "changed_at": timezone.now(),
        "has_synthetic": Meeting.objects.published().filter(synthetic=True).exists(),
    }
    if not ArchiveVersion.objects.filter(pk=1).update(number=F("number") + 1, **changes):
        # The row is gone (a flushed database): start again.
        ArchiveVersion.objects.update_or_create(pk=1, defaults={"number": 1, **changes})
    _request_version.set(None)
    archive_changed.send(sender=ArchiveVersion)


# -- what the public sees: only a write to it changes the version ---------------------------
# A draft's save must leave the version alone: it would empty the cache and move every
# page's Last-Modified, telling anyone who watches that something unpublished changed.


def _published_meeting(meeting_id) -> bool:
    Meeting = apps.get_model("engagements", "Meeting")
    return Meeting.objects.published().filter(pk=meeting_id).exists()


def is_public(record) -> bool:
    """Whether the public pages show `record` (as it is in the database now)."""
    name = type(record).__name__
    if name == "Meeting":
        return record.is_published
    if name in {"Participation", "Source"}:
        return _published_meeting(record.meeting_id)
    if name == "TaggedMeeting":
        return _published_meeting(record.content_object_id)
    if name in {"Official", "Topic", "Country"}:
        return type(record).objects.public().filter(pk=record.pk).exists()
    if name == "Organization":
        Meeting = apps.get_model("engagements", "Meeting")
        return Meeting.objects.published().filter(participations__organization=record).exists()
    return False  # bookkeeping (former addresses, counts): no cached page shows it


def _note_publication(sender, instance, raw: bool = False, **kwargs) -> None:
    """Before a readout is saved: was it public? (Unpublishing changes the public archive.)"""
    instance._was_published = bool(instance.pk) and _published_meeting(instance.pk)


def _bump_on_save(sender, instance, **kwargs) -> None:
    if getattr(instance, "_was_published", False) or is_public(instance):
        bump()


def _bump_on_delete(sender, instance, **kwargs) -> None:
    origin = kwargs.get("origin")  # what was asked to be deleted
    if origin is not None and getattr(origin, "model", type(origin)) is not sender:
        return  # a row deleted along with its readout: that readout's own delete bumps
    # (A readout deleted is public if it was; a part of one, if its readout is.)
    if is_public(instance):
        bump()


def _bump_on_links(sender, instance, action: str, pk_set=None, **kwargs) -> None:
    """Topics (or derived countries) added to or taken from a readout through its manager."""
    if not action.startswith("post_"):
        return
    Meeting = apps.get_model("engagements", "Meeting")
    if isinstance(instance, Meeting):
        public = instance.is_published
    else:  # from the other side: the readouts are the pk_set
        public = Meeting.objects.published().filter(pk__in=pk_set or ()).exists()
    if public:
        bump()


def connect_signals() -> None:
    """Bump the version after any save or delete of what the public sees."""
    Meeting = apps.get_model("engagements", "Meeting")
    pre_save.connect(_note_publication, sender=Meeting, dispatch_uid="bump-note-publication")
    for model in apps.get_app_config("engagements").get_models():
        # Not the version itself, nor the facet counts: the write that changes them bumps.
        if model.__name__ not in {"ArchiveVersion", "FacetCount", "MeetingFacet"}:
            post_save.connect(_bump_on_save, sender=model, dispatch_uid=f"bump-save-{model}")
            post_delete.connect(_bump_on_delete, sender=model, dispatch_uid=f"bump-del-{model}")
    for through in (Meeting.topics.through, Meeting.countries.through):
        m2m_changed.connect(_bump_on_links, sender=through, dispatch_uid=f"bump-m2m-{through}")


# -- the cache, failing soft ----------------------------------------------------------------


def _get(key: str):
    try:
        return cache.get(key, _MISSING)
    except Exception:  # a cache server that is down must not take the site with it
        log.warning("cache read failed; computing instead", exc_info=True)
        return _MISSING


def _set(key: str, value) -> None:
    try:
        cache.set(key, value, settings.CACHE_TTL)
    except Exception:
        log.warning("cache write failed", exc_info=True)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def memo[T](name: str, parts: object, compute: Callable[[], T]) -> T:
    """`compute()`, cached for the current version of the archive under (name, parts)."""
    if not settings.PAGE_CACHE:
        return compute()
    key = f"memo:{current().token}:{name}:{_digest(repr(parts))}"
    value = _get(key)
    if value is _MISSING:
        value = compute()
        _set(key, value)
    return value


def clear() -> None:
    """Make everything cached obsolete (management command `invalidate_cache`)."""
    bump()
    try:
        cache.clear()
    except Exception:
        log.warning("cache clear failed", exc_info=True)


# -- whole pages ---------------------------------------------------------------------------


def _cacheable(response: HttpResponse) -> bool:
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "cookie" not in response.get("Vary", "").lower()
        and not any(word in control for word in ("private", "no-store", "no-cache"))
        # A nonce must be new on every response: a page that uses one is never replayed.
        and "nonce-" not in response.get("Content-Security-Policy", "")
    )


# Every query parameter a public page reads (the list's filters and page, the officials'
# letter, the topics' order, the sitemap's page). An address with any other is redirected
# to the same address without it, before anything is computed or cached: otherwise each
# `?junk=N` would be a new page in the cache, and a new set of counts, for a day.
PAGE_PARAMETERS = frozenset(
    {"country", "official", "topic", "kind", "from", "to", "q", "sort", "page", "letter", "p"}
)


def _known_parameters_only(request: HttpRequest) -> HttpResponse | None:
    """A redirect to the address without the parameters no page reads, if it has any."""
    if all(key in PAGE_PARAMETERS for key in request.GET):
        return None
    kept = [
        (key, value)
        for key, values in request.GET.lists()
        if key in PAGE_PARAMETERS
        for value in values
    ]
    query = urlencode(kept)
    return HttpResponsePermanentRedirect(request.path + (f"?{query}" if query else ""))


class PageCacheMiddleware:
    """Serve public GET and HEAD requests from the cache, and answer a repeat visit with 304.

    It sits outside the CSP, session, CSRF and clickjacking middleware, so a cached page
    carries the headers they set; only the security middleware (outermost) runs on hits.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.skipped = (
            "/" + settings.ADMIN_PATH,
            "/" + settings.STATIC_URL.lstrip("/"),
            "/healthz",
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in {"GET", "HEAD"} or request.path.startswith(self.skipped):
            return self.get_response(request)
        redirect = _known_parameters_only(request)
        if redirect is not None:
            return redirect
        token = _request_version.set(current())
        try:
            response = self._respond(request)
        finally:
            _request_version.reset(token)
        if request.method == "HEAD" and not response.streaming:
            # The page's headers, Content-Length included, without the page.
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    def _respond(self, request: HttpRequest) -> HttpResponse:
        version = current()
        # get_host() validates the Host header (a 400 for one not allowed) before anything
        # is served; the host and scheme are in the key because pages hold absolute links.
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        # GZipMiddleware (inside this one) compresses for clients that accept gzip: the
        # compressed and the plain page are two entries with two ETags.
        encoding = (
            "gzip" if re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")) else ""
        )
        key = f"page:{version.token}:{encoding}:{_digest(address)}"
        etag = f'"{_digest(key)}"'
        if etag in request.headers.get("If-None-Match", ""):
            # The ETag names the version, the address and the encoding: a client holding
            # it holds this very page, so the answer needs neither the cache nor the view.
            skeleton = self._validated(HttpResponse(), etag, version)
            answer = get_conditional_response(request, etag=etag, response=skeleton)
            if answer.status_code == 304:
                return answer
        cached = _get(key) if settings.PAGE_CACHE else _MISSING
        if cached is not _MISSING:
            status, headers, content = cached
            response = HttpResponse(content, status=status, headers=headers)
        else:
            response = self.get_response(request)
            if not _cacheable(response):
                return response
            self._validated(response, etag, version)
            if settings.PAGE_CACHE:
                _set(key, (response.status_code, dict(response.items()), response.content))
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=int(version.last_modified.timestamp()),
            response=response,
        )

    @staticmethod
    def _validated(response: HttpResponse, etag: str, version: Version) -> HttpResponse:
        """The validators and caching rules every public page carries."""
        response["ETag"] = etag
        response["Last-Modified"] = http_date(version.last_modified.timestamp())
        directives = {"public": True, "max_age": 0, "must_revalidate": True}
        if settings.CDN_MAX_AGE:
            directives["s_maxage"] = settings.CDN_MAX_AGE
        patch_cache_control(response, **directives)
        patch_vary_headers(response, ["Accept-Encoding"])
        return response
