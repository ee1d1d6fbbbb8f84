#!/usr/bin/env python3
"""The site under load: gunicorn serving a large archive on PostgreSQL, driven by wrk.

    bench/run                                  # 100,000 generated readouts (make bench)
    bench/run --file archive.jsonl             # any interchange file, e.g. make_dataset.py's
    bench/run --meetings 1000000 --db engagement_bench_1m --modes uncached,warm

Fills the PostgreSQL database (default `engagement_bench`, created if missing) unless it
already holds the readouts, then serves the site with gunicorn as the README's deployment
section does (DEBUG off, 2 workers, collected static files) and, from this process, runs
`wrk` on 127.0.0.1 against each page, --seconds each, with --connections connections.
Each page is measured in several modes:

- uncached: a second gunicorn with PAGE_CACHE=false, so every request computes the page
  (what a URL nobody asked for yet costs);
- cold: the cache emptied (`manage.py invalidate_cache`) just before the run, timed per
  request by this script's own client (see timed_requests);
- warm: the page already cached (a visitor repeating a popular page);
- 304: the same, revalidated with the page's ETag (a browser or CDN that keeps a copy).

Two reference points come from the same gunicorn: a static file served by whitenoise,
and a trivial view (/healthz). The report gives req/s, p50 and p99 per page and mode, the
ratio to the static file's req/s, SQL queries per request when nothing is cached (counted
in this process, through Django's test client) and each server's peak RSS per worker.
It is printed and written to --out (bench/http-report.md).
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MODES = ("uncached", "cold", "warm", "304")


@dataclass
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def environment(options) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{options.db}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_HTTPS="false",
        STATIC_ROOT=str(ROOT / "build" / "bench-static"),
        WHITENOISE_USE_FINDERS="false",
        PAGE_CACHE="true",
        # The raw cost of each page is what is measured: no time budget cuts it short
        # (at 1,000,000 readouts a broad page's first computation takes longer than the
        # default budget). gunicorn's --timeout below is raised to match.
        STATEMENT_TIMEOUT_MS="0",
    )
    if options.redis:
        env["REDIS_URL"] = options.redis
    else:
        env.pop("REDIS_URL", None)
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def ensure_database(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')


def fill(options, env: dict) -> str:
    """Import the readouts unless the archive holds them already; say what was done."""
    manage(env, "migrate", "--noinput")
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{options.db}") as c:
        (have,) = c.execute(
            "SELECT count(*) FROM engagements_meeting WHERE status = 'published'"
        ).fetchone()
    source = Path(options.file) if options.file else None
    wanted = options.meetings
    if source:
        with source.open("rb") as lines:
            wanted = sum(1 for line in lines if line.strip())
    if have >= wanted:
        return f"reused the {have:,} readouts already in `{options.db}`"
    if source is None:
        source = ROOT / "build" / f"bench-{wanted}.jsonl"
        if not source.exists():
            source.parent.mkdir(exist_ok=True)
            manage(env, "make_sample_readouts", "--count", str(wanted), str(source))
    print(f"importing {source} into {options.db} …", flush=True)
    started = time.monotonic()
    manage(env, "import_readouts", str(source))
    return (
        f"imported {wanted:,} readouts from `{source.name}` in {time.monotonic() - started:.0f} s"
    )


def choose_pages(env: dict) -> list[tuple[str, str]]:
    """The pages the issue names, picked from the data (busiest country, topic, official …)."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "archive.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count

    from engagements.models import Country, Meeting, Official, Topic

    published = Meeting.objects.published()
    country = Country.objects.annotate(n=Count("meetings")).order_by("-n").first()
    partner = (
        Country.objects.filter(meetings__countries=country)
        .exclude(pk=country.pk)
        .annotate(n=Count("meetings"))
        .order_by("-n")
        .first()
    )
    topic = Topic.objects.annotate(n=Count("meeting_links")).order_by("-n").first()
    officials = Official.objects.annotate(n=Count("participations"))
    busiest = officials.order_by("-n").first()
    # A generated million gives every official thousands: then the one with fewest.
    about_20 = (
        officials.filter(n__gte=15, n__lte=25).order_by("n").first()
        or officials.order_by("n").first()
    )
    # Many hits: a word in most readouts; few: an official's name, rare in the text.
    rare = about_20.name.split()[-1]
    meeting = published.order_by("-date", "-id").first()
    a, b = sorted([country.code.lower(), partner.code.lower()])
    return [
        ("newest list", "/meetings/"),
        (f"one topic ({topic.name})", f"/meetings/?topic={topic.slug}"),
        (f"country page with facets ({country.code})", f"/countries/{country.code.lower()}/"),
        ("search, many hits", "/meetings/?q=cooperation"),
        (f"search, few hits ({rare})", f"/meetings/?q={quote_plus(rare)}"),
        ("one readout", meeting.get_absolute_url()),
        ("topics index with counts", "/topics/"),
        (f"official, most meetings ({busiest.n:,})", busiest.get_absolute_url()),
        (f"official, about 20 meetings ({about_20.n})", about_20.get_absolute_url()),
        (f"bilateral, busiest pair ({a.upper()}–{b.upper()})", f"/countries/{a}/{b}/"),
        ("home", "/"),
    ]


