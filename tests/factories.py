"""Factories for every record: plain functions over the ORM (no factory library needed).

Each takes keyword overrides and fills the rest with valid, distinct values. Tests import
them from here (`from factories import make_meeting`); fixtures live in conftest.py.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django import forms
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from engagements.models import (
    Country,
    Meeting,
    Official,
    Organization,
    Participation,
    Source,
    Topic,
)
from engagements.upkeep import derived

_seq = itertools.count(1)


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
    topics: list[str | Topic] | None = None,
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
    # Its derived state once, at the end (as the importer does), not once per part.
    with derived.paused():
        Participation.objects.bulk_create(
            Participation(meeting=meeting, official=official, role=role, title=office, order=order)
            for order, (official, role, office) in enumerate(participants or [])
        )
        if topics:
            meeting.topics.set(topics)
            # In the order given, main subjects first, as the importer numbers them.
            names = [getattr(topic, "name", topic) for topic in topics]  # names or topics
            place = {name.casefold(): i for i, name in enumerate(names)}
            for pk, name in meeting.topic_links.values_list("pk", "tag__name"):
                meeting.topic_links.filter(pk=pk).update(order=place[name.casefold()])
        for order, source in enumerate(sources or [{"publisher": "Test Agency"}]):
            Source.objects.create(meeting=meeting, order=order, **source)
    derived.refresh([meeting.pk])
    return meeting


def make_organization(name: str = "Ministry of Foreign Affairs", **fields) -> Organization:
    return Organization.objects.create(name=name, **fields)


ADD_URL = "/admin/engagements/meeting/add/"


def change_form_data(page) -> dict:
    """An admin change form's fields as a browser would post them back unchanged."""
    data = {}
    for form in [page.context["adminform"].form, *page.context["inline_admin_formsets"]]:
        if hasattr(form, "formset"):
            formset = form.formset
            data.update(
                {
                    f"{formset.prefix}-{key}": value
                    for key, value in formset.management_form.initial.items()
                }
            )
            bound = formset.forms
        else:
            bound = [form]
        for each in bound:
            for name in each.fields:
                value = each[name].value()
                if value is None or value is False:
                    continue
                widget = each[name].field.widget
                if isinstance(value, list) and isinstance(widget, forms.TextInput):
                    value = widget.format_value(value)  # shown as text (the readout's topics)
                if isinstance(value, list | tuple):
                    value = [str(v) for v in value]
                data[each.add_prefix(name)] = value if isinstance(value, list) else str(value)
    return data


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
        # Offered once the readout exists (the change form); the add form ignores it.
        **inline_management("account_titles", 0),
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


def staff_in(role: str, django_user_model, client=None, name: str | None = None):
    """A client signed in as a staff member in `role` (roles.CONTRIBUTOR or roles.EDITOR)."""
    client = client or Client()
    user = django_user_model.objects.create_user(
        name or role.lower(), f"{(name or role).lower()}@example.org", "pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client
