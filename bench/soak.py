#!/usr/bin/env python3
"""Soak test: many minutes of mixed traffic against gunicorn; no 5xx, no socket errors, flat memory.

    bench/soak                         # 10 minutes, 16 connections, 100,000 readouts (make soak)
    bench/soak --seconds 60            # a shorter look
    bench/soak --redis redis://127.0.0.1:6379/3   # the cache shared by the workers, as deployed

Uses the benchmark's archive (bench/run's database and import, see bench/http_bench.py),
serves it with gunicorn as deployed (2 workers, page cache on, the request time budget
at its default; the cache in memory, or in Redis with --redis), and drives it
with wrk from this process on 127.0.0.1 over a mix of several hundred distinct URLs
(lists, filters, searches, deep pages, readouts, officials, topics, countries, feeds,
exports), so that pages are computed, cached and evicted all along. It samples each
worker's resident memory after a warm-up minute and at the end.

Pass: zero 5xx answers, zero socket errors, and worker memory growth under 10% from the
end of the warm-up to the end. Exits 1 otherwise. Not part of `make test` (it takes
minutes); its last result is in the README.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent))
import http_bench as bench  # next to this file

LUA = """
local paths = {%s}
local counter = 0
failures = 0  -- global: done() reads it from each thread
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counter = math.random(#paths) end
function request()
  counter = counter %% #paths + 1
  return wrk.format("GET", paths[counter], {["Accept-Encoding"] = "gzip"})
end
function response(status, headers, body)
  if status >= 500 then failures = failures + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("failures") end
  io.write(string.format("server errors (5xx): %%d\\n", total))
end
"""


def mixed_urls(pages: list[tuple[str, str]]) -> list[str]:
    from engagements.models import Country, Meeting, Official, Topic

    urls = [path for _label, path in pages]
    urls += [f"/meetings/?page={n}" for n in range(1, 60)]
    urls += [f"/meetings/?page={n}&sort=oldest" for n in range(1, 20)]
    for topic in Topic.objects.order_by("?")[:60]:
        urls += [topic.get_absolute_url(), f"/meetings/?topic={quote_plus(topic.slug)}&page=2"]
    for official in Official.objects.order_by("?")[:80]:
        urls.append(official.get_absolute_url())
    for country in Country.objects.order_by("?")[:30]:
        code = country.code.lower()
        urls += [f"/countries/{code}/", f"/meetings/?country={code}&kind=telephone+call"]
    for meeting in Meeting.objects.published().order_by("?")[:80]:
        urls.append(meeting.get_absolute_url())
    words = [
        "cooperation",
        "trade",
        "security",
        "visit",
        "minister",
        '"joint statement"',
        "energy -oil",
        "climate or water",
        "party",
        "investment",
    ]
    urls += [f"/meetings/?q={quote_plus(w)}" for w in words]
    urls += [f"/meetings/?q={quote_plus(w)}&from=2024" for w in words]
    urls += [f"/meetings/{year}/" for year in range(2015, 2027)]
    urls += [
        "/topics/",
        "/officials/",
        "/countries/",
        "/meetings/feed/",
        "/sitemap.xml",
        "/meetings/export.csv?topic=" + quote_plus(Topic.objects.first().slug),
    ]
    return urls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="engagement_bench", help="PostgreSQL database")
    parser.add_argument("--file", help="an interchange file to import if the database is empty")
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="")
    options = parser.parse_args()

    env = bench.environment(options)
    # Served as deployed: with the request time budget (a page past it would be a 503,
    # and fail the soak).
    env["STATEMENT_TIMEOUT_MS"] = "20000"
    bench.ensure_database(options.db)
    filled = bench.fill(options, env)
    bench.manage(env, "collectstatic", "--noinput")
    urls = mixed_urls(bench.choose_pages(env))
    script = bench.ROOT / "build" / "soak.lua"
    script.parent.mkdir(exist_ok=True)
    script.write_text(LUA % ", ".join(f'"{u}"' for u in urls))

    server = bench.Server(env, options.workers, 8703)
    try:

        def drive(seconds: int) -> str:
            args = [
                "wrk",
                "-t2",
                f"-c{options.connections}",
                f"-d{seconds}s",
                "--latency",
                "--timeout",
                "60s",
                "-s",
                str(script),
                server.url("/"),
            ]
            done = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 120)
            return done.stdout + done.stderr

        drive(options.warmup)
        before = server.worker_memory_mb()
        output = drive(options.seconds)
        after = server.worker_memory_mb()
    finally:
        server.stop()

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    server_errors = int(re.search(r"server errors \(5xx\): (\d+)", output).group(1))
    # 4xx too: every URL of the mix should answer 200, so any is a broken URL in the mix.
    refused = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    other_errors = int(refused.group(1)) - server_errors if refused else 0
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    socket_errors = sum(int(n) for n in sockets.groups()) if sockets else 0
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)
    growth = max((a - b) / b for a, b in zip(after, before, strict=True)) if before else 0.0
    print(
        f"Soak: {options.seconds} s at {options.connections} connections over {len(urls)} URLs "
        f"({filled}).\n"
        f"{total:,} requests, {rate:,.0f} req/s, p50 {p50}, p99 {p99} (wrk's figures).\n"
        f"5xx answers: {server_errors}; other errors (4xx): {other_errors}; "
        f"socket errors: {socket_errors}.\n"
        f"Worker RSS after warm-up: {', '.join(f'{m:.0f} MB' for m in before)}; at the end: "
        f"{', '.join(f'{m:.0f} MB' for m in after)}; largest growth {growth:.1%}."
    )
    passed = server_errors == 0 and socket_errors == 0 and growth < 0.10
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
