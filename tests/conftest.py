"""Shared fixtures: static files collected once, a folder and an empty cache per test,
small archives to test against, signed-in staff. The factories are in factories.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from factories import make_meeting, make_official

from engagements.models import (
    Meeting,
)


def pytest_configure(config) -> None:
    # Full-strength password hashing makes every sign-in in a test take a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Pages link hashed static names (whitenoise's manifest): collect once, as a deploy does."""
    root = tmp_path_factory.mktemp("static")
    settings.STATIC_ROOT = root
    call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture(autouse=True)
def dump_dir(settings, tmp_path):
    """Each test's downloads of the whole archive are built in a folder of its own."""
    settings.DUMP_DIR = tmp_path / "dumps"
    return settings.DUMP_DIR


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, so that no test is served another's pages.

    (A test's writes are rolled back, version bumps included; the version's timestamp
    keeps the keys apart anyway, but an empty cache makes each test's query counts its own.)
    """
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed_like(db):
    """The seed readout's shape: Pakistan's ambassador calls on the IDCPC minister in Beijing."""
    hashmi = make_official("Khalil Hashmi", country="PK")
    liu = make_official("Liu Haixing", country="CN", aliases="刘海星")
    meeting = make_meeting(
        "Ambassador of Pakistan pays courtesy call on IDCPC Minister",
        kind=Meeting.Kind.COURTESY_CALL,
        participants=[
            (hashmi, "envoy", "Ambassador of Pakistan to China"),
            (liu, "counterpart", "Minister of the International Department of the CPC"),
        ],
        topics=["CPEC 2.0", "5E framework"],
        summary="A courtesy call in Beijing.",
        body="The Ambassador paid a **courtesy call** today.",
        sources=[{"publisher": "DNA news agency", "published": dt.date(2025, 11, 11)}],
    )
    return {"meeting": meeting, "hashmi": hashmi, "liu": liu}


@pytest.fixture
def many_meetings(db):
    """Return a function that adds n published meetings (PK, CN, a topic each) for count tests."""

    def build(n: int, *, start: dt.date = dt.date(2020, 1, 1)) -> list[Meeting]:
        pk_official = make_official(country="PK")
        cn_official = make_official(country="CN")
        return [
            make_meeting(
                date=start + dt.timedelta(days=i),
                participants=[
                    (pk_official, "envoy", "Ambassador"),
                    (cn_official, "counterpart", "Minister"),
                ],
                topics=[f"theme {i % 7}", "trade"],
            )
            for i in range(n)
        ]

    return build


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-editor-1")
    client.force_login(user)
    return client
