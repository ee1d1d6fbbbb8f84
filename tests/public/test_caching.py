"""Pages are computed once per version of the archive, and never served stale after a write.

Every test here runs twice: with the default local-memory cache and with Redis.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import socket

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from factories import make_meeting, make_official

from engagements.models import ArchiveVersion, Meeting, Official
from engagements.upkeep import version as archive_version

# Each pytest-xdist worker a Redis database of its own: the cache's clear() below empties
# the whole database (FLUSHDB), whatever the key prefix, and so emptied the other worker's
# cached pages in the middle of its test (a query count that failed now and then). Not
# databases 0, 3 and 13: the two-instance tests' and the benchmarks'.
_WORKER_DATABASES = (15, 14, 12, 11, 10, 9, 8, 7)
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("TEST_REDIS_URL") or (
    f"redis://127.0.0.1:6379/{_WORKER_DATABASES[_WORKER % len(_WORKER_DATABASES)]}"
)


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(params=["locmem", "redis"], autouse=True)
def cache_backend(request, settings):
    if request.param == "redis":
        if not redis_is_up():
            if os.environ.get("CI"):
                pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": f"test-{os.getpid()}",
            }
        }
    caches["default"].clear()
    yield request.param
    caches["default"].clear()


@pytest.fixture
def visitor():
    return Client()


def queries(client: Client, url: str, method: str = "GET", **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method.lower())(url, headers=headers)
    return response, len(ctx.captured_queries)


def test_a_repeat_visit_is_served_from_the_cache(visitor, seed_like):
    first, computed = queries(visitor, "/meetings/")
    again, cached = queries(visitor, "/meetings/")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert computed > 5
    assert cached == 1  # the archive's version
    # The cached copy carries the security headers of the first.
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert again[header] == first[header]


def test_pages_say_how_to_revalidate(visitor, seed_like):
    response = visitor.get("/meetings/")
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "must-revalidate"} <= control


def test_cdn_max_age_is_offered_when_configured(seed_like, settings):
    settings.CDN_MAX_AGE = 120
    response = Client().get("/meetings/")
    assert "s-maxage=120" in response["Cache-Control"]


def test_a_repeat_visit_with_the_etag_gets_304(visitor, seed_like):
    etag = visitor.get("/meetings/")["ETag"]
    response, count = queries(visitor, "/meetings/", if_none_match=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert count == 1


def test_a_repeat_visit_with_the_date_gets_304(visitor, seed_like):
    last_modified = visitor.get("/meetings/")["Last-Modified"]
    response = visitor.get("/meetings/", headers={"if_modified_since": last_modified})
    assert response.status_code == 304


def test_a_stale_etag_gets_the_page(visitor, seed_like):
    response = visitor.get("/meetings/", headers={"if_none_match": '"not-this-one"'})
    assert response.status_code == 200


def test_a_revalidation_needs_neither_the_cache_nor_the_view(visitor, seed_like):
    etag = visitor.get("/meetings/")["ETag"]
    caches["default"].clear()  # the page is no longer cached anywhere
    response, count = queries(visitor, "/meetings/", if_none_match=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert "Accept-Encoding" in response["Vary"]
    assert count == 1


def test_browsers_get_a_gzipped_copy_with_its_own_etag(visitor, seed_like):
    plain = visitor.get("/meetings/")
    zipped, computed = queries(visitor, "/meetings/", accept_encoding="gzip, deflate, br")
    again, cached = queries(visitor, "/meetings/", accept_encoding="gzip, deflate, br")
    assert zipped["Content-Encoding"] == again["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert again.content == zipped.content  # compressed once, then replayed
    assert computed > cached == 1
    assert zipped["ETag"] != plain["ETag"]
    # Each ETag revalidates its own copy only.
    gzip_304 = visitor.get(
        "/meetings/", headers={"accept_encoding": "gzip", "if_none_match": zipped["ETag"]}
    )
    assert gzip_304.status_code == 304
    assert visitor.get("/meetings/", headers={"if_none_match": zipped["ETag"]}).status_code == 200


def test_an_etag_from_before_a_write_gets_the_new_page(visitor, seed_like):
    etag = visitor.get("/meetings/")["ETag"]
    rename(Official.objects.first(), "Somebody Else Entirely")
    response = visitor.get("/meetings/", headers={"if_none_match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def publish_draft(meeting: Meeting, staff_client) -> None:
    url = reverse("admin:engagements_meeting_changelist")
    staff_client.post(url, {"action": "publish", "_selected_action": [meeting.pk]})


WRITES = {
    "a draft published in the admin": lambda ctx: publish_draft(ctx["draft"], ctx["staff"]),
    "a title changed": lambda ctx: Meeting.objects.filter(pk=ctx["meeting"].pk).update(
        title="Retitled after the fact"
    ),
    "a readout deleted": lambda ctx: ctx["meeting"].delete(),
    "an official renamed": lambda ctx: rename(ctx["seed"]["hashmi"], "Khalil H. Hashmi"),
    "a topic added": lambda ctx: ctx["meeting"].topics.add("Late topic"),
    "a readout imported": lambda ctx: import_one(ctx["tmp_path"]),
}


def rename(official: Official, name: str) -> None:
    official.name = name
    official.save()


def import_one(tmp_path) -> None:
    record = {
        "id": "imported-late",
        "date": "2025-12-01",
        "title": "Imported after the page was cached",
        "kind": "bilateral meeting",
        "participants": [
            {"name": "New Envoy", "country": "PK", "role": "envoy"},
            {"name": "New Host", "country": "CN", "role": "counterpart"},
        ],
        "sources": [{"publisher": "Test Agency"}],
    }
    path = tmp_path / "late.jsonl"
    path.write_text(json.dumps(record) + "\n")
    call_command("import_readouts", str(path), verbosity=0)


@pytest.mark.parametrize("write", list(WRITES))
def test_no_page_is_stale_after_a_write(
    write, visitor, staff_client, seed_like, tmp_path, settings
):
    draft = make_meeting(
        "Draft readout about to be published",
        status=Meeting.Status.DRAFT,
        date=dt.date(2025, 11, 20),
        participants=[
            (seed_like["hashmi"], "envoy", "Ambassador"),
            (seed_like["liu"], "counterpart", "Minister"),
        ],
    )
    context = {
        "draft": draft,
        "staff": staff_client,
        "meeting": seed_like["meeting"],
        "seed": seed_like,
        "tmp_path": tmp_path,
    }
    pages = ["/", "/meetings/", "/countries/pk/", seed_like["hashmi"].get_absolute_url()]
    before = {url: visitor.get(url) for url in pages}
    assert all(r.status_code == 200 for r in before.values())
    version = archive_version.current()

    WRITES[write](context)

    assert archive_version.current().number > version.number
    after = {
        url: visitor.get(url, headers={"if_none_match": old["ETag"]}) for url, old in before.items()
    }
    settings.PAGE_CACHE = False
    for url, response in after.items():
        assert response.status_code != 304, f"{url} still 304 after {write}"
        fresh = visitor.get(url)
        assert response.status_code == fresh.status_code
        assert response.content == fresh.content, f"{url} stale after {write}"
    assert any(r.content != before[url].content for url, r in after.items())


def test_a_write_in_another_process_is_seen(visitor, seed_like):
    """The version lives in the database, so a write by any process invalidates every cache."""
    visitor.get("/meetings/")
    with connection.cursor() as cursor:  # as another server process would
        cursor.execute(
            "UPDATE engagements_archiveversion SET number = number + 1, changed_at = %s",
            [dt.datetime(2030, 1, 1, tzinfo=dt.UTC)],
        )
        cursor.execute("UPDATE engagements_meeting SET title = %s", ["Renamed elsewhere"])
    assert b"Renamed elsewhere" in visitor.get("/meetings/").content


def test_reimporting_unchanged_readouts_keeps_the_cache(visitor, seed_like, tmp_path):
    path = tmp_path / "export.jsonl"
    call_command("export_readouts", str(path), verbosity=0)
    version = archive_version.current()
    call_command("import_readouts", str(path), verbosity=0)
    assert archive_version.current() == version


def test_invalidate_cache_command(visitor, seed_like, capsys):
    visitor.get("/meetings/")
    version = archive_version.current()
    call_command("invalidate_cache")
    assert archive_version.current().number == version.number + 1
    assert "the cache is empty" in capsys.readouterr().out
    _response, count = queries(visitor, "/meetings/")
    assert count > 1


def test_the_version_row_comes_back_after_a_flush(db):
    ArchiveVersion.objects.all().delete()
    assert archive_version.current().number == 0
    make_meeting("Published after the flush")
    assert archive_version.current().number >= 1


DRAFT_WRITES = {
    "a draft saved": lambda ctx: ctx["draft"].save(),
    "a draft retitled by an update": lambda ctx: Meeting.objects.filter(pk=ctx["draft"].pk).update(
        title="Still a draft"
    ),
    "a draft's participant removed": lambda ctx: ctx["draft"].participations.first().delete(),
    "a draft's topic added": lambda ctx: ctx["draft"].topics.add("Only in a draft"),
    "an official only a draft names, renamed": lambda ctx: rename(ctx["newcomer"], "New Name"),
    "a draft deleted": lambda ctx: ctx["draft"].delete(),
}


@pytest.mark.parametrize("write", list(DRAFT_WRITES))
def test_a_draft_write_leaves_the_public_archive_version_alone(write, visitor, seed_like):
    """Nothing unpublished moves the version: not the cache, not any page's Last-Modified."""
    newcomer = make_official("Only In A Draft", country="CN")
    draft = make_meeting(
        "A draft nobody may see yet",
        status=Meeting.Status.DRAFT,
        participants=[(seed_like["hashmi"], "envoy", ""), (newcomer, "counterpart", "")],
    )
    first = visitor.get("/meetings/")
    version = archive_version.current()
    DRAFT_WRITES[write]({"draft": draft, "newcomer": newcomer})
    assert archive_version.current() == version
    again = visitor.get("/meetings/")
    assert again["Last-Modified"] == first["Last-Modified"] and again["ETag"] == first["ETag"]


