"""One ranking on both engines (engagements/search/ranking.py): how it reads text, and that
what it puts first is what BM25 and the substance factor say, whatever the engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from factories import make_meeting, make_topic

from engagements import search
from engagements.models import Meeting
from engagements.search import ranking

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_statistics():
    cache.clear()  # the archive's size and word counts are kept an hour
    yield
    cache.clear()


def test_phrases_are_read_as_stems_without_case_or_diacritics():
    assert ranking.phrase_stems(["Organisations"]) == ("organis",)
    assert ranking.phrase_stems(["CPEC", "2.0"]) == ("cpec", "2", "0")
    assert ranking.phrase_stems(["Türkiye"]) == ranking.phrase_stems(["turkiye"])
    text = ranking.folded(
        "The organisation's Organisations met; CPEC 2.0 and CPEC-2.0, not CPEC 3.0."
    )
    assert ranking.occurrences(text, [ranking.phrase_stems(["organisation"])]) == 2
    assert ranking.occurrences(text, [ranking.phrase_stems(["CPEC", "2.0"])]) == 2
    either = [ranking.phrase_stems(["CPEC", "3.0"]), ranking.phrase_stems(["met"])]
    assert ranking.occurrences(text, either) == 2
    assert ranking.occurrences("", either) == ranking.occurrences(text, []) == 0
    assert ranking.occurrences(ranking.folded("Türkiye's ties"), [("turkiy",)]) == 1


def titles(found: search.Found) -> list[str]:
    by_pk = dict(Meeting.objects.values_list("pk", "title"))
    return [by_pk[pk] for pk in found.ordered("relevance")]


def test_the_words_weigh_by_where_they_stand_how_often_and_how_rare():
    filler = "The ministers met and spoke of many matters. " * 4  # bodies of one length
    make_meeting("Talks", body=filler + "Agriculture.")
    make_meeting("Agriculture talks", body=filler + "Nothing.")
    make_meeting("Farm visit", summary="Agriculture was discussed.", body=filler + "Nothing.")
    make_meeting("Unrelated", body=filler + "Trade.")
    found = search.find(Meeting.objects.published(), "agriculture")
    # In the title first (6), then in the summary (4), then in the body (2).
    assert titles(found) == ["Agriculture talks", "Farm visit", "Talks"]
    # A rare word tells more than a common one: "wheat" decides between the two.
    make_meeting("Wheat and agriculture", body="Agriculture, agriculture, agriculture.")
    make_meeting("Grain", body="Wheat was discussed, with agriculture.")
    found = search.find(Meeting.objects.published(), "wheat agriculture")
    assert titles(found)[0] == "Wheat and agriculture"


def test_a_long_substantive_readout_is_not_buried_under_one_liners():
    body = "The corridor's second phase, its zones and its railway were reviewed at length. "
    long_one = make_meeting("Review of the corridor", body=(body + "Gwadar was discussed. ") * 8)
    for n in range(5):
        make_meeting(f"Gwadar {n}", body="Gwadar.")
    found = search.find(Meeting.objects.published(), "Gwadar")
    assert found.ordered("relevance")[0] == long_one.pk


def test_beyond_the_rescored_matches_the_engines_order_follows(monkeypatch):
    monkeypatch.setattr(ranking, "RERANKED", 2)
    for n in range(5):
        make_meeting(f"Energy {n}", body="Energy. " * (n + 1))
    found = search.find(Meeting.objects.published(), "energy")
    ranks = dict(zip(found.pks, found.relevance(), strict=True))
    rescored = sorted(ranks.values(), reverse=True)[:2]
    assert all(rank >= 0 for rank in rescored)  # scores
    assert all(rank < 0 for rank in sorted(ranks.values(), reverse=True)[2:])  # below them
    assert len(found.ordered("relevance")) == 5


def test_a_huge_body_is_read_only_so_far_and_weighed_by_its_size(client):
    filler = "Grassland survey. " * 2_000  # 36,000 characters: past what is read
    early = make_meeting("Report A", body="Zebras first. " + filler)
    late = make_meeting("Report B", body=filler + "Zebras at last.")
    found = search.find(Meeting.objects.published(), "zebras")
    assert set(found.pks) == {early.pk, late.pk}  # the engines find both
    scores = dict(zip(found.pks, found.relevance(), strict=True))
    assert scores[early.pk] > 0 and scores[late.pk] == 0  # only the part read is scored
    assert client.get("/meetings/", {"q": "zebras"}).status_code == 200


def test_the_size_of_a_body_is_counted_in_bytes_on_both_engines():
    meeting = make_meeting("Türkiye", body="Çağrı in İstanbul — 一带一路")
    size = Meeting.objects.filter(pk=meeting.pk).values_list(ranking._Bytes("body"), flat=True)
    assert size.get() == len(meeting.body.encode())


def test_words_are_stemmed_right_when_threads_stem_at_once():
    """gunicorn serves with threads; a stemmer keeps the word it works on in itself."""
    import threading

    letters = "abcdefghij"
    stems = [a + b + c + "co" for a in letters for b in letters for c in letters]
    words = [stem + ending for stem in stems for ending in ("operations", "ordinating")]
    expected = {word: ranking.stem(word) for word in words}
    ranking.stem.cache_clear()
    wrong = []

    def stem_all(chunk):
        wrong.extend(word for word in chunk if ranking.stem(word) != expected[word])

    threads = [threading.Thread(target=stem_all, args=(words[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_a_words_weight_is_never_negative_however_stale_the_counts():
    assert ranking.rarity(100, 1) > ranking.rarity(100, 50) > ranking.rarity(100, 100) > 0
    # Counted after a burst of publishing, against a size kept from before it.
    assert ranking.rarity(2, 6) == ranking.rarity(2, 2) > 0


def test_the_order_holds_when_the_archive_grew_since_its_size_was_counted():
    make_meeting("Before", body="Nothing of note.")
    search.find(Meeting.objects.published(), "note").relevance()  # keeps size 1
    make_meeting("Many zeta", body="Zeta, zeta and zeta again. " * 3)
    make_meeting("One zeta", body="Zeta once, with much else besides in a longer text here.")
    found = search.find(Meeting.objects.published(), "zeta")
    assert titles(found)[0] == "Many zeta"


def test_readouts_found_only_by_a_topics_other_name_still_come_last():
    make_meeting("Port talks", body="On the Gwadar Port and its berths.")
    make_meeting("City visit", body="Gwadar, Gwadar and Gwadar again: the city's growth.")
    found = search.find(Meeting.objects.published(), "Gwadar Port", ["Gwadar Port", "Gwadar"])
    assert titles(found) == ["Port talks", "City visit"]


def test_many_alternatives_are_counted_once_each_word_stemmed_once():
    text = "China and Bhutan, Cambodia, Chile; cooperation with China."
    letters = [(letter,) for letter in "bcdefgh"]
    words = ranking.Words(text, ranking.prefixes_of([*letters, ("china",)]))
    assert words.count([("china",)]) == 2
    assert words.count([*letters, ("china",), ("china",)]) == 4  # each phrase counted
    assert words.count([("cooper",), ("with",)]) == 1


def _named_search(name: str) -> list[str]:
    """The titles a search for a topic's name lists, most relevant first, as the page does."""
    return titles(search.find(Meeting.objects.published(), name, search.synonyms(name)))


