"""The staff's tool: one form enters a whole readout; the admin is closed to visitors."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from factories import (
    ADD_URL,
    change_form_data,
    make_country,
    make_meeting,
    make_official,
    make_topic,
    readout_form,
    refuse_inserts,
)

from engagements.models import Country, Meeting, Official, Topic

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for url in ["/admin/", ADD_URL, "/admin/engagements/meeting/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_anonymous_post_creates_nothing(client):
    envoy, counterpart = make_official(country="PK"), make_official(country="CN")
    response = client.post(ADD_URL, readout_form(envoy=envoy, counterpart=counterpart))
    assert response.status_code == 302
    assert not Meeting.objects.exists()


def test_non_staff_user_cannot_use_the_admin(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="pw-reader-1")
    client.force_login(user)
    assert client.get(ADD_URL).status_code == 302


def test_add_form_has_inlines_autocomplete_and_prefilled_slug(staff_client):
    response = staff_client.get(ADD_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="participations-TOTAL_FORMS"' in html
    assert 'name="sources-TOTAL_FORMS"' in html
    assert "admin-autocomplete" in html  # officials and countries
    assert "data-prepopulated-field" in html or "prepopulated_fields" in html
    assert 'name="topics"' in html


def test_staff_enter_a_whole_readout_in_one_form_and_find_it_on_the_site(staff_client, client):
    envoy = make_official("Khalil Hashmi", country="PK")
    counterpart = make_official("Liu Haixing", country="CN")
    response = staff_client.post(ADD_URL, readout_form(envoy=envoy, counterpart=counterpart))
    assert response.status_code == 302, response.context["adminform"].form.errors

    meeting = Meeting.objects.get()
    assert meeting.is_published and meeting.published_at is not None
    assert [p.role for p in meeting.participations.all()] == ["envoy", "counterpart"]
    assert sorted(t.name for t in meeting.topics.all()) == [
        "CPEC 2.0",
        "think-tank cooperation",
        "youth exchanges",
    ]
    assert meeting.sources.get().publisher == "DNA news agency"
    assert {c.code for c in meeting.countries.all()} == {"PK", "CN"}
    assert "<strong>courtesy call</strong>" in meeting.body_html

    # "View on site" goes through the admin's shortcut to the public page.
    ct = ContentType.objects.get_for_model(Meeting)
    shortcut = staff_client.get(f"/admin/r/{ct.pk}/{meeting.pk}/")
    assert shortcut.status_code == 302
    assert shortcut["Location"].endswith(meeting.get_absolute_url())
    page = client.get(meeting.get_absolute_url())
    assert page.status_code == 200
    assert "Liu Haixing" in page.content.decode()


def test_a_draft_saved_in_the_admin_stays_off_the_site(staff_client, client):
    envoy, counterpart = make_official(country="PK"), make_official(country="CN")
    data = readout_form(envoy=envoy, counterpart=counterpart, status="draft")
    assert staff_client.post(ADD_URL, data).status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.published_at is None
    assert client.get(meeting.get_absolute_url()).status_code == 404
    assert meeting.title not in client.get("/meetings/").content.decode()


def test_a_source_url_that_is_not_http_is_refused(staff_client):
    envoy, counterpart = make_official(country="PK"), make_official(country="CN")
    data = readout_form(envoy=envoy, counterpart=counterpart)
    data["sources-0-url"] = "javascript:alert(1)"
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 200  # the form again, with the error
    assert not Meeting.objects.exists()


def test_publish_and_unpublish_actions(staff_client):
    draft = make_meeting(
        status=Meeting.Status.DRAFT,
        participants=[
            (make_official(country="PK"), "envoy", "Ambassador"),
            (make_official(country="CN"), "counterpart", "Minister"),
        ],
    )
    url = "/admin/engagements/meeting/"
    staff_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published and draft.published_at is not None
    staff_client.post(url, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.DRAFT


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?status__exact=draft",
        "?kind__exact=courtesy+call",
        "?q=Beijing",
        "?date__year=2025",
        "?date__gte=2025-01-01",
    ],
)
def test_meeting_changelist_filters_and_search(staff_client, seed_like, query):
    response = staff_client.get(f"/admin/engagements/meeting/{query}")
    assert response.status_code == 200


def test_changelist_filters_by_country_and_topic(staff_client, seed_like):
    other = make_meeting("Somewhere else", location="FR", city="Paris", topics=["trade"])
    pk = make_country("PK")
    topic = Topic.objects.get(name="CPEC 2.0")
    by_country = staff_client.get(f"/admin/engagements/meeting/?countries__id__exact={pk.pk}")
    by_topic = staff_client.get(
        f"/admin/engagements/meeting/?topic_links__tag__id__exact={topic.pk}"
    )
    for response in (by_country, by_topic):
        assert response.status_code == 200
        assert seed_like["meeting"].title in response.content.decode()
        assert other.title not in response.content.decode()


def test_official_autocomplete_finds_by_alias(staff_client, seed_like):
    response = staff_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "engagements",
            "model_name": "participation",
            "field_name": "official",
            "term": "刘海星",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Liu Haixing"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/engagements/official/",
        "/admin/engagements/official/add/",
        "/admin/engagements/country/",
        "/admin/engagements/country/add/",
        "/admin/engagements/topic/",
        "/admin/engagements/topic/add/",
        "/admin/engagements/organization/",
    ],
)
def test_other_admin_pages_open(staff_client, seed_like, url):
    assert staff_client.get(url).status_code == 200


def test_country_is_created_from_its_code(staff_client):
    response = staff_client.post(
        "/admin/engagements/country/add/", {"code": "np", "name": "", "slug": ""}
    )
    assert response.status_code == 302
    from engagements.models import Country

    nepal = Country.objects.get(code="NP")
    assert nepal.name == "Nepal" and nepal.slug == "nepal"
    refused = staff_client.post("/admin/engagements/country/add/", {"code": "zz", "slug": "zz"})
    assert refused.status_code == 200 and not Country.objects.filter(code="ZZ").exists()


def test_deleting_an_official_with_readouts_is_refused(staff_client, seed_like):
    liu = seed_like["liu"]
    response = staff_client.post(f"/admin/engagements/official/{liu.pk}/delete/", {"post": "yes"})
    assert Official.objects.filter(pk=liu.pk).exists()
    assert response.status_code == 200
    assert "Cannot delete" in response.content.decode() or "would require deleting" in (
        response.content.decode()
    )


def test_topic_in_use_cannot_be_deleted(staff_client, seed_like):
    topic = make_topic("CPEC 2.0")
    staff_client.post(f"/admin/engagements/topic/{topic.pk}/delete/", {"post": "yes"})
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_changing_a_participants_country_updates_the_meetings_countries(seed_like):
    liu = seed_like["liu"]
    liu.country = make_country("MN")
    liu.save()
    meeting = seed_like["meeting"]
    assert {c.code for c in meeting.countries.all()} == {"PK", "CN", "MN"}  # CN is the venue
    meeting.location_country = None
    meeting.save()
    assert {c.code for c in meeting.countries.all()} == {"PK", "MN"}
    assert meeting.date == dt.date(2025, 11, 11)


def test_a_country_with_readouts_cannot_be_deleted(staff_client, seed_like):
    pakistan = Country.objects.get(code="PK")
    response = staff_client.post(
        reverse("admin:engagements_country_delete", args=[pakistan.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assert Country.objects.filter(pk=pakistan.pk).exists()
    assert "Cannot delete" in response.content.decode()


def test_the_bulk_delete_action_refuses_officials_with_readouts(staff_client, seed_like):
    liu = seed_like["liu"]
    response = staff_client.post(
        reverse("admin:engagements_official_changelist"),
        {"action": "delete_selected", "_selected_action": [liu.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert Official.objects.filter(pk=liu.pk).exists()
    assert "Cannot delete" in response.content.decode()


def test_a_save_that_fails_half_way_leaves_no_half_written_readout(staff_client):
    """The source is written last; make the database refuse it, as a crash would."""
    from django.db import DatabaseError

    from engagements.models import Participation

    refuse_inserts("engagements_source")
    envoy = make_official("Khalil Hashmi", country="PK")
    counterpart = make_official("Liu Haixing", country="CN")
    with pytest.raises(DatabaseError, match="disk on fire"):
        staff_client.post(ADD_URL, readout_form(envoy=envoy, counterpart=counterpart))
    assert not Meeting.objects.exists()
    assert not Participation.objects.exists()
    assert not Topic.objects.filter(name="CPEC 2.0").exists()


def test_topics_are_typed_main_subjects_first_and_kept_in_that_order(staff_client, client):
    envoy = make_official("Khalil Hashmi", country="PK")
    counterpart = make_official("Liu Haixing", country="CN")
    data = readout_form(envoy=envoy, counterpart=counterpart)
    data["topics"] = 'youth exchanges, CPEC 2.0, "trade, investment"'
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting = Meeting.objects.get()
    typed = ["youth exchanges", "CPEC 2.0", "trade, investment"]
    assert [t.name for t in meeting.topics_in_order] == typed

    # The form shows them in that order; saved as shown, they stay so.
    change = f"/admin/engagements/meeting/{meeting.pk}/change/"
    page = staff_client.get(change)
    assert 'value="youth exchanges, CPEC 2.0, &quot;trade, investment&quot;"' in (
        page.content.decode()
    )
    data = change_form_data(page)
    assert staff_client.post(change, data).status_code == 302
    assert [t.name for t in Meeting.objects.get().topics_in_order] == typed

    # Reordered (and one removed, one added), as typed; a one-topic list is one topic.
    data["topics"] = "CPEC 2.0, agriculture, youth exchanges"
    assert staff_client.post(change, data).status_code == 302
    assert [t.name for t in Meeting.objects.get().topics_in_order] == [
        "CPEC 2.0",
        "agriculture",
        "youth exchanges",
    ]
    data["topics"] = "CPEC 2.0"
    assert staff_client.post(change, data).status_code == 302
    assert [t.name for t in Meeting.objects.get().topics_in_order] == ["CPEC 2.0"]
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "/topics/cpec-20/" in page


def test_existing_topics_are_matched_as_named_and_new_ones_get_a_usable_address(
    staff_client, client
):
    envoy = make_official("Khalil Hashmi", country="PK")
    counterpart = make_official("Liu Haixing", country="CN")
    spaced = make_topic("Gwadar  Port")  # two spaces, as an import may have written it
    make_topic("CPEC 2.0")
    long_name = "a" * 99 + "?"
    make_topic("a" * 99 + "!")  # its address (99 a's) is the one the new topic's name gives
    data = readout_form(envoy=envoy, counterpart=counterpart)
    data["topics"] = f"Gwadar  Port, CPEC 2.0\u202e, {long_name}"  # a hidden control
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting = Meeting.objects.get()
    topics = meeting.topics_in_order
    assert [t.name for t in topics[:2]] == ["Gwadar  Port", "CPEC 2.0"]
    assert topics[0].pk == spaced.pk and Topic.objects.filter(name__startswith="CPEC").count() == 1
    assert topics[2].name == long_name and len(topics[2].slug) <= 100
    assert client.get(topics[2].get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "typed, error",
    [
        ('"unclosed, quote', None),  # read as far as it goes
        ("a" * 200, "at most"),
        (", ".join(f"topic {n}" for n in range(201)), "at most 200 topics"),
        ("CPEC\x00 2.0", "Null characters are not allowed"),
        ("trade, !!!", "needs a letter or a digit"),
    ],
)
def test_malformed_topics_are_refused_or_read_without_a_server_error(staff_client, typed, error):
    envoy = make_official("Khalil Hashmi", country="PK")
    counterpart = make_official("Liu Haixing", country="CN")
    data = readout_form(envoy=envoy, counterpart=counterpart) | {"topics": typed}
    response = staff_client.post(ADD_URL, data)
    if error:
        assert response.status_code == 200
        assert error in str(response.context["adminform"].form.errors["topics"])
        assert not Meeting.objects.exists()
    else:
        assert response.status_code == 302
        assert Meeting.objects.get().topics_in_order
