"""Compute once, serve many times: public pages and counts cached until the archive changes.

- PageCacheMiddleware serves whole public pages (200 responses to GET and HEAD) from the
  cache under the archive's version (upkeep/version.py), gives each an ETag and a
  Last-Modified so that a repeat visit is a 304, and tells browsers and CDNs to revalidate.
- memo() caches one value computed from the database (facet counts, totals, the home
  page's statistics) for the requests the page cache misses: page 2 of a list reuses the
  counts page 1 computed.

The cache is Django's default cache: local memory per process, or Redis when REDIS_URL
is set (settings.py). A cache that fails (Redis down) is logged and treated as empty.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from engagements.upkeep.version import Version, bump, current, pinned

log = logging.getLogger(__name__)
_MISSING = object()


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
    {
        "country",
        "official",
        "topic",
        "kind",
        "from",
        "to",
        "q",
        "sort",
        "page",
        "letter",
        "p",
        "real",
        "named_by",
    }
)


# OAI-PMH's arguments, read at /oai/ only (public/oai.py).
OAI_PARAMETERS = frozenset(
    {"verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"}
)


def _known_parameters_only(request: HttpRequest) -> HttpResponse | None:
    """A redirect to the address without the parameters no page reads, if it has any."""
    known = OAI_PARAMETERS if request.path == "/oai/" else PAGE_PARAMETERS
    if all(key in known for key in request.GET):
        return None
    kept = [(key, value) for key, values in request.GET.lists() if key in known for value in values]
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
        # The API refuses a parameter it does not read (a 400, never cached) instead.
        redirect = None if request.path.startswith("/api/") else _known_parameters_only(request)
        if redirect is not None:
            return redirect
        with pinned():
            response = self._respond(request)
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
        if settings.CDN_STALE_SECONDS:
            directives["stale_while_revalidate"] = settings.CDN_STALE_SECONDS
        patch_cache_control(response, **directives)
        patch_vary_headers(response, ["Accept-Encoding"])
        return response
