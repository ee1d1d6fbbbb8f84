#!/usr/bin/env python3
"""Side by side with Datasette: the same archive, our pages computed afresh against Datasette's.

    .venv/bin/python bench/datasette_bench.py                   # build/md-100k.jsonl, 10 s a page
    .venv/bin/python bench/datasette_bench.py --seconds 3       # a quick check
    .venv/bin/python bench/datasette_bench.py --datasette-processes 1 --only search

Our side: the PostgreSQL database --db (default `engagement_bench`) holding the readouts of
--file; this script never imports into it, it waits (at most --wait seconds) until it holds
as many published readouts as the file has lines. It is served by gunicorn exactly as
bench/http_bench.py serves it (the README's deployment: DEBUG off, archive/gunicorn.conf.py), with
the page cache off (PAGE_CACHE=false), so that every request computes its page.

Datasette's side: an SQLite copy of the same archive (--sqlite, made if missing by the
project's own `manage.py migrate` and `manage.py import_readouts FILE`, about 3 minutes),
served by Datasette (pinned below, installed into build/datasette-venv, never into the
project's environment) as its documentation advises for speed: immutable mode (`-i`) with
the table counts precomputed (`datasette inspect`), suggested facets off, and metadata that
names the FTS5 table our SQLite schema keeps for full-text search. `datasette serve` runs
one process (its documented deployment); with --datasette-processes 1,2 (the default) the
same app is also run in 2 processes sharing the port (SO_REUSEPORT), each run by uvicorn as
`datasette serve` runs it: the same share of the 2 cores our 2 gunicorn workers get.

For each pair of equivalent pages (the newest list, one readout, an official with about 20
readouts, the busiest topic, the busiest country, a common-word search, and the same search
ranked; first a trivial response of each server, for reference), picked from the data as
http_bench.choose_pages picks them, it checks that every page answers 200 and that
Datasette's holds rows (and how many of its readouts ours shows), then runs `wrk`
(http_bench.wrk: 2 threads, --connections, --seconds after a --warmup) on 127.0.0.1 against
ours and then each Datasette. The report (--out, also printed) gives req/s, p50 and p99 per
side and the ratio ours/Datasette. Every server started is stopped on exit, error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"

# Run with the project's virtualenv (Python 3.13) even when started as bench/datasette_bench.py.
if __name__ == "__main__" and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
    os.execv(PROJECT_PYTHON, [str(PROJECT_PYTHON), __file__, *sys.argv[1:]])  # noqa: S606

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_bench  # noqa: E402 (after the path is set)

BUILD = ROOT / "build"
DATASETTE_VERSION = "0.65.5"  # the newest stable release when this was written
DATASETTE_VENV = BUILD / "datasette-venv"
RUN_DIR = BUILD / "datasette-run"  # metadata, inspect file, launcher, logs: all generated
COMMON_WORD = "cooperation"
GIT = shutil.which("git") or "/usr/bin/git"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
REFERENCE = "reference: a trivial response"
TARGET = 3.0  # the team's target: our req/s at least 3 times Datasette's on the same pages
# What a row of our lists shows of the readout itself (date, place, kind, title, summary);
# Datasette's table pages show these columns (`_col=`) instead of all 17, bodies included.
LIST_COLUMNS = ("date", "title", "slug", "kind", "city", "location_country_id", "summary")
PUBLISHED = "status = 'published'"
LIST_SELECT = "m.id, m.date, m.title, m.slug, m.kind, m.city, m.location_country_id, m.summary"
# Datasette settings (typed; `datasette serve` gets them as --setting name value), and why.
SETTINGS = {
    "suggest_facets": False,
    "sql_time_limit_ms": 30_000,
    "num_sql_threads": 3,
    "default_page_size": 25,
    "cache_size_kb": 65_536,
}
WHY = {
    "suggest_facets": "suggested facets cost a query per column on every table page; the "
    "settings page shows how to turn them off",
    "sql_time_limit_ms": "our side runs without a time budget (`STATEMENT_TIMEOUT_MS=0`), so "
    "Datasette's SQL does too: with the default 1,000 ms a slow count would be dropped and a "
    "slow query fail instead of being measured",
    "num_sql_threads": "Datasette's default: the pool that runs SQLite queries, which release "
    "the GIL, so one request's query can use the second core while the event loop renders "
    "another (the docs give no advice on a value; none was swept on this shared machine)",
    "default_page_size": "our pages show 25 readouts",
    "cache_size_kb": "SQLite's page cache per connection (default about 2 MB): 64 MB keeps "
    "the indexes and hot pages in each SQL thread's connection",
}


def setting_text(value) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else str(value)


LAUNCHER = '''"""Written by bench/datasette_bench.py: one Datasette process of several on one port.

