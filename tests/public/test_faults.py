"""Faults: a database that goes away, statements past their time limit."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.test import Client
from servers import PG_BIN, as_postgres, free_port

from engagements.public import faults

ROOT = Path(__file__).resolve().parents[2]

# A statement that takes seconds on either database, unless something stops it.
SLOW_SQL = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) "
    "SELECT count(*) FROM n"
)


def test_a_statement_past_the_limit_is_stopped(db, settings):
    settings.STATEMENT_TIMEOUT_MS = 100
    if connection.vendor == "postgresql":
        # On PostgreSQL the limit is a connection option; this connection was opened
        # with settings' value (20 s), so the test asks for its own, shorter one.
        options = connection.settings_dict["OPTIONS"]["options"]
        assert options == "-c jit=off -c statement_timeout=20000"
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "20s"
            cursor.execute("SET statement_timeout = 100")
    started = time.monotonic()
    with pytest.raises(OperationalError) as caught, connection.cursor() as cursor:
        cursor.execute(SLOW_SQL)
    assert time.monotonic() - started < 2
    assert faults.timed_out(caught.value)


def test_other_database_errors_are_not_timeouts(db):
    with pytest.raises(DatabaseError) as caught, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_here")
    assert not faults.timed_out(caught.value)


def test_management_commands_have_no_time_limit():
    code = "from django.conf import settings; print(settings.STATEMENT_TIMEOUT_MS)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "archive.settings", "DEBUG": "true"}
    shell = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shell.stdout.strip() == "0"
    served = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**env, "STATEMENT_TIMEOUT_MS": "2500"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert served.stdout.strip() == "2500"


@pytest.fixture
def slow_first_facet_query(settings):
    """Run a slow statement ahead of the page's facet counting (a grouping, or the read of
    its readouts' facet keys): the page overruns."""
    settings.STATEMENT_TIMEOUT_MS = 100

    def slow_down(execute, sql, params, many, context):
        if "GROUP BY" in sql or "facet_keys" in sql:
            if connection.vendor == "postgresql":
                context["cursor"].execute("SET statement_timeout = 100")
            context["cursor"].execute(SLOW_SQL)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(slow_down):
        yield


def test_a_page_past_the_limit_says_so(seed_like, slow_first_facet_query):
    visitor = Client(raise_request_exception=False)
    started = time.monotonic()
    # A country and a kind: a list whose facets are counted, not read from the kept counts.
    response = visitor.get("/meetings/?country=pk&kind=courtesy+call")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response["Retry-After"] == str(faults.RETRY_AFTER_SECONDS)
    assert "took too long" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_many_quick_statements_cannot_add_up_to_a_hang(seed_like, settings):
    """Each statement is quick, but the request's budget runs out: the next one is refused."""
    settings.STATEMENT_TIMEOUT_MS = 60
    statements = []

    def slow_network(execute, sql, params, many, context):
        statements.append(sql)
        time.sleep(0.025)  # a slow database or network: wall time counts, not only SQL's
        return execute(sql, params, many, context)

    visitor = Client(raise_request_exception=False)
    with connection.execute_wrapper(slow_network):
        response = visitor.get("/meetings/")
    assert response.status_code == 503
    assert "took too long" in response.content.decode()
    assert len(statements) <= 4  # stopped early, not after the page's ten


def test_a_request_within_its_budget_is_untouched(seed_like, settings):
    settings.STATEMENT_TIMEOUT_MS = 10_000
    assert Client().get("/meetings/").status_code == 200


def test_other_errors_still_get_the_500_page(db):
    from django.test import RequestFactory

    try:
        raise ValueError("not a database problem")
    except ValueError:
        response = faults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500


# -- a real PostgreSQL that goes down and comes back ---------------------------------------


