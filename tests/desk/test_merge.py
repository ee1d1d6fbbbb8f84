"""Merging duplicate officials and topics keeps every readout reachable."""

import pytest
from factories import make_meeting, make_official, make_topic, refuse_inserts

from engagements.desk import merging
from engagements.models import Meeting, Official, Participation, Topic

pytestmark = pytest.mark.django_db

OFFICIALS = "/admin/engagements/official/"
TOPICS = "/admin/engagements/topic/"


def confirmed_merge(client, changelist: str, selected: list, keep, **extra):
    """Post the merge action's confirmation, as its page does."""
    data = {"action": "merge", "_selected_action": [r.pk for r in selected], "confirm": "yes"}
    return client.post(changelist, {**data, "keep": keep.pk}, **extra)


@pytest.fixture
def duplicates():
    """Liu Haixing entered twice: once properly, once under a spelling from another source."""
    hashmi = make_official("Khalil Hashmi", country="PK")
    liu = make_official("Liu Haixing", country="CN", aliases="刘海星")
    liu_again = make_official("Liu Hai-xing", country="CN", aliases="Mr Liu Haixing")
    one = make_meeting(
        "First call", participants=[(hashmi, "envoy", ""), (liu, "counterpart", "Minister")]
    )
    two = make_meeting(
        "Second call",
        participants=[(hashmi, "envoy", ""), (liu_again, "counterpart", "Minister, IDCPC")],
    )
    both = make_meeting(
        "Entered twice",
        participants=[
            (hashmi, "envoy", ""),
            (liu, "counterpart", ""),
            (liu_again, "participant", "Minister of the IDCPC"),
        ],
    )
    return {"keep": liu, "other": liu_again, "meetings": [one, two, both]}


def test_the_merge_action_asks_which_to_keep_then_merges(staff_client, client, duplicates):
    keep, other = duplicates["keep"], duplicates["other"]
    selected = {"action": "merge", "_selected_action": [keep.pk, other.pk]}
    page = staff_client.post(OFFICIALS, selected)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Choose the record to keep" in html and "Liu Hai-xing" in html
    assert Official.objects.count() == 3  # nothing done yet

    response = staff_client.post(OFFICIALS, {**selected, "confirm": "yes", "keep": keep.pk})
    assert response.status_code == 302
    assert not Official.objects.filter(pk=other.pk).exists()
    keep.refresh_from_db()
    assert keep.alias_list == ["刘海星", "Liu Hai-xing", "Mr Liu Haixing"]

    # Every readout still reachable from the kept official, each listing Liu once.
    for meeting in duplicates["meetings"]:
        assert meeting.participations.filter(official=keep).count() == 1
    entered_twice = duplicates["meetings"][2].participations.get(official=keep)
    assert entered_twice.title == "Minister of the IDCPC"  # filled from the duplicate
    official_page = client.get(keep.get_absolute_url()).content.decode()
    for meeting in duplicates["meetings"]:
        assert meeting.title in official_page

    # The duplicate's address redirects; its readouts are found by the old spelling.
    response = client.get("/officials/liu-hai-xing/")
    assert response.status_code == 301 and response["Location"] == keep.get_absolute_url()
    found = client.get("/meetings/", {"q": "Hai-xing"}).content.decode()
    assert "Second call" in found


def test_a_merge_needs_two_and_a_choice_among_them(staff_client, duplicates):
    keep, other = duplicates["keep"], duplicates["other"]
    one = staff_client.post(
        OFFICIALS, {"action": "merge", "_selected_action": [keep.pk]}, follow=True
    )
    assert "Select at least two to merge" in one.content.decode()
    stranger = make_official("Wang Yi", country="CN")
    wrong = confirmed_merge(staff_client, OFFICIALS, [keep, other], stranger, follow=True)
    assert "Choose one of the selected to keep" in wrong.content.decode()
    assert Official.objects.count() == 4


def test_contributors_cannot_merge(client, django_user_model, duplicates):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("c", "c@example.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Contributor"))
    client.force_login(user)
    keep, other = duplicates["keep"], duplicates["other"]
    response = confirmed_merge(client, OFFICIALS, [keep, other], keep)
    assert response.status_code == 200  # "no action selected": merging is not theirs
    assert Official.objects.filter(pk=other.pk).exists()