The app is made as `datasette serve` makes it (immutable file, inspect data, metadata,
settings) and run by uvicorn as `datasette serve` runs it, on a socket of its own bound with
SO_REUSEPORT, so the kernel shares the connections among the processes. (Not uvicorn's
--workers: its shared socket is made without IPPROTO_TCP, so asyncio never sets TCP_NODELAY
on its connections, and every keep-alive response waits out a delayed ACK, about 40 ms.)
"""

import json
import os
import socket
import sys

import uvicorn
from datasette.app import Datasette

config = json.loads(os.environ["DATASETTE_BENCH_CONFIG"])
with open(config["metadata"]) as metadata, open(config["inspect"]) as inspect:
    app = Datasette(
        [],
        immutables=[config["database"]],
        inspect_data=json.load(inspect),
        metadata=json.load(metadata),
        settings=config["settings"],
        cache_headers=True,
    ).app()
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
sock.bind(("127.0.0.1", int(sys.argv[1])))
uvicorn.Server(uvicorn.Config(app, log_level="info", lifespan="on")).run(sockets=[sock])
'''


@dataclass
class Pair:
    label: str
    ours: str
    theirs: str  # Datasette's HTML page
    rows_json: str  # the same page as JSON rows, to check it holds readouts
    note: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 120) -> tuple[int, str]:
    """(status, body) of a plain GET, without compression."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (http://127.0.0.1)
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


# Datasette ------------------------------------------------------------------------------


def ensure_datasette() -> dict[str, str]:
    """Datasette at the pinned version in its own virtualenv; its versions."""
    python = DATASETTE_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {DATASETTE_VENV} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
    probe = (
        "import json, sqlite3, uvicorn; from datasette.version import __version__ as d; "
        "print(json.dumps({'datasette': d, 'uvicorn': uvicorn.__version__, "
        "'sqlite': sqlite3.sqlite_version}))"
    )
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    versions = json.loads(done.stdout) if done.returncode == 0 else {}
    if versions.get("datasette") != DATASETTE_VERSION:
        print(f"installing datasette=={DATASETTE_VERSION} into {DATASETTE_VENV} …", flush=True)
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", f"datasette=={DATASETTE_VERSION}"],
            check=True,
        )
        versions = json.loads(
            subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True).stdout
        )
    return versions


