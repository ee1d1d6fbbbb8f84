"""Full-text search: the same behaviour on PostgreSQL (tsvector) and SQLite (FTS5)."""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import io
import json
import re
import weakref

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from factories import make_meeting, make_official, make_topic
from pytest_django.asserts import assertContains

from engagements import search
from engagements.interchange.importing import import_readouts
from engagements.models import Country, Meeting, Official, Organization, Participation, Topic
from engagements.public import browse, facets, views
from engagements.public.filters import parse_filters
from engagements.search.query import STOP_WORDS
from engagements.upkeep import derived

pytestmark = pytest.mark.django_db


def titles(client, query: str) -> list[str]:
    response = client.get("/meetings/", {"q": query} if isinstance(query, str) else query)
    assert response.status_code == 200, response.content[:500]
    return [m.title for m in response.context["meetings"]]


@pytest.fixture
def library(db):
    hashmi = make_official("Khalil Hashmi", country="PK")
    liu = make_official("Liu Haixing", country="CN", aliases="刘海星")
    wang = make_official("Wang Yi", country="CN")
    return {
        "idcpc": make_meeting(
            "Ambassador calls on the IDCPC minister",
            date=dt.date(2025, 11, 11),
            participants=[(hashmi, "envoy", "Ambassador"), (liu, "counterpart", "Minister")],
            topics=["CPEC 2.0", "youth exchanges"],
            summary="A courtesy call on the new minister.",
            body="Both sides reviewed the China-Pakistan Economic Corridor and think-tank "
            "cooperation.",
        ),
        "gwadar": make_meeting(
            "Talks on Gwadar port",
            date=dt.date(2024, 5, 1),
            city="Islamabad",
            location="PK",
            participants=[(hashmi, "envoy", "Ambassador"), (wang, "counterpart", "FM")],
            topics=["Gwadar port"],
            body="The port of Gwadar and maritime cooperation. Think tanks were not mentioned.",
        ),
        "climate": make_meeting(
            "Climate talks in Beijing",
            date=dt.date(2023, 2, 2),
            participants=[(wang, "envoy", "FM")],
            topics=["climate change"],
            body="Green development and a mention of Gwadar in passing.",
        ),
        "draft": make_meeting(
            "Secret draft about Gwadar", status=Meeting.Status.DRAFT, participants=[]
        ),
    }


def test_words_in_the_title_names_topics_places_and_body_are_found(client, library):
    assert titles(client, "IDCPC") == [library["idcpc"].title]
    assert titles(client, "Haixing") == [library["idcpc"].title]
    assert titles(client, "youth exchanges") == [library["idcpc"].title]
    assert titles(client, "Islamabad") == [library["gwadar"].title]
    assert titles(client, "maritime") == [library["gwadar"].title]
    assert set(titles(client, "Wang")) == {library["gwadar"].title, library["climate"].title}


def test_an_alias_in_another_script_finds_the_officials_meetings(client, library):
    assert titles(client, "刘海星") == [library["idcpc"].title]


def test_drafts_are_never_found(client, library):
    assert library["draft"].title not in titles(client, "secret draft Gwadar")
    assert library["draft"].title not in titles(client, "Gwadar")


def test_a_phrase_in_quotes_must_appear_as_written(client, library):
    assert titles(client, '"think-tank cooperation"') == [library["idcpc"].title]
    assert set(titles(client, "think tank")) >= {library["idcpc"].title, library["gwadar"].title}


def test_a_minus_excludes_and_or_offers_alternatives(client, library):
    assert set(titles(client, "Gwadar -climate")) == {library["gwadar"].title}
    assert set(titles(client, "IDCPC or climate")) == {
        library["idcpc"].title,
        library["climate"].title,
    }
    assert set(titles(client, "-Gwadar")) == {library["idcpc"].title}


def test_title_matches_rank_above_body_matches(client, library):
    found = titles(client, "Gwadar")
    assert found[0] == library["gwadar"].title  # in its title; the other only in its body
    assert found == [library["gwadar"].title, library["climate"].title]
    oldest_first = titles(client, {"q": "Gwadar", "sort": "oldest"})
    assert oldest_first == [library["climate"].title, library["gwadar"].title]


def test_search_combines_with_filters(client, library):
    assert titles(client, {"q": "Gwadar", "country": "cn", "kind": "meeting"}) == [
        library["gwadar"].title,
        library["climate"].title,
    ]
    assert titles(client, {"q": "Gwadar", "topic": "climate-change"}) == [library["climate"].title]
    assert titles(client, {"q": "Gwadar", "from": "2024"}) == [library["gwadar"].title]


def test_results_show_highlighted_snippets(client, library):
    response = client.get("/meetings/", {"q": "maritime"})
    assertContains(response, "<mark>maritime</mark>")
    assertContains(response, 'class="meeting-snippet"')