def test_unpublishing_and_publishing_move_the_version(seed_like):
    meeting = seed_like["meeting"]
    version = archive_version.current().number
    meeting.status = Meeting.Status.DRAFT
    meeting.save()
    assert archive_version.current().number > version
    version = archive_version.current().number
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.PUBLISHED)
    assert archive_version.current().number > version


@pytest.mark.parametrize(
    "url", ["/meetings/?country=zz-not-a-code", "/countries/zz/", "/no-such-page/"]
)
def test_errors_are_not_cached(visitor, seed_like, url):
    first = visitor.get(url)
    assert first.status_code in {400, 404}
    assert "ETag" not in first
    _response, count = queries(visitor, url)
    assert count >= 1


def test_downloads_and_the_admin_are_not_cached(staff_client, seed_like):
    # A download is a file sent from disk (the whole archive, with its own validators) or
    # written for the request: never a copy in the page cache.
    export = staff_client.get("/meetings/export.csv")
    assert export.streaming and export["ETag"].endswith('.csv"')
    filtered = staff_client.get("/meetings/export.csv?country=pk")
    assert filtered.streaming and "ETag" not in filtered
    admin = staff_client.get(reverse("admin:engagements_meeting_changelist"))
    assert admin.status_code == 200 and "ETag" not in admin
    assert "private" in admin["Cache-Control"] or "no-cache" in admin["Cache-Control"]


