"""Facets beside every list: counts over the current results, links that narrow, a way out."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from factories import make_meeting, make_official

from engagements.public import facets, keptcounts
from engagements.public.filters import parse_filters

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    pk1, pk2 = (
        make_official("Anwar Envoy", country="PK"),
        make_official("Bilal Envoy", country="PK"),
    )
    cn = make_official("Chen Counterpart", country="CN")
    us = make_official("Dana Counterpart", country="US")
    return [
        make_meeting("A", date=dt.date(2023, 1, 5), kind="courtesy call",
                     participants=[(pk1, "envoy", ""), (cn, "counterpart", "")],
                     topics=["CPEC 2.0", "trade"]),
        make_meeting("B", date=dt.date(2024, 3, 1), kind="bilateral meeting",
                     participants=[(pk1, "envoy", ""), (cn, "counterpart", "")], topics=["trade"]),
        make_meeting("C", date=dt.date(2024, 6, 1), kind="bilateral meeting", location="US",
                     city="Washington", participants=[(pk2, "envoy", ""), (us, "counterpart", "")],
                     topics=["energy"]),
    ]  # fmt: skip


def facet(response, key):
    found = {f.key: f for f in response.context["facets"]}
    if key not in found:
        return {}
    return {v.label: (v.count, v.url) for v in found[key].values}


def test_facets_count_the_current_results(client, world):
    response = client.get("/meetings/")
    # Pakistan is in all three: offering it would not narrow anything.
    assert {k: c for k, (c, _) in facet(response, "country").items()} == {
        "China": 2, "United States": 1,
    }  # fmt: skip
    assert {k: c for k, (c, _) in facet(response, "topic").items()} == {
        "trade": 2, "CPEC 2.0": 1, "energy": 1,
    }  # fmt: skip
    assert {k: c for k, (c, _) in facet(response, "kind").items()} == {
        "Bilateral meeting": 2, "Courtesy call": 1,
    }  # fmt: skip
    assert {k: c for k, (c, _) in facet(response, "year").items()} == {"2023": 1, "2024": 2}
    assert facet(response, "official")["Anwar Envoy"][0] == 2


def test_facet_links_add_their_filter_and_keep_the_others(client, world):
    response = client.get("/meetings/", {"country": "pk", "page": "1", "sort": "oldest"})
    count, url = facet(response, "country")["China"]
    assert count == 2
    assert parse_qs(url.lstrip("?")) == {"country": ["pk", "cn"], "sort": ["oldest"]}
    _, year_url = facet(response, "year")["2024"]
    assert parse_qs(year_url.lstrip("?"))["from"] == ["2024"]
    following = client.get("/meetings/" + url)
    assert [m.title for m in following.context["meetings"]] == ["A", "B"]


def test_values_in_force_are_not_offered_again(client, world):
    response = client.get("/meetings/", {"country": "cn", "kind": "courtesy call"})
    assert "China" not in facet(response, "country")
    assert facet(response, "kind") == {}
    page = client.get("/countries/pk/")
    assert "Pakistan" not in facet(page, "country")
    assert "Dana Counterpart" in facet(page, "official")


def test_facets_narrow_country_official_and_topic_pages_too(client, world):
    for url, facet_key, expected in [
        ("/countries/cn/", "topic", {"CPEC 2.0": 1}),  # trade: in both, narrows nothing
        ("/topics/trade/", "kind", {"Courtesy call": 1, "Bilateral meeting": 1}),
        ("/officials/anwar-envoy/", "year", {"2023": 1, "2024": 1}),
        ("/countries/cn/pk/", "kind", {"Courtesy call": 1, "Bilateral meeting": 1}),
    ]:
        response = client.get(url)
        assert {k: c for k, (c, _) in facet(response, facet_key).items()} == expected, url


def test_facets_take_a_fixed_number_of_queries_whatever_the_result_size(client, world):
    official = make_official("Many Meetings", country="PK")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/meetings/", {"country": "pk"}).status_code == 200
        return len(captured)

    make_meeting("extra 0", participants=[(official, "envoy", "")], topics=["t0"])
    few = queries()
    for i in range(1, 40):
        make_meeting(f"extra {i}", participants=[(official, "envoy", "")], topics=[f"t{i}"])
    assert queries() == few


def test_an_empty_result_says_which_filter_to_drop(client, world):
    response = client.get("/meetings/", {"country": "us", "topic": "trade"})
    assert len(response.context["meetings"]) == 0
    relaxations = response.context["relaxations"]
    assert ("country: United States", "?topic=trade", 2) in relaxations
    assert ("topic: trade", "?country=us", 1) in relaxations
    html = response.content.decode()
    assert 'href="?topic=trade">without country: United States</a>: 2 readouts' in html


def test_the_activity_chart_follows_the_filters_month_by_month_over_a_short_span(client, world):
    response = client.get("/meetings/", {"topic": "trade"})
    activity = response.context["activity"]
    assert activity["unit"] == "month"
    assert [(row["label"], row["count"]) for row in activity["rows"]] == [
        ("Jan 2023", 1),
        ("Mar 2024", 1),
    ]
    # Each bar leads to the list narrowed to its month, filters kept.
    assert activity["rows"][1]["url"] == "?topic=trade&from=2024-03&to=2024-03"
    html = response.content.decode()
    assert "Readouts per month" in html
    assert '<a href="?topic=trade&amp;from=2024-03&amp;to=2024-03">Mar 2024</a>' in html
    narrowed = client.get("/meetings/?topic=trade&from=2024-03&to=2024-03")
    assert [m.title for m in narrowed.context["meetings"]] == ["B"]


def test_the_activity_chart_counts_years_over_a_long_span(client, world):
    make_meeting("Old", date=dt.date(2015, 5, 5), topics=["trade"])
    activity = client.get("/meetings/", {"topic": "trade"}).context["activity"]
    assert activity["unit"] == "year"
    assert [(row["label"], row["count"]) for row in activity["rows"]] == [
        ("2015", 1),
        ("2023", 1),
        ("2024", 1),
    ]
    assert [row["share"] for row in activity["rows"]] == [1, 1, 1]


def test_the_home_page_chart_links_to_the_archive_pages(client, world):
    activity = client.get("/").context["activity"]
    assert activity["unit"] == "month"
    assert activity["rows"][0]["url"] == "/meetings/2023/01/"
    make_meeting("Old", date=dt.date(2015, 5, 5))
    activity = client.get("/").context["activity"]
    assert activity["unit"] == "year"
    assert activity["rows"][0] == {
        "period": "2015",
        "label": "2015",
        "count": 1,
        "share": activity["rows"][0]["share"],
        "url": "/meetings/2015/",
    }


@pytest.fixture
def many_topics(db):
    """Twelve topics over a dozen readouts: topic n is in readouts n..11 (12 - n of them)."""
    envoy = make_official("Anwar Envoy", country="PK")
    cn = make_official("Chen Counterpart", country="CN")
    topics = [f"topic {chr(97 + n)}" for n in range(12)]
    for day in range(12):
        make_meeting(
            f"Talks {day}",
            date=dt.date(2024, 1, day + 1),
            participants=[(envoy, "envoy", ""), (cn, "counterpart", "")],
            topics=topics[: day + 1],
        )
    return topics


@pytest.mark.parametrize("q", ["", "talks"])
def test_a_facet_lists_its_top_ten_and_links_to_all_its_values(client, many_topics, q):
    response = client.get("/meetings/", {"q": q} if q else {})
    topics = {f.key: f for f in response.context["facets"]}["topic"]
    # "topic a" is in every readout: it would narrow nothing, so it is not offered.
    assert len(topics.values) == 10 and topics.more
    assert topics.values[0].label == "topic b" and topics.values[0].count == 11
    html = response.content.decode()
    more = "/meetings/facets/topic/" + (f"?q={q}" if q else "")
    assert f'<a href="{more}">All topics…</a>' in html
    page = client.get(more)
    assert page.status_code == 200
    listed = page.content.decode()
    assert "Topics of these readouts" in listed and 'content="noindex"' in listed
    for n in range(1, 12):  # every value with its count, each narrowing the list
        name = f"topic {chr(97 + n)}"
        slug = name.replace(" ", "-")
        assert f'<a href="/meetings/?{f"q={q}&amp;" if q else ""}topic={slug}">{name}</a>' in listed
        assert f'<td class="num">{12 - n}</td>' in listed
    # A facet that lists everything it has offers no "more".
    assert "All officials…" not in html


def test_a_facet_page_refuses_what_it_cannot_list(client, many_topics):
    assert client.get("/meetings/facets/kind/").status_code == 404
    assert client.get("/meetings/facets/nonsense/").status_code == 404
    bad = client.get("/meetings/facets/topic/", {"from": "not-a-date"})
    assert bad.status_code == 400 and "Enter a date" in bad.content.decode()
    empty = client.get("/meetings/facets/official/", {"country": "zz"})
    assert empty.status_code == 200 and "no officials to narrow them by" in empty.content.decode()


def test_narrow_these_results_never_appears_empty(client, db):
    envoy = make_official("Anwar Envoy", country="PK")
    make_meeting("Alone", date=dt.date(2024, 1, 1), participants=[(envoy, "envoy", "")])
    html = client.get("/meetings/").content.decode()
    # One readout: nothing would narrow it, and only the year chart has values.
    assert "Narrow these results" not in html


@pytest.mark.parametrize(
    "query",
    [
        {"country": "cn", "kind": "bilateral meeting"},
        {"country": ["pk", "us"], "topic": "energy"},
        {"from": "2024", "to": "2024-06"},
        {"from": "2023", "to": "2024-06"},  # a bound (4) far above the limit (1): asked first
        {"official": "anwar-envoy", "topic": "trade"},
        {"country": "cn", "kind": "summit"},  # nothing
        {"country": "xx", "kind": "summit"},  # an unknown value
    ],
)
def test_a_list_counted_from_its_facet_keys_counts_as_the_database_does(
    client, world, monkeypatch, query
):
    """A list no kept count serves (two filters, a span of dates) reads its readouts' facet
    keys and counts them in Python, up to KEYS_COUNTED_UP_TO results; past that the
    database groups them. Both give the same facets, in the same order."""
    world.append(
        make_meeting("D", date=dt.date(2024, 6, 2), kind="bilateral meeting", location="CN",
                     participants=[(world[0].participations.first().official, "envoy", "")],
                     topics=["trade", "energy"])
    )  # fmt: skip

    def shown() -> list:
        cache.clear()  # computed afresh each time, not served from the page cache
        response = client.get("/meetings/", query)
        assert response.status_code in (200, 400)
        return [
            (f.key, [(v.label, v.count, v.url) for v in f.values], f.more)
            for f in response.context.get("facets") or []
        ]

    from_keys = shown()
    monkeypatch.setattr(facets, "KEYS_COUNTED_UP_TO", 1)  # every list here is larger
    by_the_database = shown()
    assert from_keys == by_the_database
    if query.get("kind") != "summit":
        assert from_keys  # not vacuous: there is something to count


def test_a_list_counted_from_its_facet_keys_takes_fewer_queries(client, world, monkeypatch):
    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/meetings/", {"country": "cn", "topic": "trade"}).status_code == 200
        return len(captured)

    from_keys = queries()
    monkeypatch.setattr(facets, "KEYS_COUNTED_UP_TO", 1)
    # Both read what the kept counts allow at most (here 2 readouts): under the limit, one
    # query reads the keys; over it, one asks whether there are more and four group them.
    assert queries() == from_keys + 4


def test_the_kept_counts_bound_what_a_list_can_hold(world):
    def at_most(query: dict, scope=()):
        filters, _ = parse_filters(QueryDict(urlencode(query, doseq=True)))
        return keptcounts.at_most(filters, scope)

    # China: 2 readouts, the kind: 2; one readout has both. A bound, not a count.
    assert at_most({"country": "cn", "kind": "bilateral meeting"}) == 2
    assert at_most({"country": "pk", "topic": "trade"}) == 2
    assert at_most({"country": "pk"}, scope=[world[2].countries.get(code="US")]) == 1
    assert at_most({"kind": "summit"}) == 0  # no published summit
    assert at_most({}) is None  # nothing filtered on
    # Dates: the months they span, added up (exact for whole months, a bound for days).
    assert at_most({"from": "2024"}) == 2
    assert at_most({"from": "2023-01", "to": "2024-03"}) == 2
    assert at_most({"from": "2024-03-02", "to": "2024-05"}) == 1  # March counted whole
    assert at_most({"to": "2022"}) == 0
    assert at_most({"country": "us", "from": "2023"}) == 1  # the smaller of the two


def test_a_facets_count_is_written_with_its_thousands_separated():
    assert facets.FacetValue("China", 52364, "?country=cn").shown_count == "52,364"
    assert facets.FacetValue("Peru", 7, "?country=pe").shown_count == "7"
