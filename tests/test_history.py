"""Every change to a readout, official or topic is kept: who, when, what; and can be undone."""

import pytest
from conftest import ADD_URL, make_official, readout_form
from django.test import Client
from reversion.models import Version

from engagements.models import Meeting, Official, Topic

pytestmark = pytest.mark.django_db

MEETINGS = "/admin/engagements/meeting/"


def edit(client, meeting: Meeting, **changes) -> None:
    participations = list(meeting.participations.all())
    sources = list(meeting.sources.all())
    envoy, counterpart = (p.official for p in participations)
    data = readout_form(envoy=envoy, counterpart=counterpart, status=meeting.status)
    data.update(
        {
            "title": meeting.title,
            "slug": meeting.slug,
            "participations-INITIAL_FORMS": "2",
            "sources-INITIAL_FORMS": "1",
            "sources-0-id": str(sources[0].pk),
            "sources-0-meeting": str(meeting.pk),
        }
    )
    for i, participation in enumerate(participations):
        data[f"participations-{i}-id"] = str(participation.pk)
        data[f"participations-{i}-meeting"] = str(meeting.pk)
    data.update(changes)
    response = client.post(f"{MEETINGS}{meeting.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.fixture
def saved(staff_client):
    envoy = make_official("Khalil Hashmi", country="PK")
    counterpart = make_official("Liu Haixing", country="CN")
    assert (
        staff_client.post(ADD_URL, readout_form(envoy=envoy, counterpart=counterpart)).status_code
        == 302
    )
    return Meeting.objects.get()


def test_the_history_says_who_changed_what_and_when(staff_client, saved):
    edit(staff_client, saved, title="A new title", **{"participations-1-title": "Minister, IDCPC"})
    page = staff_client.get(f"{MEETINGS}{saved.pk}/history/").content.decode()
    assert "editor" in page  # who (the staff_client's username)
    assert "title: Ambassador calls on the Minister → A new title" in page
    assert "participants added: Liu Haixing (counterpart, Minister, IDCPC)" in page
    assert "participants removed: Liu Haixing (counterpart, Minister of the IDCPC)" in page
    assert "Created." in page
    assert page.count('<th scope="row">') == 2  # two versions


def test_a_readout_reverts_with_its_participants_and_topics(staff_client, saved):
    edit(
        staff_client,
        saved,
        title="Changed",
        topics="climate",
        **{"participations-1-role": "participant", "status": "draft"},
    )
    saved.refresh_from_db()
    assert saved.title == "Changed" and [t.name for t in saved.topics.all()] == ["climate"]
    oldest = Version.objects.get_for_object(saved).order_by("revision__date_created", "pk").first()
    revert_url = f"{MEETINGS}{saved.pk}/history/{oldest.pk}/"
    form = staff_client.get(revert_url)
    assert form.status_code == 200
    assert "Ambassador calls on the Minister" in form.content.decode()
    # Looking at an old version changes nothing.
    saved.refresh_from_db()
    assert saved.title == "Changed"
    # Saving the old version's form reverts.
    data = {
        key: value
        for key, value in form.context["adminform"].form.initial.items()
        if key in {"title", "slug", "kind", "city", "summary", "body", "status"}
    }
    formsets = form.context["inline_admin_formsets"]
    data.update(
        {
            "date": "2025-11-11",
            "location_country": str(saved.location_country_id),
            "topics": "CPEC 2.0, youth exchanges, think-tank cooperation",
        }
    )
    for inline in formsets:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        # Only the version's own rows: the empty extra rows are left out, as a browser would.
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        for i, subform in enumerate(formset.initial_forms):
            for name, field in subform.fields.items():
                value = subform.initial.get(name, field.initial)
                if value is not None:
                    data[f"{formset.prefix}-{i}-{name}"] = getattr(value, "pk", value)
    response = staff_client.post(revert_url, data)
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.title == "Ambassador calls on the Minister"
    assert saved.is_published
    assert sorted(p.role for p in saved.participations.all()) == ["counterpart", "envoy"]
    history = staff_client.get(f"{MEETINGS}{saved.pk}/history/").content.decode()
    assert "Reverted to previous version" in history


def test_officials_and_topics_have_a_history_too(staff_client):
    official = make_official("Liu Haixing", country="CN")
    url = f"/admin/engagements/official/{official.pk}/change/"
    data = {"name": "Liu Haixing", "slug": official.slug, "country": official.country_id}
    assert staff_client.post(url, data).status_code == 302  # its first version
    data["aliases"] = "刘海星"
    assert staff_client.post(url, data).status_code == 302
    page = staff_client.get(f"/admin/engagements/official/{official.pk}/history/").content.decode()
    assert "aliases: — → 刘海星" in page

    topic = Topic.objects.create(name="CPEC", slug="cpec")
    url = f"/admin/engagements/topic/{topic.pk}/change/"
    data = {"name": "CPEC", "slug": "cpec", "aliases": "", "description": ""}
    assert staff_client.post(url, data).status_code == 302
    data["name"] = "CPEC 2.0"
    assert staff_client.post(url, data).status_code == 302
    page = staff_client.get(f"/admin/engagements/topic/{topic.pk}/history/").content.decode()
    assert "name: CPEC → CPEC 2.0" in page
    assert Official.objects.get().aliases == "刘海星"


def test_a_record_without_saved_versions_says_so(staff_client):
    official = make_official("Wang Yi", country="CN")
    page = staff_client.get(f"/admin/engagements/official/{official.pk}/history/")
    assert page.status_code == 200
    assert "its history starts with the next save" in page.content.decode()


def test_the_history_is_for_staff_only(saved):
    response = Client().get(f"{MEETINGS}{saved.pk}/history/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
