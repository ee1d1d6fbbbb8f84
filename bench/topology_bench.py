#!/usr/bin/env python3
"""The deployed topology under load: Varnish → two gunicorn instances → primary + replica.

    .venv/bin/python bench/topology_bench.py                      # 100,000 readouts
    .venv/bin/python bench/topology_bench.py --count 2000 --db engagement_topology_2k --seconds 3

Draws docs/deploying.md's picture on loopback and measures it against one server:

1. The archive: the PostgreSQL database --db on the machine's server (127.0.0.1:5432),
   filled as bench/http_bench.py fills it (--count generated readouts; reused when it
   holds them; --reuse takes it as it is). Its server allows no replication connection,
   so the benchmark copies the database (pg_dump, pg_restore) into a primary of its own,
   a cluster in a temporary directory, and makes a streaming replica of that primary with
   pg_basebackup, as tests/public/test_replicas.py does. Both run as the postgres account
   on free loopback ports and are removed at the end, whatever happens.
2. Two gunicorn instances (--workers each, as bench/http_bench.py serves) on the primary
   with DATABASE_REPLICA_URLS naming the replica, sharing one Redis database (--redis,
   emptied at the start and the end), and varnishd in front with deploy/varnish.vcl, its
   backend replaced by a round-robin director over the two (a temporary copy of the VCL).
   The site purges Varnish (HTTP_CACHE_PURGE_URLS) and lets it keep a page a day
   (CDN_MAX_AGE), as docs/deploying.md advises.
3. One server, the reference: a third gunicorn (--workers) on the primary alone, the
   same Redis under another key prefix, nothing in front.
4. The page mix of bench/http_bench.py (choose_pages), each page through the topology and
   on the one server, in turn: the *first request* after everything was emptied (the
   site's cache, and Varnish's by a ban of everything) timed alone; *cold*, emptied again
   and --seconds of --connections clients timed per request by http_bench's own client;
   *warm*, wrk for --seconds after --warmup seconds.
5. A publish: Varnish filled with the page mix and --prime-readouts readouts', every
   topic's and country's and --prime-officials officials' pages; a draft readout on the
   busiest topic published the way the admin's publish action does it (status, date of
   publication, save: the receivers, the commit, the purge), in this process, --publishes
   times. For each: the bans Varnish received and the cached objects they invalidated
   (varnishstat's MAIN.bans_added and MAIN.bans_*obj_killed, counted after the site's
   second purge, REPLICA_MAX_LAG_SECONDS + 1 s later), and how long until the topic's
   page through Varnish shows the new readout (asked every 50 ms, for at most 30 s).

Written to --out (bench/topology-report.md) and printed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import platform
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_bench

ROOT = http_bench.ROOT
sys.path.insert(0, str(ROOT / "tests"))

from servers import PG_BIN, as_postgres, free_port  # noqa: E402 (tests/servers.py)

VCL = ROOT / "deploy" / "varnish.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
VARNISHSTAT = shutil.which("varnishstat") or "/usr/bin/varnishstat"
SOURCE = "postgresql://postgres@127.0.0.1:5432/{db}"
POLL_SECONDS = 0.05
POLL_LIMIT_SECONDS = 30.0
COUNTERS = ("MAIN.bans_added", "MAIN.bans_obj_killed", "MAIN.bans_lurker_obj_killed")


# -- PostgreSQL: a primary of the benchmark's own, and its streaming replica ---------------


class Cluster:
    """A PostgreSQL server in a directory of the benchmark's, started with pg_ctl."""

    def __init__(self, home: Path, name: str, *settings: str) -> None:
        self.home, self.data, self.port = home, home / name, free_port()
        self.options = " ".join(
            [f"-p {self.port} -k {home} -c listen_addresses=127.0.0.1", *settings]
        )
        self.started = False

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def pg_ctl(self, *args: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-o", self.options]
        subprocess.run(as_postgres(*command, *args), check=True, capture_output=True)

    def start(self) -> None:
        self.pg_ctl("-l", str(self.home / f"{self.data.name}.log"), "start")
        self.started = True

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(subprocess.CalledProcessError):
                self.pg_ctl("-m", "fast", "stop")
            self.started = False


def database_bytes(db: str) -> int:
    import psycopg

    with psycopg.connect(SOURCE.format(db="postgres")) as c:
        (size,) = c.execute("SELECT pg_database_size(%s)", [db]).fetchone()
    return size


def copy_database(db: str, primary: Cluster, home: Path) -> float:
    """The source database into `primary` (pg_dump, pg_restore): seconds taken."""
    started = time.monotonic()
    dump = home / "archive.dump"
    subprocess.run(
        [str(PG_BIN / "pg_dump"), "-Fc", "-Z1", "-f", str(dump), SOURCE.format(db=db)],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(primary.port), "-U",
         "postgres", db],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [str(PG_BIN / "pg_restore"), "-j", "2", "--no-owner", "-d", primary.url(db), str(dump)],
        check=True, capture_output=True,
    )  # fmt: skip
    dump.unlink()
    subprocess.run(
        [shutil.which("psql") or "/usr/bin/psql", primary.url(db), "-qc", "VACUUM ANALYZE"],
        check=True, capture_output=True,
    )  # fmt: skip
    return time.monotonic() - started


