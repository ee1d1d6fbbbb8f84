"""The list filters: they combine, paginate, show chips, and refuse malformed input with 400."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from factories import make_meeting, make_official
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from engagements.models import Meeting, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """Six published meetings and one draft, across PK, CN, IN, US and a venue-only CH."""
    hashmi = make_official("Khalil Hashmi", country="PK")
    liu = make_official("Liu Haixing", country="CN")
    wang = make_official("Wang Yi", country="CN")
    singh = make_official("Arjun Singh", country="IN")
    doe = make_official("Jane Doe", country="US")
    m = {
        "beijing": make_meeting(
            "Hashmi calls on Liu in Beijing",
            date=dt.date(2025, 11, 11),
            location="CN",
            kind=Meeting.Kind.COURTESY_CALL,
            participants=[(hashmi, "envoy", "Ambassador"), (liu, "counterpart", "Minister")],
            topics=["CPEC", "Trade"],
        ),
        "islamabad": make_meeting(
            "Wang Yi visits Islamabad",
            date=dt.date(2025, 6, 15),
            location="PK",
            city="Islamabad",
            kind=Meeting.Kind.OFFICIAL_VISIT,
            participants=[(wang, "counterpart", "Foreign Minister"), (hashmi, "envoy", "FS")],
            topics=["CPEC"],
        ),
        "delhi": make_meeting(
            "Singh receives Doe in New Delhi",
            date=dt.date(2024, 3, 10),
            location="IN",
            city="New Delhi",
            kind=Meeting.Kind.BILATERAL_MEETING,
            participants=[(singh, "counterpart", "Minister"), (doe, "envoy", "Secretary")],
            topics=["Trade"],
        ),
        "phone": make_meeting(
            "Liu and Singh speak by telephone",
            date=dt.date(2024, 12, 31),
            location=None,
            city="",
            kind=Meeting.Kind.TELEPHONE_CALL,
            participants=[(liu, "counterpart", "Minister"), (singh, "counterpart", "Minister")],
            topics=["Trade", "Climate"],
        ),
        "washington": make_meeting(
            "Doe hosts a climate meeting",
            date=dt.date(2025, 1, 1),
            location="US",
            city="Washington",
            kind=Meeting.Kind.MEETING,
            participants=[(doe, "counterpart", "Secretary")],
            topics=["Climate"],
        ),
        "geneva": make_meeting(
            "Hashmi and Singh meet in Geneva",
            date=dt.date(2025, 2, 20),
            location="CH",
            city="Geneva",
            kind=Meeting.Kind.BILATERAL_MEETING,
            participants=[(hashmi, "envoy", "Ambassador"), (singh, "counterpart", "Minister")],
            topics=["Trade"],
        ),
        "draft": make_meeting(
            "Draft: Hashmi and Liu again",
            date=dt.date(2025, 11, 12),
            status=Meeting.Status.DRAFT,
            location="CN",
            kind=Meeting.Kind.COURTESY_CALL,
            participants=[(hashmi, "envoy", "Ambassador"), (liu, "counterpart", "Minister")],
            topics=["CPEC", "Trade"],
        ),
    }
    return m


def topic(name: str) -> str:
    return Topic.objects.get(name=name).slug


def shown(client, world, url: str, *, status: int = 200) -> list[str]:
    """The world's meeting keys listed at `url`, in page order."""
    response = client.get(url)
    assert response.status_code == status, f"{url} answered {response.status_code}"
    html = response.content.decode()
    found = [(html.index(f">{m.title}</a>"), key) for key, m in world.items() if m.title in html]
    return [key for _, key in sorted(found)]


def get_400(client, url: str, message: str):
    response = client.get(url)
    assert response.status_code == 400, f"{url} answered {response.status_code}"
    assertContains(response, "This address has a filter the archive cannot read.", status_code=400)
    assertContains(response, message, status_code=400)
    assertContains(response, "No results", status_code=400)
    return response