def test_merging_topics_moves_links_once_and_keeps_the_name_as_an_alias(client, staff_client):
    official = make_official(country="PK")
    cpec = make_topic("CPEC")
    corridor = make_topic("China-Pakistan Economic Corridor", aliases="CPEC 1.0")
    one = make_meeting(
        "Only corridor", participants=[(official, "envoy", "")], topics=[corridor.name]
    )
    two = make_meeting(
        "Both", participants=[(official, "envoy", "")], topics=[cpec.name, corridor.name]
    )
    response = confirmed_merge(staff_client, TOPICS, [cpec, corridor], cpec)
    assert response.status_code == 302
    assert list(Topic.objects.values_list("name", flat=True)) == ["CPEC"]
    cpec.refresh_from_db()
    assert cpec.alias_list == ["China-Pakistan Economic Corridor", "CPEC 1.0"]
    assert [t.name for t in one.topics.all()] == ["CPEC"]
    assert [t.name for t in two.topics.all()] == ["CPEC"]
    # A readout that named both keeps the better place: the corridor was its first subject.
    three = make_meeting(
        "Corridor first", participants=[(official, "envoy", "")], topics=["Corridor", "trade", "X"]
    )
    corridor = Topic.objects.get(name="Corridor")
    make_topic("X")
    three.topics.add(cpec)  # added last, in the admin
    assert [t.name for t in three.topics_in_order] == ["Corridor", "trade", "X", "CPEC"]
    assert confirmed_merge(staff_client, TOPICS, [cpec, corridor], cpec).status_code == 302
    assert [t.name for t in Meeting.objects.get(pk=three.pk).topics_in_order] == [
        "CPEC",
        "trade",
        "X",
    ]
    response = client.get("/topics/china-pakistan-economic-corridor/")
    assert response.status_code == 301 and response["Location"] == "/topics/cpec/"
    page = client.get("/topics/cpec/").content.decode()
    assert "Only corridor" in page and "Both" in page


def test_a_merged_records_former_addresses_follow_it(client, duplicates):
    keep, other = duplicates["keep"], duplicates["other"]
    other.slug = "liu-hx"
    other.save()  # /officials/liu-hai-xing/ is now a former address of `other`
    merging.merge_officials(keep=keep, duplicates=[other])
    for old in ["/officials/liu-hai-xing/", "/officials/liu-hx/"]:
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == "/officials/liu-haixing/"


def test_a_merge_that_fails_half_way_changes_nothing(duplicates):
    from django.db import DatabaseError

    keep, other = duplicates["keep"], duplicates["other"]
    other_pk = other.pk
    before = list(Participation.objects.values_list("pk", "official_id").order_by("pk"))
    # Recording the old address comes after the participations moved and the duplicate went.
    refuse_inserts("engagements_formeraddress")
    with pytest.raises(DatabaseError, match="disk on fire"):
        merging.merge_officials(keep=keep, duplicates=[other])
    assert Official.objects.filter(pk=other_pk).exists()
    assert list(Participation.objects.values_list("pk", "official_id").order_by("pk")) == before
    assert Official.objects.get(pk=keep.pk).aliases == "刘海星"


def test_after_a_topic_merge_the_old_name_still_finds_and_imports_to_the_kept_topic(client):
    import json

    from engagements.interchange.importing import import_readouts

    official = make_official("Khalil Hashmi", country="PK")
    cpec = make_topic("CPEC")
    corridor = make_topic("China-Pakistan Economic Corridor")
    make_meeting("Corridor talks", participants=[(official, "envoy", "")], topics=[corridor.name])
    merging.merge_topics(keep=cpec, duplicates=[corridor])
    # The search text holds the kept topic's aliases: the old name still finds the readout.
    found = client.get("/meetings/", {"q": '"Economic Corridor"'}).content.decode()
    assert "Corridor talks" in found

    record = {
        "id": "t-merge-1",
        "date": "2025-12-01",
        "title": "Corridor follow-up",
        "kind": "meeting",
        "participants": [{"name": "Khalil Hashmi", "title": "", "country": "PK", "role": "envoy"}],
        "themes": ["China-Pakistan Economic Corridor"],
        "sources": [{"publisher": "DNA"}],
    }
    import_readouts([json.dumps(record).encode()])
    assert list(Topic.objects.values_list("name", flat=True)) == ["CPEC"]
    imported = Meeting.objects.get(external_id="t-merge-1")
    assert [t.name for t in imported.topics.all()] == ["CPEC"]