class DatasetteServer:
    """Datasette on a free port: `datasette serve` (one process), or N processes of the same
    app sharing the port (LAUNCHER)."""

    def __init__(self, processes: int, database: Path, metadata: Path, inspect: Path) -> None:
        self.processes = processes
        self.port = free_port()
        bin_dir = DATASETTE_VENV / "bin"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATASETTE")}
        if processes == 1:
            args = [str(bin_dir / "datasette"), "serve", "-i", str(database)]
            args += ["--inspect-file", str(inspect), "-m", str(metadata)]
            for name, value in SETTINGS.items():
                args += ["--setting", name, setting_text(value)]
            commands = [[*args, "-h", "127.0.0.1", "-p", str(self.port)]]
        else:
            env["DATASETTE_BENCH_CONFIG"] = json.dumps(
                {
                    "database": str(database),
                    "metadata": str(metadata),
                    "inspect": str(inspect),
                    "settings": SETTINGS,
                }
            )
            launcher = str(RUN_DIR / "datasette_bench_app.py")
            commands = [[str(bin_dir / "python"), launcher, str(self.port)]] * processes
        self.logs = [RUN_DIR / f"datasette-{processes}-{i + 1}.log" for i in range(processes)]
        self.processes_started: list[subprocess.Popen] = []
        for command, log_path in zip(commands, self.logs, strict=True):
            with log_path.open("w") as log:
                # Each in its own session, stopped as a group; access log (stdout) dropped.
                self.processes_started.append(
                    subprocess.Popen(
                        command,
                        cwd=RUN_DIR,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=log,
                        start_new_session=True,
                    )
                )
        deadline = time.monotonic() + 120
        while not all("Application startup complete" in log.read_text() for log in self.logs):
            if time.monotonic() > deadline or any(
                p.poll() is not None for p in self.processes_started
            ):
                self.stop()
                sys.exit(
                    f"Datasette ({processes} process(es)) did not start:\n"
                    + "\n".join(log.read_text()[-2000:] for log in self.logs)
                )
            time.sleep(0.3)
        if get(self.url("/-/versions.json"), timeout=30)[0] != 200:
            self.stop()
            sys.exit(f"Datasette ({processes} process(es)) does not answer /-/versions.json")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cpu_seconds(self) -> list[float]:
        """CPU time each process has used so far (user and system), from /proc."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = []
        for process in self.processes_started:
            try:
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
                used.append((int(fields[11]) + int(fields[12])) / ticks)
            except (OSError, IndexError, ValueError):
                used.append(0.0)
        return used

    def stop(self) -> None:
        for process in self.processes_started:
            for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
                if process.poll() is not None:
                    break
                try:
                    os.killpg(process.pid, sig)
                    process.wait(timeout=wait)
                except ProcessLookupError:
                    break
                except subprocess.TimeoutExpired:
                    continue


# The archive on both sides -------------------------------------------------------------


def lines_in(path: Path) -> int:
    with path.open("rb") as lines:
        return sum(1 for line in lines if line.strip())


def wait_for_archive(db: str, wanted: int, limit: int) -> int:
    """Wait until `db` holds `wanted` published readouts (filled by someone else)."""
    import psycopg

    deadline = time.monotonic() + limit
    have = -1
    while True:
        try:
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{db}") as c:
                (have,) = c.execute(
                    "SELECT count(*) FROM engagements_meeting WHERE status = 'published'"
                ).fetchone()
        except psycopg.Error as error:  # not created or migrated yet
            print(f"waiting for {db}: {str(error).strip().splitlines()[0]}", flush=True)
        if have >= wanted:
            return have
        if time.monotonic() > deadline:
            sys.exit(f"{db} holds {have:,} published readouts, not {wanted:,}, after {limit} s")
        if have >= 0:
            print(f"waiting for {db}: {have:,} of {wanted:,} published readouts", flush=True)
        time.sleep(15)


def sqlite_published(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
        return c.execute(
            "SELECT count(*) FROM engagements_meeting WHERE status = 'published'"
        ).fetchone()[0]


def ensure_sqlite(path: Path, source: Path, wanted: int) -> str:
    """The SQLite copy, made with the project's own commands if missing; what was done."""
    if path.exists():
        have = sqlite_published(path)
        if have != wanted:
            sys.exit(
                f"{path} holds {have:,} published readouts, {source} {wanted:,}: "
                "delete it to have it made again"
            )
        done = f"reused `{path.name}`"
    else:
        partial = path.with_name(path.name + ".partial")
        for leftover in path.parent.glob(partial.name + "*"):
            leftover.unlink()
        env = {
            k: v
            for k, v in os.environ.items()
            # No shared cache or replica: this build touches nothing but its own file.
            if k not in ("REDIS_URL", "DATABASE_REPLICA_URLS")
        }
        env.update(
            DATABASE_URL=f"sqlite:///{partial.resolve()}",
            DEBUG="true",
            # The import rebuilds the whole archive's downloads: not into the shared build/dumps.
            DUMP_DIR=str(RUN_DIR / "dumps"),
        )
        print(f"making {path} from {source} (migrate, import_readouts) …", flush=True)
        started = time.monotonic()
        http_bench.manage(env, "migrate", "--noinput")
        http_bench.manage(env, "import_readouts", str(source))
        done = f"made `{path.name}` in {time.monotonic() - started:.0f} s"
        os.replace(partial, path)
    # Immutable mode reads the main file alone: nothing may wait in a write-ahead log.
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        c.execute("PRAGMA journal_mode=DELETE")
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return done