# --- combining filters --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["beijing", "islamabad", "geneva", "washington", "phone", "delhi"]),
        ("country=pk", ["beijing", "islamabad", "geneva"]),
        ("country=PK", ["beijing", "islamabad", "geneva"]),
        ("country=pk&country=cn", ["beijing", "islamabad"]),
        ("country=cn&country=pk", ["beijing", "islamabad"]),
        ("country=ch", ["geneva"]),  # the venue alone involves a country
        ("country=pk&country=in", ["geneva"]),
        ("country=in&country=cn", ["phone"]),
        ("country=pk&country=us", []),
        ("country=pk&country=pk", ["beijing", "islamabad", "geneva"]),
        ("official=khalil-hashmi", ["beijing", "islamabad", "geneva"]),
        ("official=khalil-hashmi&official=liu-haixing", ["beijing"]),
        ("official=arjun-singh&official=jane-doe", ["delhi"]),
        ("official=wang-yi&official=jane-doe", []),
        ("topic=cpec", ["beijing", "islamabad"]),
        ("topic=cpec&topic=trade", ["beijing"]),
        ("topic=trade&topic=climate", ["phone"]),
        ("kind=bilateral+meeting", ["geneva", "delhi"]),
        ("kind=telephone+call", ["phone"]),
        ("country=in&kind=bilateral+meeting&topic=trade", ["geneva", "delhi"]),
        ("country=cn&official=khalil-hashmi&topic=trade&kind=courtesy+call", ["beijing"]),
        ("sort=newest", ["beijing", "islamabad", "geneva", "washington", "phone", "delhi"]),
        ("sort=oldest", ["delhi", "phone", "washington", "geneva", "islamabad", "beijing"]),
        ("country=pk&sort=oldest", ["geneva", "islamabad", "beijing"]),
        (
            "kind=&sort=&country=",
            ["beijing", "islamabad", "geneva", "washington", "phone", "delhi"],
        ),
    ],
)
def test_filters_combine(client, world, query, expected):
    assert shown(client, world, f"/meetings/?{query}") == expected


def test_result_count_follows_filters(client, world):
    assertContains(client.get("/meetings/?country=pk"), "3 readouts")
    assertContains(client.get("/meetings/?topic=cpec&topic=trade"), "1 readout<")
    assertContains(
        client.get("/meetings/?country=pk&country=us"), "No readout matches all of these filters."
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("from=2025-01-01", ["beijing", "islamabad", "geneva", "washington"]),
        ("to=2024-12-31", ["phone", "delhi"]),
        ("from=2025-01-01&to=2025-06-15", ["islamabad", "geneva", "washington"]),
        ("from=2025", ["beijing", "islamabad", "geneva", "washington"]),
        ("to=2024", ["phone", "delhi"]),
        ("from=2025&to=2025", ["beijing", "islamabad", "geneva", "washington"]),
        ("from=2025-02&to=2025-06", ["islamabad", "geneva"]),
        ("from=2024-12", ["beijing", "islamabad", "geneva", "washington", "phone"]),
        ("to=2025-02", ["geneva", "washington", "phone", "delhi"]),
        ("from=2024-12-31&to=2024-12-31", ["phone"]),
        ("country=pk&from=2025-03&sort=oldest", ["islamabad", "beijing"]),
    ],
)
def test_date_filters(client, world, query, expected):
    assert shown(client, world, f"/meetings/?{query}") == expected


def test_year_links_on_a_country_page_filter_that_page(client, world):
    # The activity chart on a country page links to ?from=…&to=… for each year (or
    # month, over a short span, as here) and the link narrows that page.
    response = client.get("/countries/pk/")
    rows = response.context["activity"]["rows"]
    assert rows and all(row["url"].startswith("?from=") for row in rows)
    for row in rows:
        assertContains(response, f'href="{row["url"].replace("&", "&amp;")}"')
        period = row["period"]
        assert (
            len(shown(client, world, f"/countries/pk/?from={period}&to={period}")) == row["count"]
        )
    assert shown(client, world, "/countries/pk/?from=2025&to=2025") == [
        "beijing",
        "islamabad",
        "geneva",
    ]


def test_drafts_never_match_a_filter(client, world):
    for query in ("country=cn", "official=liu-haixing", "topic=cpec", "kind=courtesy+call"):
        assert "draft" not in shown(client, world, f"/meetings/?{query}")


# --- pagination and chips -----------------------------------------------------------


