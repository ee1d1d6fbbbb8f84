"""Shared fixtures: factories for every record, and static files collected once.

Factories are plain functions over the ORM (no factory library needed): each takes
keyword overrides and fills the rest with valid, distinct values.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from engagements import derived
from engagements.models import (
    Country,
    Meeting,
    Official,
    Organization,
    Participation,
    Source,
    Topic,
)

_seq = itertools.count(1)


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


def make_country(code: str = "PK", **fields) -> Country:
    country = Country.for_code(code)
    if fields:
        Country.objects.filter(pk=country.pk).update(**fields)
        country.refresh_from_db()
    return country


def make_official(name: str | None = None, *, country: Country | str = "PK", **fields) -> Official:
    if isinstance(country, str):
        country = make_country(country)
    return Official.objects.create(name=name or f"Official {next(_seq)}", country=country, **fields)


def make_topic(name: str | None = None, **fields) -> Topic:
    name = name or f"topic {next(_seq)}"
    topic, _ = Topic.objects.get_or_create(name=name, defaults=fields)
    return topic


def make_meeting(
    title: str | None = None,
    *,
    date: dt.date = dt.date(2025, 11, 11),
    status: str = Meeting.Status.PUBLISHED,
    location: str | None = "CN",
    city: str = "Beijing",
    participants: list[tuple[Official, str, str]] | None = None,
    topics: list[str] | None = None,
    sources: list[dict] | None = None,
    **fields,
) -> Meeting:
    """A meeting with its participants (official, role, title), topics and sources."""
    meeting = Meeting.objects.create(
        title=title or f"Meeting {next(_seq)}",
        date=date,
        status=status,
        city=city,
        location_country=make_country(location) if location else None,
        **fields,
    )
    for order, (official, role, office) in enumerate(participants or []):
        Participation.objects.create(
            meeting=meeting, official=official, role=role, title=office, order=order
        )
    if topics:
        meeting.topics.set(topics)
    for order, source in enumerate(sources or [{"publisher": "Test Agency"}]):
        Source.objects.create(meeting=meeting, order=order, **source)
    derived.refresh([meeting.pk])
    return meeting


def make_organization(name: str = "Ministry of Foreign Affairs", **fields) -> Organization:
    return Organization.objects.create(name=name, **fields)


ADD_URL = "/admin/engagements/meeting/add/"


def inline_management(prefix: str, total: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def readout_form(*, envoy: Official, counterpart: Official, status: str = "published") -> dict:
    cn = make_country("CN")
    return {
        "title": "Ambassador calls on the Minister",
        "slug": "ambassador-calls-on-the-minister",
        "date": "2025-11-11",
        "kind": "courtesy call",
        "city": "Beijing",
        "location_country": str(cn.pk),
        "summary": "A courtesy call.",
        "body": "The Ambassador paid a **courtesy call**.",
        "topics": "CPEC 2.0, youth exchanges, think-tank cooperation",
        "status": status,
        **inline_management("participations", 2),
        "participations-0-order": "0",
        "participations-0-role": "envoy",
        "participations-0-official": str(envoy.pk),
        "participations-0-title": "Ambassador of Pakistan to China",
        "participations-1-order": "1",
        "participations-1-role": "counterpart",
        "participations-1-official": str(counterpart.pk),
        "participations-1-title": "Minister of the IDCPC",
        **inline_management("sources", 1),
        "sources-0-order": "0",
        "sources-0-publisher": "DNA news agency",
        "sources-0-url": "https://example.org/readout",
        "sources-0-published": "2025-11-11",
    }


def refuse_inserts(table: str) -> None:
    """Make the database refuse any new row of `table`, as a crash half way through would."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER {table}_fail BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
            )
        else:
            cursor.execute(
                f"CREATE FUNCTION {table}_fail() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'disk on fire'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER {table}_fail BEFORE INSERT ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_fail()"
            )


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


def staff_in(role: str, django_user_model, client=None, name: str | None = None):
    """A client signed in as a staff member in `role` (roles.CONTRIBUTOR or roles.EDITOR)."""
    from django.contrib.auth.models import Group
    from django.test import Client

    client = client or Client()
    user = django_user_model.objects.create_user(
        name or role.lower(), f"{(name or role).lower()}@example.org", "pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-editor-1")
    client.force_login(user)
    return client
