"""Every public page: status, content, counts, drafts kept out, 404s, and flat query counts."""

from __future__ import annotations

import datetime as dt

import pycountry
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import make_meeting, make_official, make_topic
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from engagements.models import Meeting, Topic

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "Unpublished talks on a secret pipeline"


def get_ok(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response


def slug_of(topic_name: str) -> str:
    return Topic.objects.get(name=topic_name).slug


def titles_in_order(response, titles: list[str]) -> list[str]:
    """The given titles sorted by where they appear on the page (each must appear)."""
    html = response.content.decode()
    for title in titles:
        assert title in html, f"{title!r} missing from the page"
    return sorted(titles, key=html.index)


@pytest.fixture
def archive(seed_like):
    """The seed readout plus a few more: two years, three countries, one draft."""
    hashmi, liu = seed_like["hashmi"], seed_like["liu"]
    singh = make_official("Arjun Singh", country="IN")
    earlier = make_meeting(
        "Ambassador Hashmi meets Minister Liu on CPEC",
        date=dt.date(2024, 3, 1),
        kind=Meeting.Kind.BILATERAL_MEETING,
        participants=[
            (hashmi, "envoy", "Ambassador of Pakistan to China"),
            (liu, "counterpart", "Vice Minister of the International Department"),
        ],
        topics=["CPEC 2.0", "Trade"],
    )
    islamabad = make_meeting(
        "Pakistan and China hold consultations in Islamabad",
        date=dt.date(2025, 6, 15),
        location="PK",
        city="Islamabad",
        kind=Meeting.Kind.CONSULTATIONS,
        participants=[(hashmi, "envoy", "Foreign Secretary")],
        topics=["Trade"],
    )
    delhi = make_meeting(
        "Indian minister receives Chinese delegation",
        date=dt.date(2025, 11, 20),
        location="IN",
        city="New Delhi",
        kind=Meeting.Kind.DELEGATION_VISIT,
        participants=[(singh, "counterpart", "Minister of External Affairs")],
        topics=["Trade"],
    )
    # A draft touching everything: a new country (France), a new official, a new topic,
    # existing officials and topics, and a year (2023) with nothing published.
    secret_agent = make_official("Zoe Draftwoman", country="FR")
    draft = make_meeting(
        DRAFT_TITLE,
        date=dt.date(2023, 5, 5),
        status=Meeting.Status.DRAFT,
        location="FR",
        city="Paris",
        participants=[
            (hashmi, "envoy", "Secret Draft Office"),
            (liu, "counterpart", "Minister"),
            (secret_agent, "participant", "Envoy"),
        ],
        topics=["CPEC 2.0", "Secret pipeline"],
    )
    return {
        **seed_like,
        "singh": singh,
        "earlier": earlier,
        "islamabad": islamabad,
        "delhi": delhi,
        "draft": draft,
        "secret_agent": secret_agent,
    }


# --- home and lists ---------------------------------------------------------------


def test_home_shows_latest_and_counts(client, archive):
    response = get_ok(client, "/")
    # 4 published readouts; PK, CN, IN (France only in the draft); 3 officials; 2 topics
    # CPEC 2.0, 5E framework, Trade (Secret pipeline is draft-only).
    assertInHTML(
        '<div><dt>Readouts</dt><dd><a href="/meetings/">4</a></dd></div>', response.content.decode()
    )
    assertInHTML(
        '<div><dt>Countries</dt><dd><a href="/countries/">3</a></dd></div>',
        response.content.decode(),
    )
    assertInHTML(
        '<div><dt>Officials</dt><dd><a href="/officials/">3</a></dd></div>',
        response.content.decode(),
    )
    assertInHTML(
        '<div><dt>Topics</dt><dd><a href="/topics/">3</a></dd></div>', response.content.decode()
    )
    newest_first = titles_in_order(
        response, [archive["delhi"].title, archive["meeting"].title, archive["islamabad"].title]
    )
    assert newest_first == [
        archive["delhi"].title,
        archive["meeting"].title,
        archive["islamabad"].title,
    ]
    # Two years of readouts: the activity chart goes month by month, to the month pages.
    assertContains(response, "Readouts per month")
    assertContains(response, 'href="/meetings/2024/03/"')
    assertContains(response, 'href="/meetings/2025/11/"')


def test_meeting_list_is_newest_first_with_count(client, archive):
    response = get_ok(client, "/meetings/")
    assertContains(response, "4 readouts")
    expected = [archive[k].title for k in ("delhi", "meeting", "islamabad", "earlier")]
    assert titles_in_order(response, expected) == expected
    assertContains(response, f'href="{archive["meeting"].get_absolute_url()}"')
    assertContains(response, 'href="/officials/khalil-hashmi/"')


def test_year_archive_lists_that_year_only(client, archive):
    response = get_ok(client, "/meetings/2025/")
    assertContains(response, "Readouts of 2025")
    for key in ("delhi", "meeting", "islamabad"):
        assertContains(response, archive[key].title)
    assertNotContains(response, archive["earlier"].title)
    assertContains(response, 'href="/meetings/2025/06/"')
    assertContains(response, 'href="/meetings/2025/11/"')
    assertContains(response, 'href="/meetings/2024/" rel="prev"')


def test_month_archive_lists_that_month_only(client, archive):
    response = get_ok(client, "/meetings/2025/11/")
    assertContains(response, "Readouts of November 2025")
    assertContains(response, archive["delhi"].title)
    assertContains(response, archive["meeting"].title)
    assertNotContains(response, archive["islamabad"].title)
    assertContains(response, 'href="/meetings/2025/06/" rel="prev"')


# --- the readout --------------------------------------------------------------------


def test_readout_page_shows_the_whole_record(client, archive):
    meeting = archive["meeting"]
    url = meeting.get_absolute_url()
    assert url == f"/meetings/2025/11/11/{meeting.slug}/"
    response = get_ok(client, url)
    html = response.content.decode()
    assertInHTML(f"<h1>{meeting.title}</h1>", html)
    assertContains(response, '<time datetime="2025-11-11">Tuesday 11 November 2025</time>')
    assertContains(response, 'Beijing, <a href="/countries/cn/">China</a>')
    assertContains(response, "Courtesy call")
    assertContains(response, "A courtesy call in Beijing.")
    # Participants: role, linked name, office of the day, linked country.
    assertInHTML('<a class="person" href="/officials/khalil-hashmi/">Khalil Hashmi</a>', html)
    assertInHTML('<span class="office">Ambassador of Pakistan to China</span>', html)
    assertInHTML('<a class="country" href="/countries/pk/">Pakistan</a>', html)
    assertInHTML('<a class="person" href="/officials/liu-haixing/">Liu Haixing</a>', html)
    assertInHTML(
        '<span class="office">Minister of the International Department of the CPC</span>', html
    )
    assertInHTML('<a class="country" href="/countries/cn/">China</a>', html)
    # Topics, linked.
    assertInHTML(f'<a href="/topics/{slug_of("CPEC 2.0")}/">CPEC 2.0</a>', html)
    assertInHTML(f'<a href="/topics/{slug_of("5E framework")}/">5E framework</a>', html)
    # The Markdown body, rendered.
    assertInHTML("<strong>courtesy call</strong>", html)
    # Sources.
    assertContains(response, "DNA news agency")
    assertContains(response, '<time datetime="2025-11-11">11 November 2025</time>')
    # Related readouts: same officials and same topics, never the draft.
    assertContains(response, "Related readouts")
    assertContains(response, "With the same officials")
    assertContains(response, "On the same topics")
    assertContains(response, f'href="{archive["earlier"].get_absolute_url()}"')
    assertContains(response, f'href="{archive["islamabad"].get_absolute_url()}"')
    assertNotContains(response, DRAFT_TITLE)
    # Cite this readout, with the absolute permalink.
    permalink = f"http://testserver{url}"
    assertContains(response, "Cite this readout")
    assertInHTML(f'<a href="{permalink}">{permalink}</a>', html)
    assertContains(response, f'<link rel="canonical" href="{permalink}">')
    assertContains(response, "Source: DNA news agency, 11 November 2025.")


def test_readout_without_venue_or_participants(client, db):
    meeting = make_meeting(
        "A telephone call", location=None, city="", kind=Meeting.Kind.TELEPHONE_CALL
    )
    response = get_ok(client, meeting.get_absolute_url())
    assertContains(response, "Telephone call")
    assertContains(response, "No participants recorded.")


# --- countries ----------------------------------------------------------------------


def test_country_list_counts(client, archive):
    response = get_ok(client, "/countries/")
    html = response.content.decode()
    assertContains(response, "3 countries with published readouts")
    # China: the seed (venue + Liu), 2024 (venue + Liu), Islamabad? no: venue PK, Hashmi only.
    assertInHTML(
        '<tr><td><a href="/countries/cn/">China</a></td><td>CN</td><td class="num">2</td></tr>',
        html,
    )
    assertInHTML(
        '<tr><td><a href="/countries/pk/">Pakistan</a></td><td>PK</td><td class="num">3</td></tr>',
        html,
    )
    assertInHTML(
        '<tr><td><a href="/countries/in/">India</a></td><td>IN</td><td class="num">1</td></tr>',
        html,
    )
    assertNotContains(response, "France")


def test_country_page_lists_meetings_counterparts_officials_topics(client, archive):
    response = get_ok(client, "/countries/pk/")
    html = response.content.decode()
    assertInHTML('<h1>Pakistan <span class="code">PK</span></h1>', html)
    assertContains(response, "3 readouts")
    for key in ("meeting", "islamabad", "earlier"):
        assertContains(response, archive[key].title)
    assertNotContains(response, archive["delhi"].title)
    # The counterpart country links to the bilateral dossier.
    assertContains(response, "Most frequent counterpart countries")
    assertInHTML('<a href="/countries/cn/pk/">China</a>', html)
    assertNotContains(response, "France")
    # Facets over the country's readouts; the country itself is not offered again, nor
    # Khalil Hashmi, who is in all three (choosing him would narrow nothing).
    assertContains(response, "Narrow these results")
    assertInHTML('<a href="?official=liu-haixing">Liu Haixing</a>', html)
    assertNotContains(response, 'href="?official=khalil-hashmi"')
    assertInHTML(f'<a href="?topic={slug_of("Trade")}">Trade</a>', html)
    assertNotContains(response, 'href="?country=pk"')
    # Each list once: the topics as a facet, the counterparts as dossier links (not again
    # as a facet of countries).
    assertNotContains(response, "Most discussed topics")
    assert [f.key for f in response.context["narrowing_facets"]].count("topic") == 1
    assert "country" not in [f.key for f in response.context["narrowing_facets"]]
    assertNotContains(response, 'id="facet-country"')


def test_bilateral_page_lists_engagements_between_two_countries(client, archive):
    response = get_ok(client, "/countries/cn/pk/")
    html = response.content.decode()
    assertInHTML("<h1>China and Pakistan</h1>", html)
    assertContains(response, "2 readouts")
    assertContains(response, archive["meeting"].title)
    assertContains(response, archive["earlier"].title)
    assertNotContains(response, archive["islamabad"].title)  # Pakistan only
    assertNotContains(response, archive["delhi"].title)
    assertInHTML('<a href="/officials/liu-haixing/">Liu Haixing</a>', html)
    # The same pair the other way round holds the same meetings.
    assertContains(get_ok(client, "/countries/cn/pk/"), "2 readouts")


def test_bilateral_counts_the_venue_as_involvement(client, db):
    pakistani = make_official("Envoy One", country="PK")
    meeting = make_meeting(
        "Envoy visits Beijing alone", location="CN", participants=[(pakistani, "envoy", "Envoy")]
    )
    response = get_ok(client, "/countries/cn/pk/")
    assertContains(response, meeting.title)


# --- officials ----------------------------------------------------------------------


def test_official_list_counts_and_letters(client, archive):
    response = get_ok(client, "/officials/")
    html = response.content.decode()
    assertInHTML(
        '<tr><td><a href="/officials/khalil-hashmi/">Khalil Hashmi</a></td>'
        '<td><a href="/countries/pk/">Pakistan</a></td><td class="num">3</td></tr>',
        html,
    )
    assertInHTML(
        '<tr><td><a href="/officials/liu-haixing/">Liu Haixing</a></td>'
        '<td><a href="/countries/cn/">China</a></td><td class="num">2</td></tr>',
        html,
    )
    assertNotContains(response, "Zoe Draftwoman")
    # Initials are family names': Hashmi, Liu (a Chinese name, family name first), Singh.
    for letter in ("H", "L", "S"):
        assertContains(response, f'href="?letter={letter}"')
    for letter in ("A", "K", "Z"):
        assertNotContains(response, f'href="?letter={letter}"')

    by_letter = get_ok(client, "/officials/?letter=h")
    assertContains(by_letter, "Officials — H")
    assertContains(by_letter, "Khalil Hashmi")
    assertNotContains(by_letter, "Liu Haixing")
    assertContains(get_ok(client, "/officials/?letter=Q"), "No officials under Q.")


def test_officials_are_indexed_by_family_name_accents_and_case_aside(client, db):
    names = [
        ("Xi Jinping", "CN"),  # family name first: under X
        ("Yoon Suk Yeol", "KR"),
        ("Le Hoai Trung", "VN"),
        ("Mevlüt Çavuşoğlu", "TR"),  # under C, accents aside
        ("Ursula von der Leyen", "DE"),  # the last word
        ("Martin Luther King Jr.", "US"),  # a suffix is not a name
        ("Khalil Hashmi", "PK"),
        ("Imran Ahmed", "PK"),
        ("Gabriel García Márquez", "CO"),  # a compound surname, as the editors set it
    ]
    for name, code in names:
        official = make_official(name, country=code)
        if name.startswith("Gabriel"):
            official.family_name = "García Márquez"
            official.save()
        make_meeting(participants=[(official, "envoy", "Envoy")])
    expected = [
        "Imran Ahmed",
        "Mevlüt Çavuşoğlu",
        "Gabriel García Márquez",
        "Khalil Hashmi",
        "Martin Luther King Jr.",
        "Le Hoai Trung",
        "Ursula von der Leyen",
        "Xi Jinping",
        "Yoon Suk Yeol",
    ]
    listed = [f">{name}</a>" for name in expected]
    response = get_ok(client, "/officials/")
    assert titles_in_order(response, listed) == listed
    assertContains(get_ok(client, "/officials/?letter=C"), "Mevlüt Çavuşoğlu")
    under_g = get_ok(client, "/officials/?letter=G")
    assertContains(under_g, "Gabriel García Márquez")
    assertNotContains(under_g, "Martin Luther King")
    api = client.get("/api/officials/?limit=100").json()["results"]
    assert [o["name"] for o in api] == expected


@pytest.mark.parametrize("letter", ["ab", "1", "%00"])
def test_official_list_rejects_bad_letters(client, archive, letter):
    assert client.get(f"/officials/?letter={letter}").status_code == 404


def test_official_page_shows_offices_over_time_and_counterparts(client, archive):
    response = get_ok(client, "/officials/khalil-hashmi/")
    html = response.content.decode()
    assertInHTML("<h1>Khalil Hashmi</h1>", html)
    assertContains(response, '<a href="/countries/pk/">Pakistan</a>')
    assertContains(response, "3 readouts")
    # Two offices, oldest first, each with first and last date and a count.
    assertContains(response, "Offices held, as the readouts give them")
    # Each office is drawn on a shared time axis: the ambassador's spans all of it.
    timeline = (
        '<svg class="timeline" viewBox="0 0 100 4" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">'
        '<rect x="{}" y="0" height="4" width="{}"></rect></svg>'
    )
    ambassador = (
        '<li><span class="office">Ambassador of Pakistan to China</span>'
        '<span class="meta"><time datetime="2024-03-01">1 Mar 2024</time> – '
        '<time datetime="2025-11-11">11 Nov 2025</time> · 2 readouts</span>'
        + timeline.format("0.0%", "100.0%")
        + "</li>"
    )
    # 15 June 2025 is 471 days into the 620 from 1 March 2024 to 11 November 2025.
    secretary = (
        '<li><span class="office">Foreign Secretary</span>'
        '<span class="meta"><time datetime="2025-06-15">15 Jun 2025</time>'
        " · 1 readout</span>" + timeline.format("76.0%", "1.0%") + "</li>"
    )
    assertInHTML(ambassador, html)
    assertInHTML(secretary, html)
    assert html.index("Ambassador of Pakistan to China") < html.index("Foreign Secretary")
    assertNotContains(response, "Secret Draft Office")
    # Frequent counterparts: Liu, twice.
    # Counterparts are the officials facet: Liu Haixing in 2 of the 3 readouts.
    assertInHTML(
        '<li><a href="?official=liu-haixing">Liu Haixing</a> <span class="meta">CN</span>'
        ' <span class="count" aria-label="2 readouts">2</span></li>',
        html,
    )
    assertNotContains(response, 'href="?official=khalil-hashmi"')
    assertNotContains(response, "Zoe Draftwoman")


def test_official_page_shows_aliases_and_bio(client, db):
    official = make_official(
        "Liu Haixing", country="CN", aliases="刘海星", bio="Head of the **IDCPC**."
    )
    make_meeting(participants=[(official, "counterpart", "Minister")])
    response = get_ok(client, official.get_absolute_url())
    assertContains(response, "also written 刘海星")
    assertInHTML("<strong>IDCPC</strong>", response.content.decode())


# --- topics -------------------------------------------------------------------------


def test_topic_list_by_name_and_by_count(client, archive):
    response = get_ok(client, "/topics/")
    assertContains(response, "3 topics discussed in published readouts")
    html = response.content.decode()
    assertInHTML(
        f'<li><a href="/topics/{slug_of("CPEC 2.0")}/">CPEC 2.0</a>'
        ' <span class="count">2</span></li>',
        html,
    )
    assertInHTML(
        f'<li><a href="/topics/{slug_of("Trade")}/">Trade</a> <span class="count">3</span></li>',
        html,
    )
    assertNotContains(response, "Secret pipeline")
    by_name = ["5E framework", "CPEC 2.0", "Trade"]
    assert titles_in_order(response, [f">{n}</a>" for n in by_name]) == [
        f">{n}</a>" for n in by_name
    ]

    by_count = get_ok(client, "/topics/?sort=count")
    expected = [">Trade</a>", ">CPEC 2.0</a>", ">5E framework</a>"]
    assert titles_in_order(by_count, expected) == expected


def test_the_topic_index_sorts_case_aside(client, db):
    for name in ["iPhone diplomacy", "Trade", "agriculture", "Zoning"]:
        make_meeting(topics=[name])
    expected = [">agriculture</a>", ">iPhone diplomacy</a>", ">Trade</a>", ">Zoning</a>"]
    assert titles_in_order(get_ok(client, "/topics/"), expected) == expected


def test_topic_page_lists_its_meetings(client, archive):
    response = get_ok(client, f"/topics/{slug_of('CPEC 2.0')}/")
    html = response.content.decode()
    assertInHTML("<h1>CPEC 2.0</h1>", html)
    assertContains(response, "2 readouts")
    assertContains(response, archive["meeting"].title)
    assertContains(response, archive["earlier"].title)
    assertNotContains(response, archive["delhi"].title)
    assertNotContains(response, DRAFT_TITLE)
    assertContains(response, "Narrow these results")
    assertInHTML(f'<a href="?topic={slug_of("Trade")}">Trade</a>', html)
    assertNotContains(response, f'href="?topic={slug_of("CPEC 2.0")}"')
    assertNotContains(response, "Secret pipeline")


def test_topic_page_shows_description(client, db):
    topic = make_topic("Youth exchanges", description="Students, scholars and young leaders.")
    make_meeting(topics=["Youth exchanges"])
    assertContains(
        get_ok(client, topic.get_absolute_url()), "Students, scholars and young leaders."
    )


# --- drafts -------------------------------------------------------------------------


PAGES_THAT_MIGHT_LEAK = [
    "/",
    "/meetings/",
    "/meetings/2025/",
    "/meetings/2025/11/",
    "/countries/",
    "/countries/pk/",
    "/countries/cn/",
    "/countries/cn/pk/",
    "/officials/",
    "/officials/khalil-hashmi/",
    "/officials/liu-haixing/",
    "/topics/",
]


@pytest.mark.parametrize("url", PAGES_THAT_MIGHT_LEAK)
def test_drafts_never_appear_on_public_pages(client, archive, url):
    response = get_ok(client, url)
    assertNotContains(response, DRAFT_TITLE)
    assertNotContains(response, "Secret Draft Office")
    assertNotContains(response, archive["draft"].get_absolute_url())


def test_draft_topic_and_official_pages_show_no_draft(client, archive):
    for url in (f"/topics/{slug_of('Secret pipeline')}/", "/officials/zoe-draftwoman/"):
        response = client.get(url)
        assert response.status_code in (200, 404)
        assertNotContains(response, DRAFT_TITLE, status_code=response.status_code)
        assertNotContains(response, "Paris", status_code=response.status_code)


def test_draft_readout_and_its_archives_are_404(client, archive):
    draft = archive["draft"]
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/meetings/2023/").status_code == 404
    assert client.get("/meetings/2023/05/").status_code == 404


def test_draft_counts_nowhere(client, archive):
    # Hashmi has 3 published readouts and 1 draft; CPEC 2.0 has 2 published, 1 draft.
    assertContains(get_ok(client, "/officials/khalil-hashmi/"), "3 readouts")
    assertContains(get_ok(client, f"/topics/{slug_of('CPEC 2.0')}/"), "2 readouts")
    # France appears only in a draft: its page and its pairs are not public yet.
    for url in ["/countries/fr/", "/countries/pk/fr/", "/countries/fr/feed/"]:
        assert client.get(url).status_code == 404, url


def test_publishing_a_draft_makes_it_appear(client, archive):
    draft = archive["draft"]
    draft.status = Meeting.Status.PUBLISHED
    draft.save()
    assertContains(get_ok(client, draft.get_absolute_url()), DRAFT_TITLE)
    assertContains(get_ok(client, "/meetings/"), "5 readouts")


# --- 404s ---------------------------------------------------------------------------


NOT_FOUND = [
    "/officials/nobody/",
    "/countries/zz/",
    "/countries/PK/",
    "/countries/pk/pk/",
    "/countries/pk/zz/",
    "/topics/no-such-topic/",
    "/meetings/2025/02/30/x/",
    "/meetings/2025/11/11/no-such-readout/",
    "/meetings/2025/11/12/{slug}/",
    "/meetings/0000/",
    "/meetings/2025/13/",
    "/meetings/2025/00/",
    "/meetings/2019/",
    "/meetings/2025/01/",
    "/meetings/9999/",
    "/meetings/?page=999",
    "/meetings/?page=-1",
    "/meetings/?page=abc",
    "/meetings/?page=0",
    "/meetings/2025/?page=999",
    "/meetings/2025/11/?page=abc",
    "/countries/pk/?page=999",
    "/countries/cn/pk/?page=-1",
    "/officials/khalil-hashmi/?page=abc",
    "/officials/?page=999",
    "/topics/trade/?page=999",
]


@pytest.mark.parametrize("url", NOT_FOUND)
def test_unknown_addresses_are_404(client, archive, url):
    response = client.get(url.format(slug=archive["meeting"].slug))
    assert response.status_code == 404


# --- query counts -------------------------------------------------------------------

OTHER_CODES = [c.alpha_2 for c in pycountry.countries if c.alpha_2 not in {"PK", "CN"}]


@pytest.fixture
def rows(db):
    """add(n) publishes n more meetings in March 2025: Pakistan's envoy, China's host, a guest
    from a new country each time, the shared topic "trade" and a new topic each time."""
    envoy = make_official("Anwar Envoy", country="PK")
    host = make_official("Bo Host", country="CN")
    made: list[Meeting] = []

    def add(n: int) -> list[Meeting]:
        for _ in range(n):
            i = len(made)
            guest = make_official(f"Guest {i:03d}", country=OTHER_CODES[i])
            made.append(
                make_meeting(
                    f"Row meeting {i:03d}",
                    date=dt.date(2025, 3, 1) + dt.timedelta(days=i % 28),
                    participants=[
                        (envoy, "envoy", "Ambassador"),
                        (host, "counterpart", f"Minister {i % 3}"),
                        (guest, "participant", "Observer"),
                    ],
                    topics=["trade", f"row theme {i:03d}"],
                    sources=[{"publisher": f"Agency {i}"}, {"publisher": "Wire"}],
                )
            )
        return made

    return add


# The queries each page makes today (pinned), whatever the number of rows it shows.
# Each includes one site-wide query from engagements.context_processors.archive.
# The queries each page makes when nothing is cached (pinned; at most 12 each), whatever
# the number of rows it shows. A repeat visit is served from the cache in one query.
QUERY_BUDGET = {
    "/": 9,  # version, latest + participants + topics, 5 reads of the kept counts (one the map's)
    # version, country menu, the kept counts (kinds, months and the busiest values of each
    # facet, in one statement), their names, rows, participants, topics
    "/meetings/": 7,
    "/meetings/2025/": 9,
    "/meetings/2025/03/": 9,
    "/countries/": 3,  # version, the countries, and the map's kept counts
    # as /meetings/, plus the country, its counterparts and what each side's accounts name
    "/countries/pk/": 10,
    "/countries/cn/pk/": 9,
    "/officials/": 4,
    "/officials/anwar-envoy/": 9,  # as /meetings/, plus the official and their offices
    "/topics/": 2,
    "/topics/trade/": 8,
    "readout": 9,  # its accounts' topics and titles, for the comparison of accounts
    # version, what the search found (one query, facet keys included; SQLite counts the
    # matches first), country menu, facet names, rows, participants, topics, snippets, and
    # the topic the search names with its count ("trade — 3 readouts"; kept per version),
    # and the accounts of the readouts whose own text does not hold the words (one query);
    # most relevant first, the text of the 50 best, scored again on both engines, with the
    # archive's size and average length and the word's count (those two kept an hour, so
    # read on a first visit only: search/ranking.py)
    "/meetings/?q=trade": 14 + (connection.vendor == "sqlite"),
    # as above, plus the country filter's country, less the scoring (oldest first)
    "/meetings/?q=trade&country=cn&sort=oldest": 12 + (connection.vendor == "sqlite"),
}


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        get_ok(client, url)
    return len(ctx.captured_queries)


def test_query_count_is_flat_and_within_budget(client, rows):
    """Every page type, with 5 rows and with 50: the same queries, within the budget. (One
    archive for all of them; the cache is emptied before each page is counted, so each
    is counted as a first visit, with nothing another page computed.)"""
    first = rows(5)[0]
    targets = {url: first.get_absolute_url() if url == "readout" else url for url in QUERY_BUDGET}

    def first_visits() -> dict[str, int]:
        counted = {}
        for url, target in targets.items():
            cache.clear()
            counted[url] = count_queries(client, target)
        return counted

    with_five = first_visits()
    rows(45)  # a write: nothing cached before it is served after it
    with_fifty = first_visits()
    assert with_five == with_fifty, "queries grew with the rows shown"
    assert with_fifty == QUERY_BUDGET
    assert max(QUERY_BUDGET.values()) <= 15  # a search most relevant first, on a first visit
    for target in targets.values():
        count_queries(client, target)
        assert count_queries(client, target) == 1  # the archive's version; the page cached


def test_a_search_computed_afresh_reads_what_it_names_once(client, settings, rows):
    """With the per-version memo off (PAGE_CACHE=false: every request computes), the topic a
    search names is looked up once for the search and the page, not once each."""
    rows(5)
    settings.PAGE_CACHE = False
    for url in ("/meetings/?q=trade", "/meetings/?q=trade&country=cn&sort=oldest"):
        assert count_queries(client, url) == QUERY_BUDGET[url]


def test_readout_query_count_does_not_grow_with_its_parts(client, db):
    def readout_with(n: int, day: int) -> Meeting:
        officials = [make_official(f"Part {day}-{i}", country=OTHER_CODES[i]) for i in range(n)]
        return make_meeting(
            date=dt.date(2025, 4, day),
            participants=[(o, "participant", f"Office {i}") for i, o in enumerate(officials)],
            topics=[f"part topic {i}" for i in range(n)],
            sources=[{"publisher": f"Publisher {i}"} for i in range(n)],
        )

    small = count_queries(client, readout_with(5, 1).get_absolute_url())
    large = count_queries(client, readout_with(50, 2).get_absolute_url())
    assert small == large


def test_officials_and_topics_known_only_from_drafts_are_not_public(client, db):
    from factories import make_meeting, make_official

    from engagements.models import Meeting

    hidden = make_official("Not Yet Announced", country="PK")
    make_meeting(
        "Draft",
        status=Meeting.Status.DRAFT,
        participants=[(hidden, "envoy", "")],
        topics=["secret"],
    )
    for url in [f"/officials/{hidden.slug}/", "/topics/secret/", f"/officials/{hidden.slug}/feed/",
                "/topics/secret/feed/"]:  # fmt: skip
        assert client.get(url).status_code == 404, url


def test_topics_named_in_any_script_have_working_pages(client, db):
    from factories import make_meeting

    meeting = make_meeting("Talks on the Belt and Road", topics=["一带一路", "Côte d'Ivoire"])
    topic = meeting.topics.get(name="一带一路")
    for url in ["/", "/meetings/", "/topics/", meeting.get_absolute_url(),
                topic.get_absolute_url(), f"{topic.get_absolute_url()}feed/",
                "/sitemap-topics.xml", f"/meetings/?topic={topic.slug}"]:  # fmt: skip
        assert client.get(url).status_code == 200, url
    assert "1 readout" in client.get(f"/meetings/?topic={topic.slug}").content.decode()


def test_lists_page_only_as_deep_as_is_cheap(client, many_meetings, settings):
    many_meetings(60)
    for url in ["/meetings/", "/meetings/2020/", "/countries/pk/", "/topics/trade/"]:
        settings.ARCHIVE_MAX_PAGES = 2
        first = client.get(url)
        assert first.status_code == 200, url
        html = first.content.decode()
        assert "Page 1 of 2" in html, url
        assert "These pages show the first 50 of 60 readouts" in html, url
        assert client.get(f"{url}?page=3").status_code == 404, url
        settings.ARCHIVE_MAX_PAGES = 400
        assert client.get(f"{url}?page=3").status_code == 200, url


def test_a_readout_page_carries_citation_meta_tags_for_reference_managers(client, seed_like):
    """Highwire Press tags (what Zotero and Google Scholar read) and Dublin Core."""
    from html.parser import HTMLParser

    class Meta(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: dict[str, list[str]] = {}

        def handle_starttag(self, tag, attrs) -> None:
            attrs = dict(attrs)
            if tag == "meta" and "name" in attrs:
                self.tags.setdefault(attrs["name"], []).append(attrs.get("content", ""))

    meeting = seed_like["meeting"]
    parser = Meta()
    parser.feed(get_ok(client, meeting.get_absolute_url()).content.decode())
    tags = parser.tags
    permalink = "http://testserver" + meeting.get_absolute_url()
    assert tags["citation_title"] == [meeting.title]
    assert tags["citation_publication_date"] == ["2025/11/11"]
    assert tags["citation_public_url"] == [permalink]
    assert tags["citation_author"] == [s.publisher for s in meeting.sources.all()]
    assert set(tags["citation_keywords"]) == {"CPEC 2.0", "5E framework"}
    assert tags["DC.title"] == [meeting.title] and tags["DC.date"] == ["2025-11-11"]
    assert tags["DC.identifier"] == [permalink] and tags["DC.publisher"] == ["Engagement Archive"]


def test_a_list_row_shows_each_part_of_its_readout_escaped(client, db):
    """The rows are drawn in Python (public/cards.py): every value escaped, links made from
    the index's address, participants and topics in the readout's order."""
    envoy = make_official('Ann <b>"Envoy"</b>', country="PK")
    host = make_official("Wang & Co", country="CN")
    meeting = make_meeting(
        "Talks <script>alert(1)</script>",
        date=dt.date(2025, 3, 9),
        city="Rawal<pindi>",
        participants=[(host, "counterpart", "Minister"), (envoy, "envoy", "Ambassador")],
        topics=["一带一路", "<i>trade</i>"],
        kind="courtesy call",
        summary=" ".join(["word"] * 50) + " <img src=x onerror=alert(1)>",
        synthetic=True,
    )
    html = get_ok(client, "/meetings/").content.decode()
    row = html[html.index('<li class="meeting-row">') : html.index("</ul></li>")]
    assert "<script>" not in html and "<img src=x" not in html and "<b>" not in row
    assert "Talks &lt;script&gt;alert(1)&lt;/script&gt;" in row
    meta = '<time datetime="2025-03-09">9 March 2025</time> · Rawal&lt;pindi&gt;, China'
    assert f"{meta} · Courtesy call" in row
    assert f'<a href="{meeting.get_absolute_url()}">' in row
    people = row.index(host.get_absolute_url()), row.index(envoy.get_absolute_url())
    assert people[0] < people[1]  # in the readout's order
    assert 'Ann &lt;b&gt;&quot;Envoy&quot;&lt;/b&gt;</a> <span class="flag">(PK)</span>' in row
    assert "Wang &amp; Co" in row
    assert '<p class="badge-synthetic">' in row
    assert row.count("word") == 45 and "word …</p>" in row  # the summary cut at 45 words
    topics = [
        Topic.objects.get(name=name).get_absolute_url() for name in ["一带一路", "<i>trade</i>"]
    ]
    assert row.index(topics[0]) < row.index(topics[1])  # in the readout's order, not by name
    assert "&lt;i&gt;trade&lt;/i&gt;" in row and "/topics/%E4%B8%80" in row


def test_same_officials_ranks_by_officials_shared_then_newest(client, db):
    envoy, minister, aide = (make_official(n, country=c) for n, c in [
        ("Anwar Envoy", "PK"), ("Chen Minister", "CN"), ("Dana Aide", "PK")
    ])  # fmt: skip

    def met(title, day, *officials, **extra):
        participants = [(o, "envoy", "") for o in officials]
        return make_meeting(title, date=day, participants=participants, **extra)

    meeting = met("The readout", dt.date(2025, 5, 1), envoy, minister, aide)
    both = met("Two shared", dt.date(2020, 1, 1), envoy, minister)
    newer = met("One shared, newer", dt.date(2025, 4, 1), aide)
    older = met("One shared, older", dt.date(2021, 1, 1), minister)
    met("Draft sharing all", dt.date(2025, 4, 3), envoy, minister, aide, status="draft")
    met("Nobody shared", dt.date(2025, 4, 2), make_official("Eve Other", country="US"))
    related = get_ok(client, meeting.get_absolute_url()).context["related"]
    assert [m.title for m in related] == [both.title, newer.title, older.title]
    assert related[0].get_absolute_url() == both.get_absolute_url()


def test_same_topics_ranks_by_topics_shared_then_newest(client, db):
    topics = ["Trade", "Energy", "Ports"]
    meeting = make_meeting("The readout", date=dt.date(2025, 5, 1), topics=topics)
    both = make_meeting("Two shared", date=dt.date(2020, 1, 1), topics=["Trade", "Energy"])
    newer = make_meeting("One shared, newer", date=dt.date(2025, 4, 1), topics=["Ports"])
    older = make_meeting("One shared, older", date=dt.date(2021, 1, 1), topics=["Trade"])
    make_meeting("Draft sharing all", topics=topics, status=Meeting.Status.DRAFT)
    make_meeting("Nothing shared", date=dt.date(2025, 4, 2), topics=["Tea"])
    same = get_ok(client, meeting.get_absolute_url()).context["same_topics"]
    assert [m.title for m in same] == [both.title, newer.title, older.title]
    assert same[0].get_absolute_url() == both.get_absolute_url()