def test_snippets_escape_the_readout_text(client, db):
    make_meeting("Hostile", body="<script>alert(1)</script> maritime <b>bold</b>")
    html = client.get("/meetings/", {"q": "maritime"}).content.decode()
    assert "<script>alert(1)" not in html and "<b>bold</b>" not in html
    assert "<mark>maritime</mark>" in html


def test_the_search_box_is_on_every_page(client, library):
    for url in ["/", "/meetings/", "/countries/", "/officials/", "/topics/",
                library["idcpc"].get_absolute_url(), "/nowhere/"]:  # fmt: skip
        html = client.get(url).content.decode()
        assert re.search(
            r'<form class="site-search" role="search" method="get" action="/meetings/">', html
        ), url
        assert 'name="q"' in html and '<label for="site-q"' in html


def test_the_query_stays_in_the_box_and_in_a_chip(client, library):
    html = client.get("/meetings/", {"q": "Gwadar port"}).content.decode()
    assert 'value="Gwadar port"' in html
    assert "search: “Gwadar port”" in html


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', 'a "b', "-", "or", "or or", "- -", '"', '""', "\\", "\\\\x", "%", "_",
     "%_%", "a AND", "NEAR(a b)", "col:term", "*", "^x", "'; DROP TABLE x; --", "(((",
     "ﷺ", "🙂", "a" * 300],
)  # fmt: skip
def test_odd_queries_give_results_or_nothing_never_an_error(client, library, query):
    response = client.get("/meetings/", {"q": query})
    assert response.status_code == 200


def test_a_query_without_words_says_so(client, library):
    response = client.get("/meetings/", {"q": '"" - or %'})
    assertContains(response, "There is no word to search for")
    assert response.context["meetings"] == [] or len(response.context["meetings"]) == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "a" * 10_000}, "A search can be at most 300 characters"),
        ({"q": "cpec\x00"}, "Null characters are not allowed"),
        ({"country": ["pk"] * 500}, "At most 20 values of country code"),
        ({"topic": ["cpec-20"] * 500}, "At most 20 values of topic"),
        ({"official": ["khalil-hashmi"] * 500}, "At most 20 values of official"),
        ({"kind": ["meeting"] * 500, "q": ["x"] * 500}, ""),
    ],
)
def test_oversized_input_is_a_clear_400(client, library, params, message):
    response = client.get("/meetings/", params)
    if message:
        assert response.status_code == 400
        assertContains(response, message, status_code=400)
    else:  # the last of 500 repeats of a single-valued filter counts
        assert response.status_code == 200


def test_unknown_slugs_mixed_with_known_ones_give_an_empty_result_that_names_them(client, library):
    response = client.get("/meetings/", {"topic": ["cpec-20", "no-such-topic"], "q": "IDCPC"})
    assert response.status_code == 200
    assertContains(response, "The archive has no topic “no-such-topic”")
    assert len(response.context["meetings"]) == 0


def test_search_text_follows_renames_aliases_and_topic_changes(client, library):
    liu = Official.objects.get(name="Liu Haixing")
    liu.aliases = "刘海星\nLiu Hai-xing Lao"
    liu.save()
    assert titles(client, "Lao") == [library["idcpc"].title]
    topic = Topic.objects.get(name="Gwadar port")
    topic.name = "Gwadar deep-sea port"
    topic.save()
    assert library["gwadar"].title in titles(client, "deep-sea")
    library["climate"].topics.add("renewables")
    assert titles(client, "renewables") == [library["climate"].title]
    Participation.objects.filter(meeting=library["climate"]).delete()
    assert library["climate"].title not in titles(client, "Wang")


def test_a_search_finds_the_offices_and_organisations_participants_acted_for(client, library):
    """What a researcher types for a role ("consul general", "minister") or a body
    (IDCPC, its full name) finds the readouts of the people who held it."""
    department = Organization.objects.create(
        name="International Department of the Central Committee of the Communist Party of China",
        abbreviation="IDCPC",
    )
    climate = library["climate"]
    Participation.objects.filter(meeting=climate).update(title="Consul General in Lahore")
    Participation.objects.filter(meeting=library["gwadar"], title="FM").update(
        organization=department
    )
    derived.refresh([climate.pk, library["gwadar"].pk])  # bulk updates send no signals
    assert titles(client, "consul general") == [climate.title]
    assert titles(client, "Central Committee Communist Party") == [library["gwadar"].title]
    assert set(titles(client, "IDCPC")) == {library["gwadar"].title, library["idcpc"].title}
    department.abbreviation = "ILD"  # a rename reaches the readouts of its people
    department.save()
    assert titles(client, "ILD") == [library["gwadar"].title]


