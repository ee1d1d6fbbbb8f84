"""Permalinks never break: old addresses of readouts, officials and topics answer 301."""

import datetime as dt

import pytest
from factories import make_meeting, make_official, make_topic

from engagements.models import FormerAddress, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(seed_like):
    return seed_like["meeting"]


def test_a_readout_whose_date_and_slug_change_redirects_from_its_old_address(client, published):
    old = published.get_absolute_url()
    published.date = dt.date(2025, 11, 12)
    published.slug = "ambassador-calls-on-idcpc-minister"
    published.save()
    new = published.get_absolute_url()
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new
    assert client.get(new).status_code == 200


def test_a_record_renamed_twice_needs_one_hop(client, seed_like):
    liu = seed_like["liu"]
    first = liu.get_absolute_url()
    for slug in ["liu-haixing-2", "liu-haixing-idcpc"]:
        liu.slug = slug
        liu.save()
    for old in [first, "/officials/liu-haixing-2/"]:
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == "/officials/liu-haixing-idcpc/"


def test_pages_below_an_old_address_and_the_query_string_follow(client, seed_like):
    liu = seed_like["liu"]
    liu.slug = "liu-haixing-idcpc"
    liu.save()
    response = client.get("/officials/liu-haixing/feed/")
    assert response.status_code == 301
    assert response["Location"] == "/officials/liu-haixing-idcpc/feed/"
    response = client.get("/officials/liu-haixing/?kind=courtesy+call&page=1")
    assert response["Location"] == "/officials/liu-haixing-idcpc/?kind=courtesy+call&page=1"


def test_a_topic_slug_change_redirects(client, published):
    topic = published.topics.get(name="CPEC 2.0")
    old = topic.get_absolute_url()
    topic.slug = "cpec"
    topic.save()
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == "/topics/cpec/"


def test_a_slug_changed_back_serves_its_page_again(client, seed_like):
    liu = seed_like["liu"]
    liu.slug = "someone-else"
    liu.save()
    liu.slug = "liu-haixing"
    liu.save()
    assert client.get("/officials/liu-haixing/").status_code == 200
    response = client.get("/officials/someone-else/")
    assert response.status_code == 301 and response["Location"] == "/officials/liu-haixing/"
    assert not FormerAddress.objects.filter(path="/officials/liu-haixing/").exists()


def test_an_old_address_of_a_readout_now_in_draft_stays_a_404(client, published):
    old = published.get_absolute_url()
    published.slug = "renamed"
    published.status = Meeting.Status.DRAFT
    published.save()
    assert client.get(old).status_code == 404


def test_a_live_page_wins_over_a_former_address(client, seed_like):
    hashmi, liu = seed_like["hashmi"], seed_like["liu"]
    liu.slug = "liu-haixing-idcpc"
    liu.save()
    hashmi.slug = "liu-haixing"  # another record takes the freed address
    hashmi.save()
    response = client.get("/officials/liu-haixing/")
    assert response.status_code == 200 and "Khalil Hashmi" in response.content.decode()


def test_unknown_and_hostile_addresses_stay_404(client, published):
    for path in [
        "/officials/nobody/",
        "/topics/nothing/feed/",
        "/meetings/2025/11/11/nothing/",
        "/" + "a/" * 400,
        "/officials/%00/",
    ]:
        assert client.get(path).status_code in {400, 404}, path


def test_a_renamed_official_is_listed_once_in_former_addresses(client):
    official = make_official("Wang Yi", country="CN")
    make_meeting(participants=[(official, "envoy", "")], topics=[make_topic("trade").name])
    official.slug = "wang-yi-fm"
    official.save()
    assert list(FormerAddress.objects.values_list("path", "official")) == [
        ("/officials/wang-yi/", official.pk)
    ]


def test_a_draft_at_a_published_readouts_old_address_keeps_the_redirect(client, published):
    old = published.get_absolute_url()
    published.slug = "renamed-after-publication"
    published.save()
    squatter = make_meeting(
        "Draft", status=Meeting.Status.DRAFT, date=published.date, slug=old.split("/")[-2]
    )
    assert squatter.get_absolute_url() == old
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == published.get_absolute_url()
    # Once published, the new readout takes its address over.
    squatter.status = Meeting.Status.PUBLISHED
    squatter.save()
    assert client.get(old).status_code == 200
    assert not FormerAddress.objects.filter(path=old).exists()


def test_an_official_only_a_draft_names_does_not_take_over_an_address(client, seed_like):
    liu = seed_like["liu"]
    old = liu.get_absolute_url()
    liu.slug = "liu-haixing-idcpc"
    liu.save()
    make_official("Someone New", slug=old.split("/")[-2])  # in no published readout
    assert client.get(old)["Location"] == "/officials/liu-haixing-idcpc/"