def test_a_search_naming_a_topic_puts_the_readouts_mainly_about_it_first(monkeypatch):
    filler = "The ministers met and spoke of many matters. " * 4
    corridor = make_topic("Economic corridor", aliases="Corridor pact")
    make_meeting(
        "Summit",
        topics=["trade", "energy", "culture", corridor],
        body=filler + "The economic corridor and the economic corridor's zones came up.",
    )
    make_meeting("Review", topics=[corridor, "trade"], body=filler + "The economic corridor.")
    # Its editors listed the corridor first: the review is about it, the summit in passing.
    assert _named_search("Economic corridor") == ["Review", "Summit"]
    assert _named_search("corridor pact") == ["Review", "Summit"]  # any of its names
    # On words alone the summit, which names it twice, would come first.
    monkeypatch.setattr(ranking, "MAIN_SUBJECT", 1.0)
    assert _named_search("Economic corridor") == ["Summit", "Review"]


def test_only_the_first_two_topics_and_only_an_editors_order_count():
    filler = "The ministers met and spoke of many matters. " * 4
    text = filler + "The economic corridor and the economic corridor's zones came up."
    corridor = make_topic("Economic corridor")
    make_meeting("Third", topics=["trade", "energy", corridor], body=text)
    make_meeting("Second", topics=["trade", corridor, "energy"], body=text)
    # A generated sample's topics were ordered by no editor.
    make_meeting("Sample", topics=[corridor, "trade", "energy"], body=text, synthetic=True)
    ranked = _named_search("Economic corridor")
    assert ranked[0] == "Second"
    assert set(ranked[1:]) == {"Third", "Sample"}
    # A search for words that name no topic weighs no topic's place: no readout scores
    # half as much again as another (they differ only by their columns' sizes).
    plain = search.find(Meeting.objects.published(), "corridor zones").relevance()
    assert len(plain) == 3 and max(plain) < 1.01 * min(plain)