def test_the_importer_writes_the_same_search_text_as_the_admin_would(db):
    make_official("Liu Haixing", country="CN", aliases="刘海星")
    Organization.objects.create(name="International Department", abbreviation="IDCPC", slug="idcpc")
    record = {
        "id": "x-1", "date": "2025-11-11", "title": "Talks", "kind": "meeting",
        "location": {"city": "Beijing", "country": "CN"},
        "participants": [
            {"name": "刘海星", "title": "Minister", "country": "CN", "role": "envoy",
             "organization": "idcpc"},
            {"name": "Khalil Hashmi", "title": "", "country": "PK", "role": "counterpart"},
        ],
        "themes": ["trade", "CPEC 2.0"], "summary": "S.", "body": "B.", "sources": [],
    }  # fmt: skip
    assert import_readouts([json.dumps(record).encode()]).created == 1
    meeting = Meeting.objects.get()
    imported = (meeting.search_primary, meeting.search_secondary, meeting.facet_keys)
    Meeting.objects.filter(pk=meeting.pk).update(
        search_primary="", search_secondary="", facet_keys=""
    )
    derived.refresh([meeting.pk])
    meeting.refresh_from_db()
    assert (meeting.search_primary, meeting.search_secondary, meeting.facet_keys) == imported
    assert "刘海星" in meeting.search_primary and "Beijing" in meeting.search_secondary
    assert "IDCPC" in meeting.search_primary and "Minister" in meeting.search_secondary
    officials = sorted(meeting.participations.values_list("official_id", flat=True))
    assert meeting.facet_keys.split() == [
        *(f"c{pk}" for pk in sorted(meeting.countries.values_list("pk", flat=True))),
        *(f"o{pk}" for pk in officials),
        *(f"t{pk}" for pk in sorted(meeting.topics.values_list("pk", flat=True))),
    ]


def test_misspelt_names_suggest_the_right_one_on_postgresql(client, library):
    response = client.get("/meetings/", {"q": "Khalil Hashmy"})
    if connection.vendor == "postgresql":
        assertContains(
            response, 'Did you mean <a href="/officials/khalil-hashmi/">Khalil Hashmi</a>'
        )
    else:  # pg_trgm has no SQLite twin: no suggestions there (README says so)
        assert "Did you mean" not in response.content.decode()
    assert search.suggestions("") == []


def test_a_sqlite_table_rebuild_that_drops_the_triggers_is_repaired(library):
    if connection.vendor != "sqlite":
        assert search.schema.repair_sqlite_index() is False
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER engagements_meeting_fts_add")
    assert search.schema.repair_sqlite_index() is True
    make_meeting("Brand new readout on hydrogen")
    assert [m.title for m in search.search(Meeting.objects.all(), "hydrogen")] == [
        "Brand new readout on hydrogen"
    ]
    assert search.schema.repair_sqlite_index() is False


def test_parse_reads_web_search_syntax():
    parsed = search.parse('"exact phrase" cpec or gwadar -climate "unbalanced')
    assert parsed.groups == [[["exact", "phrase"]], [["cpec"], ["gwadar"]], [["unbalanced"]]]
    assert parsed.excluded == [["climate"]]
    assert search.parse('- or "" %').is_empty
    assert len(search.parse(" ".join(f"w{i}" for i in range(100))).groups) == search.query.MAX_TERMS


def test_topic_names_are_searchable_on_topic_pages(client, library):
    make_topic("Unused topic")
    response = client.get("/topics/cpec-20/", {"q": "IDCPC"})
    assert response.status_code == 200
    assert [m.title for m in response.context["meetings"]] == [library["idcpc"].title]