@pytest.fixture
def thirty_pk_calls(world):
    envoy = make_official("Paged Envoy", country="PK")
    for i in range(30):
        make_meeting(
            f"Paged call {i:02d}",
            date=dt.date(2023, 1, 1) + dt.timedelta(days=i),
            kind=Meeting.Kind.TELEPHONE_CALL,
            location=None,
            city="",
            participants=[(envoy, "envoy", "Ambassador")],
        )


def test_pagination_keeps_filters(client, world, thirty_pk_calls):
    first = client.get("/meetings/?country=pk&kind=telephone+call")
    assertContains(first, "30 readouts")
    assertContains(first, "Page 1 of 2")
    assertContains(first, 'href="?country=pk&amp;kind=telephone+call&amp;page=2" rel="next"')
    assertNotContains(first, world["phone"].title)  # a telephone call without Pakistan

    second = client.get("/meetings/?country=pk&kind=telephone+call&page=2")
    assertContains(second, "Page 2 of 2")
    assertContains(second, 'href="?country=pk&amp;kind=telephone+call&amp;page=1" rel="first"')
    assertContains(second, "Paged call 00")
    assertNotContains(second, world["phone"].title)
    assert second.content.decode().count('class="meeting-row"') == 5


def test_chips_name_each_filter_and_remove_it(client, world):
    url = "/meetings/?" + urlencode(
        [("country", "pk"), ("country", "cn"), ("topic", "trade"), ("kind", "courtesy call")]
    )
    response = client.get(url)
    html = response.content.decode()
    assertContains(response, "country: Pakistan")
    assertContains(response, "country: China")
    assertContains(response, "topic: Trade")
    assertContains(response, "kind: courtesy call")
    assertInHTML(
        '<a href="?country=cn&amp;topic=trade&amp;kind=courtesy+call"'
        ' aria-label="Remove filter country Pakistan">×</a>',
        html,
    )
    assertInHTML(
        '<a href="?country=pk&amp;country=cn&amp;kind=courtesy+call"'
        ' aria-label="Remove filter topic Trade">×</a>',
        html,
    )
    assertInHTML(
        '<a href="?country=pk&amp;country=cn&amp;topic=trade"'
        ' aria-label="Remove filter kind courtesy call">×</a>',
        html,
    )
    assertInHTML('<li><a href="?">Clear all</a></li>', html)
    # Following a remove link widens the list by exactly that filter.
    assert shown(client, world, "/meetings/?country=cn&topic=trade&kind=courtesy+call") == [
        "beijing"
    ]
    assert shown(client, world, "/meetings/?country=pk&country=cn&topic=trade") == ["beijing"]
    assert shown(client, world, "/meetings/?country=pk&country=cn&kind=courtesy+call") == [
        "beijing"
    ]


def test_chip_remove_link_drops_the_page(client, world, thirty_pk_calls):
    response = client.get("/meetings/?country=pk&page=2")
    assertInHTML(
        '<a href="?" aria-label="Remove filter country Pakistan">×</a>', response.content.decode()
    )


def test_no_chips_without_filters(client, world):
    assertNotContains(client.get("/meetings/"), "Filters in force")


def test_date_chips(client, world):
    response = client.get("/meetings/?from=2025&to=2025-06")
    assertContains(response, "from: 2025-01-01")
    assertContains(response, "to: 2025-06-30")
    assertContains(response, 'href="?to=2025-06" aria-label="Remove filter from 2025-01-01"')


