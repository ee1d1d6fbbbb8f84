"""A search that finds nothing is corrected from the archive's own vocabulary, on both
databases, and the page says so; nothing is corrected into a word the query does not
resemble."""

from __future__ import annotations

import pytest
from factories import make_meeting, make_official, make_topic

from engagements.search.spelling import correct, read_vocabulary

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(db):
    hashmi = make_official("Khalil Hashmi", country="PK")
    jiang = make_official("Jiang Zaidong", country="CN")
    cpec = make_topic("CPEC 2.0", aliases="China-Pakistan Economic Corridor phase II")
    uraan = make_topic("Uraan Pakistan")
    industry = make_topic("industrial cooperation")
    meeting = make_meeting(
        "Khalil Hashmi meets Jiang Zaidong",
        participants=[(hashmi, "envoy", "Ambassador"), (jiang, "counterpart", "Ambassador")],
        topics=[cpec, uraan, industry],
    )
    return meeting


@pytest.mark.parametrize(
    ("query", "corrected"),
    [
        ("CEPC", "CPEC"),  # two letters swapped
        ("Pakistn Uraan", "Pakistan Uraan"),  # a letter dropped
        ("Khalil Hashmy", "Khalil Hashmi"),
        ("Jiang Zedong", "Jiang Zaidong"),  # a whole name, two edits
        ("uraan pakistn", "Uraan Pakistan"),  # a whole topic, as the archive writes it
        ("cpec cooperaton", "cpec cooperation"),  # a word, in the visitor's case
    ],
)
def test_a_misspelt_query_is_corrected_from_the_vocabulary(archive, query, corrected):
    assert correct(query, read_vocabulary()) == corrected


@pytest.mark.parametrize("query", ["Hashmi", "qwzx", "Li", "xylophone concerto", ""])
def test_a_known_or_unresembling_query_is_not_corrected(archive, query):
    assert correct(query, read_vocabulary()) is None


def test_the_list_page_shows_the_corrected_search_and_says_so(client, archive):
    response = client.get("/meetings/", {"q": "Jiang Zedong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No readout matches “Jiang Zedong”" in html
    assert "“Jiang Zaidong”" in html
    assert archive.title in html


def test_a_query_that_finds_readouts_is_not_corrected(client, archive):
    html = client.get("/meetings/", {"q": "Hashmi"}).content.decode()
    assert "No readout matches" not in html and archive.title in html


def test_nothing_resembling_the_query_leaves_an_empty_result(client, archive):
    html = client.get("/meetings/", {"q": "qwzx"}).content.decode()
    assert "No readout matches “qwzx”" not in html
    assert archive.title not in html


def test_a_search_that_names_a_topic_or_an_official_offers_its_page_first(client, archive):
    html = client.get("/meetings/", {"q": "cpec 2.0"}).content.decode()
    assert 'class="notice vocabulary-hit"' in html
    assert 'href="/topics/cpec-20/"><strong>CPEC 2.0</strong></a> — 1 readout' in html
    # By an alias, in any case.
    html = client.get("/meetings/", {"q": "china-pakistan economic corridor phase ii"})
    assert "<strong>CPEC 2.0</strong>" in html.content.decode()
    html = client.get("/meetings/", {"q": "Jiang Zaidong"}).content.decode()
    assert "<strong>Jiang Zaidong</strong></a> — 1 readout" in html
    # A word of a name, or a phrase in quotes, is a search, not the name.
    assert "vocabulary-hit" not in client.get("/meetings/", {"q": "Jiang"}).content.decode()
