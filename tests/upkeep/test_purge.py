"""Surrogate keys on every public answer, and the keys a write purges (upkeep/purge.py).

The purger here is a class of the documented interface (`purge(keys, everything)`), set
through HTTP_CACHE_PURGER as a deploy sets a CDN's: it keeps what it is asked to purge.
With Varnish itself: tests/upkeep/test_varnish.py.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from factories import make_meeting, make_official

from engagements.models import Country, Meeting, Topic
from engagements.upkeep import purge

pytestmark = pytest.mark.django_db


class KeptPurges:
    """A purger that remembers each call (settings.HTTP_CACHE_PURGER points here)."""

    calls: list[tuple[frozenset[str], bool]] = []

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls

    def purge(self, keys: set[str], everything: bool) -> None:
        KeptPurges.calls.append((frozenset(keys), everything))


@pytest.fixture
def purges(settings, django_capture_on_commit_callbacks):
    settings.HTTP_CACHE_PURGE_URLS = ["http://cache.invalid"]
    settings.HTTP_CACHE_PURGER = f"{__name__}.KeptPurges"
    KeptPurges.calls = []

    def purged(write) -> set[str]:
        KeptPurges.calls = []
        purge.forget()  # what the setup noted (a test's transaction never commits)
        with django_capture_on_commit_callbacks(execute=True):
            write()
        return set().union(*(keys for keys, _ in KeptPurges.calls))

    return purged


def keys_of(meeting: Meeting) -> set[str]:
    return {f"m{meeting.pk}", *Meeting.objects.get(pk=meeting.pk).facet_keys.split()}


def page_keys_of(client, meeting: Meeting) -> set[str]:
    return set(client.get(meeting.get_absolute_url())["Surrogate-Key"].split())


def banned(page_keys: set[str], purged: set[str]) -> bool:
    """Whether a page carrying these keys goes with a purge of those (the VCL's ban)."""
    return bool(page_keys & purged)


def test_each_page_names_what_it_shows(client, seed_like):
    meeting, liu = seed_like["meeting"], seed_like["liu"]
    china = Country.objects.get(code="CN")
    topic = Topic.objects.get(name="CPEC 2.0")
    alone = {key for key in keys_of(meeting) if key[0] in "mot"}  # no related readout yet
    expected = {
        meeting.get_absolute_url(): alone | {"readouts"},
        meeting.get_absolute_url() + "cite.bib": keys_of(meeting),
        "/countries/cn/": {f"c{china.pk}"},
        "/countries/cn/?topic=cpec-20": {f"c{china.pk}"},
        liu.get_absolute_url(): {f"o{liu.pk}"},
        f"/topics/{topic.slug}/": {f"t{topic.pk}"},
        f"/api/meetings/{meeting.external_id}/": keys_of(meeting),
        "/api/countries/cn/": {f"c{china.pk}"},
        "/": {"list"},
        "/meetings/?q=courtesy": {"list"},
        "/meetings/feed/": {"list"},
        "/api/meetings/": {"list"},
        "/no-such-page/": {"list"},
    }
    for url, keys in expected.items():
        response = client.get(url)
        assert set(response["Surrogate-Key"].split()) == keys, url
        assert set(response["Cache-Tag"].split(",")) == keys, url
    assert "Surrogate-Key" not in client.get("/admin/login/")
    # A page served from the page cache replays its keys.
    again = client.get(f"/topics/{topic.slug}/")
    assert again["Surrogate-Key"] == f"t{topic.pk}"


def test_a_publication_purges_its_pages_its_records_and_the_lists(purges, db):
    liu = make_official("Liu Haixing", country="CN")
    draft = make_meeting("Talks", status=Meeting.Status.DRAFT, topics=["Trade"],
                         participants=[(liu, "counterpart", "Minister")])  # fmt: skip
    trade = Topic.objects.get(name="Trade")

    def publish():
        draft.status = Meeting.Status.PUBLISHED
        draft.save()

    purged = purges(publish)
    assert {"list", f"m{draft.pk}", f"t{trade.pk}", f"o{liu.pk}"} <= purged
    assert {f"c{pk}" for pk in draft.countries.values_list("pk", flat=True)} <= purged
    assert len(KeptPurges.calls) == 1  # one purge for the whole save


def test_a_readout_page_goes_only_with_a_newcomer_that_may_enter_its_related_lists(
    client, purges, db
):
    """A readout's page lists the five readouts sharing most of its topics (and of its
    officials). Once five share two of its topics, a newcomer sharing one cannot enter:
    publishing it leaves the page cached; one sharing both empties it."""
    topics = ["Trade", "Tea", "Shipping"]
    page = make_meeting("Talks on trade and tea", topics=topics[:2], date=dt.date(2024, 1, 1))
    for day in range(1, 6):
        make_meeting(f"Round {day}", topics=topics[:2], date=dt.date(2024, 2, day))
    trade, tea = (Topic.objects.get(name=name) for name in topics[:2])
    keys = page_keys_of(client, page)
    assert f"t{min(trade.pk, tea.pk)}x{max(trade.pk, tea.pk)}" in keys
    assert f"t{trade.pk}" not in keys and f"t{tea.pk}" not in keys
    assert not any(key.startswith("c") for key in keys)  # it lists no country's readouts

    def publish(**fields):
        draft = make_meeting(status=Meeting.Status.DRAFT, date=dt.date(2025, 1, 1), **fields)

        def write():
            draft.status = Meeting.Status.PUBLISHED
            draft.save()

        return purges(write)

    one_shared = publish(title="Trade alone", topics=["Trade", "Shipping"])
    assert f"t{trade.pk}" in one_shared  # the topic's own page goes
    assert not banned(keys, one_shared)
    assert "Trade alone" not in client.get(page.get_absolute_url()).content.decode()

    both_shared = publish(title="Trade and tea again", topics=topics)
    assert banned(keys, both_shared)
    assert "Trade and tea again" in client.get(page.get_absolute_url()).content.decode()


def test_a_readout_page_goes_with_an_edit_or_withdrawal_of_a_readout_it_lists(client, purges, db):
    envoy = make_official("Khalil Hashmi", country="PK")
    page = make_meeting("Talks", participants=[(envoy, "envoy", "Ambassador")])
    listed = make_meeting("Earlier talks", participants=[(envoy, "envoy", "Ambassador")],
                          date=dt.date(2024, 5, 1))  # fmt: skip
    keys = page_keys_of(client, page)
    assert f"m{listed.pk}" in keys and f"o{envoy.pk}" in keys  # its list is not full

    def edit():
        listed.title = "Earlier talks, retitled"
        listed.save()

    assert banned(keys, purges(edit))
    assert banned(keys, purges(lambda: Meeting.objects.filter(pk=listed.pk).update(
        status=Meeting.Status.DRAFT)))  # fmt: skip


def test_a_readout_with_more_sets_than_a_ban_should_name_purges_every_readout_page(
    client, purges, db
):
    people = [make_official(f"Delegate {i}", country="PK") for i in range(12)]
    page = make_meeting("Talks")
    assert "readouts" in page_keys_of(client, page)
    delegation = [(person, "participant", "Minister") for person in people]
    crowded = make_meeting("A summit", status=Meeting.Status.DRAFT, participants=delegation)

    def publish():
        crowded.status = Meeting.Status.PUBLISHED
        crowded.save()

    purged = purges(publish)  # C(12, 2) + C(12, 3) = 286 sets: more than a ban should carry
    assert "readouts" in purged and not any("x" in key for key in purged)
    assert KeptPurges.calls[-1][1] is False  # named, not everything


def test_a_readout_page_with_too_many_sets_for_a_header_names_its_records_instead():
    listed = [SimpleNamespace(pk=i, shared=3) for i in range(5)]  # all share 3 officials
    assert purge.page_keys("o", [4, 7, 9], listed, 5) == {"o4x7x9"}
    crowd = list(range(1, 21))  # 20 officials: 1,140 sets of three
    assert purge.page_keys("o", crowd, listed, 5) == {f"o{i}" for i in crowd}
    assert purge.page_keys("o", crowd, listed[:4], 5) == {f"o{i}" for i in crowd}  # not full
    assert purge.page_keys("t", [], [], 5) == set()
    # Counted before they are made: 500 officials have 20 million sets of three.
    assert len(purge.page_keys("o", range(500), listed, 5)) == 500
    assert purge.written_keys(range(500), range(5)) == {"readouts"}
    assert purge.written_keys([4, 7, 9], [1]) == {"o4x7", "o4x9", "o7x9", "o4x7x9"}


def test_a_draft_saved_purges_nothing(purges, db):
    draft = make_meeting("Draft", status=Meeting.Status.DRAFT, topics=["Trade"])

    def edit():
        draft.title = "Draft, edited"
        draft.save()

    assert purges(edit) == set()


def test_a_removed_topic_purges_the_topic_it_left(purges, db):
    meeting = make_meeting("Talks", topics=["Trade", "Tea"])
    tea = Topic.objects.get(name="Tea")
    purged = purges(lambda: meeting.topics.remove(tea))
    assert {f"t{tea.pk}", f"m{meeting.pk}", "list"} <= purged


def test_a_renamed_official_purges_their_page_and_readouts(purges, db):
    liu = make_official("Liu Haixing", country="CN")
    meeting = make_meeting(participants=[(liu, "counterpart", "Minister")])

    def rename():
        liu.name = "Liu Hai-xing"
        liu.save()

    assert {f"o{liu.pk}", "list"} <= purges(rename)
    # Its readouts' API answers carry its key (their pages go with everything, below).
    assert f"o{liu.pk}" in keys_of(meeting)


def test_a_rename_purges_everything_in_front_an_edit_its_own_page(purges, db):
    """A renamed official shows, renamed, on the pages of the topics and countries of their
    readouts (rows and facets), which their own key does not reach: everything goes."""
    liu = make_official("Liu Haixing", country="CN")
    make_meeting(participants=[(liu, "counterpart", "Minister")], topics=["Trade"])
    trade = Topic.objects.get(name="Trade")

    def rename(record, **fields):
        def save():
            for name, value in fields.items():
                setattr(record, name, value)
            record.save()

        return save

    for record, fields in [
        (liu, {"name": "Liu Hai-xing"}),
        (trade, {"name": "Commerce"}),
        (Country.objects.get(code="CN"), {"name": "People's Republic of China"}),
    ]:
        purges(rename(record, **fields))
        assert KeptPurges.calls[-1][1] is True, record  # everything
    purges(rename(liu, bio="A diplomat."))
    assert KeptPurges.calls[-1] == (frozenset({f"o{liu.pk}", "list"}), False)


def test_a_deleted_readout_purges_its_page_and_records(purges, db):
    meeting = make_meeting("Talks", topics=["Trade"])
    keys = keys_of(meeting)
    assert keys | {"list"} <= purges(meeting.delete)


def test_a_write_touching_more_keys_than_a_ban_holds_purges_everything(purges, db):
    """A bulk update of many published readouts: one ban naming them all would pass
    Varnish's header limit and be refused, so everything goes instead."""
    meetings = [make_meeting(f"Talks {i}") for i in range(3)]
    ids = [m.pk for m in meetings]
    purges(lambda: Meeting.objects.filter(pk__in=ids).update(summary="Edited."))
    assert KeptPurges.calls[-1][1] is False  # a few keys: named
    many = [f"m{i}" for i in range(purge.MOST_KEYS + 1)]
    purges(lambda: purge.note(*many))
    assert KeptPurges.calls[-1][1] is True


def test_without_a_purger_nothing_is_noted(settings, django_capture_on_commit_callbacks, db):
    settings.HTTP_CACHE_PURGE_URLS = []
    settings.HTTP_CACHE_PURGER = f"{__name__}.KeptPurges"
    KeptPurges.calls = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_meeting("Talks", topics=["Trade"])
    assert KeptPurges.calls == []
    assert not [c for c in callbacks if "purge" in getattr(c, "__module__", "")]
