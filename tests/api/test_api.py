"""The JSON API: the list pages' filters and search, cursor pages, one readout with its
accounts, the records, the Data page's counts, ETags, CORS and the rate limit."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import make_meeting, make_official, make_organization

from engagements.interchange.importing import import_readouts
from engagements.interchange.synthetic import sample_records
from engagements.models import AccountTitle, Country, Meeting, Topic
from engagements.public import panels

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(db):
    """40 synthetic readouts, a real two-sided one with organisations and titles, a draft."""
    lines = [(json.dumps(r) + "\n").encode() for r in sample_records(40)]
    assert import_readouts(lines).created == 40
    idcpc = make_organization("International Department of the CPC", abbreviation="IDCPC")
    hashmi = make_official("Khalil Hashmi", country="PK", aliases="خلیل ہاشمی")
    liu = make_official("Liu Haixing", country="CN", aliases="刘海星", wikidata_id="Q123456")
    real = make_meeting(
        "Khalil Hashmi calls on Liu Haixing",
        date=dt.date(2025, 11, 11),
        participants=[(hashmi, "envoy", "Ambassador"), (liu, "counterpart", "Minister")],
        topics=["CPEC 2.0", "5E framework"],
        summary="A courtesy call in Beijing.",
        body="The Ambassador paid a **courtesy call**.",
        sources=[
            {"publisher": "DNA", "side": Country.for_code("PK"), "url": "https://dna.example/1"},
            {"publisher": "IDCPC", "side": Country.for_code("CN"), "headline": "Liu meets envoy"},
        ],
    )
    liu_part = real.participations.get(official=liu)
    liu_part.organization = idcpc
    liu_part.save()
    chinese = real.sources.get(publisher="IDCPC")
    chinese.topics.set([Topic.objects.get(name="CPEC 2.0")])
    AccountTitle.objects.create(
        meeting=real,
        account=real.sources.get(publisher="DNA"),
        participation=liu_part,
        title="Minister of the IDCPC",
    )
    hidden = make_official("Only In A Draft", country="TV")
    draft = make_meeting(
        "A draft",
        status=Meeting.Status.DRAFT,
        location="TV",
        topics=["Draft-only topic"],
        participants=[(hidden, "envoy", "Envoy")],
    )
    return {"real": real, "draft": draft, "hashmi": hashmi, "liu": liu, "hidden": hidden}


def walk(client, url: str) -> tuple[list[dict], int]:
    """Every row of a list, following `next`; and how many pages it took."""
    rows, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        url, pages = body["next"], pages + 1
        assert pages < 100
    return rows, pages


def page_ids(client, query: str) -> tuple[list[str], int]:
    """The external ids a list page shows on its first page, and its count."""
    response = client.get(f"/meetings/?{query}")
    assert response.status_code == 200
    shown = [card.pk for card in response.context["meetings"]]  # public/cards.py
    external = dict(Meeting.objects.filter(pk__in=shown).values_list("pk", "external_id"))
    return [external[pk] for pk in shown], response.context["paginator"].count


# -- the readouts' list ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "country=pk",
        "country=pk&country=cn",
        "topic=cpec-20",
        "q=Liu+Haixing",
        "q=trade&sort=newest",
        "from=2024&to=2025-06",
        "kind=courtesy+call",
        "real=1",
        "sort=oldest",
        "q=cpec&country=pk",
    ],
)
def test_the_list_selects_what_the_page_selects_in_its_order(client, archive, query):
    shown, count = page_ids(client, query)
    body = client.get(f"/api/meetings/?{query}&limit=100").json()
    assert body["count"] == count
    assert [m["id"] for m in body["results"]][: len(shown)] == shown


def test_a_walk_by_cursor_gives_every_readout_once_in_order(client, archive):
    rows, pages = walk(client, "/api/meetings/?limit=7")
    published = Meeting.objects.published()
    assert pages == -(-published.count() // 7)
    assert [r["id"] for r in rows] == list(
        published.order_by("-date", "-id").values_list("external_id", flat=True)
    )
    assert archive["draft"].external_id not in {r["id"] for r in rows}


def test_a_readout_published_during_a_walk_neither_repeats_nor_skips_a_row(client, archive):
    first = client.get("/api/meetings/?limit=10&sort=oldest").json()
    make_meeting("Published mid-walk", date=dt.date(1990, 1, 1))  # would sit on page one
    rest, _ = walk(client, first["next"])
    ids = [r["id"] for r in first["results"] + rest]
    assert len(ids) == len(set(ids)) == Meeting.objects.published().count() - 1


def test_the_same_position_is_always_the_same_address(client, archive, settings):
    """So that a second walk meets the first walk's pages in the cache: a cursor holds
    no moment (a timestamped signature would change every second)."""
    settings.PAGE_CACHE = False  # each page computed afresh, its cursor made again
    first = client.get("/api/meetings/?limit=10").json()["next"]
    time.sleep(1.1)
    assert client.get("/api/meetings/?limit=10").json()["next"] == first


def test_a_ranked_search_is_paged_by_position(client, archive):
    everything = client.get("/api/meetings/?q=meeting&limit=100").json()
    rows, _ = walk(client, "/api/meetings/?q=meeting&limit=3")
    assert [r["id"] for r in rows] == [r["id"] for r in everything["results"]]
    assert everything["count"] == len(rows) > 3


def test_a_misspelt_search_says_what_it_corrected(client, archive):
    body = client.get("/api/meetings/?q=Haixng").json()
    assert body["corrected_query"] == "Haixing"
    assert archive["real"].external_id in [r["id"] for r in body["results"]]


def test_a_list_row_holds_what_a_list_page_shows(client, archive):
    body = client.get("/api/meetings/?official=liu-haixing").json()
    (row,) = body["results"]
    assert row["url"] == "http://testserver" + archive["real"].get_absolute_url()
    assert row["api_url"] == f"http://testserver/api/meetings/{archive['real'].external_id}/"
    assert row["participants"][1] == {
        "name": "Liu Haixing",
        "slug": "liu-haixing",
        "country": "CN",
        "role": "counterpart",
        "title": "Minister",
    }
    assert {t["slug"] for t in row["topics"]} == {"cpec-20", "5e-framework"}
    assert row["synthetic"] is False
    assert row["location_country"] == {"code": "CN", "name": "China"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("from=2020-13", "from"),
        ("country=pakistan", "country"),
        ("kind=picnic", "kind"),
        ("from=2025&to=2024", "filters"),
        ("q=" + "x" * 301, "q"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("cursor=made-up", "cursor"),
        ("page=2", "page"),
        ("sort=best", "sort"),
    ],
)
def test_a_parameter_the_list_cannot_read_is_a_400_that_names_it(client, archive, query, parameter):
    response = client.get(f"/api/meetings/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert parameter in body["errors"], body
    assert body["detail"]


def test_a_cursor_of_another_order_or_altered_is_refused(client, archive):
    cursor = client.get("/api/meetings/?limit=2").json()["next"].split("cursor=")[1]
    assert client.get(f"/api/meetings/?sort=oldest&cursor={cursor}").status_code == 400
    assert client.get(f"/api/meetings/?cursor={cursor[:-2]}xx").status_code == 400
    assert client.get(f"/api/meetings/?q=meeting&cursor={cursor}").status_code == 400


def test_unknown_records_in_filters_select_nothing_as_on_the_pages(client, archive):
    body = client.get("/api/meetings/?country=zz&topic=draft-only-topic").json()
    assert body == {"count": 0, "next": None, "corrected_query": None, "results": []}


def test_the_pages_of_a_walk_count_the_list_once(client, archive, settings):
    settings.PAGE_CACHE = True
    first = client.get("/api/meetings/?country=pk&limit=5").json()
    with CaptureQueriesContext(connection) as later:
        client.get(first["next"].removeprefix("http://testserver"))
    assert not [q for q in later.captured_queries if "COUNT(" in q["sql"].upper()]


def test_the_list_costs_the_same_queries_however_long_the_page(
    client, archive, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/meetings/?limit=100").json()["results"]) == 41
    with django_assert_max_num_queries(12):
        client.get("/api/meetings/?q=meeting&country=pk&limit=100")


# -- one readout -------------------------------------------------------------------------------


def test_one_readout_holds_participants_accounts_and_their_titles(
    client, archive, django_assert_max_num_queries
):
    real = archive["real"]
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/meetings/{real.external_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["body"] == "The Ambassador paid a **courtesy call**."
    assert "<strong>courtesy call</strong>" in body["body_html"]
    liu = body["participants"][1]
    assert liu["organization"] == {
        "name": "International Department of the CPC",
        "abbreviation": "IDCPC",
        "country": None,
    }
    dna, idcpc = body["accounts"]
    assert (dna["side"], dna["url"], dna["titles"]) == (
        "PK",
        "https://dna.example/1",
        {"Liu Haixing": "Minister of the IDCPC"},
    )
    assert (idcpc["side"], idcpc["headline"], idcpc["topics"]) == (
        "CN",
        "Liu meets envoy",
        [{"slug": "cpec-20", "name": "CPEC 2.0"}],
    )
    assert body["citations"]["bib"].endswith(real.get_absolute_url() + "cite.bib")
    assert client.get(body["citations"]["ris"]).status_code == 200


def test_a_draft_or_unknown_readout_is_a_404_in_json(client, archive):
    for address in [
        f"/api/meetings/{archive['draft'].external_id}/",
        "/api/meetings/no-such-id/",
        "/api/no-such-endpoint/",
        # A NUL byte never reaches the database (PostgreSQL refuses it in a string: a 500).
        "/api/meetings/%00/",
        "/api/officials/%00/",
        "/api/topics/a%00b/",
    ]:
        response = client.get(address)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]


# -- records and counts ----------------------------------------------------------------------


def test_records_are_the_public_ones_with_their_counts(client, archive):
    countries, _ = walk(client, "/api/countries/?limit=2")
    codes = [c["code"] for c in countries]
    assert "TV" not in codes  # only a draft involves Tuvalu
    assert codes == sorted(codes, key=lambda c: Country.objects.get(code=c).name)
    pk = next(c for c in countries if c["code"] == "PK")
    assert pk["meeting_count"] == Meeting.objects.published().filter(countries__code="PK").count()
    assert pk["meetings_url"] == "http://testserver/api/meetings/?country=pk"
    assert client.get(pk["api_url"]).json() == pk
    assert client.get("/api/countries/tv/").status_code == 404

    officials, _ = walk(client, "/api/officials/?limit=5")
    assert "only-in-a-draft" not in {o["slug"] for o in officials}
    assert client.get("/api/officials/only-in-a-draft/").status_code == 404
    liu = client.get("/api/officials/liu-haixing/").json()
    assert (liu["aliases"], liu["wikidata_id"], liu["meeting_count"]) == (["刘海星"], "Q123456", 1)
    pakistanis, _ = walk(client, "/api/officials/?country=pk")
    assert pakistanis and {o["country"]["code"] for o in pakistanis} == {"PK"}
    assert client.get("/api/officials/?country=pakistan").status_code == 400

    topics, _ = walk(client, "/api/topics/?limit=100")
    assert "draft-only-topic" not in {t["slug"] for t in topics}
    cpec = client.get("/api/topics/cpec-20/").json()
    on_cpec = Meeting.objects.published().filter(topics__slug="cpec-20")
    assert cpec["meeting_count"] == on_cpec.count()


def test_the_counts_are_the_data_pages_panels(client, archive):
    index = client.get("/api/counts/").json()
    assert [p["key"] for p in index["panels"]] == list(panels.PANELS)
    for panel in index["panels"]:
        served = client.get(panel["api_url"]).json()
        assert served == json.loads(client.get(f"/data/{panel['key']}.json").content)
    assert client.get("/api/counts/no-such-panel/").status_code == 404


# -- the schema and its docs -----------------------------------------------------------------


def test_the_schema_describes_every_endpoint_and_its_docs_are_served(client, archive):
    schema = client.get("/api/schema/").json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/meetings/",
        "/api/meetings/{id}/",
        "/api/countries/",
        "/api/countries/{key}/",
        "/api/officials/",
        "/api/officials/{key}/",
        "/api/topics/",
        "/api/topics/{key}/",
        "/api/counts/",
        "/api/counts/{key}/",
    } == set(schema["paths"])
    listed = {p["name"] for p in schema["paths"]["/api/meetings/"]["get"]["parameters"]}
    assert {"country", "official", "topic", "q", "from", "to", "cursor", "limit"} <= listed
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"https://" not in docs.content  # its scripts are served from here, not a CDN
    links = client.get("/api/").json()
    assert links["schema"] == "http://testserver/api/schema/"


def test_the_pages_link_the_api(client, archive):
    assert b'href="/api/docs/"' in client.get("/data/").content
    assert b'href="/api/docs/"' in client.get("/").content


# -- caching, CORS, rate limit ---------------------------------------------------------------


def test_an_unchanged_answer_is_a_304_and_a_publication_changes_it(client, archive):
    first = client.get("/api/meetings/?country=pk")
    etag = first["ETag"]
    again = client.get("/api/meetings/?country=pk", headers={"if-none-match": etag})
    assert again.status_code == 304
    make_meeting("New today", date=dt.date(2026, 11, 30), location="PK")
    fresh = client.get("/api/meetings/?country=pk", headers={"if-none-match": etag})
    assert fresh.status_code == 200
    assert fresh.json()["results"][0]["title"] == "New today"


def test_any_origin_may_read_the_api_and_only_the_api(client, archive):
    origin = {"origin": "https://research.example"}
    response = client.get("/api/meetings/", headers=origin)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/meetings/", headers={**origin, "access-control-request-method": "GET"}
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/meetings/", headers=origin)
    assert client.post("/api/meetings/").status_code == 405


def test_each_client_is_limited_cached_answers_included(client, archive, settings):
    settings.API_RATE_LIMIT = "3/minute"
    for _ in range(3):
        assert client.get("/api/countries/").status_code == 200
    refused = client.get("/api/countries/", headers={"origin": "https://x.example"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many requests" in refused.json()["detail"]
    assert refused["Access-Control-Allow-Origin"] == "*"
    # Another client is not held back, and the pages are not limited.
    assert client.get("/api/countries/", REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.get("/countries/").status_code == 200


def test_behind_proxies_the_limit_holds_the_visitor_not_the_proxy(client, archive, settings):
    settings.API_RATE_LIMIT = "2/minute"
    settings.TRUSTED_PROXY_COUNT = 1
    for visitor in ["203.0.113.1", "203.0.113.2", "203.0.113.3"]:
        forwarded = {"x-forwarded-for": visitor}
        assert client.get("/api/topics/", headers=forwarded).status_code == 200
    # A visitor cannot escape by writing their own X-Forwarded-For entries on the left.
    spoofed = {"x-forwarded-for": "1.1.1.1, 203.0.113.1"}
    assert client.get("/api/topics/", headers=spoofed).status_code == 200
    assert client.get("/api/topics/", headers=spoofed).status_code == 429


def test_without_a_limit_nothing_is_refused(client, archive, settings):
    settings.API_RATE_LIMIT = ""
    assert all(client.get("/api/").status_code == 200 for _ in range(20))