def test_a_first_import_into_an_empty_archive_leaves_the_search_index_in_place(db):
    record = {
        "id": "first-1", "date": "2025-11-11", "title": "Hydrogen talks", "kind": "meeting",
        "location": {"city": "Oslo", "country": "NO"},
        "participants": [
            {"name": "A B", "title": "", "country": "NO", "role": "envoy"},
            {"name": "C D", "title": "", "country": "NO", "role": "counterpart"},
        ],
        "themes": [], "summary": "", "body": "Electrolysers.",
        "sources": [{"url": "", "publisher": "Test Agency", "published": None}],
    }  # fmt: skip
    assert import_readouts([json.dumps(record).encode()]).created == 1
    assert [m.title for m in search.search(Meeting.objects.all(), "electrolysers")] == [
        "Hydrogen talks"
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'meeting_search_vector_idx'")
            assert cursor.fetchone() == (1,)


def test_a_search_page_orders_every_match_by_relevance_past_the_sqlite_rank_limit(
    client, monkeypatch
):
    """ "Most relevant first" is true however many readouts match: the list page ranks them
    all (SQLite in one pass of its index), not only the first RANK_LIMIT."""
    monkeypatch.setattr(search.sqlite, "RANK_LIMIT", 1)
    for day, times in ((1, 3), (2, 1), (3, 2)):
        make_meeting(
            f"Harbour talks {day}",
            date=dt.date(2025, 3, day),
            summary=" ".join(["lighthouse"] * times) + " and the harbour.",
        )
    assert titles(client, "lighthouse") == ["Harbour talks 1", "Harbour talks 3", "Harbour talks 2"]
    newest = titles(client, {"q": "lighthouse", "sort": "newest"})
    assert newest == ["Harbour talks 3", "Harbour talks 2", "Harbour talks 1"]


def test_a_search_matching_more_than_the_sample_counts_and_ranks_the_newest(client, settings):
    """Past SEARCH_SAMPLE matches, a search costs the same whatever the archive's size."""
    settings.SEARCH_SAMPLE = 3
    official = make_official("Khalil Hashmi", country="PK")
    for day in range(1, 6):
        make_meeting(
            f"Corridor talks {day}",
            date=dt.date(2025, 3, day),
            participants=[(official, "envoy", "")],
            body="The corridor was discussed.",
        )
    make_meeting("Unrelated", date=dt.date(2025, 3, 9), participants=[(official, "envoy", "")])
    response = client.get("/meetings/", {"q": "corridor"})
    html = response.content.decode()
    assert "3 or more readouts" in html
    assert "cover the newest 3" in html
    shown = re.findall(r"Corridor talks \d", html)
    assert set(shown) == {"Corridor talks 5", "Corridor talks 4", "Corridor talks 3"}
    by_relevance = client.get("/meetings/", {"q": "corridor", "sort": "relevance"})
    assert set(re.findall(r"Corridor talks \d", by_relevance.content.decode())) == set(shown)
    years = dict(
        (v.label, v.count) for f in response.context["facets"] if f.key == "year" for v in f.values
    )
    assert years == {"2025": 3}

    # A download holds every match, past the sample too.
    exported = client.get("/meetings/export.csv", {"q": "corridor"})
    rows = b"".join(exported.streaming_content).decode().splitlines()
    assert sum("Corridor talks" in row for row in rows) == 5

    settings.SEARCH_SAMPLE = 10  # under the sample: every match, no note
    html = client.get("/meetings/", {"q": "corridor", "sort": "newest"}).content.decode()
    assert "5 readouts" in html and "cover the newest" not in html


@pytest.fixture
def spread(library):
    """The library, plus readouts over more countries, people, topics and kinds."""
    people = [
        make_official("Ishaq Dar", country="PK"),
        make_official("Subrahmanyam Jaishankar", country="IN"),
        make_official("Pham Minh Chinh", country="VN"),
    ]
    for i in range(9):
        make_meeting(
            f"Corridor cooperation round {i}",
            date=dt.date(2022 + i % 3, 1 + i, 2),
            kind=Meeting.Kind.values[i % 3],
            location=["PK", "IN", "VN"][i % 3],
            participants=[
                (people[i % 3], "envoy", ""),
                (people[(i + 1) % 3], "counterpart", ""),
            ],
            topics=["trade", f"round {i % 2}"],
            body="Maritime cooperation and the port of Gwadar." if i % 2 else "Trade.",
        )
    return library


@pytest.mark.parametrize(
    "query",
    [
        "q=cooperation",
        "q=Gwadar&country=pk",
        "q=cooperation&topic=trade&kind=meeting",
        "q=corridor -maritime",
        "q=Gwadar or climate&from=2023&to=2024",
        "q=cooperation&official=ishaq-dar&country=in",
        "q=nothing-like-this",
    ],
)
def test_a_search_counts_its_facets_from_what_it_found_as_a_grouping_would(spread, query):
    """search.find gives each match's facet keys: counted in Python, they give the facets
    the database's groupings of the same matches give."""
    query = QueryDict(query)
    filters, _ = parse_filters(query)
    names = {c.pk: (c.name, c.code) for c in Country.objects.all()}
    published = Meeting.objects.published()
    found = search.find(filters.narrow(published), filters.q)
    counted = facets.facets(found, query, filters, country_names=names)
    grouped = facets.facets(filters.apply(published), query, filters, country_names=names)
    assert counted == grouped
    assert counted[1] == len(found) == filters.apply(published).count()


def test_search_results_page_through_in_the_order_asked_for(client, db):
    official = make_official("Khalil Hashmi", country="PK")
    made = [
        make_meeting(
            f"Readout {i:02d}",
            date=dt.date(2024, 1, 1) + dt.timedelta(days=i),
            participants=[(official, "envoy", "")],
            body="The corridor was discussed.",
        )
        for i in range(30)
    ]
    made[3].title = "The corridor, in the title"
    made[3].save()

    def page(**params) -> list[str]:
        response = client.get("/meetings/", {"q": "corridor", **params})
        assert response.status_code == 200
        assert response.context["paginator"].count == 30
        return [m.title for m in response.context["meetings"]]

    newest = [m.title for m in sorted(made, key=lambda m: m.date, reverse=True)]
    assert page(sort="newest") + page(sort="newest", page=2) == newest
    assert page(sort="oldest") + page(sort="oldest", page=2) == newest[::-1]
    by_relevance = page() + page(page=2)
    assert by_relevance[0] == "The corridor, in the title"
    assert sorted(by_relevance) == sorted(newest)
    assert client.get("/meetings/", {"q": "corridor", "page": 3}).status_code == 404


def test_a_readout_updated_by_a_new_import_stays_findable_by_its_people(client, db):
    """The importer replaces an updated readout's parts in bulk: the search text it wrote
    must survive the replacement (signals once rewrote it half-way, without the people)."""
    record = {
        "id": "x-2", "date": "2025-11-11", "title": "Talks", "kind": "meeting",
        "participants": [
            {"name": "Khalil Hashmi", "title": "", "country": "PK", "role": "envoy"},
            {"name": "Liu Haixing", "title": "", "country": "CN", "role": "counterpart"},
        ],
        "themes": ["trade"], "summary": "S.", "body": "B.",
        "sources": [{"url": "", "publisher": "Test Agency", "published": None}],
    }  # fmt: skip
    import_readouts([json.dumps(record).encode()])
    assert import_readouts([json.dumps(record | {"themes": ["energy"]}).encode()]).updated == 1
    assert titles(client, "Hashmi") == ["Talks"]
    assert titles(client, "energy") == ["Talks"] and titles(client, "trade") == []
    meeting = Meeting.objects.get()
    keys = meeting.facet_keys
    derived.refresh([meeting.pk])
    meeting.refresh_from_db()
    assert meeting.facet_keys == keys and keys.count("o") == 2


def test_the_migration_fills_the_facet_keys_of_existing_readouts(spread):
    from django.apps import apps

    migration = importlib.import_module("engagements.migrations.0012_meeting_facet_keys")
    written = dict(Meeting.objects.values_list("pk", "facet_keys"))
    assert all(written.values())
    Meeting.objects.update(facet_keys="")
    migration.fill_facet_keys(apps, None)
    assert dict(Meeting.objects.values_list("pk", "facet_keys")) == written


def test_postgresql_keeps_search_vectors_in_the_row_and_compiles_no_jit(library):
    """A search reads every candidate's vector: kept in the row, not moved out (TOAST)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's storage of the search vector; SQLite has FTS5")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'engagements_meeting'::regclass AND attname = 'search_vector'"
        )
        assert cursor.fetchone() == ("m",)  # main: compressed, in the row
        # And no JIT compilation, which cost a large search 25 ms and saved nothing.
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_a_list_view_is_freed_as_soon_as_its_request_ends(client, library, rf):
    """No reference cycle keeps a list view, and the rows its search read, alive until the
    next full garbage collection: with 10,000 rows a request, a server worker grew to 180
    MB. (Django's View.setup stores `self.head = self.get` unless the class has `head`.)"""
    for view_class in (views.MeetingListView, browse.CountryDetailView, browse.TopicDetailView):
        view = view_class()
        view.setup(rf.get("/meetings/", {"q": "Gwadar"}))
        assert "head" not in vars(view)
        gc.disable()
        try:
            gone = weakref.ref(view)
            del view
            assert gone() is None
        finally:
            gc.enable()
    assert client.head("/meetings/", {"q": "Gwadar"}).status_code == 200


def test_search_results_read_their_readouts_in_one_go(library, django_assert_num_queries):
    ids = [library["gwadar"].pk, library["idcpc"].pk, library["climate"].pk]
    results = views.SearchResults(ids)
    with django_assert_num_queries(3):  # the readouts, their participants, their topics
        assert [m.pk for m in results] == ids
    with django_assert_num_queries(3):
        assert results[1].pk == ids[1]
    assert len(results) == 3


# -- nothing computed from drafts reaches a visitor ------------------------------------------


def test_what_a_draft_holds_never_changes_a_search_page(client, settings, monkeypatch):
    """The review's probe: a query with exactly as many published matches as SQLite ranks,
    plus a guessed word. A draft holding that word must change nothing (order, count)."""
    settings.PAGE_CACHE = False  # each answer computed afresh
    monkeypatch.setattr(search.sqlite, "RANK_LIMIT", 4)
    # Newest first and best first differ: the oldest says "lighthouse" most often.
    for n, day in enumerate(range(1, 5)):
        make_meeting(
            f"Readout {day}",
            date=dt.date(2025, 3, day),
            summary=" ".join(["lighthouse"] * (4 - n)) + " harbour talks",
        )
    query = {"q": "lighthouse or zephyrine", "sort": "relevance"}
    before = client.get("/meetings/", query)
    assert next(m.title for m in before.context["meetings"]) == "Readout 1"
    draft = make_meeting(
        "Unpublished", status=Meeting.Status.DRAFT, summary="zephyrine lighthouse lighthouse"
    )
    after = client.get("/meetings/", query)
    assert after.content == before.content
    draft.title = "Still unpublished, edited"
    draft.save()
    assert client.get("/meetings/", query).content == before.content


def test_the_sqlite_index_holds_published_readouts_only(db):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL ranks each row alone; its queries start from published rows")

    def indexed() -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM engagements_meeting_fts "
                "WHERE engagements_meeting_fts MATCH 'zephyrine'"
            )
            return {row[0] for row in cursor.fetchall()}

    draft = make_meeting("Zephyrine draft", status=Meeting.Status.DRAFT)
    assert indexed() == set()
    draft.status = Meeting.Status.PUBLISHED
    draft.save()
    assert indexed() == {draft.pk}
    Meeting.objects.filter(pk=draft.pk).update(status=Meeting.Status.DRAFT)
    assert indexed() == set()
    draft.delete()  # a draft was never indexed: deleting it must not disturb the index
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO engagements_meeting_fts(engagements_meeting_fts) "
            "VALUES ('integrity-check')"
        )