def make_replica(primary: Cluster, replica: Cluster) -> float:
    started = time.monotonic()
    subprocess.run(
        as_postgres(str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
                    "-U", "postgres", "-D", str(replica.data), "-R", "-X", "stream",
                    "--checkpoint=fast"),
        check=True, capture_output=True,
    )  # fmt: skip
    replica.start()
    return time.monotonic() - started


def replica_reads(replica: Cluster, db: str) -> int:
    """Transactions the replica has served on the archive's database so far."""
    import psycopg

    with psycopg.connect(replica.url(db)) as c:
        (count,) = c.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", [db]
        ).fetchone()
    return count


# -- Varnish ---------------------------------------------------------------------------------


def director_vcl(ports: list[int]) -> str:
    """deploy/varnish.vcl with its one backend replaced by a round-robin director."""
    text = VCL.read_text()
    backend = re.search(r"^backend site \{.*?^\}\n", text, re.S | re.M)
    if not backend or "import std;" not in text or "sub vcl_recv {" not in text:
        sys.exit(f"{VCL}: no `backend site` block to replace (the VCL changed?)")
    body = backend.group(0).split("\n", 1)[1]
    backends = "".join(
        f"backend app{n} {{\n" + re.sub(r'\.port = "\d+"', f'.port = "{port}"', body)
        for n, port in enumerate(ports, 1)
    )
    director = (
        "sub vcl_init {\n    new site = directors.round_robin();\n"
        + "".join(f"    site.add_backend(app{n});\n" for n in range(1, len(ports) + 1))
        + "}\n\n"
        # Several `sub vcl_recv` are run in order: this one, then the repository's.
        + "sub vcl_recv {\n    set req.backend_hint = site.backend();\n}\n\n"
    )
    text = text.replace(backend.group(0), backends)
    text = text.replace("import std;", "import std;\nimport directors;", 1)
    return text.replace("sub vcl_recv {", director + "sub vcl_recv {", 1)


