"""Discovery: Atom feeds (parsed with feedparser), sitemap.xml, robots.txt, synthetic labels."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import feedparser
import pytest
from factories import make_meeting, make_official

from engagements.interchange.importing import import_readouts
from engagements.interchange.synthetic import SAMPLE_PUBLISHER, sample_records
from engagements.models import Meeting

pytestmark = pytest.mark.django_db
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_the_newest_readouts_feed_is_valid_atom_with_summaries_and_categories(client, seed_like):
    make_meeting("A draft", status=Meeting.Status.DRAFT)
    feed = parse(client, "/meetings/feed/")
    assert feed.feed.title == "Engagement Archive: newest readouts"
    [entry] = feed.entries
    meeting = seed_like["meeting"]
    assert entry.link == "http://testserver" + meeting.get_absolute_url()
    assert entry.title == f"11 November 2025: {meeting.title}"
    assert entry.summary == "A courtesy call in Beijing."
    assert [tag.term for tag in entry.tags] == ["CPEC 2.0", "5E framework"]  # the readout's order
    assert entry.published_parsed and entry.updated_parsed


def test_every_country_pair_official_and_topic_has_a_feed(client, seed_like):
    other = make_meeting("Paris talks", location="FR", city="Paris", topics=["trade"])
    liu = seed_like["liu"]
    expected = {
        "/countries/pk/feed/": {seed_like["meeting"].title},
        "/countries/fr/feed/": {other.title},
        "/countries/cn/pk/feed/": {seed_like["meeting"].title},
        f"/officials/{liu.slug}/feed/": {seed_like["meeting"].title},
        "/topics/trade/feed/": {other.title},
        "/meetings/feed/?topic=trade": {other.title},
    }
    for url, titles in expected.items():
        feed = parse(client, url)
        assert {e.title.split(": ", 1)[1] for e in feed.entries} == titles, url


@pytest.mark.parametrize(
    "url",
    ["/countries/zz/feed/", "/countries/pk/pk/feed/", "/officials/nobody/feed/",
     "/topics/nothing/feed/", "/meetings/feed/?from=notadate"],
)  # fmt: skip
def test_feeds_of_unknown_things_are_404(client, seed_like, url):
    assert client.get(url).status_code == 404


def test_pages_link_their_feed(client, seed_like):
    liu = seed_like["liu"]
    for page, feed in [
        ("/meetings/", "/meetings/feed/"),
        ("/countries/pk/", "/countries/pk/feed/"),
        ("/countries/cn/pk/", "/countries/cn/pk/feed/"),
        (f"/officials/{liu.slug}/", f"/officials/{liu.slug}/feed/"),
        ("/topics/cpec-20/", "/topics/cpec-20/feed/"),
        ("/meetings/?country=cn", "/meetings/feed/?country=cn"),
    ]:
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html
        assert f'href="{feed}"' in html, page


def test_feed_titles_escape_hostile_text(client):
    make_meeting("<script>alert(1)</script>", summary="<b onmouseover=x>hi</b>", topics=["<i>"])
    body = client.get("/meetings/feed/").content.decode()
    assert "<script>" not in body and "<b onmouseover" not in body
    assert not feedparser.parse(body).bozo


def test_sitemap_lists_every_public_page_type(client, seed_like):
    make_meeting("A draft", status=Meeting.Status.DRAFT)
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert len(sections) == 5
    urls = set()
    for section in sections:
        path = section.removeprefix("http://testserver")
        tree = ET.fromstring(client.get(path).content)
        urls |= {
            loc.text.removeprefix("http://testserver")
            for loc in tree.iterfind(".//s:loc", SITEMAP_NS)
        }
    liu = seed_like["liu"]
    assert {
        "/",
        "/meetings/",
        seed_like["meeting"].get_absolute_url(),
        "/countries/pk/",
        f"/officials/{liu.slug}/",
        "/topics/cpec-20/",
    } <= urls
    assert not any("a-draft" in url for url in urls)


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /meetings/export.csv" in text


def test_synthetic_readouts_are_marked_on_every_page_that_shows_them(client):
    lines = [(json.dumps(r) + "\n").encode() for r in sample_records(20)]
    assert import_readouts(lines).created == 20
    meeting = Meeting.objects.filter(synthetic=True).order_by("-date").first()
    assert meeting.sources.get().publisher == SAMPLE_PUBLISHER
    official = meeting.participations.first().official
    topic = meeting.topics.first()
    country = meeting.countries.first()
    for url in [
        "/",
        "/meetings/",
        meeting.get_absolute_url(),
        f"/meetings/{meeting.date:%Y}/",
        official.get_absolute_url(),
        topic.get_absolute_url(),
        country.get_absolute_url(),
    ]:
        html = client.get(url).content.decode()
        assert "synthetic sample data" in html, url
    assert "Synthetic sample — not a real readout" in client.get("/meetings/").content.decode()
    assert "describes no real meeting" in client.get(meeting.get_absolute_url()).content.decode()


def test_synthetic_readouts_are_kept_from_search_engines_and_marked_in_downloads(client, seed_like):
    lines = [(json.dumps(r) + "\n").encode() for r in sample_records(5)]
    assert import_readouts(lines).created == 5
    synthetic = Meeting.objects.filter(synthetic=True).first()
    html = client.get(synthetic.get_absolute_url()).content.decode()
    assert '<meta name="robots" content="noindex">' in html
    real_html = client.get(seed_like["meeting"].get_absolute_url()).content.decode()
    assert 'content="noindex"' not in real_html
    # The sitemap offers the real readout, and none of the synthetic ones or their people.
    sitemap = client.get("/sitemap-meetings.xml").content.decode()
    assert seed_like["meeting"].get_absolute_url() in sitemap
    assert synthetic.get_absolute_url() not in sitemap
    officials = client.get("/sitemap-officials.xml").content.decode()
    assert synthetic.participations.first().official.get_absolute_url() not in officials
    # The CSV says which rows are synthetic.
    body = b"".join(client.get("/meetings/export.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    marks = {row["id"]: row["synthetic"] for row in rows}
    assert marks[seed_like["meeting"].external_id] == "no"
    assert marks[synthetic.external_id] == "yes"
    assert list(marks.values()).count("yes") == 5


def test_real_readouts_carry_no_synthetic_label(client, seed_like):
    html = client.get(seed_like["meeting"].get_absolute_url()).content.decode()
    assert "synthetic" not in html.lower()
    assert "synthetic" not in client.get("/").content.decode().lower()


def test_feed_entries_are_newest_published_first(client):
    official = make_official(country="PK")
    older = make_meeting("Older", date=dt.date(2020, 1, 1), participants=[(official, "envoy", "")])
    newer = make_meeting("Newer", date=dt.date(2021, 1, 1), participants=[(official, "envoy", "")])
    feed = parse(client, f"/officials/{official.slug}/feed/")
    assert [e.title.split(": ", 1)[1] for e in feed.entries] == [newer.title, older.title]


@pytest.mark.parametrize(
    ("control", "kept"),
    [
        ("\x08", "courtesy call"),
        ("\x01", "courtesy call"),
        ("\x7f", "courtesy call"),
        ("\x1b[31m", "courtesy [31mcall"),
    ],
)
def test_control_characters_in_a_search_do_not_break_the_feed(client, seed_like, control, kept):
    """XML 1.0 cannot hold them (found by the fuzz tests): they become spaces."""
    response = client.get("/meetings/feed/", {"q": f"courtesy{control}call"})
    assert response.status_code == 200
    ET.fromstring(response.content)  # well-formed
    page = client.get("/meetings/", {"q": f"courtesy{control}call"})
    assert page.context["filters"].q == kept


def test_entry_ids_do_not_expose_database_ids(client, seed_like):
    meeting = seed_like["meeting"]
    [entry] = parse(client, "/meetings/feed/").entries
    assert entry.id.endswith(f":readout/{meeting.external_id}")
    assert f"meeting-{meeting.pk}" not in entry.id


def test_feeds_name_their_authors_and_their_own_filtered_address(client, seed_like):
    feed = parse(client, "/meetings/feed/?country=pk&topic=cpec-20")
    assert feed.feed.author == "Engagement Archive"
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == "http://testserver/meetings/feed/?country=pk&topic=cpec-20"
    [entry] = feed.entries
    # Each entry's author: who published the account it is told on.
    assert entry.author == seed_like["meeting"].sources.first().publisher


def test_synthetic_entries_are_marked_in_feeds(client):
    import_readouts([json.dumps(r).encode() for r in sample_records(2)])
    feed = parse(client, "/meetings/feed/")
    assert feed.entries
    for entry in feed.entries:
        assert entry.title.endswith("[Synthetic sample — not a real readout]")
        assert "Synthetic sample — not a real readout" in {tag.term for tag in entry.tags}


def test_real_readouts_only_leaves_the_synthetic_ones_out(client, seed_like):
    lines = [(json.dumps(r) + "\n").encode() for r in sample_records(5)]
    assert import_readouts(lines).created == 5
    everything = client.get("/meetings/").content.decode()
    assert 'name="real" value="1"' in everything  # offered while the archive holds samples
    assert "Synthetic sample — not a real readout" in everything
    html = client.get("/meetings/", {"real": "1"}).content.decode()
    assert seed_like["meeting"].title in html
    assert "Synthetic sample — not a real readout" not in html
    assert "real only" in html  # the filter's chip, which removes it
    # Counted as it stands, not from the counts kept for the whole archive.
    assert "1 readout" in html and f"{Meeting.objects.count()} readouts" not in html
    synthetic = Meeting.objects.filter(synthetic=True).first()
    searched = client.get("/meetings/", {"q": synthetic.title.split(":")[0], "real": "1"})
    assert synthetic.title not in searched.content.decode()
    assert client.get("/meetings/feed/", {"real": "1"}).status_code == 200
    bad = client.get("/meetings/", {"real": "yes"})
    assert bad.status_code == 400
    assert "real=1" in bad.content.decode()


def test_the_real_only_switch_is_not_offered_without_synthetic_readouts(client, seed_like):
    assert 'name="real"' not in client.get("/meetings/").content.decode()


def test_feed_entries_link_every_account_with_whose_it_is(client):
    record = {
        "id": "two-sided",
        "date": "2025-11-11",
        "title": "Talks in Beijing",
        "kind": "meeting",
        "location": {"city": "Beijing", "country": "CN"},
        "participants": [
            {"name": "Khalil Hashmi", "title": "Ambassador", "country": "PK", "role": "envoy"},
            {"name": "Liu Haixing", "title": "Minister", "country": "CN", "role": "counterpart"},
        ],
        "summary": "Talks.",
        "sources": [
            {"url": "https://example.org/pk", "publisher": "DNA", "side": "PK"},
            {"url": "https://example.org/cn", "publisher": "Xinhua", "side": "CN"},
            {"url": "", "publisher": "A newspaper"},
        ],
    }
    assert import_readouts([(json.dumps(record) + "\n").encode()]).created == 1
    [entry] = parse(client, "/meetings/feed/").entries
    related = [(link.href, link.title) for link in entry.links if link.rel == "related"]
    assert related == [
        ("https://example.org/pk", "Pakistan: DNA"),
        ("https://example.org/cn", "China: Xinhua"),
    ]
    assert entry.author == "DNA"