def ensure_inspect(database: Path) -> Path:
    """Table counts precomputed by `datasette inspect`, for immutable mode."""
    target = RUN_DIR / f"{database.stem}.inspect.json"
    if not target.exists() or target.stat().st_mtime < database.stat().st_mtime:
        subprocess.run(
            [
                str(DATASETTE_VENV / "bin" / "datasette"),
                "inspect",
                str(database),
                "--inspect-file",
                str(target),
            ],
            check=True,
        )
    return target


def canned_queries() -> dict[str, dict]:
    """Datasette's pages for what a table filter cannot say (a many-to-many relation), each
    written the way SQLite answers it fast with the schema's indexes: a broad scope walks
    the newest-first index of published readouts and stops at 25; an official's few
    readouts are looked up by the participation index and sorted."""
    newest = "ORDER BY m.date DESC, m.id DESC LIMIT 25"
    published = "FROM engagements_meeting m WHERE m.status = 'published'"
    return {
        "official_readouts": {
            "title": "An official's readouts, newest first",
            "sql": f"SELECT {LIST_SELECT} {published} AND m.id IN (SELECT meeting_id "
            f"FROM engagements_participation WHERE official_id = :official) {newest}",
        },
        "topic_readouts": {
            "title": "A topic's readouts, newest first",
            "sql": f"SELECT {LIST_SELECT} {published} AND EXISTS (SELECT 1 FROM "
            "engagements_taggedmeeting t WHERE t.content_object_id = m.id "
            f"AND t.tag_id = :topic) {newest}",
        },
        "country_readouts": {
            "title": "Readouts involving a country, newest first",
            "sql": f"SELECT {LIST_SELECT} {published} AND EXISTS (SELECT 1 FROM "
            "engagements_meeting_countries c WHERE c.meeting_id = m.id "
            f"AND c.country_id = :country) {newest}",
        },
        "search_ranked": {
            "title": "Search, most relevant first (FTS5 rank)",
            "sql": f"SELECT {LIST_SELECT} FROM engagements_meeting_fts f "
            "JOIN engagements_meeting m ON m.id = f.rowid "
            "WHERE engagements_meeting_fts MATCH escape_fts(:q) AND m.status = 'published' "
            "ORDER BY rank LIMIT 25",
        },
    }


def write_metadata(database: Path, fts_table: str) -> Path:
    target = RUN_DIR / "metadata.json"
    metadata = {
        "title": "Engagement Archive (Datasette, side-by-side benchmark)",
        "databases": {
            database.stem: {
                "tables": {
                    "engagements_meeting": {
                        "label_column": "title",
                        "fts_table": fts_table,
                        "fts_pk": "id",
                        "size": 25,
                    },
                    "engagements_country": {"label_column": "name"},
                    "engagements_official": {"label_column": "name"},
                    "engagements_topic": {"label_column": "name"},
                },
                "queries": canned_queries(),
            }
        },
    }
    target.write_text(json.dumps(metadata, indent=2))
    return target