# -- queryset updates keep the search text -----------------------------------------------


def test_a_queryset_update_of_a_title_is_found_by_its_new_words_only(client, db):
    """update() sends no per-row signal: the one it sends (models.meetings_changed) must
    refresh the search text, or the new title is not found and the old one still is."""
    meeting = make_meeting("Talks on lighthouses", summary="Coastal matters.")
    assert titles(client, "lighthouses") == ["Talks on lighthouses"]
    Meeting.objects.filter(pk=meeting.pk).update(title="Talks on harbours")
    assert titles(client, "harbours") == ["Talks on harbours"]
    assert titles(client, "lighthouses") == []


def test_a_queryset_update_of_the_venue_moves_the_readouts_countries(client, db):
    envoy = make_official("Khalil Hashmi", country="PK")
    meeting = make_meeting("Talks abroad", location="CN", participants=[(envoy, "envoy", "")])
    Meeting.objects.filter(pk=meeting.pk).update(
        location_country=Country.for_code("FR"), city="Paris"
    )
    assert set(meeting.countries.values_list("code", flat=True)) == {"FR", "PK"}
    assert titles(client, "Paris") == ["Talks abroad"]
    assert titles(client, {"country": "fr"}) == ["Talks abroad"]
    assert titles(client, {"country": "cn"}) == []


