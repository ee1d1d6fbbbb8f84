"""Two app servers, one database, one Redis, for real: two gunicorn instances started on
loopback against one archive, as docs/deploying.md draws it. A publication through one is
on the other's next answer (the version lives in the database, the pages in the shared
cache); a session begun on one is good on the other; a sign-in lockout on one holds on the
other.

Skipped with one line where Redis does not answer; failed under CI, which starts it.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from servers import deployed_env, start_site

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("instances")]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-test-password-for-the-editor"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Browser:
    """A visitor with cookies, against one instance or another."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, url: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(url))  # noqa: S310 (loopback)

    def post(self, url: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        return self._open(urllib.request.Request(url, data=body))  # noqa: S310

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self, url: str) -> str:
        status, html = self.get(url)
        assert status == 200, (url, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def sign_in(self, site: str, username: str, password: str) -> int:
        token = self.csrf(f"{site}/admin/login/")
        data = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        return self.post(f"{site}/admin/login/?next=/admin/", data)[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to look at, not to follow


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    if not _redis_answers():
        if os.environ.get("CI"):
            pytest.fail("Redis does not answer on 127.0.0.1:6379")
        pytest.skip("two-instance tests skipped: Redis does not answer on 127.0.0.1:6379")
    home = tmp_path_factory.mktemp("instances")
    with _archive_database(home) as database_url:
        yield from _serve(home, database_url)


@contextlib.contextmanager
def _archive_database(home: Path):
    """The suite's engine: a file for SQLite, a throwaway database on PostgreSQL's server."""
    suite = os.environ.get("DATABASE_URL", "")
    if not suite.startswith("postgres"):
        yield f"sqlite:///{home / 'archive.sqlite3'}"
        return
    import psycopg

    name = f"archive_instances_{uuid.uuid4().hex[:8]}"
    server = urllib.parse.urlsplit(suite)
    with psycopg.connect(suite, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(suite, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _serve(home: Path, database_url: str):
    env = deployed_env(
        home,
        database_url,
        REDIS_URL="redis://127.0.0.1:6379/0",
        CACHE_KEY_PREFIX=f"instances-{uuid.uuid4().hex[:8]}",  # this run's keys alone
        AXES_FAILURE_LIMIT="3",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "-v0"],
        ["load_fixtures"],
        ["createsuperuser", "--noinput", "--username", "editor", "--email", "e@example.org"],
        # Locked out in the last test, whatever the order the tests run in.
        ["createsuperuser", "--noinput", "--username", "reviewer", "--email", "r@example.org"],
    ):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    found = subprocess.run(
        [*manage, "shell", "-c", (
            "import json; from engagements.models import Meeting; "
            "m = Meeting.objects.published().get(external_id='seed-2025-11-11-pakistan-idcpc'); "
            "print(json.dumps({'pk': m.pk, 'url': m.get_absolute_url(), 'title': m.title, "
            "'topic': m.topics.order_by('name').first().slug}))"
        )],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    seed = json.loads(found.stdout.strip().splitlines()[-1])
    servers, sites = [], []
    try:
        for _ in range(2):
            process, site = start_site(env, ROOT)
            servers.append(process)
            sites.append(site)
        yield sites, seed
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=15)


def _act(browser: Browser, site: str, action: str, pk: int) -> None:
    changelist = f"{site}/admin/engagements/meeting/"
    token = browser.csrf(changelist)
    status, _ = browser.post(
        changelist,
        {"csrfmiddlewaretoken": token, "action": action, "_selected_action": [pk], "index": 0},
    )
    assert status == 302, (action, status)


def test_a_publication_on_one_server_is_on_the_others_next_answer(two_servers):
    (a, b), seed = two_servers
    visitor, editor = Browser(), Browser()
    topic_page = f"{b}/topics/{seed['topic']}/"
    for _ in range(2):  # the second from the shared cache
        status, html = visitor.get(topic_page)
        assert status == 200 and seed["title"] in html
    assert editor.sign_in(a, "editor", PASSWORD) == 302

    _act(editor, a, "unpublish", seed["pk"])
    assert seed["title"] not in visitor.get(topic_page)[1]
    assert visitor.get(f"{b}{seed['url']}")[0] == 404

    _act(editor, a, "publish", seed["pk"])
    assert seed["title"] in visitor.get(topic_page)[1]
    assert visitor.get(f"{b}{seed['url']}")[0] == 200


def test_a_session_begun_on_one_server_is_good_on_the_other(two_servers):
    (a, b), _ = two_servers
    editor = Browser()
    assert editor.get(f"{b}/admin/")[0] == 302  # to the sign-in page
    assert editor.sign_in(a, "editor", PASSWORD) == 302
    status, html = editor.get(f"{b}/admin/")
    assert status == 200 and "Log out" in html


def test_a_lockout_on_one_server_holds_on_the_other(two_servers):
    (a, b), _ = two_servers
    intruder = Browser()
    for _ in range(3):  # AXES_FAILURE_LIMIT
        intruder.sign_in(a, "reviewer", "wrong")
    assert Browser().sign_in(b, "reviewer", PASSWORD) == 429  # the right password, elsewhere
    assert Browser().sign_in(b, "editor", PASSWORD) == 302  # the lockout is the username's