def choose_pairs(env: dict, database: Path) -> list[Pair]:
    """The pages http_bench.choose_pages picks, and Datasette's equivalents (by natural key:
    ids need not be the same in both databases)."""
    pages = http_bench.choose_pages(env)

    def page(prefix: str) -> str:
        return next(path for label, path in pages if label.startswith(prefix))

    topic_slug = parse_qs(urlsplit(page("one topic")).query)["topic"][0]
    country_code = page("country page").strip("/").split("/")[1].upper()
    official_slug = page("official, about 20").strip("/").split("/")[1]
    readout = page("one readout")
    _, year, month, day, readout_slug = readout.strip("/").split("/")

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as c:

        def one(sql: str, *args) -> tuple:
            row = c.execute(sql, args).fetchone()
            if row is None:
                sys.exit(f"not in {database}: {sql} {args}")
            return row

        (meeting_id,) = one(
            "SELECT id FROM engagements_meeting WHERE date = ? AND slug = ?",
            f"{year}-{month}-{day}",
            readout_slug,
        )
        official_id, official_name = one(
            "SELECT id, name FROM engagements_official WHERE slug = ?", official_slug
        )
        (official_n,) = one(
            "SELECT count(DISTINCT meeting_id) FROM engagements_participation p JOIN "
            "engagements_meeting m ON m.id = p.meeting_id "
            "WHERE official_id = ? AND m.status = 'published'",
            official_id,
        )
        topic_id, topic_name = one(
            "SELECT id, name FROM engagements_topic WHERE slug = ?", topic_slug
        )
        (topic_n,) = one(
            "SELECT count(*) FROM engagements_taggedmeeting WHERE tag_id = ?", topic_id
        )
        country_id, country_name = one(
            "SELECT id, name FROM engagements_country WHERE code = ?", country_code
        )
        (country_n,) = one(
            "SELECT count(*) FROM engagements_meeting_countries WHERE country_id = ?", country_id
        )
        (word_n,) = one(
            "SELECT count(*) FROM engagements_meeting_fts WHERE engagements_meeting_fts MATCH ?",
            COMMON_WORD,
        )

    db = f"/{database.stem}"
    table = f"{db}/engagements_meeting"
    columns = "&".join(f"_col={name}" for name in LIST_COLUMNS)

    def pair(label: str, ours: str, path: str, query: str, note: str) -> Pair:
        rows = f"{path}.json?{query}{'&' if query else ''}_shape=array"
        return Pair(label, ours, f"{path}?{query}" if query else path, rows, note)

    word = quote_plus(COMMON_WORD)
    return [
        Pair(
            REFERENCE,
            "/healthz",
            "/-/actor.json",
            "",
            "Not a page: each server's cheapest answer (our health check; Datasette's "
            "`/-/actor.json`, the signed-in actor, here none), what the framework and server "
            "cost before any page work.",
        ),
        pair(
            "newest list",
            "/meetings/",
            table,
            f"_where={quote(PUBLISHED)}&_sort_desc=date&_size=25&{columns}",
            "Datasette's table page: published, newest first, with its count. The filter is "
            f"`_where={PUBLISHED}`, not `status__exact=published`: a literal lets SQLite use "
            "the partial index of published readouts, a bound parameter does not (its count "
            "took 225 ms instead of 10).",
        ),
        pair(
            "one readout",
            readout,
            f"{table}/{meeting_id}",
            "",
            "Datasette's row page: every column, and the rows of other tables pointing at it "
            "(counted).",
        ),
        pair(
            f"official, {official_n} readouts ({official_name})",
            f"/officials/{official_slug}/",
            f"{db}/official_readouts",
            f"official={official_id}",
            "Canned query: their readouts newest first (no count).",
        ),
        pair(
            f"busiest topic, {topic_n:,} readouts ({topic_name})",
            f"/topics/{topic_slug}/",
            f"{db}/topic_readouts",
            f"topic={topic_id}",
            "Canned query: its readouts newest first (no count).",
        ),
        pair(
            f"busiest country filter, {country_n:,} readouts ({country_name})",
            f"/meetings/?country={country_code.lower()}",
            f"{db}/country_readouts",
            f"country={country_id}",
            "Canned query: readouts involving it newest first (no count).",
        ),
        pair(
            f"search “{COMMON_WORD}”, {word_n:,} matches",
            f"/meetings/?q={word}",
            table,
            f"_search={word}&_size=25&{columns}",
            "Datasette's table page with `_search` (FTS5, escaped): matches in primary-key "
            "order (Datasette 0.65 does not rank a table search), with their count.",
        ),
        pair(
            f"search “{COMMON_WORD}”, ranked",
            f"/meetings/?q={word}",
            f"{db}/search_ranked",
            f"q={word}",
            "Canned query: the 25 best by FTS5's rank (bm25), no count; ours ranks and counts.",
        ),
    ]


READOUT_LINK = re.compile(r'href="(/meetings/\d{4}/\d{2}/\d{2}/[^"/?#]+/)"')