# -- one reading of a search on both engines -------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own list")
def test_the_stop_words_left_out_are_postgresqls_own(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM unnest(%s::text[]) AS word "
            "WHERE ts_lexize('english_stem', word) <> '{}'",
            [sorted(STOP_WORDS)],
        )
        assert cursor.fetchall() == []  # each is a stop word there too
    # ... and all of them: its english.stop holds 127 words ("s" was missing here).
    assert len(STOP_WORDS) == 127


def test_common_words_alone_find_nothing_and_the_page_says_why(client, library):
    for query in ("the", "of the", '"the"'):
        response = client.get("/meetings/", {"q": query})
        assertContains(response, "There is no word to search for")
        assertContains(response, "words as common as")
        assert len(response.context["meetings"]) == 0
    # Among other words they change nothing.
    assert titles(client, "the Gwadar port") == titles(client, "Gwadar port")


def test_stop_words_at_the_ends_of_a_phrase_are_left_out_on_both_engines(client, db):
    make_meeting("A message", body="President Xi's message was read out.")
    make_meeting("A meeting", body="President Xi met the delegation.")
    both = {"A message", "A meeting"}
    # PostgreSQL never indexed the "s" (a stop word); SQLite required it after Xi.
    assert set(titles(client, "Xi's")) == set(titles(client, "Xi")) == both
    assert set(titles(client, '"the delegation"')) == {"A meeting"}
    assert set(titles(client, '"Xi\'s message"')) == {"A message"}


def test_hyphenated_words_are_found_as_the_words_in_a_row(client, db):
    make_meeting("China-Pakistan talks", body="A review of China Pakistan ties.")
    make_meeting("China and Pakistan apart", body="China spoke. Then Pakistan did.")
    assert titles(client, "China-Pakistan") == ["China-Pakistan talks"]
    assert titles(client, '"china pakistan"') == ["China-Pakistan talks"]