def queries_when_uncached(url: str) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Imported here, once Django is set up (main): the models load with it.
    from engagements.upkeep import version

    cache.clear()

    version.bump()
    with CaptureQueriesContext(connection) as ctx:
        status = Client().get(url, HTTP_HOST="127.0.0.1").status_code
    if status != 200:
        sys.exit(f"{url} answered {status}")
    return len(ctx.captured_queries)


def served_as(workers: int, env: dict | None = None) -> str:
    """How Server runs gunicorn, for a report: "2 workers of 8 threads (…)"."""
    threads = (env or os.environ).get("WEB_THREADS", "8")
    return (
        f"{workers} workers of {threads} threads (`archive/gunicorn.conf.py`, as deployed: "
        "gthread, one request per connection)"
    )


class Server:
    """gunicorn as deployed (archive/gunicorn.conf.py: threaded workers, one request per
    connection), with `workers` processes on `port`; stopped on exit. Benchmarks measured
    before 2026-12-01 ran sync workers instead (their reports say so)."""

    def __init__(self, env: dict, workers: int, port: int) -> None:
        self.port = port
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "--config",
                "archive/gunicorn.conf.py",
                "archive.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--timeout",
                "300",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2):  # noqa: S310 (http://127.0.0.1)
                    break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    sys.exit("gunicorn did not start")
                time.sleep(0.3)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_memory_mb(self, field: str = "VmRSS") -> list[float]:
        """Each worker's memory, from /proc: VmRSS (now) or VmHWM (its peak), sorted."""
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", text, re.M):
                found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
                sizes.append(int(found.group(1)) / 1024 if found else 0.0)
        return sorted(sizes)

    def worker_peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) among the workers."""
        return max(self.worker_memory_mb("VmHWM"), default=0.0)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


# Every request asks the way a browser does, so pages and the static file both come gzipped.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}


def wrk(url: str, *, seconds: int, connections: int, headers: dict | None = None) -> Result:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in {**BROWSER_HEADERS, **(headers or {})}.items():
        args += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*args, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    count = int(errors.group(1)) if errors else 0
    if socket_errors:
        count += int(socket_errors.group(1)) + int(socket_errors.group(4))
    return Result(rate, p50, p99, count)


def timed_requests(url: str, *, seconds: int, connections: int) -> Result:
    """Like wrk, but timing every request itself: for the cold mode.

    A cold run starts with every connection waiting for the first computation. wrk 4.1's
    percentiles for such a run disagree with per-request timing (on a page whose first
    8 requests took 1.5 s, wrk reported a p90 of 600 ms over 3,000 requests), so the cold
    figures come from this client: `connections` threads, one request at a time each.
    """
    parts = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client() -> None:
        nonlocal errors
        while (started := time.monotonic()) < deadline:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            try:
                connection.request(
                    "GET",
                    parts.path + (f"?{parts.query}" if parts.query else ""),
                    headers=BROWSER_HEADERS,
                )
                response = connection.getresponse()
                response.read()
                failed = response.status >= 400
            except OSError:
                failed = True
            finally:
                connection.close()
            with lock:
                latencies.append(time.monotonic() - started)
                errors += failed

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return Result(len(latencies) / elapsed, percentile(50), percentile(99), errors)


def wait_until_idle(db: str, *, limit: float = 60.0) -> None:
    """Wait (at most `limit` seconds) until no query runs in the benchmark's database."""
    import psycopg

    deadline = time.monotonic() + limit
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{db}", autocommit=True) as c:
        while time.monotonic() < deadline:
            (busy,) = c.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND state = 'active' AND pid <> pg_backend_pid()",
                [db],
            ).fetchone()
            if not busy:
                return
            time.sleep(0.5)


