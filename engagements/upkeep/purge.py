"""Purging an HTTP cache in front of the site (Varnish, a CDN) by tag, when the archive changes.

Every public answer carries surrogate keys (public/surrogate.py) naming what it shows:
`m12` a readout, `c3` a country, `o7` an official, `t5` a topic (the ids of a readout's
`facet_keys`), and `list` for every page that lists the archive at large (the lists, the
home page, feeds, indexes, the API's lists). A readout's page lists the readouts sharing
most of its officials and of its topics: it carries their `m` keys and the keys of the
sets of its officials or topics a newcomer would have to share to enter those lists
(`o7x9`: officials 7 and 9 together; `page_keys`). A write the public sees notes the keys
it touches (`note`, called from upkeep/receivers.py and facetcounts.py, and `list` on every
bump of the version), a written readout's with its sets' (`written_keys`); when its
transaction commits, the keys go to the configured purger in one call (at once, outside a
transaction). So a readout published on topic t5 empties exactly the pages tagged `list`,
`t5`, its countries', its officials' and its own, and those of the readouts whose related
lists it may enter; an unrelated topic's page, and a readout's that shares a topic with it
but lists five sharing more, stay cached. A renamed country, official or topic purges
everything (receivers.py: its name shows in other records' pages, in their rows and
facets).

A purge that fails is logged, never raised: the write has committed, and what was not
purged is served until its `s-maxage` (CDN_MAX_AGE) runs out.

Purgers (settings.HTTP_CACHE_PURGER, a dotted path; HTTP_CACHE_PURGE_URLS its targets):
`VarnishBan` sends `BAN` with the keys to each Varnish (deploy/varnish.vcl turns it into a
ban on `obj.http.Surrogate-Key`). A CDN's purge-by-tag API is a class with the same
`purge(keys, everything)` method (docs/deploying.md).
"""

from __future__ import annotations

import functools
import http.client
import itertools
import logging
import math
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

LIST = "list"  # every page that lists the archive at large
READOUTS = "readouts"  # every readout's page
EVERYTHING = "*"  # a rebuild of every count: no finer key is known
_TIMEOUT_SECONDS = 2.0
# More keys than this go as "everything": one ban names them all in a header, and Varnish
# refuses a request whose headers pass 8 kB (http_req_hdr_len); a bulk update of
# thousands of readouts would otherwise purge nothing.
MOST_KEYS = 500