def test_a_hyphenated_word_inside_a_phrase_is_found_wherever_it_stands(client, db):
    """PostgreSQL's parser also indexed a hyphenated word whole, before its parts, which
    pushed every word after it one place on: "CPEC phase-II" was not "CPEC phase II", and
    a phrase with a hyphenated word after its first word found nothing there."""
    make_meeting(
        "Planning talks",
        body="Prime Minister Anwaar-ul-Haq Kakar listed CPEC phase-II priorities for the "
        "new China-Pakistan corridor.",
    )
    make_meeting("Elsewhere", body="Kakar spoke of phase one; China and Pakistan agreed.")
    for query in (
        '"Minister Anwaar-ul-Haq Kakar"',
        '"CPEC phase II"',
        '"CPEC phase-II priorities"',
        '"new China Pakistan corridor"',
        '"new China-Pakistan corridor"',
    ):
        assert titles(client, query) == ["Planning talks"], query


def test_numbers_abbreviations_and_hosts_are_found_as_written(client, db):
    """PostgreSQL's parser keeps "2.0", "U.S." and "mofa.gov.pk" whole and reads "-19" in
    "COVID-19" as a signed number; a search split at every stop and hyphen found none of
    them there (a topic named "CPEC 2.0" found nothing at all)."""
    make_topic("CPEC 2.0")  # no alias to fall back on
    make_meeting("Corridor talks", topics=["CPEC 2.0"], body="The second phase began.")
    make_meeting(
        "Health talks",
        body="Vaccines against COVID-19 and the G-20's 2024-25 plan, 1.5 per cent of it, "
        "with the U.S. side (statement at mofa.gov.pk).",
    )
    make_meeting("Unrelated", body="Version 2 of 0 plans; covid at 19 sites; the US said so.")
    assert titles(client, "CPEC 2.0") == ["Corridor talks"]
    assert titles(client, "cpec 2.0 phase") == ["Corridor talks"]
    for query in ("COVID-19", "G-20", "2024-25", "1.5", "U.S.", "mofa.gov.pk", '"U.S. side"'):
        assert titles(client, query) == ["Health talks"], query
    # Hyphenated words are still their parts in a row, however the text joins them.
    assert titles(client, "vaccines-against") == ["Health talks"]
    # A number after a hyphen or a space is the same number, either way round, and
    # leaving it out leaves out both.
    assert titles(client, '"covid 19"') == ["Health talks"]
    assert titles(client, "talks -19") == titles(client, "-19") == ["Corridor talks"]
    make_meeting("Corridor review", body="They reviewed CPEC phase-2 and the G 20 agenda.")
    assert titles(client, '"phase 2"') == ["Corridor review"]
    assert set(titles(client, "G-20")) == {"Health talks", "Corridor review"}


def test_british_and_american_spellings_find_each_other(client, db):
    make_meeting("Defence talks", body="The modernisation of the organisation was discussed.")
    make_meeting("Defense talks", body="The modernization program was discussed.")
    both = {"Defence talks", "Defense talks"}
    assert set(titles(client, "defence")) == both
    assert set(titles(client, "defense")) == both
    assert set(titles(client, "modernizing")) == set(titles(client, "modernisation")) == both
    assert titles(client, "organization") == ["Defence talks"]
    assert set(titles(client, "programme")) == {"Defense talks"}


def test_diacritics_are_ignored_the_same_way_on_both_engines(client, db):
    make_meeting("Pakistan and Türkiye hold consultations", body="Talks in Ankara.")
    make_meeting("A visit to São Paulo", body="The consul général spoke of the Açaí trade.")
    make_meeting("Turkiye without its dots", body="A later spelling.")
    turkiye = {"Pakistan and Türkiye hold consultations", "Turkiye without its dots"}
    assert set(titles(client, "Turkiye")) == set(titles(client, "Türkiye")) == turkiye
    assert titles(client, "sao paulo") == titles(client, "SÃO PAULO") == ["A visit to São Paulo"]
    assert titles(client, '"consul general"') == ["A visit to São Paulo"]
    assert titles(client, "acai") == ["A visit to São Paulo"]
    html = client.get("/meetings/", {"q": "general acai"}).content.decode()
    assert "<mark>Açaí</mark>" in html  # the snippet shows the text as written


def test_a_search_that_is_a_topics_name_finds_its_other_names_after_its_own(client, db):
    make_topic(
        "Shanghai Cooperation Organisation", aliases="SCO\nShanghai Cooperation Organization"
    )
    make_meeting("Summit in Tianjin", date=dt.date(2025, 9, 1), body="They met at the SCO summit.")
    make_meeting(
        "Organisation talks",
        date=dt.date(2025, 1, 1),
        topics=["Shanghai Cooperation Organisation"],  # a public topic: it has a readout
        body="The Shanghai Cooperation Organization and its future.",
    )
    make_meeting("Unrelated", date=dt.date(2025, 10, 1), body="Cooperation in Shanghai.")
    # The readout saying "SCO" is found too, after the one that says what was asked.
    assert titles(client, "Shanghai Cooperation Organization") == [
        "Organisation talks",
        "Summit in Tianjin",
    ]
    assert set(titles(client, "SCO")) == {"Summit in Tianjin", "Organisation talks"}
    html = client.get("/meetings/", {"q": "Shanghai Cooperation Organization"}).content.decode()
    assert "<mark>SCO</mark>" in html  # the snippet shows the name it found
    # The download holds what the page found.
    body = b"".join(
        client.get(
            "/meetings/export.csv", {"q": "Shanghai Cooperation Organization"}
        ).streaming_content
    ).decode("utf-8-sig")
    assert "Summit in Tianjin" in body and "Unrelated" not in body


