"""Property-based fuzzing of every public URL: generated paths and query strings never 500.

Each case is a GET through the test client against the real database holding a small
archive (the seed-like readouts). The default run sends FUZZ_CASES cases in all (2,000,
split between query strings and path segments); `make fuzz` sends ten times as many.
A case must answer below 500 within MAX_SECONDS.
"""

from __future__ import annotations

import os
import re
import time
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

FUZZ_CASES = int(os.environ.get("FUZZ_CASES", "2000"))
MAX_SECONDS = 2.0

# What visitors and attackers put in URLs, beyond random text.
NASTY = [
    "",
    "\x00",
    "a\x00b",
    '"',
    '"unbalanced',
    "'",
    "\\",
    "%",
    "_",
    "%_%",
    "-",
    "--",
    "or",
    "OR",
    "and",
    "-or -",
    '"" ""',
    "*",
    "NEAR(a b)",
    "a:b",
    "^",
    "()",
    "((((",
    "1' OR '1'='1",
    "'; DROP TABLE engagements_meeting; --",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "../../etc/passwd",
    "%00",
    "%25",
    "9" * 40,
    "-1",
    "talks -19",  # an excluded whole number: a 500 on PostgreSQL once
    "COVID-19 -2.0 U.S.A. -.5",
    "0",
    "2025-13-45",
    "0000-00-00",
    "99999-01-01",
    "x" * 10_000,
    "刘海星",
    "\u202e\u200b",
    "pk",
    "cn",
    "cpec",
    "khalil-hashmi",
]
KEYS = [
    "q",
    "country",
    "official",
    "topic",
    "kind",
    "from",
    "to",
    "sort",
    "page",
    "letter",
    "format",
    "year",
    "utm_source",
    "",
]

values = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))
query_strings = st.lists(
    st.tuples(st.one_of(st.sampled_from(KEYS), st.text(max_size=20)), values), max_size=12
).map(lambda pairs: urlencode(pairs))
# Every filter repeated many times: the caps must answer, not the database.
repeated = st.tuples(st.sampled_from(KEYS), values, st.integers(1, 500)).map(
    lambda t: urlencode([(t[0], t[1])] * t[2])
)


def public_routes() -> list[str]:
    """Every URL pattern of the public site, as a route with <placeholders>."""
    routes = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if "admin" not in route:
                    walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                routes.append(route)

    walk(get_resolver().url_patterns, "/")
    return routes


ROUTES = public_routes()


def fill(route: str, segments: list[str]) -> str:
    parts = iter(segments)
    return re.sub(r"<[^>]+>", lambda _m: quote(next(parts, "x"), safe=""), route)


def plausible(route: str) -> str:
    """The route with believable values, so query-string cases reach the views."""
    examples = {
        "year": "2025",
        "month": "11",
        "day": "11",
        "code": "pk",
        "code_a": "cn",
        "code_b": "pk",
        "section": "meetings",
    }
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: examples.get(m.group(1), "khalil-hashmi"), route)


def check(client: Client, url: str) -> None:
    started = time.monotonic()
    response = client.get(url)
    elapsed = time.monotonic() - started
    assert response.status_code < 500, f"{url!r} answered {response.status_code}"
    assert elapsed < MAX_SECONDS, f"{url!r} took {elapsed:.1f} s"


def test_every_public_route_is_fuzzed():
    assert len(ROUTES) >= 20
    assert all("admin" not in route for route in ROUTES)


def fuzz(share: float) -> settings:
    return settings(
        max_examples=int(FUZZ_CASES * share),
        deadline=None,  # timed in check(), against MAX_SECONDS
        # The fixture's archive is only read: sharing it between cases is what we want.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )


@pytest.fixture
def visitor(seed_like):
    return Client(raise_request_exception=False)


@fuzz(0.6)
@given(route=st.sampled_from(ROUTES), query=st.one_of(query_strings, repeated))
def test_query_strings(visitor, route, query):
    check(visitor, f"{plausible(route)}?{query}")


@fuzz(0.4)
@given(route=st.sampled_from(ROUTES), segments=st.lists(values, min_size=1, max_size=5))
def test_path_segments(visitor, route, segments):
    check(visitor, fill(route, segments))
