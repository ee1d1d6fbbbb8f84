#!/usr/bin/env python3
"""A whole OAI-PMH harvest of a large archive, and what the site's visitors feel meanwhile.

    .venv/bin/python bench/oai_bench.py                     # 100,000 generated readouts
    .venv/bin/python bench/oai_bench.py --meetings 20000 --db engagement_oai

Fills the PostgreSQL database as bench/http_bench.py does (reusing its readouts when it
has them), serves the site with gunicorn (2 workers, DEBUG off, page cache in memory) on
127.0.0.1, then harvests `/oai/?verb=ListRecords&metadataPrefix=oai_dc` to the end with
Sickle, twice: cold (the cache emptied first) and warm (every page cached). Meanwhile a
second client asks for the home page and a list page in a loop: their p50 and p99 during
the harvest against the same pages with no harvest running say whether it stalls the
site. Written to --out (bench/oai-report.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
os.environ.setdefault(
    "DEBUG", "true"
)  # this process only reads settings; the server runs as deployed

import django

django.setup()

import http_bench  # noqa: E402

VISITOR_PAGES = ("/", "/meetings/?topic=cpec-20")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def visitor(server, stop: threading.Event, timings: list[float]) -> None:
    """Ask for the visitors' pages in turn until told to stop; each request's time in ms."""
    n = 0
    while not stop.is_set():
        url = server.url(VISITOR_PAGES[n % len(VISITOR_PAGES)])
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (127.0.0.1)
            response.read()
        timings.append((time.perf_counter() - started) * 1000)
        n += 1


def harvest(server) -> tuple[int, list[float]]:
    """Harvest every record, page by page; (records, each page's time in ms)."""
    from sickle import Sickle

    pages: list[float] = []
    records = 0
    sickle = Sickle(server.url("/oai/"), timeout=120)
    started = time.perf_counter()
    response = sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False)
    for _record in response:
        records += 1
        if records % 200 == 0:
            now = time.perf_counter()
            pages.append((now - started) * 1000)
            started = now
    return records, pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="engagement_bench")
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--file", help="an interchange file to import instead")
    parser.add_argument("--redis")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", default=str(http_bench.ROOT / "bench" / "oai-report.md"))
    options = parser.parse_args()

    env = http_bench.environment(options)
    http_bench.ensure_database(options.db)
    filled = http_bench.fill(options, env)
    http_bench.manage(env, "collectstatic", "--noinput", "-v0")
    server = http_bench.Server(env, 2, options.port)
    lines = []
    try:
        quiet: list[float] = []
        stop = threading.Event()
        thread = threading.Thread(target=visitor, args=(server, stop, quiet))
        for path in VISITOR_PAGES:  # cached, as the pages a visitor meets usually are
            urllib.request.urlopen(server.url(path), timeout=120).read()  # noqa: S310
        thread.start()
        time.sleep(10)
        stop.set()
        thread.join()
        rows = []
        for mode in ("cold", "warm"):
            if mode == "cold":
                http_bench.manage(env, "invalidate_cache")
                for path in VISITOR_PAGES:
                    urllib.request.urlopen(server.url(path), timeout=120).read()  # noqa: S310
            during: list[float] = []
            stop = threading.Event()
            thread = threading.Thread(target=visitor, args=(server, stop, during))
            thread.start()
            started = time.perf_counter()
            records, pages = harvest(server)
            seconds = time.perf_counter() - started
            stop.set()
            thread.join()
            rows.append(
                f"| {mode} | {records:,} | {seconds:.1f} s | {statistics.median(pages):.0f} ms "
                f"| {_percentile(pages, 0.99):.0f} ms | {_percentile(during, 0.5):.1f} ms "
                f"| {_percentile(during, 0.99):.1f} ms | {len(during):,} |"
            )
        lines = [
            f"## A whole OAI-PMH harvest of {options.meetings:,} readouts",
            "",
            f"`.venv/bin/python bench/oai_bench.py --db {options.db}` on "
            f"{time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, PostgreSQL, gunicorn with "
            f"{http_bench.served_as(2, env)}, cache in "
            f"memory, Sickle harvesting on 127.0.0.1 while a second client reads "
            f"{' and '.join(f'`{p}`' for p in VISITOR_PAGES)} in a loop. The archive: "
            f"{filled}.",
            "",
            "*Page* is one ListRecords answer (200 records). The visitor columns are the "
            "second client's requests during the harvest; with no harvest running they took "
            f"p50 {_percentile(quiet, 0.5):.1f} ms, p99 {_percentile(quiet, 0.99):.1f} ms "
            f"({len(quiet):,} requests in 10 s).",
            "",
            "| harvest | records | took | page p50 | page p99 | visitor p50 | visitor p99 "
            "| visitor requests |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
        ]
    finally:
        server.stop()
    report = "\n".join(lines)
    print(report)
    Path(options.out).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