def test_each_host_has_its_own_copy(seed_like):
    """Pages hold absolute links (the permalink): a copy for one host never serves another."""
    url = seed_like["meeting"].get_absolute_url()
    first = Client(headers={"host": "localhost"}).get(url)
    second = Client(headers={"host": "127.0.0.1"}).get(url)
    assert b"http://localhost/" in first.content
    assert b"http://127.0.0.1/" in second.content


def test_a_host_not_allowed_is_refused_even_when_cached(visitor, seed_like):
    visitor.get("/meetings/")
    assert Client(headers={"host": "evil.example"}).get("/meetings/").status_code == 400


def test_head_requests_work(visitor, seed_like):
    visitor.get("/meetings/")
    assert visitor.head("/meetings/").status_code == 200


def test_head_is_answered_from_the_cache_like_get(visitor, seed_like):
    page = visitor.get("/topics/")
    head, count = queries(visitor, "/topics/", method="HEAD")
    assert count <= 1  # the archive's version; the page from the cache
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == page["ETag"] and head["Content-Length"] == str(len(page.content))
    fresh = Client().head("/officials/")  # a HEAD first: computed once, then cached
    assert fresh.status_code == 200 and fresh.content == b""
    _again, count = queries(Client(), "/officials/")
    assert count <= 1


@pytest.mark.parametrize(
    ("asked", "served"),
    [
        ("/meetings/?junk=1", "/meetings/"),
        ("/meetings/?utm_source=x&country=pk&junk=2&page=2", "/meetings/?country=pk&page=2"),
        ("/topics/?sort=count&x=", "/topics/?sort=count"),
    ],
)
def test_parameters_no_page_reads_are_dropped_before_anything_is_cached(
    visitor, seed_like, asked, served
):
    response = visitor.get(asked)
    assert response.status_code == 301 and response["Location"] == served


def test_junk_parameters_add_nothing_to_the_cache(seed_like, cache_backend):
    if cache_backend != "locmem":
        pytest.skip("counted in the in-process cache")
    visitor = Client()
    visitor.get("/meetings/")
    entries = len(caches["default"]._cache)
    for n in range(50):
        assert visitor.get("/meetings/", {"junk": n}).status_code == 301
        assert visitor.head("/meetings/", {"junk": n}).status_code == 301
    assert len(caches["default"]._cache) == entries


def test_page_cache_can_be_turned_off(visitor, seed_like, settings):
    settings.PAGE_CACHE = False
    queries(visitor, "/meetings/")
    _response, count = queries(visitor, "/meetings/")
    assert count > 1


def test_a_cache_that_is_down_does_not_take_the_site_down(seed_like):
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
        }
    }
    with override_settings(CACHES=down):
        pages = ["/", "/meetings/", "/countries/pk/", seed_like["meeting"].get_absolute_url()]
        # A search most relevant first keeps the archive's statistics in the cache too.
        pages += ["/meetings/?q=courtesy", "/meetings/?q=courtesy+call&sort=relevance"]
        for url in pages:
            assert Client().get(url).status_code == 200, url