# --- the same parameters on other list pages ----------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/countries/pk/?official=liu-haixing", ["beijing"]),
        ("/countries/pk/?country=in", ["geneva"]),
        ("/countries/pk/?topic=cpec&sort=oldest", ["islamabad", "beijing"]),
        ("/countries/in/?kind=telephone+call", ["phone"]),
        ("/officials/khalil-hashmi/?country=in", ["geneva"]),
        ("/officials/khalil-hashmi/?official=wang-yi", ["islamabad"]),
        ("/officials/arjun-singh/?topic=climate", ["phone"]),
        ("/topics/trade/?kind=bilateral+meeting", ["geneva", "delhi"]),
        ("/topics/trade/?country=cn&sort=oldest", ["phone", "beijing"]),
        ("/topics/climate/?official=jane-doe", ["washington"]),
        ("/countries/cn/pk/?topic=cpec&sort=oldest", ["islamabad", "beijing"]),
        ("/countries/cn/pk/?kind=official+visit", ["islamabad"]),
        ("/countries/cn/pk/?country=us", []),
    ],
)
def test_filters_work_on_every_list_page(client, world, url, expected):
    assert shown(client, world, url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/countries/cn/?from=2025", ["beijing", "islamabad"]),
        ("/officials/arjun-singh/?to=2024", ["phone", "delhi"]),
        ("/topics/trade/?from=2024-12&to=2025-02", ["geneva", "phone"]),
        ("/countries/cn/pk/?from=2025-07", ["beijing"]),
    ],
)
def test_date_filters_work_on_every_list_page(client, world, url, expected):
    assert shown(client, world, url) == expected


@pytest.mark.parametrize(
    "url", ["/countries/pk/", "/countries/cn/pk/", "/officials/khalil-hashmi/", "/topics/trade/"]
)
def test_malformed_filters_are_400_on_every_list_page(client, world, url):
    get_400(client, f"{url}?kind=bogus", "Select a valid choice.")


# --- unknown but well-formed values -------------------------------------------------


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("country=zz", "country “zz”"),
        ("country=fr", "country “fr”"),  # a real country with nothing in the archive
        ("official=nobody", "official “nobody”"),
        ("topic=no-such-topic", "topic “no-such-topic”"),
        ("country=pk&official=nobody", "official “nobody”"),
        # Topic slugs may be in any script, so these are well-formed, just unknown.
        ("topic=%C3%BCnic%C3%B8de", "topic “ünicøde”"),
        ("official=%E5%88%98%E6%B5%B7%E6%98%9F", "official “刘海星”"),
    ],
)
def test_unknown_values_give_an_empty_result_and_name_the_value(client, world, query, named):
    response = client.get(f"/meetings/?{query}")
    assert response.status_code == 200
    assertContains(response, f"The archive has no {named}.")
    assertContains(response, "0 readouts")
    assert shown(client, world, f"/meetings/?{query}") == []


# --- malformed values ---------------------------------------------------------------

LONG = "a" * 5000
DATE_MESSAGE = "Enter a date as YYYY-MM-DD (or a year, YYYY, or a month, YYYY-MM)."
CHOICE_MESSAGE = "Select a valid choice."


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=notadate", DATE_MESSAGE),
        ("to=2025-02-30", DATE_MESSAGE),
        ("from=2025-13", DATE_MESSAGE),
        ("from=2025-00", DATE_MESSAGE),
        ("to=0000", DATE_MESSAGE),
        ("from=25-01-01", DATE_MESSAGE),
        ("kind=bogus", CHOICE_MESSAGE),
        ("sort=bogus", CHOICE_MESSAGE),
        ("country=toolong", "“toolong” is not a valid country code."),
        ("country=p", "“p” is not a valid country code."),
        ("country=p1", "“p1” is not a valid country code."),
        ("official=not+a+slug", "“not a slug” is not a valid official."),
        ("topic=a/b", "“a/b” is not a valid topic."),
        ("country=" + "&country=".join(["pk"] * 500), "At most 20 values of country code"),
        ("topic=" + "&topic=".join(f"t{i}" for i in range(21)), "At most 20 values of topic"),
        # 5,000 characters in each parameter
        (f"country={LONG}", "is not a valid country code."),
        (f"official={LONG}", "is not a valid official."),
        (f"topic={LONG}", "is not a valid topic."),
        (f"kind={LONG}", CHOICE_MESSAGE),
        (f"from={LONG}", DATE_MESSAGE),
        (f"to={LONG}", DATE_MESSAGE),
        (f"sort={LONG}", CHOICE_MESSAGE),
        # NUL bytes
        ("country=%00", "is not a valid country code."),
        ("country=pk%00", "is not a valid country code."),
        ("official=khalil-hashmi%00", "is not a valid official."),
        ("topic=%00trade", "is not a valid topic."),
        ("kind=meeting%00", CHOICE_MESSAGE),
        ("from=2025%00", DATE_MESSAGE),
        ("to=2025-01-01%00", DATE_MESSAGE),
        ("sort=oldest%00", CHOICE_MESSAGE),
        # SQL-looking text
        ("country=%27+OR+1%3D1+--", "is not a valid country code."),
        ("official=x%27%3B+DROP+TABLE+engagements_meeting%3B+--", "is not a valid official."),
        ("topic=1%27+UNION+SELECT+*+FROM+auth_user--", "is not a valid topic."),
        ("kind=meeting%27+OR+%271%27%3D%271", CHOICE_MESSAGE),
        ("from=2025-01-01%27%3B--", DATE_MESSAGE),
        # Unicode
        ("country=%D0%9F%D0%9A", "“ПК” is not a valid country code."),
        ("kind=%E4%BC%9A%E8%A7%81", CHOICE_MESSAGE),
        ("sort=%F0%9F%94%A5", CHOICE_MESSAGE),
        ("from=%E4%BA%8C%E3%80%87%E4%BA%8C%E4%BA%94", DATE_MESSAGE),
    ],
)
def test_malformed_values_are_400_with_a_message(client, world, query, message):
    get_400(client, f"/meetings/?{query}", message)