class Varnish:
    """varnishd on a free loopback port with a VCL of the benchmark's; stopped on exit."""

    def __init__(self, home: Path, vcl: str, port: int) -> None:
        self.work, self.port = home / "varnish", port
        path = home / "topology.vcl"
        path.write_text(vcl)
        compiled = subprocess.run([VARNISHD, "-C", "-f", str(path)], capture_output=True, text=True)
        if compiled.returncode:
            sys.exit(f"the generated VCL does not compile:\n{compiled.stderr[-2000:]}")
        self.process = subprocess.Popen(
            [VARNISHD, "-F", "-j", "none", "-n", str(self.work), "-a", f"127.0.0.1:{self.port}",
             "-f", str(path), "-s", "malloc,512m",
             # Bans are tested against stored objects by the lurker a second after they are
             # added (not the default 60 s), so that the objects they drop are counted soon.
             "-p", "ban_lurker_age=1", "-p", "ban_lurker_sleep=0.01"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    sys.exit(f"varnishd did not start: {self.process.stderr.read()[-2000:]!r}")
                time.sleep(0.1)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def ban_everything(self) -> None:
        status, _, _ = request(self.url("/"), method="BAN", headers={"X-Purge-Keys": "*"})
        if status != 200:
            sys.exit(f"Varnish refused the ban: {status}")

    def counters(self) -> dict[str, int]:
        output = subprocess.run(
            [VARNISHSTAT, "-n", str(self.work), "-1"],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout  # fmt: skip
        values = {}
        for line in output.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                values[parts[0]] = int(parts[1])
        return values

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


# -- HTTP ------------------------------------------------------------------------------------


def request(
    url: str, *, method: str = "GET", headers: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request on its own connection: (status, headers, body); (0, {}, b"") on failure."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request(
            method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {}
        )
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    except OSError:
        return 0, {}, b""
    finally:
        connection.close()


@dataclass
class First:
    """The first request for a page once everything was emptied."""

    ms: float
    status: int
    read_from: str


def first_request(url: str) -> First:
    started = time.perf_counter()
    status, headers, _ = request(url, headers=http_bench.BROWSER_HEADERS)
    return First((time.perf_counter() - started) * 1000, status, headers.get("X-Read-From", "–"))


def fetch_all(urls: list[str], threads: int = 4) -> dict[str, str]:
    """GET every URL (a few at a time): the Surrogate-Key of each that answered 200."""
    pending = list(urls)
    lock = threading.Lock()
    keys: dict[str, str] = {}

    def worker() -> None:
        while True:
            with lock:
                if not pending:
                    return
                url = pending.pop()
            status, headers, _ = request(url, headers=http_bench.BROWSER_HEADERS)
            if status == 200:
                with lock:
                    keys[url] = headers.get("Surrogate-Key", "")

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return keys


KINDS = (
    ("readout pages", re.compile(r"/meetings/\d{4}/")),
    ("topic pages", re.compile(r"/topics/[^/?]+/")),
    ("official pages", re.compile(r"/officials/[^/?]+/")),
    ("country pages", re.compile(r"/countries/[^/?]+/")),
    ("lists and the rest", re.compile(r"")),
)


def kind_of(url: str) -> str:
    return next(name for name, pattern in KINDS if pattern.search(urlsplit(url).path))


def matched(primed: dict[str, str], purge_keys: str) -> dict[str, tuple[int, int]]:
    """Per kind of page: (primed pages whose Surrogate-Key holds one of the purge's keys,
    primed pages), as the VCL's ban matches them."""
    wanted = set(purge_keys.split())
    counts: dict[str, list[int]] = {name: [0, 0] for name, _ in KINDS}
    for url, keys in primed.items():
        count = counts[kind_of(url)]
        count[1] += 1
        count[0] += purge_keys == "*" or bool(wanted & set(keys.split()))
    return {name: (hit, of) for name, (hit, of) in counts.items() if of}


# -- The site's own code, in this process (Django set up by http_bench.choose_pages) --------


def empty_site_cache() -> None:
    """`invalidate_cache` (a new version, Redis emptied) without purging Varnish: the
    benchmark bans what it means to itself."""
    from django.test import override_settings

    from engagements.public import pagecache

    with override_settings(HTTP_CACHE_PURGE_URLS=[]):
        pagecache.clear()


def prime_paths(readouts: int, officials: int) -> list[str]:
    """What a visited archive holds in Varnish: readouts', topics', countries', officials'
    pages and the first pages of the list."""
    from engagements.models import Country, Meeting, Official, Topic

    paths = [f"/meetings/?page={n}" for n in range(1, 11)]
    paths += [m.get_absolute_url() for m in Meeting.objects.published()[:readouts]]
    paths += [f"/topics/{slug}/" for slug in Topic.objects.public().values_list("slug", flat=True)]
    paths += [
        f"/countries/{code.lower()}/"
        for code in Country.objects.filter(meetings__isnull=False)
        .distinct()
        .values_list("code", flat=True)
    ]
    paths += [o.get_absolute_url() for o in Official.objects.order_by("pk")[:officials]]
    return paths


SENT: list[tuple[float, str]] = []  # (when, X-Purge-Keys) of every purge this process sent


def record_purges() -> None:
    """Note what the site's purger sends (it still sends it): the keys of each ban."""
    from engagements.upkeep import purge

    send = purge.VarnishBan.purge

    def recorded(self, keys: set[str], everything: bool) -> None:
        SENT.append((time.monotonic(), purge.EVERYTHING if everything else " ".join(sorted(keys))))
        send(self, keys, everything)

    purge.VarnishBan.purge = recorded


def busiest_topic():
    from django.db.models import Count

    from engagements.models import Topic

    return Topic.objects.public().annotate(n=Count("meeting_links")).order_by("-n").first()


def make_draft(topic, number: int):
    """A draft readout on `topic`: a copy of its newest readout (participants, sources,
    topics), dated the same day, so that it heads the topic's page once published."""
    from engagements.models import Meeting, Participation
    from engagements.upkeep import derived

    model = Meeting.objects.published().filter(topics=topic).order_by("-date", "-id").first()
    title = f"Topology benchmark readout {number} {secrets.token_hex(4)}"
    draft = Meeting.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        date=model.date,
        kind=model.kind,
        city=model.city,
        location_country=model.location_country,
        summary=model.summary,
        body=model.body,
        status=Meeting.Status.DRAFT,
        synthetic=True,
    )
    with derived.paused():
        Participation.objects.bulk_create(
            Participation(
                meeting=draft,
                official_id=p.official_id,
                role=p.role,
                title=p.title,
                organization_id=p.organization_id,
                order=p.order,
            )
            for p in model.participations.all()
        )
        draft.topics.set(list(model.topics.all()))
        for source in model.sources.all():
            source.pk, source.meeting = None, draft
            source.save()
    derived.refresh([draft.pk])
    return draft


def publish(meeting) -> None:
    """As the admin's publish action: status and date of publication, then save."""
    from django.db import transaction
    from django.utils import timezone

    from engagements.models import Meeting

    with transaction.atomic():
        meeting.status = Meeting.Status.PUBLISHED
        meeting.published_at = meeting.published_at or timezone.now()
        meeting.save()


@dataclass
class Publish:
    title: str
    committed_ms: float  # from the save to the commit, the first purge sent
    visible_ms: float | None  # from the save to the topic's page through Varnish showing it
    polls: int
    shown_by: str  # X-Read-From of the first answer that showed it
    stale_misses: int  # pages fetched from the site after the purge that did not show it yet
    bans: int
    draft_bans: int  # bans sent while the draft was made (none expected)
    killed_first: int  # objects the first ban dropped (before the second purge)
    killed: int  # all the objects the publish's bans dropped
    cached_before: int
    keys: list[str] = field(default_factory=list)


def measure_publish(varnish: Varnish, topic, number: int, settle: float) -> Publish:
    from django.conf import settings

    topic_page = varnish.url(f"/topics/{topic.slug}/")
    drafted = varnish.counters()
    draft = make_draft(topic, number)
    needle = draft.title.encode()
    # The topic's page in Varnish, as a visitor left it.
    for _ in range(2):
        request(topic_page)
    time.sleep(1.5)  # past ban_lurker_age: bans from before are done with
    before = varnish.counters()
    sent = len(SENT)
    seen: dict[str, object] = {"at": None, "polls": 0, "by": "–", "stale": 0}
    stop = threading.Event()

    def poll() -> None:
        deadline = time.monotonic() + POLL_LIMIT_SECONDS
        while not stop.is_set() and time.monotonic() < deadline:
            asked = time.monotonic()
            status, headers, body = request(topic_page)
            seen["polls"] += 1
            if status == 200 and needle in body:
                seen["at"], seen["by"] = time.monotonic(), headers.get("X-Read-From", "–")
                return
            if headers.get("X-Cache") == "MISS":
                seen["stale"] += 1  # fetched from the site after the purge, without it
            stop.wait(max(0.0, POLL_SECONDS - (time.monotonic() - asked)))

    started = time.monotonic()
    poller = threading.Thread(target=poll)
    poller.start()
    publish(draft)
    committed = time.monotonic()
    time.sleep(2.0)  # the lurker tests the first ban (ban_lurker_age=1)
    after_first = varnish.counters()
    poller.join(timeout=POLL_LIMIT_SECONDS + 5)
    stop.set()
    # The site purges again REPLICA_MAX_LAG_SECONDS + 1 s after the commit (replicas).
    again = settings.REPLICA_MAX_LAG_SECONDS + 1 + settle
    time.sleep(max(0.0, again - (time.monotonic() - committed)))
    after = varnish.counters()

    def delta(a: dict, b: dict, *names: str) -> int:
        return sum(b.get(n, 0) - a.get(n, 0) for n in names)

    killed = ("MAIN.bans_obj_killed", "MAIN.bans_lurker_obj_killed")
    bans = delta(before, after, "MAIN.bans_added")
    return Publish(
        title=draft.title,
        committed_ms=(committed - started) * 1000,
        visible_ms=(seen["at"] - started) * 1000 if seen["at"] else None,
        polls=seen["polls"],
        shown_by=seen["by"],
        stale_misses=seen["stale"],
        bans=bans,
        draft_bans=delta(drafted, before, "MAIN.bans_added"),
        killed_first=delta(before, after_first, *killed),
        killed=delta(before, after, *killed),
        cached_before=before.get("MAIN.n_object", 0),
        keys=[keys for _at, keys in SENT[sent:]],
    )


# -- The report ------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def varnish_version() -> str:
    output = subprocess.run([VARNISHD, "-V"], capture_output=True, text=True).stderr
    found = re.search(r"varnish-([\d.]+)", output)
    return f"Varnish {found.group(1)}" if found else "Varnish"


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="readouts to generate")
    parser.add_argument("--db", default="engagement_bench", help="the source database")
    parser.add_argument(
        "--reuse", action="store_true", help="take --db as it is: no migration, no import"
    )
    parser.add_argument("--seconds", type=int, default=10, help="per page, setup and mode")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before warm runs")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="per gunicorn instance")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="emptied!")
    parser.add_argument("--pages", default="", help="only the pages whose label contains this")
    parser.add_argument("--prime-readouts", type=int, default=500)
    parser.add_argument("--prime-officials", type=int, default=200)
    parser.add_argument("--publishes", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "topology-report.md"))
    options = parser.parse_args()
    for tool in (VARNISHD, VARNISHSTAT, PG_BIN / "pg_basebackup"):
        if not Path(tool).exists():
            sys.exit(f"{tool} is missing (apt-get install -y varnish wrk)")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing (apt-get install -y wrk)")

    # 1. The archive, on the machine's server, as http_bench fills it.
    options.meetings, options.file = options.count, None
    source_env = http_bench.environment(argparse.Namespace(db=options.db, redis=""))
    http_bench.ensure_database(options.db)
    filled = (
        f"`{options.db}` taken as it was (--reuse)"
        if options.reuse
        else http_bench.fill(options, source_env)
    )
    size = database_bytes(options.db)
    free = shutil.disk_usage(tempfile.gettempdir()).free
    if free < 4 * size + 2**30:  # the dump, the primary, the replica, their WAL
        sys.exit(f"{free / 2**30:.1f} GB free in {tempfile.gettempdir()}: too little")
    load_before = os.getloadavg()
    began = time.monotonic()

    home = Path(tempfile.mkdtemp(prefix="topology-bench-"))
    primary = Cluster(home, "primary", "-c wal_level=replica", "-c max_wal_senders=4")
    replica = Cluster(home, "replica", "-c hot_standby=on")
    servers: list[http_bench.Server] = []
    varnish: Varnish | None = None
    try:
        if os.geteuid() == 0:
            shutil.chown(home, "postgres")  # the clusters' (initdb and pg_ctl run as postgres)
        home.chmod(0o755)  # varnishd's compiler, run as its own account, reads the VCL here
        # 2. A primary of the benchmark's own, and its replica.
        subprocess.run(
            as_postgres(str(PG_BIN / "initdb"), "-D", str(primary.data), "-A", "trust",
                        "-U", "postgres"),
            check=True, capture_output=True,
        )  # fmt: skip
        primary.start()
        copied = copy_database(options.db, primary, home)
        print(f"copied {size / 2**20:,.0f} MB into the primary in {copied:.0f} s", flush=True)
        based = make_replica(primary, replica)
        print(f"replica made and started in {based:.0f} s", flush=True)

        flush_redis(options.redis)
        varnish_port = free_port()
        env = {
            **source_env,
            "DATABASE_URL": primary.url(options.db),
            "REDIS_URL": options.redis,
            "CACHE_KEY_PREFIX": "topology",
            "DATABASE_REPLICA_URLS": replica.url(options.db),
            "HTTP_CACHE_PURGE_URLS": f"http://127.0.0.1:{varnish_port}",
            "CDN_MAX_AGE": "86400",
            "CDN_STALE_SECONDS": "60",
        }
        one_env = {**env, "CACHE_KEY_PREFIX": "one-server", "CDN_MAX_AGE": "0"}
        for name in ("DATABASE_REPLICA_URLS", "HTTP_CACHE_PURGE_URLS", "CDN_STALE_SECONDS"):
            one_env.pop(name)
        http_bench.manage(env, "collectstatic", "--noinput", "-v0")
        pages = http_bench.choose_pages(env)  # Django set up in this process, on `env`
        if options.pages:
            pages = [(label, path) for label, path in pages if options.pages in label]
        from engagements.models import Meeting

        total = Meeting.objects.published().count()

        # 3. Two app servers with Varnish in front, and the one server.
        for _ in range(2):  # one at a time: each is in `servers` (stopped at the end) at once
            servers.append(http_bench.Server(env, options.workers, free_port()))
        one = http_bench.Server(one_env, options.workers, free_port())
        servers.append(one)
        vcl = director_vcl([servers[0].port, servers[1].port])
        varnish = Varnish(home, vcl, varnish_port)  # the port the site purges
        print(f"serving: Varnish :{varnish.port} → gunicorn :{servers[0].port}, "
              f":{servers[1].port}; one server :{one.port}", flush=True)  # fmt: skip

        # 4. The page mix.
        run = dict(seconds=options.seconds, connections=options.connections)
        rows = []
        reads_before = replica_reads(replica, options.db)
        for label, path in pages:
            row = {"label": label, "path": path}
            for setup, url in (("topology", varnish.url(path)), ("one server", one.url(path))):
                for cold in ("first", "cold"):
                    empty_site_cache()
                    varnish.ban_everything()
                    if cold == "first":
                        row[setup, "first"] = first_request(url)
                    else:
                        row[setup, "cold"] = http_bench.timed_requests(url, **run)
                http_bench.wrk(url, seconds=options.warmup, connections=options.connections)
                row[setup, "warm"] = http_bench.wrk(url, **run)
                print(
                    f"{label[:40]:40} {setup:10} first {row[setup, 'first'].ms:7.0f} ms "
                    f"({row[setup, 'first'].read_from}) cold {row[setup, 'cold']} "
                    f"warm {row[setup, 'warm']}",
                    flush=True,
                )
            rows.append(row)
        reads = replica_reads(replica, options.db) - reads_before

        # 5. The cost of a publish.
        empty_site_cache()
        varnish.ban_everything()
        primed_urls = [varnish.url(p) for _l, p in pages] + [
            varnish.url(p) for p in prime_paths(options.prime_readouts, options.prime_officials)
        ]
        primed_urls = list(dict.fromkeys(primed_urls))
        primed = fetch_all(primed_urls)
        topic = busiest_topic()
        record_purges()
        publishes = []
        for number in range(1, options.publishes + 1):
            # Visitors' pass over the primed pages again: what the last publish dropped is
            # back in Varnish before the next.
            if number > 1:
                fetch_all(primed_urls)
            result = measure_publish(varnish, topic, number, settle=2.0)
            publishes.append(result)
            print(f"publish {number}: {result}", flush=True)
        draft_bans = sum(p.draft_bans for p in publishes)
        rss = [round(s.worker_peak_rss_mb()) for s in servers]
    finally:
        for server in servers:
            server.stop()
        if varnish:
            varnish.stop()
        replica.stop()
        primary.stop()
        shutil.rmtree(home, ignore_errors=True)
        with contextlib.suppress(Exception):
            flush_redis(options.redis)
    load_after = os.getloadavg()
    took = time.monotonic() - began

    # -- the report
    def rate(r) -> str:
        return f"{r.requests_per_second:,.0f}"

    lines = [
        f"## The deployed topology under load: {total:,} readouts",
        "",
        f"`{shlex.join(['.venv/bin/python', 'bench/topology_bench.py', *sys.argv[1:]])}`"
        f" on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores (shared: another "
        f"engineer's work ran on the machine meanwhile; load average {load_before[0]:.1f} "
        f"before, {load_after[0]:.1f} after), Python {platform.python_version()}, "
        f"PostgreSQL 15, {varnish_version()}, "
        f"{took / 60:.1f} minutes in all. The archive: {filled}; copied into the benchmark's "
        f"own primary ({size / 2**20:,.0f} MB, {copied:.0f} s) and replicated with "
        f"pg_basebackup ({based:.0f} s), both in a temporary directory on loopback (the "
        "machine's server allows no replication connection).",
        "",
        f"**Topology**: varnishd (`deploy/varnish.vcl`, its backend a round-robin director "
        f"over the two app servers; `-s malloc,512m`) → two gunicorn instances of "
        f"{http_bench.served_as(options.workers)} each, sharing Redis, reading from the replica "
        f"(`DATABASE_REPLICA_URLS`), `CDN_MAX_AGE=86400`, purging Varnish → primary + "
        f"replica. **One server**: one gunicorn of {http_bench.served_as(options.workers)} on the "
        "primary alone, Redis as its cache, nothing in front. Both ran on the same 2 cores, "
        "one page at a time, with the other idle.",
        "",
        "**First**: the first request for the page after the site's cache was emptied "
        "(`invalidate_cache`) and Varnish's banned (`X-Purge-Keys: *`), timed alone, and "
        "where it was computed from (`X-Read-From`). **Cold**: emptied again, then "
        f"{options.connections} clients for {options.seconds} s, one request at a time each, "
        "timed per request (http_bench's client, as its cold mode). **Warm**: wrk, "
        f"{options.connections} connections for {options.seconds} s after a "
        f"{options.warmup} s warm-up. Every request asks for gzip, as browsers do.",
        "",
        "| page | setup | first | cold req/s | cold p50 | cold p99 | warm req/s | warm p50 "
        "| warm p99 | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        for setup in ("topology", "one server"):
            f, c, w = row[setup, "first"], row[setup, "cold"], row[setup, "warm"]
            where = "" if f.read_from in ("–", "primary") else f" ({f.read_from})"
            lines.append(
                f"| {row['label']} `{row['path']}` | {setup} | {f.ms:,.0f} ms{where} "
                f"| {rate(c)} | {c.p50_ms:.1f} ms | {c.p99_ms:.1f} ms | {rate(w)} "
                f"| {w.p50_ms:.2f} ms | {w.p99_ms:.1f} ms | {c.errors + w.errors} |"
            )
    warm_ratio = [r["topology", "warm"].requests_per_second
                  / max(r["one server", "warm"].requests_per_second, 1) for r in rows]  # fmt: skip
    cold_ratio = [r["topology", "cold"].requests_per_second
                  / max(r["one server", "cold"].requests_per_second, 1) for r in rows]  # fmt: skip
    first_ratio = [r["topology", "first"].ms / max(r["one server", "first"].ms, 0.1) for r in rows]
    lines += [
        "",
        f"Medians over the {len(rows)} pages, topology / one server: warm req/s "
        f"×{median(warm_ratio):.1f}, cold req/s ×{median(cold_ratio):.1f}, first request's "
        f"time ×{median(first_ratio):.2f}. The replica served {reads:,} transactions during "
        f"the page mix. Peak RSS per gunicorn worker: {', '.join(f'{m} MB' for m in rss)} "
        "(app server 1, app server 2, one server).",
        "",
        f"### The cost of a publish ({options.publishes} readouts published one by one)",
        "",
        f"Varnish held {len(primed):,} pages before the first (the page mix; the first "
        f"{options.prime_readouts} readouts; every topic's and country's page; "
        f"{options.prime_officials} officials'), all asked again before each next one. "
        f"Each publish: a draft copied from the newest readout of the busiest topic "
        f"({topic.name}, `/topics/{topic.slug}/`), then published as the admin's publish "
        "action does (status, date of publication, `save()`) in the benchmark's process "
        "with the site's settings: the receivers, the commit, and the purge the commit "
        "sends (`engagements/upkeep/purge.py`), then the same purge again "
        "`REPLICA_MAX_LAG_SECONDS` + 1 s later, as the site does with replicas. *Objects* "
        "are those the bans dropped (varnishstat `MAIN.bans_obj_killed` + "
        "`MAIN.bans_lurker_obj_killed`; varnishd ran with `ban_lurker_age=1`), within 2 s "
        "of the commit (the first purge) and in all. *Visible*: from the save until the "
        "topic's page "
        f"through Varnish, asked every {POLL_SECONDS * 1000:.0f} ms, showed the readout; "
        "*stale refetches*: answers fetched from the site after the publish that did not "
        f"show it yet. Creating the drafts sent {draft_bans} bans.",
        "",
        "| # | save → commit + purge | visible after | computed from | stale refetches | bans "
        "| objects, first ban | objects, all bans | cached before |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n, p in enumerate(publishes, 1):
        visible = f"{p.visible_ms:,.0f} ms" if p.visible_ms is not None else "not within 30 s"
        lines.append(
            f"| {n} | {p.committed_ms:,.0f} ms | {visible} ({p.polls} polls) | {p.shown_by} "
            f"| {p.stale_misses} | {p.bans} | {p.killed_first:,} | {p.killed:,} "
            f"| {p.cached_before:,} |"
        )
    if publishes and publishes[-1].keys:
        keys = publishes[-1].keys
        lines += [
            "",
            f"The last publish's purges (`X-Purge-Keys`, {len(keys[0].split())} keys each):",
            "",
        ]
        lines += [f"- `{k}`" for k in keys]
        lines += [
            "",
            "Which of the primed pages those keys match (each page's `Surrogate-Key` as "
            "Varnish served it before the publish, matched as the VCL's ban does):",
            "",
            "| pages | primed | matched | share |",
            "|---|---:|---:|---:|",
        ]
        for name, (hit, of) in matched(primed, keys[0]).items():
            lines.append(f"| {name} | {of:,} | {hit:,} | {hit / of:.0%} |")
    lines.append("")
    text = "\n".join(lines)
    print(text)
    Path(options.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