class VarnishBan:
    """`BAN /` with `X-Purge-Keys: list m12 t5` to each Varnish of HTTP_CACHE_PURGE_URLS."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls

    def purge(self, keys: set[str], everything: bool) -> None:
        header = EVERYTHING if everything else " ".join(sorted(keys))
        for url in self.urls:
            parts = urlsplit(url)
            conn = http.client.HTTPConnection(
                parts.hostname, parts.port or 80, timeout=_TIMEOUT_SECONDS
            )
            try:
                conn.request("BAN", "/", headers={"X-Purge-Keys": header})
                answer = conn.getresponse()
                answer.read()
                if answer.status != 200:
                    log.warning("purge refused by %s: %s %s", url, answer.status, answer.reason)
            except OSError:
                log.warning("purge of %s failed", url, exc_info=True)
            finally:
                conn.close()


def purger():
    """The configured purger, or None (no HTTP cache in front: nothing to do)."""
    urls = settings.HTTP_CACHE_PURGE_URLS
    if not urls:
        return None
    return import_string(settings.HTTP_CACHE_PURGER)(urls)


class _Pending:
    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.everything = False
        self.callback = None  # registered with the transaction to purge on commit


def _pending() -> _Pending | None:
    """The keys noted on this connection since the last purge (None with no purger: free)."""
    if not settings.HTTP_CACHE_PURGE_URLS:
        return None
    pending = getattr(connection, "_purge_pending", None)
    if pending is None:
        pending = connection._purge_pending = _Pending()
    return pending


def _schedule(pending: _Pending) -> None:
    """Purge when the transaction commits: once, whatever was noted in it (at once outside
    a transaction, where the write is committed already). A rolled-back block takes its
    callback with it; the next note registers another."""
    if (
        connection.in_atomic_block
        and pending.callback is not None
        and any(func is pending.callback for _, func, *_ in connection.run_on_commit)
    ):
        return
    pending.callback = functools.partial(_flush)
    transaction.on_commit(pending.callback)


def forget() -> None:
    """Drop what was noted and not yet purged (a test's setup, say)."""
    connection._purge_pending = None


def note(*keys: str) -> None:
    """Keys a write touches. Only writes the public sees note keys (receivers.py)."""
    pending = _pending()
    if pending is not None:
        pending.keys.update(k for k in keys if k)
        _schedule(pending)


def note_everything() -> None:
    pending = _pending()
    if pending is not None:
        pending.everything = True
        _schedule(pending)


def changed_public() -> None:
    """Called by version.bump(): whatever lists the archive at large is out of date."""
    note(LIST)


def _flush() -> None:
    pending = getattr(connection, "_purge_pending", None)
    connection._purge_pending = None
    if pending is None or not (pending.keys or pending.everything):
        return
    target = purger()
    if target is None:
        return
    everything = pending.everything or len(pending.keys) > MOST_KEYS
    target.purge(pending.keys, everything)
    if len(settings.DATABASES) > 1:
        # With read replicas, the cache in front may refetch a purged page from a replica
        # that has not replayed the write yet, and keep that for s-maxage: purge the same
        # keys again once the replicas are as far behind as they may be.
        again = threading.Timer(
            settings.REPLICA_MAX_LAG_SECONDS + 1, target.purge, (pending.keys, everything)
        )
        again.daemon = True
        again.start()


def readout_keys(meeting_id: int, facet_keys: str = "") -> list[str]:
    """A readout's own key and those of its countries, officials and topics."""
    return [f"m{meeting_id}", *facet_keys.split()]


# The largest set of officials or topics a key names (`o4x7x9`). A readout's page whose
# related list ends with one sharing more than this carries the keys of its sets of this
# size: a newcomer sharing that many purges it, whether or not it enters (rare; safe).
TOGETHER_UP_TO = 3
# A readout written notes the keys of its sets of two and three: 30 for 4 officials and
# 5 topics, but 165 for 10 officials. Past this many it notes READOUTS instead (every
# readout's page), so that one ban stays within Varnish's header limit.
MOST_TOGETHER_KEYS = 200
# The most sets a readout's page names for one of its lists (20 officials taken 3 at a
# time would be 1,140 keys, some 19 kB in a header).
MOST_PAGE_SETS = 60


def together_keys(prefix: str, ids, size: int) -> set[str]:
    """The keys of every set of `size` of these ids: `o4x7` for officials 4 and 7 (the
    callers count them first, math.comb: a readout of 500 officials has 20 million sets
    of three)."""
    ordered = sorted(set(ids))
    return {prefix + "x".join(map(str, chosen)) for chosen in itertools.combinations(ordered, size)}


def page_keys(prefix: str, ids, best: list, size: int) -> set[str]:
    """What a readout's page carries for one of its related lists (public/related.py):
    `best`, the list shown (each with its `shared` count), of at most `size`, drawn from
    readouts sharing these `ids`. A newcomer enters it only by sharing at least as many as
    its last (any one, while it is not full): the keys of the sets of that many.

    Not traced: a newcomer also moves the window of candidates `same_topics` ranks (the
    newest RELATED_CANDIDATES taggings), and a listed readout at its far end may then
    count a topic fewer there; the page keeps its list, every link still good, until one
    of its keys is purged or CDN_MAX_AGE runs out."""
    needed = min(best[-1].shared if len(best) >= size else 1, TOGETHER_UP_TO)
    # Every newcomer notes its own `o` and `t` keys too: a page with more sets than a
    # header should carry (Varnish refuses a response header over 8 kB) carries those.
    if math.comb(len(set(ids)), needed) > MOST_PAGE_SETS:
        needed = 1
    return together_keys(prefix, ids, needed)


def written_keys(official_ids, topic_ids) -> set[str]:
    """The keys of the sets of a written readout's officials and topics (of two to
    TOGETHER_UP_TO: one are its own `o` and `t` keys), or READOUTS when there are too many."""
    sets = [(prefix, set(ids)) for prefix, ids in (("o", official_ids), ("t", topic_ids))]
    sizes = range(2, TOGETHER_UP_TO + 1)
    if sum(math.comb(len(ids), size) for _, ids in sets for size in sizes) > MOST_TOGETHER_KEYS:
        return {READOUTS}
    return {
        key for prefix, ids in sets for size in sizes for key in together_keys(prefix, ids, size)
    }


def _written_sets(keys: list[str]) -> set[str]:
    """written_keys of a readout's `o` and `t` keys ("o7", "t5": its facet keys)."""
    ids = {prefix: [int(key[1:]) for key in keys if key[:1] == prefix] for prefix in "ot"}
    return written_keys(ids["o"], ids["t"])


def note_readouts(meeting_ids) -> None:
    """The keys of these readouts as they are now (one query; none without a purger)."""
    if _pending() is None:
        return
    from engagements.models import Meeting  # below upkeep; imported only when purging

    ids = list(meeting_ids)
    for pk, keys in Meeting.objects.filter(pk__in=ids).values_list("pk", "facet_keys"):
        note(*readout_keys(pk, keys), *_written_sets(keys.split()))
    note(*(f"m{pk}" for pk in ids))  # deleted ones too


FACET_PREFIXES = {"country": "c", "official": "o", "topic": "t"}


def note_facets(meeting_id: int, facets) -> None:
    """A readout's key, its (facet, value) pairs' keys and their sets' (facetcounts' before
    and after)."""
    keys = [f"{FACET_PREFIXES[f]}{v}" for f, v in facets if f in FACET_PREFIXES]
    note(f"m{meeting_id}", *keys, *_written_sets(keys))