def test_a_search_that_names_a_topic_still_finds_its_words_apart(client, db):
    """Naming a topic widens a search to its other names and never narrows it: "Gwadar
    Port" finds what "port Gwadar" finds, the port of Gwadar, as well as "GP"."""
    make_topic("Gwadar Port", aliases="GP")
    make_meeting("Port talks", topics=["Gwadar Port"], body="On the Gwadar Port.")
    make_meeting("Harbour review", body="The port of Gwadar was reviewed.")
    make_meeting("Acronym", body="They spoke of GP.")
    make_meeting("Elsewhere", body="A port in Karachi.")
    found = titles(client, "Gwadar Port")
    assert set(found) == {"Port talks", "Harbour review", "Acronym"}
    # The readouts that use the words searched come before the one found by another name.
    assert found[-1] == "Acronym"
    assert set(titles(client, "port Gwadar")) == {"Port talks", "Harbour review"}


def test_prepare_reads_the_same_search_for_both_engines():
    assert search.prepare("the defence of Gwadar").groups == [
        [["defence"], ["defense"]],
        [["Gwadar"]],
    ]
    assert search.prepare("-the cpec").excluded == []
    # A search that is a name is widened to the record's other names (in both spellings),
    # and still reads its own words.
    sco = search.prepare("SCO", ["Shanghai Cooperation Organisation", "SCO"])
    assert sco.groups == [[["SCO"]]]
    assert sco.names == [
        ["Shanghai", "Cooperation", "Organisation"],
        ["SCO"],
        ["Shanghai", "Cooperation", "organization"],
    ]
    # Only a whole query that is a name is widened: "SCO summit" is not.
    summit = search.prepare("SCO summit", ["SCO", "Shanghai Cooperation Organisation"])
    assert summit.groups == [[["SCO"]], [["summit"]]]
    assert summit.names == []
    # A name with stop words is still the name, read without them: "Belt and Road
    # Initiative" (read as Belt, Road, Initiative) finds what says BRI.
    bri = search.prepare("belt and road initiative", ["Belt and Road Initiative", "BRI"])
    assert bri.groups == [[["belt"]], [["road"]], [["initiative"]]]
    assert bri.names == [["Belt", "and", "Road", "Initiative"], ["BRI"]]
    assert search.prepare(
        "party-to-party exchanges", ["party-to-party exchanges", "inter-party exchanges"]
    ).names == [["party", "to", "party", "exchanges"], ["inter", "party", "exchanges"]]
    # A name of stop words alone is not searched for a query of stop words ("The Who").
    the = search.prepare("the", ["The", "The Who"])
    assert the.groups == the.names == []


def test_refresh_derived_rebuilds_the_search_text_of_every_readout(client, library):
    """After an upgrade that changes what is indexed, one command brings every readout's
    search text in line (here: text emptied behind the archive's back)."""
    Meeting.objects.update(search_primary="", search_secondary="", facet_keys="")
    assert titles(client, "Haixing") == []
    out = io.StringIO()
    call_command("refresh_derived", stdout=out)
    assert "Refreshed the derived state of 4 readouts" in out.getvalue()
    assert titles(client, "Haixing") == [library["idcpc"].title]
    assert Meeting.objects.filter(facet_keys="").count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's ts_rank has no idf")
def test_postgresql_counts_each_words_readouts_once_for_its_rarity(library):
    """A search of several words weighs each by how rare it is (as SQLite's bm25 does;
    the judged queries measure the effect: tests/search/test_relevance.py). The counts of
    published readouts holding each word are kept for an hour: the next search with those
    words does not count them again, and a new word is counted alone."""
    from django.test.utils import CaptureQueriesContext

    published = Meeting.objects.published()
    with CaptureQueriesContext(connection) as first:
        found = search.find(published, "maritime Gwadar")
    assert list(found.ordered("relevance")) == [library["gwadar"].pk]
    with CaptureQueriesContext(connection) as again:
        search.find(published, "maritime Gwadar")
    with CaptureQueriesContext(connection) as one_new:
        search.find(published, "Gwadar port")
    # The whole archive and the two words the first time; then nothing; then "port".
    assert len(first) - len(again) == 3
    assert len(one_new) - len(again) == 1