def test_long_values_are_shortened_in_the_message(client, world):
    response = get_400(client, f"/meetings/?country={LONG}", "is not a valid country code.")
    assertContains(response, "“" + "a" * 40 + "…”", status_code=400)
    assertNotContains(response, "a" * 41, status_code=400)


def test_sql_looking_values_change_nothing(client, world):
    get_400(
        client,
        "/meetings/?official=x%27%3B+DROP+TABLE+engagements_meeting%3B+--",
        "is not a valid official.",
    )
    assert Meeting.objects.published().count() == 6
    assertContains(client.get("/meetings/"), "6 readouts")


def test_from_later_than_to_is_400(client, world):
    get_400(client, "/meetings/?from=2025-06-01&to=2025-01-01", "“From” is later than “To”.")
    get_400(client, "/meetings/?from=2026&to=2025", "“From” is later than “To”.")


@pytest.mark.parametrize(
    "value", ["%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%95", "%D9%A2%D9%A0%D9%A2%D9%A5"]
)
def test_non_ascii_digits_in_dates_are_400(client, world, value):
    get_400(client, f"/meetings/?from={value}", DATE_MESSAGE)


def test_malformed_value_lists_nothing_and_offers_a_way_back(client, world):
    response = get_400(client, "/meetings/?country=pk&kind=bogus", CHOICE_MESSAGE)
    assertNotContains(response, world["beijing"].title, status_code=400)
    assertContains(response, '<a href="?">Show every readout instead</a>', status_code=400)
    # The error stands where the readouts would be, not under "nothing here".
    assertNotContains(response, "No published readouts here yet", status_code=400)
    html = response.content.decode()
    main = html[html.index("<main") : html.index('<aside class="side-column">')]
    assert "This address has a filter the archive cannot read." in main


@pytest.mark.parametrize(
    "query",
    ["country=pk&kind=summit", "q=zzxxqqnothing", "topic=no-such-topic", "q=the"],
)
def test_an_empty_result_says_once_that_nothing_matched(client, world, query):
    html = client.get(f"/meetings/?{query}").content.decode()
    said = html.count("No readout matches all of these filters")
    said += html.count("The archive has no") + html.count("There is no word to search for")
    assert said >= 1
    assert html.count("No readout matches all of these filters") == 1
    assert "No published readouts here yet" not in html


def test_a_country_only_a_draft_names_is_unknown_to_the_filters(client, world):
    make_meeting("Funafuti draft", status=Meeting.Status.DRAFT, location="TV", city="Funafuti")
    draft_only = client.get("/meetings/", {"country": "tv"})
    nowhere = client.get("/meetings/", {"country": "aq"})  # a code no readout names
    assert draft_only.status_code == nowhere.status_code
    assert "Tuvalu" not in draft_only.content.decode()
    # The same page but for the code itself.
    assert re.sub(r"\btv\b", "aq", draft_only.content.decode()) == nowhere.content.decode()