def check(ours_url: str, theirs_url: str, rows_url: str) -> str:
    """Both pages answer 200 and Datasette's holds rows; how many readouts they share."""
    status, page = get(ours_url)
    if status != 200:
        sys.exit(f"our page {ours_url} answered {status}")
    status, html = get(theirs_url)
    if status != 200:
        sys.exit(f"Datasette's page {theirs_url} answered {status}:\n{html[:2000]}")
    if "<td" not in html:
        sys.exit(f"Datasette's page {theirs_url} shows no rows:\n{html[:2000]}")
    status, text = get(rows_url)
    rows = json.loads(text) if status == 200 else None
    if not isinstance(rows, list) or not rows:
        sys.exit(f"Datasette's {rows_url} returned no rows ({status}):\n{text[:2000]}")
    theirs = [
        "/meetings/{}/{}/{}/{}/".format(*row["date"].split("-"), row["slug"])
        for row in rows
        if row.get("date") and row.get("slug")
    ]
    if len(theirs) != len(rows):
        sys.exit(f"Datasette's {rows_url} rows lack a date or slug: {rows[0]}")
    if len(rows) == 1:  # the readout
        return "same" if urlsplit(ours_url).path == theirs[0] else "different"
    ours = list(dict.fromkeys(READOUT_LINK.findall(page)))[: len(theirs)]
    return f"{len(set(ours) & set(theirs))}/{len(theirs)}"


# Report --------------------------------------------------------------------------------


def machine() -> str:
    model = ""
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        model = found.group(1).strip() if found else ""
    except OSError:
        pass
    memory = ""
    try:
        found = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        memory = f", {int(found.group(1)) / 1024 / 1024:.1f} GB memory" if found else ""
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model or platform.machine()}){memory}, {platform.system()}"


def our_versions(db: str) -> str:
    import django
    import gunicorn
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{db}") as c:
        (server,) = c.execute("SHOW server_version").fetchone()
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"gunicorn {gunicorn.__version__}, PostgreSQL {server.split()[0]}, "
        f"psycopg {psycopg.__version__}"
    )


