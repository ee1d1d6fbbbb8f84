"""Surrogate keys: each public answer names what it shows, for an HTTP cache in front.

`Surrogate-Key: t5 c3` (Varnish, Fastly) and `Cache-Tag: t5,c3` (Cloudflare and others)
list the keys of upkeep/purge.py:

- a readout's page: `m12`, `readouts`, its related readouts' `m` keys, and the keys of the
  sets of its officials or topics a newcomer would have to share to enter its related
  lists (`o4x7`; purge.page_keys);
- a readout's other answers (the API's, its citations): `m12` and its countries',
  officials' and topics' keys;
- a country's, official's or topic's pages: `c3`, `o7`, `t5` (whatever their filters, they
  list only readouts carrying that key);
- every other answer: `list` (lists, the home page, feeds, indexes, the API's lists, a 404:
  anything a publication anywhere may change).

A write purges the keys it touched and `list`, so a page is purged exactly when something
it shows may have changed.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from engagements.upkeep.purge import LIST, READOUTS, page_keys, readout_keys


def tag(request: HttpRequest, *keys: str) -> None:
    """The answer to this request shows these records (instead of the archive at large)."""
    request.surrogate_keys = getattr(request, "surrogate_keys", set()) | set(keys)


def tag_readout(request: HttpRequest, meeting) -> None:
    tag(request, *readout_keys(meeting.pk, meeting.facet_keys))


def tag_readout_page(
    request: HttpRequest, meeting_id: int, related: dict[str, tuple[list[int], list]], size: int
) -> None:
    """A readout's page: `related` maps "o" and "t" to its officials' (topics') ids and the
    related readouts listed for them (each with its `shared` count), `size` at most."""
    keys = {f"m{meeting_id}", READOUTS}
    for prefix, (ids, best) in related.items():
        keys |= {f"m{row.pk}" for row in best} | page_keys(prefix, ids, best, size)
    tag(request, *keys)


def tag_records(request: HttpRequest, records) -> None:
    """A country's, official's or topic's page (or a pair's)."""
    prefix = {"Country": "c", "Official": "o", "Topic": "t"}
    tag(request, *(f"{prefix[type(r).__name__]}{r.pk}" for r in records))


class SurrogateKeyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.skipped = ("/" + settings.ADMIN_PATH, "/" + settings.STATIC_URL.lstrip("/"))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in {"GET", "HEAD"} and not request.path.startswith(self.skipped):
            keys = sorted(getattr(request, "surrogate_keys", None) or {LIST})
            response["Surrogate-Key"] = " ".join(keys)
            response["Cache-Tag"] = ",".join(keys)
        return response