def etag_of(url: str) -> str | None:
    """The page's ETag, or None if the page does not answer (a timeout, an error)."""
    request = urllib.request.Request(url, headers=BROWSER_HEADERS)  # noqa: S310 (http://127.0.0.1)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (http://127.0.0.1)
            return response.headers["ETag"]
    except OSError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", help="an interchange (JSON Lines) file to import")
    parser.add_argument("--meetings", type=int, default=100_000, help="readouts to generate")
    parser.add_argument("--db", default="engagement_bench", help="PostgreSQL database")
    parser.add_argument("--seconds", type=int, default=10, help="per page and mode")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before warm runs")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--modes", default=",".join(MODES), help="of " + ", ".join(MODES))
    parser.add_argument("--redis", default="", help="REDIS_URL for the cache (default: memory)")
    parser.add_argument("--pages", default="", help="only the pages whose label contains this")
    parser.add_argument("--out", default=str(ROOT / "bench" / "http-report.md"))
    options = parser.parse_args()
    modes = [m for m in options.modes.split(",") if m]
    if unknown := set(modes) - set(MODES):
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")

    env = environment(options)
    ensure_database(options.db)
    filled = fill(options, env)
    manage(env, "collectstatic", "--noinput")
    pages = choose_pages(env)
    if options.pages:
        pages = [(label, path) for label, path in pages if options.pages in label]
    from django.templatetags.static import static

    from engagements.models import Meeting

    total = Meeting.objects.published().count()
    counts = {url: queries_when_uncached(url) for _label, url in pages}

    cached = Server(env, options.workers, 8701)
    uncached = (
        Server({**env, "PAGE_CACHE": "false"}, options.workers, 8702)
        if ("uncached" in modes)
        else None
    )
    rows: list[tuple[str, str, str, Result]] = []
    run = dict(seconds=options.seconds, connections=options.connections)
    try:
        for label, path in [
            ("static file (whitenoise)", static("css/site.css")),
            ("trivial view", "/healthz"),
        ]:
            wrk(cached.url(path), seconds=options.warmup, connections=options.connections)
            rows.append((label, path, "reference", wrk(cached.url(path), **run)))
            print(f"{label:45} {rows[-1][3]}", flush=True)
        for label, path in pages:
            for mode in modes:
                if mode == "uncached":
                    wrk(uncached.url(path), seconds=options.warmup, connections=options.connections)
                    result = wrk(uncached.url(path), **run)
                    # Requests wrk gave up on still run in the server: let them finish
                    # before the next measurement shares the machine with them.
                    wait_until_idle(options.db)
                elif mode == "cold":
                    manage(env, "invalidate_cache")
                    result = timed_requests(cached.url(path), **run)
                elif mode == "warm":
                    wrk(cached.url(path), seconds=options.warmup, connections=options.connections)
                    result = wrk(cached.url(path), **run)
                else:
                    tag = etag_of(cached.url(path))
                    result = (
                        wrk(cached.url(path), headers={"If-None-Match": tag}, **run)
                        if tag
                        else Result(0.0, 0.0, 0.0, errors=1)  # the page itself never answered
                    )
                rows.append((label, path, mode, result))
                print(f"{label:45} {mode:9} {result}", flush=True)
        rss = {"page cache on": cached.worker_peak_rss_mb()}
        if uncached:
            rss["page cache off"] = uncached.worker_peak_rss_mb()
    finally:
        cached.stop()
        if uncached:
            uncached.stop()

    ceiling = rows[0][3].requests_per_second
    report = [
        f"## The site under load: {total:,} readouts on PostgreSQL",
        "",
        "`" + " ".join(["bench/run", *sys.argv[1:]]) + "`" + f" on {time.strftime('%Y-%m-%d')}: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, gunicorn with "
        f"{served_as(options.workers, env)}, cache {'Redis' if options.redis else 'in memory'}; "
        f"wrk with {options.connections} connections for {options.seconds} s per page and mode "
        f"on 127.0.0.1. The archive: {filled}.",
        "",
        "Modes: **uncached** computes every request (PAGE_CACHE=false); **cold** starts with "
        "an empty cache (timed per request by the benchmark's own client, not wrk); **warm** "
        "serves the cached page; **304** revalidates with the ETag. Every request sends "
        "`Accept-Encoding: gzip, deflate, br`, as browsers do. *Static* is req/s as a share "
        "of the static file's. *Queries* are per request with nothing cached.",
        "",
        "| page | mode | req/s | p50 | p99 | static | queries | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, path, mode, r in rows:
        report.append(
            f"| {label} `{path}` | {mode} | {r.requests_per_second:,.0f} | {r.p50_ms:.1f} ms "
            f"| {r.p99_ms:.1f} ms | {r.requests_per_second / ceiling:.0%} "
            f"| {counts.get(path, '–')} | {r.errors} |"
        )
    report += [
        "",
        "Peak RSS per gunicorn worker: "
        + ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items())
        + ".",
        "",
    ]
    text = "\n".join(report)
    print(text)
    Path(options.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