def _get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 (127.0.0.1)
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def throwaway_cluster():
    if not (PG_BIN / "initdb").exists() or (os.geteuid() == 0 and not shutil.which("runuser")):
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL's initdb is needed in {PG_BIN} (Debian's postgresql-15)")
        pytest.skip(f"no PostgreSQL server binaries in {PG_BIN}")
    home = Path(tempfile.mkdtemp(prefix="archive-pg-"))
    shutil.chown(home, "postgres") if os.geteuid() == 0 else None
    data, port = home / "data", free_port()
    subprocess.run(
        as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"

    def pg_ctl(*args: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-o", options, *args]
        subprocess.run(as_postgres(*command), check=True, capture_output=True)

    pg_ctl("-l", str(home / "log"), "start")
    try:
        yield port, pg_ctl
    finally:
        subprocess.run(
            as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
            capture_output=True,
        )
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.slow
def test_pages_answer_503_while_the_database_is_down_and_recover(throwaway_cluster):
    port, pg_ctl = throwaway_cluster
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/postgres",
        "DEBUG": "false",
        "SECRET_KEY": "a-test-secret-key-that-is-long-and-random-enough-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_HTTPS": "false",
        "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "archive-faults-static"),
        "WHITENOISE_USE_FINDERS": "true",
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_fixtures"], cwd=ROOT, env=env, check=True, capture_output=True)
    web = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "archive.wsgi",
            "--bind",
            f"127.0.0.1:{web}",
            "--workers",
            "1",
            "--log-level",
            "critical",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    pages = ["/", "/meetings/", "/topics/", "/officials/", "/countries/pk/"]
    try:
        for _ in range(100):
            try:
                if _get(f"http://127.0.0.1:{web}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        for page in pages:
            assert _get(f"http://127.0.0.1:{web}{page}")[0] == 200, page

        pg_ctl("-m", "immediate", "stop")
        for page in pages:
            status, headers, body = _get(f"http://127.0.0.1:{web}{page}?down=1")
            assert status == 503, page
            assert headers["Retry-After"] == str(faults.RETRY_AFTER_SECONDS)
            assert "Temporarily unavailable" in body
            assert "Traceback" not in body and "OperationalError" not in body
        assert _get(f"http://127.0.0.1:{web}/healthz")[0] == 200  # the process lives on

        pg_ctl("-l", "/dev/null", "start")
        for page in pages:
            assert _get(f"http://127.0.0.1:{web}{page}?up=1")[0] == 200, page
    finally:
        server.terminate()
        server.wait(timeout=20)


# -- downloads that are slow, many, or never read --------------------------------------------


@pytest.fixture(scope="module")
def served_archive(tmp_path_factory):
    """gunicorn as the README deploys it (archive/gunicorn.conf.py), over an SQLite archive
    of 6,000 sample readouts whose whole-archive files are larger than the socket buffers.

    What these tests check is the server's (its workers, its files), whatever database
    the suite runs on: they run in the SQLite pass only, not again on PostgreSQL."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the server's behaviour, checked once, in the SQLite pass")
    home = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": "a-test-secret-key-that-is-long-and-random-enough-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_HTTPS": "false",
        "STATIC_ROOT": str(home / "static"),
        "WHITENOISE_USE_FINDERS": "true",
        "DUMP_DIR": str(home / "dumps"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "2",
    }
    for name in ("REDIS_URL", "DUMPS_IN_BACKGROUND", "WEB_THREADS", "WEB_TIMEOUT",
                 "TRUST_X_FORWARDED_PROTO", "FORWARDED_ALLOW_IPS"):  # fmt: skip
        env.pop(name, None)
    manage = [sys.executable, "manage.py"]
    sample = home / "sample.jsonl"
    for command in (
        ["migrate", "-v0"],
        ["make_sample_readouts", "--count", "6000", str(sample)],
        ["import_readouts", str(sample)],  # builds the whole archive's files as it ends
    ):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [
            *(str(Path(sys.executable).parent / "gunicorn"), "-c", "archive/gunicorn.conf.py"),
            *("archive.wsgi", "--log-level", "critical"),
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield base, port, home
    finally:
        server.terminate()
        server.wait(timeout=30)


def _never_reading(port: int, path: str) -> socket.socket:
    """A client that asks for a download and then reads nothing, keeping the connection."""
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", port))
    client.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return client


def _timed(url: str) -> tuple[int, float]:
    started = time.monotonic()
    status = _get(url)[0]
    return status, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.xdist_group("served-archive")
def test_clients_that_never_read_a_download_do_not_hold_the_site(served_archive):
    base, port, home = served_archive
    assert (home / "dumps" / "engagement-archive.jsonl").stat().st_size > 5_000_000
    stuck = [
        _never_reading(port, "/meetings/export.jsonl"),
        _never_reading(port, "/meetings/export.csv"),
        _never_reading(port, "/meetings/export.jsonl"),
    ]
    try:
        time.sleep(1)  # the server is now blocked writing to them
        for page in ["/", "/meetings/", "/topics/", "/meetings/?q=trade", "/countries/"]:
            status, seconds = _timed(base + page)
            assert status == 200 and seconds < 10, (page, status, seconds)
    finally:
        for client in stuck:
            client.close()


@pytest.mark.slow
@pytest.mark.xdist_group("served-archive")
def test_parallel_downloads_of_the_whole_archive_are_files_not_work(served_archive):
    base, _port, home = served_archive
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        downloads = [pool.submit(_get, f"{base}/meetings/export.{f}") for f in ["csv", "jsonl"] * 2]
        status, seconds = _timed(base + "/meetings/")
        results = [d.result(timeout=60) for d in downloads]
    assert status == 200 and seconds < 10
    sizes = {len(body.encode()) for _status, _headers, body in results}
    expected = {
        (home / "dumps" / f"engagement-archive.{f}").stat().st_size for f in ["csv", "jsonl"]
    }
    assert all(r[0] == 200 for r in results) and sizes == expected
    headers = results[0][1]
    assert int(headers["Content-Length"]) in expected and headers["ETag"]


@pytest.mark.slow
@pytest.mark.xdist_group("served-archive")
def test_a_kept_alive_connection_is_closed_after_its_response(served_archive):
    """gunicorn.conf.py: a connection kept alive stays with the process that accepted it,
    and a proxy's pool of them gathered on one process while the other idled; each
    request on a connection of its own is accepted by a process with a free thread."""
    _base, port, _home = served_archive
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", "/meetings/", headers={"Connection": "keep-alive"})
        response = connection.getresponse()
        assert response.status == 200 and b"</html>" in response.read()
        assert response.getheader("Connection", "").lower() == "close"
        assert response.will_close
    finally:
        connection.close()


@pytest.mark.slow
@pytest.mark.xdist_group("served-archive")
def test_absolute_links_ignore_forwarded_proto_unless_trusted(served_archive):
    base, _port, _home = served_archive
    request = urllib.request.Request(  # noqa: S310 (127.0.0.1)
        f"{base}/meetings/feed/", headers={"X-Forwarded-Proto": "https"}
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (127.0.0.1)
        feed = response.read().decode()
    assert "https://127.0.0.1" not in feed and "http://127.0.0.1" in feed