def working_tree() -> str:
    head = subprocess.run(
        [GIT, "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    changed = subprocess.run(
        [GIT, "-C", str(ROOT), "status", "--porcelain", "--", "engagements", "templates"],
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    if not changed:
        return f"commit {head}"
    return (
        f"commit {head} with {len(changed)} uncommitted change(s) under engagements/ and "
        "templates/ (work in progress)"
    )


def shown(path: str) -> str:
    """A path as the report gives it: from the project's folder when inside it."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(resolved)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def fmt(r: http_bench.Result) -> tuple[str, str, str]:
    return (f"{r.requests_per_second:,.1f}", f"{r.p50_ms:,.1f} ms", f"{r.p99_ms:,.1f} ms")


def report(options, rows: list, processes: list[int], context: dict, started: float) -> str:
    lines = [
        f"## Side by side with Datasette: {context['archive']}",
        "",
        f"Load average {context['load_before']} before the run and {load()} after (the run's "
        "own load included): a first figure well above 0.5 means other work shared the "
        "machine, and the figures are to be measured again.",
        "",
        "`" + " ".join([".venv/bin/python bench/datasette_bench.py", *sys.argv[1:]]) + "`"
        f" on {time.strftime('%Y-%m-%d')}, {time.monotonic() - started:.0f} s in all: "
        f"{context['machine']}. wrk {context['wrk']} with {options.connections} connections "
        f"and 2 threads, {options.warmup} s of warm-up then {options.seconds} s per page and "
        "server, on 127.0.0.1, each page on our server and then on each Datasette; every "
        "request asks for `Accept-Encoding: gzip, deflate, br` as browsers do (ours "
        "compresses, Datasette does not).",
        "",
        f"- **Ours**: {context['ours_versions']}; {context['tree']}. gunicorn with "
        f"{http_bench.served_as(options.workers)} as the README's deployment section says "
        "(DEBUG off, "
        "whitenoise), **`PAGE_CACHE=false`**: every request computes its page. PostgreSQL "
        f"database `{options.db}` ({context['pg']}).",
        f"- **Datasette {context['ds']['datasette']}** (uvicorn {context['ds']['uvicorn']}, "
        f"SQLite {context['ds']['sqlite']}, Python {platform.python_version()}) in "
        f"`build/datasette-venv`, serving `{shown(options.sqlite)}` ({context['sqlite']}) made "
        "from "
        "the same file by the project's own `migrate` and `import_readouts`. Tuned as its "
        "documentation's *Performance and caching* and *Settings* pages advise: immutable "
        "mode (`-i`: no locking or change detection) with the table counts precomputed by "
        "`datasette inspect` (`--inspect-file`), and these settings:",
        *[f"  - `{name} {setting_text(value)}`: {WHY[name]};" for name, value in SETTINGS.items()],
        f"  - metadata that names the FTS5 table our schema keeps (`{context['fts']}`, "
        "`fts_pk` id) and the label columns, and canned queries for the pages a table filter "
        "cannot give (a many-to-many relation), written to use the schema's indexes;",
        "  - not used: Datasette's HTTP caching advice (`default_cache_ttl`, hashed URLs, a "
        "caching proxy in front), left out as our page cache is: both sides compute every "
        "request.",
        "- **Equal hardware**: the machine's 2 cores for each side in turn. Ours: 2 gunicorn "
        "processes (and the PostgreSQL server). Datasette's documented deployment is one "
        "`datasette serve` process (its *Deploying* page: a single process listening on a "
        "port), an asyncio server whose Python work holds one core while its SQL threads "
        "(SQLite releases the GIL) can use the other; the headline ratio is against that. "
        + (
            "Because that leaves Datasette's Python on one core where ours has two, the same "
            "app was also run in 2 processes sharing the port (each a uvicorn server as "
            "`datasette serve` runs it, on its own socket bound with `SO_REUSEPORT`, the "
            "kernel sharing the connections; not a deployment Datasette's docs describe), "
            "reported below as well. (Not uvicorn's `--workers 2`: its shared socket is made "
            "without `IPPROTO_TCP`, so asyncio never sets `TCP_NODELAY`, and every keep-alive "
            "response waited out a delayed ACK: p50 44 ms for a trivial JSON answer that one "
            "process serves in 4 ms.)"
            if max(processes) > 1
            else ""
        ),
        "",
    ]
    for n in processes:
        title = (
            "Datasette as deployed: `datasette serve`, one process"
            if n == 1
            else f"Datasette in {n} processes sharing the port"
        )
        lines += [
            f"### Against {title}",
            "",
            "| page | same readouts | ours req/s | p50 | p99 | Datasette req/s | p50 | p99 "
            f"| ours/Datasette (target ≥ {TARGET:.0f}×) | errors (ours/theirs) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for pair, same, ours, theirs in rows:
            t = theirs[n]
            ratio = ours.requests_per_second / t.requests_per_second if t.requests_per_second else 0
            mark = "" if pair.label == REFERENCE else " (met)" if ratio >= TARGET else " (not met)"
            lines.append(
                f"| {pair.label} | {same} | "
                + " | ".join(fmt(ours))
                + " | "
                + " | ".join(fmt(t))
                + f" | **{ratio:.2f}×**{mark} | {ours.errors}/{t.errors} |"
            )
        pages = [(ours, theirs) for p, _s, ours, theirs in rows if p.label != REFERENCE]
        met = sum(
            1
            for ours, theirs in pages
            if theirs[n].requests_per_second
            and ours.requests_per_second / theirs[n].requests_per_second >= TARGET
        )
        lines += ["", f"Target met on {met} of {len(pages)} pages."]
        if n > 1:
            lines.append(
                f"CPU time of each of the {n} processes over the run: "
                + ", ".join(f"{cpu:.0f} s" for cpu in context["cpu"][n])
                + " (the kernel shares the connections among them)."
            )
        lines.append("")
    lines += [
        "### The pages",
        "",
        "*Same readouts*: how many of the readouts Datasette's page lists are among the first "
        "as many that ours lists (by date and slug).",
        "",
        "| page | ours | Datasette | what Datasette's page is |",
        "|---|---|---|---|",
    ]
    for pair, *_ in rows:
        lines.append(f"| {pair.label} | `{pair.ours}` | `{pair.theirs}` | {pair.note} |")
    lines += [
        "",
        "Our list pages do more than Datasette's on every row and around it: each row "
        "names the participants and the topics, and the page counts its facets (countries, "
        "officials, topics, kinds, years) and total; a search ranks its matches and shows "
        "snippets; pages are gzipped. Datasette's table pages show the readout's own columns "
        "(the country as a label) and a count; its canned-query pages neither count nor "
        "paginate.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(BUILD / "md-100k.jsonl"), help="interchange file")
    parser.add_argument("--db", default="engagement_bench", help="PostgreSQL database (ours)")
    parser.add_argument(
        "--sqlite", default=str(BUILD / "datasette-100k.sqlite3"), help="SQLite copy (Datasette)"
    )
    parser.add_argument("--seconds", type=int, default=10, help="per page and server")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="our gunicorn workers")
    parser.add_argument(
        "--datasette-processes", default="1,2", help="Datasette runs to measure (1: as deployed)"
    )
    parser.add_argument("--wait", type=int, default=7200, help="seconds to wait for --db")
    parser.add_argument("--only", default="", help="only the pages whose label contains this")
    parser.add_argument("--out", default=str(ROOT / "bench" / "datasette-report.md"))
    options = parser.parse_args()
    processes = sorted({int(n) for n in options.datasette_processes.split(",") if n})
    if not processes or min(processes) < 1:
        parser.error("--datasette-processes: e.g. 1 or 1,2")
    started = time.monotonic()
    # SIGTERM ends the run like Ctrl-C does: through the finally below, servers stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it

    source = Path(options.file).resolve()
    database = Path(options.sqlite).resolve()
    if not source.exists():
        sys.exit(f"{source} does not exist")
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    (RUN_DIR / "datasette_bench_app.py").write_text(LAUNCHER)
    context = {"load_before": load(), "machine": machine()}
    context["wrk"] = subprocess.run([WRK, "-v"], capture_output=True, text=True).stdout.split()[1]

    wanted = lines_in(source)
    context["ds"] = ensure_datasette()
    context["sqlite"] = ensure_sqlite(database, source, wanted)
    have = wait_for_archive(options.db, wanted, options.wait)
    context["archive"] = f"{have:,} readouts"
    context["pg"] = f"{have:,} published readouts, filled from `{source.name}` beforehand"
    # Whatever else still runs in the database (an import's last steps) finishes first.
    http_bench.wait_until_idle(options.db, limit=120)

    env = http_bench.environment(SimpleNamespace(db=options.db, redis=""))
    env["PAGE_CACHE"] = "false"
    env["STATIC_ROOT"] = str(RUN_DIR / "static")  # our own copy: http_bench's is left alone
    http_bench.manage(env, "collectstatic", "--noinput")
    pairs = choose_pairs(env, database)  # sets Django up in this process (for PostgreSQL)
    if options.only:
        pairs = [p for p in pairs if options.only in p.label]
    from engagements.search.sqlite import FTS_TABLE

    context["fts"] = FTS_TABLE
    context["ours_versions"] = our_versions(options.db)
    context["tree"] = working_tree()
    metadata = write_metadata(database, FTS_TABLE)
    inspect = ensure_inspect(database)

    servers: list = []
    rows = []
    try:
        ours = http_bench.Server(env, options.workers, free_port())
        servers.append(ours)
        theirs = {}
        for n in processes:
            theirs[n] = DatasetteServer(n, database, metadata, inspect)
            servers.append(theirs[n])
        same = {}
        for pair in pairs:
            for n in processes:
                if pair.label == REFERENCE:
                    for url in (ours.url(pair.ours), theirs[n].url(pair.theirs)):
                        if get(url)[0] != 200:
                            sys.exit(f"{url} does not answer 200")
                    same[pair.label] = "–"
                    continue
                same[pair.label] = check(
                    ours.url(pair.ours), theirs[n].url(pair.theirs), theirs[n].url(pair.rows_json)
                )
            print(f"{pair.label}: same readouts {same[pair.label]}", flush=True)
        run = dict(seconds=options.seconds, connections=options.connections)
        for pair in pairs:
            results = {}
            for name, url in [("ours", ours.url(pair.ours))] + [
                (n, theirs[n].url(pair.theirs)) for n in processes
            ]:
                http_bench.wrk(url, seconds=options.warmup, connections=options.connections)
                results[name] = http_bench.wrk(url, **run)
                if name == "ours":
                    # Requests wrk gave up on still run: let them end before Datasette's turn.
                    http_bench.wait_until_idle(options.db, limit=30)
                else:
                    time.sleep(1)
                print(f"{pair.label:55} {name!s:5} {results[name]}", flush=True)
            ours_result = results.pop("ours")
            rows.append((pair, same[pair.label], ours_result, results))
        context["cpu"] = {n: theirs[n].cpu_seconds() for n in processes}
    finally:
        for server in reversed(servers):
            server.stop()

    text = report(options, rows, processes, context, started)
    print(text)
    Path(options.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
