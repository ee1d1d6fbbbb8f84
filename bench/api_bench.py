#!/usr/bin/env python3
"""The JSON API on a large archive: a whole walk of the readouts, and each endpoint's latency.

    .venv/bin/python bench/api_bench.py                     # 100,000 generated readouts
    .venv/bin/python bench/api_bench.py --meetings 20000 --db engagement_api

Fills the PostgreSQL database as bench/http_bench.py does (reusing its readouts when it
has them), serves the site with gunicorn (2 workers, DEBUG off, page cache in memory,
API_RATE_LIMIT="" so that this one client is not throttled) on 127.0.0.1, then:

- walks `/api/meetings/?limit=100` by its `next` links to the end, twice: cold (gunicorn
  restarted and the cache emptied first) and warm (straight after), checking that the walk
  returns as many readouts as are published and none twice; then asks for the cold walk's
  very page addresses again (replayed), to tell the page cache's reach from the cursors';
  and counts the queries of the walk's first pages (Django's test client, in this process);
- asks for each of ten endpoints cold (the first request after the cache was emptied
  with `manage.py invalidate_cache`; --cold-rounds rounds, the median reported) and warm
  (--repeats requests once both workers hold the answer).

Every request is one connection (gunicorn as deployed closes it), asks for gzip as HTTP
clients do, and is timed here from connect to last byte. Written to --out
(bench/api-report.md).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_bench

HEADERS = {"Accept": "application/json", "Accept-Encoding": "gzip"}
WALK_LIMIT = 100
QUICK_MS = 10  # a page answered faster came from the page cache (computed ones take 40+ ms)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def fetch(url: str) -> tuple[int, int, bytes, float]:
    """GET `url`: (status, bytes on the wire, the body as JSON bytes, ms)."""
    request = urllib.request.Request(url, headers=HEADERS)  # noqa: S310 (http://127.0.0.1)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 (127.0.0.1)
            status, raw, encoding = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:  # a 4xx or 5xx: its status is a result
        status, raw, encoding = error.code, error.read(), error.headers
    ms = (time.perf_counter() - started) * 1000
    body = gzip.decompress(raw) if encoding.get("Content-Encoding") == "gzip" else raw
    return status, len(raw), body, ms


def get_json(url: str) -> dict:
    status, _wire, body, _ms = fetch(url)
    if status != 200:
        sys.exit(f"{url} answered {status}: {body[:300]!r}")
    return json.loads(body)


def load(db: str) -> tuple[str, bool]:
    """The load average and what else is at work (tests, other databases' queries); and
    whether the machine looks shared."""
    import psycopg

    one, five, _ = os.getloadavg()
    tests = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        tests += any(b"pytest" in word for word in words[:3])
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres") as c:
        (others,) = c.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
            "AND datname NOT IN (current_database(), %s)",
            [db],
        ).fetchone()
    said = f"load {one:.2f}/{five:.2f}, {tests} pytest process(es), {others} other queries"
    return said, bool(tests or others)


def walk(server, bound: int, replay: list[str] | None = None) -> dict:
    """Follow `next` from the first page of the list to the last (at most `bound` pages),
    or ask for the addresses of `replay` in turn (another walk's, to meet its cached pages)."""
    addresses = iter(replay or [server.url(f"/api/meetings/?limit={WALK_LIMIT}")])
    url = next(addresses)
    ids: set[str] = set()
    rows = repeats = 0
    pages: list[float] = []
    statuses: dict[int, int] = {}
    urls: list[str] = []
    first_id = count = None
    started = time.perf_counter()
    for _ in range(bound):
        urls.append(url)
        status, _wire, body, ms = fetch(url)
        statuses[status] = statuses.get(status, 0) + 1
        pages.append(ms)
        if status != 200:
            print(f"walk stopped: {url} answered {status}: {body[:300]!r}", flush=True)
            break
        data = json.loads(body)
        count = data["count"] if count is None else count
        for row in data["results"]:
            first_id = first_id or row["id"]
            rows += 1
            repeats += row["id"] in ids
            ids.add(row["id"])
        url = data["next"] if replay is None else next(addresses, None)
        if not url:
            break
    else:
        print(f"walk stopped after {bound} pages", flush=True)
    seconds = time.perf_counter() - started
    return dict(
        rows=rows,
        repeats=repeats,
        count=count,
        seconds=seconds,
        pages=pages,
        statuses=statuses,
        first_id=first_id,
        finished=not url,
        urls=urls,
    )


def queries_per_page(env: dict, pages: int = 3) -> list[tuple[int, int, float, float]]:
    """The walk's first `pages` pages asked through Django's test client in this process
    (the page cache on, in this process's memory, empty): for each, (queries, queries
    counting the list, ms in SQL, ms of it counting)."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "archive.settings"
    sys.path.insert(0, str(http_bench.ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    path = f"/api/meetings/?limit={WALK_LIMIT}"
    found = []
    for _ in range(pages):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, HTTP_HOST="127.0.0.1")
        if response.status_code != 200:
            break
        every = [float(q["time"]) * 1000 for q in queries.captured_queries]
        counting = [
            float(q["time"]) * 1000 for q in queries.captured_queries if "COUNT(" in q["sql"]
        ]
        found.append((len(every), len(counting), sum(every), sum(counting)))
        if not (link := response.json()["next"]):
            break
        path = f"{urlsplit(link).path}?{urlsplit(link).query}"
    return found


def prime(url: str, rounds: int = 3) -> None:
    """Two requests at once, `rounds` times, so that each worker caches the answer."""
    for _ in range(rounds):
        threads = [threading.Thread(target=fetch, args=(url,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def endpoints(server, newest_id: str) -> list[tuple[str, str]]:
    """The URLs measured; the topic is the one with most readouts, the readout the newest."""
    topics: list[dict] = []
    url = server.url("/api/topics/?limit=100")
    for _ in range(100):
        data = get_json(url)
        topics += data["results"]
        if not (url := data["next"]):
            break
    topic = max(topics, key=lambda t: t["meeting_count"])
    return [
        ("newest list", "/api/meetings/"),
        ("country filter", "/api/meetings/?country=pk"),
        (
            f"topic filter ({topic['meeting_count']:,} readouts)",
            f"/api/meetings/?topic={topic['slug']}",
        ),
        ("search", "/api/meetings/?q=CPEC"),
        ("search with a filter", "/api/meetings/?q=CPEC&country=pk"),
        ("one readout (the newest)", f"/api/meetings/{quote(newest_id)}/"),
        ("countries", "/api/countries/"),
        ("officials of a country", "/api/officials/?country=pk"),
        ("topics", "/api/topics/"),
        ("a counts panel", "/api/counts/country-year/"),
    ]


def git(*args: str) -> str:
    """What git says about the working tree the server ran from ("" without git)."""
    try:
        return subprocess.run(
            ["git", *args],  # noqa: S607 (git on the PATH, as the Makefile uses it)
            cwd=http_bench.ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout
    except OSError:
        return ""


def quick(pages: list[float]) -> int:
    return sum(ms < QUICK_MS for ms in pages)


def stamped(url: str) -> bool:
    """Whether a `next` link's cursor carries the time it was made: TimestampSigner's
    value:timestamp:signature, where a plain Signer gives value:signature."""
    cursor = parse_qs(urlsplit(url).query).get("cursor", [""])[0]
    return cursor.count(":") == 2


def reading(walks, shared, urls, cold, warm, first, per_page) -> str:
    """A few sentences on what the numbers say, from the numbers."""
    c, w, r = walks["cold"], walks["warm"], walks["replayed"]
    said = [
        f"The warm walk took {w['seconds']:.0f} s against {c['seconds']:.0f} s cold "
        f"({w['seconds'] / c['seconds']:.0%}), page p50 {_percentile(w['pages'], 0.5):.0f} ms "
        f"against {_percentile(c['pages'], 0.5):.0f} ms; {quick(w['pages']):,} of its "
        f"{len(w['pages']):,} pages came back in under {QUICK_MS} ms, and {shared:,} of its "
        "page addresses were the cold walk's."
    ]
    timed = len(c["urls"]) > 1 and stamped(c["urls"][1])
    if timed:
        said.append(
            "The cursors carry the second they were made in (signed with "
            "django.core.signing.dumps, a TimestampSigner): a page computed again links to a "
            "`next` address of its own, so from the first page a walk misses in the cache it "
            "asks for none of the earlier walk's addresses, and every walk adds one cache "
            "entry per page."
        )
    recounted = [page for page in per_page[1:] if page[1]]
    if recounted:
        said.append(
            f"Every page past the first counts the whole list again ({recounted[0][3]:.0f} ms "
            f"of its {recounted[0][2]:.0f} ms in SQL, page 2 through the test client): the "
            "`count` the first page found is not reused."
        )
    said.append(
        "Asked again for the cold walk's very addresses"
        + (" (as a cursor without the time would have them)" if timed else "")
        + f", {quick(r['pages']):,} of {len(r['pages']):,} pages came back in under "
        f"{QUICK_MS} ms and the walk took {r['seconds']:.0f} s: each of the 2 workers keeps "
        "its own cache in memory, of at most 500 entries, and holds only the pages it "
        "computed; a walk longer than that pushes out the oldest entries, the very pages "
        "the next walk asks for first."
    )
    medians = {path: statistics.median(times) for path, times in cold.items()}
    label = dict((path, label) for label, path in urls)
    slowest = max(medians, key=medians.get)
    others = statistics.median([m for path, m in medians.items() if path != slowest])
    said.append(
        f"Cold, the slowest endpoint was {label[slowest]} (`{slowest}`, "
        f"{medians[slowest]:.0f} ms, {medians[slowest] / others:.1f}× the median of the "
        f"others, {others:.0f} ms); warm, every endpoint answered in p50 "
        f"{min(_percentile(t, 0.5) for t, _ in warm.values()):.1f}–"
        f"{max(_percentile(t, 0.5) for t, _ in warm.values()):.1f} ms."
    )
    failed = [path for path in cold if first[path][0] != 200]
    failed += [path for path, (_t, statuses) in warm.items() if set(statuses) != {200}]
    failed += [mode for mode, walked in walks.items() if set(walked["statuses"]) != {200}]
    said.append(
        f"Answers other than 200: {', '.join(sorted(set(failed)))}."
        if failed
        else "Every request was answered 200 (none refused: the rate limit was off)."
    )
    return " ".join(said)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="engagement_bench")
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--file", help="an interchange file to import instead")
    parser.add_argument("--redis")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--repeats", type=int, default=50, help="warm requests per endpoint")
    parser.add_argument("--cold-rounds", type=int, default=3, help="cold requests per endpoint")
    parser.add_argument("--out", default=str(http_bench.ROOT / "bench" / "api-report.md"))
    options = parser.parse_args()

    said, shared = load(options.db)
    busy = shared or os.getloadavg()[0] > 1.0  # nothing of this run's is running yet
    loads = [f"at the start: {said}"]
    print(loads[-1], flush=True)
    env = http_bench.environment(options)
    env["API_RATE_LIMIT"] = ""  # one client asks for thousands of pages: no per-client limit
    http_bench.ensure_database(options.db)
    filled = http_bench.fill(options, env)
    print(f"the archive: {filled}", flush=True)
    http_bench.manage(env, "collectstatic", "--noinput", "-v0")
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{options.db}") as c:
        (published,) = c.execute(
            "SELECT count(*) FROM engagements_meeting WHERE status = 'published'"
        ).fetchone()
        (size,) = c.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()
        (newest_id,) = c.execute(  # in case the walk fails before its first row
            "SELECT external_id FROM engagements_meeting WHERE status = 'published' "
            "ORDER BY date DESC, id DESC LIMIT 1"
        ).fetchone()
    bound = published // WALK_LIMIT + 10

    walks = {}
    server = None
    # The code the server loads now (another checkout's work may change it meanwhile).
    commit = git("rev-parse", "--short", "HEAD").strip()
    changed = [
        line[3:] for line in git("status", "--porcelain").splitlines() if "/api_bench" not in line
    ]
    try:
        # Cold: a new gunicorn (empty caches), the archive's version bumped as well.
        http_bench.manage(env, "invalidate_cache")
        server = http_bench.Server(env, 2, options.port)
        prime(server.url("/api/"), rounds=2)  # each worker's first API request, not measured
        for mode in ("cold", "warm", "replayed"):
            replay = walks["cold"]["urls"] if mode == "replayed" else None
            walks[mode] = walk(server, bound, replay)
            w = walks[mode]
            print(f"walk {mode}: {w['rows']:,} rows, {w['seconds']:.1f} s", flush=True)
            said, shared = load(options.db)
            busy |= shared
            loads.append(f"after the {mode} walk: {said}")
            print(loads[-1], flush=True)

        urls = endpoints(server, walks["cold"]["first_id"] or newest_id)
        cold: dict[str, list[float]] = {path: [] for _label, path in urls}
        first: dict[str, tuple[int, int, int]] = {}
        for _ in range(options.cold_rounds):
            http_bench.manage(env, "invalidate_cache")
            for _label, path in urls:
                status, wire, body, ms = fetch(server.url(path))
                cold[path].append(ms)
                first.setdefault(path, (status, wire, len(body)))
                if status != 200:
                    print(f"{path} answered {status}: {body[:300]!r}", flush=True)
        warm: dict[str, tuple[list[float], dict[int, int]]] = {}
        for label, path in urls:
            prime(server.url(path))
            times, statuses = [], {}
            for _ in range(options.repeats):
                status, _wire, _body, ms = fetch(server.url(path))
                times.append(ms)
                statuses[status] = statuses.get(status, 0) + 1
            warm[path] = (times, statuses)
            print(
                f"{label:40} {path:45} cold {statistics.median(cold[path]):7.1f} ms "
                f"warm p50 {_percentile(times, 0.5):6.1f} ms {statuses}",
                flush=True,
            )
        said, shared = load(options.db)
        busy |= shared
        loads.append(f"after the endpoints: {said}")
        print(loads[-1], flush=True)
    finally:
        if server is not None:
            server.stop()
    per_page = queries_per_page(env)

    walk_rows = []
    shared = len(set(walks["warm"]["urls"]) & set(walks["cold"]["urls"]))
    as_cold = {"cold": "–", "warm": f"{shared:,}", "replayed": "all"}
    for mode, w in walks.items():
        ok = w["finished"] and w["rows"] == w["count"] == published and not w["repeats"]
        statuses = ", ".join(f"{n:,}× {s}" for s, n in sorted(w["statuses"].items()))
        walk_rows.append(
            f"| {mode} | {len(w['pages']):,} | {as_cold[mode]} | {quick(w['pages']):,} "
            f"| {w['rows']:,} | {w['count']:,} | {w['repeats']} "
            f"| {'yes' if ok else '**no**'} | {w['seconds']:.1f} s "
            f"| {_percentile(w['pages'], 0.5):.0f} ms | {_percentile(w['pages'], 0.99):.0f} ms "
            f"| {max(w['pages']):.0f} ms | {statuses} |"
        )
    endpoint_rows = []
    for label, path in urls:
        status, wire, size_json = first[path]
        times, statuses = warm[path]
        others = ", ".join(f"{n}× {s}" for s, n in sorted(statuses.items()) if s != 200)
        endpoint_rows.append(
            f"| {label} | `{path}` | {status}{' (warm: ' + others + ')' if others else ''} "
            f"| {wire / 1024:,.1f} KB | {size_json / 1024:,.1f} KB "
            f"| {statistics.median(cold[path]):.0f} ms "
            f"({min(cold[path]):.0f}–{max(cold[path]):.0f}) "
            f"| {_percentile(times, 0.5):.1f} ms | {_percentile(times, 0.99):.1f} ms |"
        )
    command = " ".join([".venv/bin/python bench/api_bench.py", *sys.argv[1:]])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    lines = [
        f"## The JSON API on {published:,} readouts",
        "",
        f"`{command}` on {time.strftime('%a %b %d %H:%M:%S %Z %Y')}: {os.cpu_count()} cores "
        f"({cpu}), Python {platform.python_version()}, PostgreSQL (database {size}), gunicorn "
        f"with {http_bench.served_as(2, env)}, DEBUG off, page cache in memory (each worker "
        "its own, at most "
        '500 entries), API_RATE_LIMIT="" for the server; one client on 127.0.0.1 asking for '
        f"gzip, one request at a time. The archive: {filled}. The code, when gunicorn "
        f"started: commit {commit}"
        + (
            f", and uncommitted changes to {', '.join(f'`{name}`' for name in changed)}."
            if changed
            else "."
        ),
        "",
        "Load on the machine (1 and 5 minutes' averages): "
        + "; ".join(loads)
        + (
            ". **The machine was shared while these numbers were taken** (another process "
            "ran tests or queries, or the load was high before the server started): they are "
            "upper bounds."
            if busy
            else "."
        ),
        "",
        f"### A whole walk of `/api/meetings/?limit={WALK_LIMIT}`, following `next`",
        "",
        "*Cold*: gunicorn restarted and the archive's version bumped just before; *warm*: "
        "the same walk straight after; *replayed*: the cold walk's page addresses asked "
        "again, in order, instead of following `next`. *URLs as cold*: the walk's page "
        "addresses that the cold walk asked for too (only those can be served from the "
        f"page cache). *Under {QUICK_MS} ms*: pages served from the cache, as far as their "
        "time tells (a page computed takes 40 ms or more). "
        "*Complete*: every published readout once, as many as the first page's `count` and "
        f"as the database holds ({published:,}), and the last page's `next` null. A page's "
        "time is its request's.",
        "",
        "Queries of the walk's first pages (asked again through Django's test client in "
        "this process, its page cache on and empty): "
        + "; ".join(
            f"page {n}: {queries} queries, {sql:.0f} ms in SQL, of which {counting} counting "
            f"the list ({counting_ms:.0f} ms)"
            for n, (queries, counting, sql, counting_ms) in enumerate(per_page, 1)
        )
        + ".",
        "",
        f"| walk | pages | URLs as cold | pages under {QUICK_MS} ms | rows | `count` "
        "| ids repeated | complete | took | page p50 | page p99 | slowest page | statuses |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
        *walk_rows,
        "",
        "### Each endpoint, cold and warm",
        "",
        f"*Cold*: the first request for the URL after `manage.py invalidate_cache`, the median "
        f"of {options.cold_rounds} rounds (min–max), the URLs asked in the table's order (the "
        "database's own buffers stay warm). *Warm*: after three pairs of simultaneous "
        f"requests (so both workers hold the answer), {options.repeats} requests one after "
        "another. *Wire* is the gzipped body, *JSON* the body unpacked.",
        "",
        "| endpoint | URL | status | wire | JSON | cold | warm p50 | warm p99 |",
        "|---|---|---|---:|---:|---:|---:|---:|",
        *endpoint_rows,
        "",
        "### Reading",
        "",
        reading(walks, shared, urls, cold, warm, first, per_page),
        "",
    ]
    report = "\n".join(lines)
    print(report)
    Path(options.out).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