def test_a_download_sorted_most_relevant_first_begins_as_the_page_does(client):
    filler = "The ministers met and spoke of many matters. " * 4
    corridor = make_topic("Economic corridor")
    make_meeting(
        "Summit",
        topics=["trade", "energy", "culture", corridor],
        body=filler + "The economic corridor, the economic corridor's zones and its roads.",
    )
    make_meeting("Review", topics=[corridor, "trade"], body=filler + "The economic corridor.")
    make_meeting("Aside", topics=["trade", "energy", corridor], body=filler + "A corridor.")
    query = {"q": "Economic corridor", "sort": "relevance"}
    page = [m.title for m in client.get("/meetings/", query).context["meetings"]]
    assert page[0] == "Review"  # its main subject (ranking.MAIN_SUBJECT)
    # The engine's rank alone, which used to order downloads, puts the summit first.
    by_engine = search.search(
        Meeting.objects.published(), "Economic corridor", synonyms=search.synonyms(query["q"])
    ).order_by("-rank", "-date", "-id")
    assert by_engine[0].title != "Review"
    for fmt in ("csv", "jsonl"):
        response = client.get(f"/meetings/export.{fmt}", query)
        text = b"".join(response.streaming_content).decode()
        assert [t for t in page if t in text] == page
        positions = [text.index(title) for title in page]
        assert positions == sorted(positions), fmt  # the page's order


def test_the_best_first_are_put_in_order_only_as_far_as_a_page_asks():
    dates = [dt.date(2025, 1, 1 + n % 28) for n in range(1000)]
    entries = [(float(n % 7), dates[n], n) for n in range(1000)]
    whole = [pk for _rank, _date, pk in sorted(entries, reverse=True)]
    best = search.BestFirst(list(entries))
    assert len(best) == 1000
    assert best[:25] == whole[:25] and not best.whole  # the 25 best alone
    assert best[3] == whole[3]
    assert best[25:50] == whole[25:50]
    assert best[-1] == whole[-1] and best.whole  # from the end: all in order
    assert list(best) == whole and best[::2] == whole[::2]
    assert search.BestFirst([])[:25] == []


@pytest.mark.parametrize("query", ["nothing-like-it", "zzz -zzz", '"', "corridor -corridor"])
def test_a_download_sorted_most_relevant_first_of_nothing_found_is_empty(client, query):
    make_meeting("Review", body="The economic corridor.")
    for fmt in ("csv", "jsonl"):
        response = client.get(f"/meetings/export.{fmt}", {"q": query, "sort": "relevance"})
        assert response.status_code in (200, 400), response.content[:300]
        if response.status_code == 200:
            assert "Review" not in b"".join(response.streaming_content).decode()
    assert client.get("/meetings/", {"q": "corridor"}).status_code == 200  # nothing broken
