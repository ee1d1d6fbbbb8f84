"""Every change to a readout, official or topic is kept: who, when, what; and can be undone."""

import pytest
import reversion
from checks import assert_exact, kept
from django.contrib.admin.models import LogEntry
from django.test import Client
from factories import ADD_URL, make_meeting, make_official, readout_form, staff_in
from reversion.models import Version

from engagements.desk import roles
from engagements.models import ArchiveVersion, Meeting, Official, Participation, Topic
from engagements.upkeep import derived
from engagements.upkeep import version as archive_version

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
    # Saving the old version's form, as shown, reverts.
    data = form_as_shown(form)
    response = staff_client.post(revert_url, data)
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.title == "Ambassador calls on the Minister"
    assert saved.is_published
    assert sorted(p.role for p in saved.participations.all()) == ["counterpart", "envoy"]
    history = staff_client.get(f"{MEETINGS}{saved.pk}/history/").content.decode()
    assert "Reverted to previous version" in history


def test_a_reordering_of_topics_is_in_the_history_and_reverts(staff_client, saved):
    first = ["CPEC 2.0", "youth exchanges", "think-tank cooperation"]
    assert [t.name for t in saved.topics_in_order] == first
    reordered = ["think-tank cooperation", "CPEC 2.0", "youth exchanges"]
    edit(staff_client, saved, topics=", ".join(reordered))
    assert [t.name for t in Meeting.objects.get().topics_in_order] == reordered
    page = staff_client.get(f"{MEETINGS}{saved.pk}/history/").content.decode()
    assert "topics reordered: think-tank cooperation; CPEC 2.0; youth exchanges" in page
    # Each version holds its order: the newest keeps the new one, the first the first.
    versions = Version.objects.get_for_object(saved).order_by("revision__date_created", "pk")
    response = revert_through(staff_client, f"{MEETINGS}{saved.pk}/history/{versions.last().pk}/")
    assert response.status_code == 302
    assert [t.name for t in Meeting.objects.get().topics_in_order] == reordered
    response = revert_through(staff_client, f"{MEETINGS}{saved.pk}/history/{versions[0].pk}/")
    assert response.status_code == 302
    assert [t.name for t in Meeting.objects.get().topics_in_order] == first


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


# -- reverts check first, and move only their own record ------------------------------------
# The routes an outside review used to publish, unpublish, restore and roll back as a
# Contributor: each is refused with nothing changed, and works for an Editor with every
# piece of derived state exact.


def snapshot(*records) -> None:
    """One revision holding these records as they are now (as an admin save would)."""
    with reversion.create_revision():
        for record in records:
            reversion.add_to_revision(record)


def version_of(record, index: int = 0) -> Version:
    """The record's versions, oldest first."""
    versions = Version.objects.get_for_object(record).order_by("revision__date_created", "pk")
    return list(versions)[index]


def archive_state() -> tuple:
    """Everything a refused revert must leave as it was: readouts, parts, counts, version."""
    return (
        sorted(
            Meeting.objects.values_list("pk", "title", "status", "search_primary", "facet_keys")
        ),
        sorted(Participation.objects.values_list("pk", "meeting_id", "official_id", "role")),
        sorted(Official.objects.values_list("pk", "name", "slug")),
        sorted(Topic.objects.values_list("pk", "name")),
        kept(),
        archive_version.current().number if ArchiveVersion.objects.exists() else None,
        LogEntry.objects.count(),
    )


def form_as_shown(page) -> dict:
    """What a browser posts back for an admin change form it was shown, untouched."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name == "topics" and not isinstance(value, str):
            value = form[name].field.widget.format_value(value or [])  # as the page shows it
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        if value is not None:
            data[name] = value
    for inline in page.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        for i, subform in enumerate(formset.initial_forms):
            for name, field in subform.fields.items():
                value = subform.initial.get(name, field.initial)
                if hasattr(value, "isoformat"):
                    value = value.isoformat()
                if value is not None:
                    data[f"{formset.prefix}-{i}-{name}"] = getattr(value, "pk", value)
    return data


def revert_through(client, url: str):
    page = client.get(url)
    assert page.status_code == 200, page
    return client.post(url, form_as_shown(page))


@pytest.fixture
def pair():
    """The seed readout's envoy and counterpart."""
    return make_official("Khalil Hashmi", country="PK"), make_official("Liu Haixing", country="CN")


@pytest.fixture
def roles_clients(django_user_model):
    return (
        staff_in(roles.CONTRIBUTOR, django_user_model, name="contributor"),
        staff_in(roles.EDITOR, django_user_model, name="editor-in-role"),
    )


@pytest.fixture
def unpublished_by_an_editor(pair):
    """A readout published (first version), then returned to draft by an Editor."""
    envoy, counterpart = pair
    meeting = make_meeting(
        "Ambassador calls on the Minister",
        participants=[(envoy, "envoy", "Ambassador"), (counterpart, "counterpart", "Minister")],
        topics=["CPEC 2.0"],
    )
    snapshot(meeting)
    meeting.status = Meeting.Status.DRAFT
    meeting.save()
    snapshot(meeting)
    return meeting


def test_a_contributor_cannot_republish_through_any_history_address(
    roles_clients, unpublished_by_an_editor
):
    contributor, _editor = roles_clients
    meeting = unpublished_by_an_editor
    published_version = version_of(meeting, 0)
    participant_version = next(
        v for v in published_version.revision.version_set.all() if v._model is Participation
    )
    topic = Topic.objects.get()
    before = archive_state()
    attempts = {
        # Another model's version through the officials' recover view.
        f"/admin/engagements/official/recover/{participant_version.pk}/": 404,
        f"/admin/engagements/official/recover/{published_version.pk}/": 404,
        # The readout exists: recovering is not reverting.
        f"{MEETINGS}recover/{published_version.pk}/": 404,
        # A readout's version through a topic's history address.
        f"/admin/engagements/topic/{meeting.pk}/history/{published_version.pk}/": 404,
        f"/admin/engagements/topic/{topic.pk}/history/{published_version.pk}/": 404,
        # The readout's own history: the version is published, and only Editors publish.
        f"{MEETINGS}{meeting.pk}/history/{published_version.pk}/": 403,
    }
    for url, status in attempts.items():
        assert contributor.post(url, {"title": "x"}).status_code == status, url
        assert contributor.get(url).status_code == status, url
        assert archive_state() == before, url
    assert Client().get(meeting.get_absolute_url()).status_code == 404


def test_a_contributor_cannot_return_a_published_readout_to_an_earlier_draft(roles_clients, pair):
    contributor, _editor = roles_clients
    envoy, counterpart = pair
    meeting = make_meeting(
        "First draft",
        status=Meeting.Status.DRAFT,
        participants=[(envoy, "envoy", "Ambassador"), (counterpart, "counterpart", "Minister")],
    )
    snapshot(meeting)
    meeting.status, meeting.title = Meeting.Status.PUBLISHED, "Corrected and published"
    meeting.save()
    snapshot(meeting)
    before = archive_state()
    url = f"{MEETINGS}{meeting.pk}/history/{version_of(meeting, 0).pk}/"
    assert contributor.get(url).status_code == 403
    assert contributor.post(url, {"title": "First draft"}).status_code == 403
    assert archive_state() == before
    assert Client().get(meeting.get_absolute_url()).status_code == 200


def test_only_an_editor_brings_back_a_deleted_readout_and_it_is_whole_again(
    roles_clients, unpublished_by_an_editor
):
    contributor, editor = roles_clients
    meeting = unpublished_by_an_editor
    meeting.status = Meeting.Status.PUBLISHED
    meeting.save()
    snapshot(meeting)
    pk, address = meeting.pk, meeting.get_absolute_url()
    meeting.delete()
    assert_exact()
    deleted = Version.objects.get_deleted(Meeting).get()
    url = f"{MEETINGS}recover/{deleted.pk}/"

    before = archive_state()
    assert contributor.get(f"{MEETINGS}recover/").status_code == 403
    assert contributor.get(url).status_code == 403
    assert contributor.post(url, {"title": "x"}).status_code == 403
    assert archive_state() == before

    assert editor.get(f"{MEETINGS}recover/").status_code == 200
    response = revert_through(editor, url)
    assert response.status_code == 302, response
    restored = Meeting.objects.get(pk=pk)
    assert restored.is_published and restored.participations.count() == 2
    # Derived state is whole: public, searchable, counted, its countries known.
    assert_exact()
    assert Client().get(address).status_code == 200
    assert (
        "Ambassador calls on the Minister" in Client().get("/meetings/?q=Haixing").content.decode()
    )
    assert "Ambassador calls on the Minister" in Client().get("/topics/cpec-20/").content.decode()
    assert set(restored.countries.values_list("code", flat=True)) == {"CN", "PK"}
    # Recorded: in the readout's history and in the admin's log.
    assert "Recovered as it was on" in editor.get(f"{MEETINGS}{pk}/history/").content.decode()
    assert LogEntry.objects.filter(object_id=str(pk), change_message__startswith="Recovered")


def test_an_editor_reverts_a_readout_and_derived_state_follows(roles_clients, pair):
    _contributor, editor = roles_clients
    envoy, counterpart = pair
    other = make_official("Ahsan Iqbal", country="PK")
    meeting = make_meeting(
        "Ambassador calls on the Minister",
        participants=[(envoy, "envoy", "Ambassador"), (counterpart, "counterpart", "Minister")],
        topics=["CPEC 2.0"],
    )
    snapshot(meeting)
    meeting.title = "Planning minister meets the Minister"
    meeting.save()
    meeting.participations.filter(official=envoy).update(official=other)
    meeting.topics.set(["Uraan Pakistan"])
    derived.refresh([meeting.pk])
    snapshot(meeting)
    version_before = archive_version.current().number

    response = revert_through(editor, f"{MEETINGS}{meeting.pk}/history/{version_of(meeting).pk}/")
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Ambassador calls on the Minister"
    assert [p.official for p in meeting.participations.all()] == [envoy, counterpart]
    assert [t.name for t in meeting.topics.all()] == ["CPEC 2.0"]
    assert_exact()
    assert archive_version.current().number > version_before
    found = Client().get("/meetings/?q=Hashmi").content.decode()
    assert "Ambassador calls on the Minister" in found
    assert (
        "Ambassador calls on the Minister"
        not in Client().get("/meetings/?q=Iqbal").content.decode()
    )
    assert LogEntry.objects.filter(change_message__startswith="Reverted to previous version")


def test_reverting_one_readout_leaves_the_others_of_its_revision_alone(roles_clients, pair):
    """The publish action saves every readout it publishes in one revision."""
    _contributor, editor = roles_clients
    envoy, counterpart = pair
    parts = [(envoy, "envoy", "Ambassador"), (counterpart, "counterpart", "Minister")]
    first = make_meeting("First", status=Meeting.Status.DRAFT, participants=parts)
    second = make_meeting("Second", status=Meeting.Status.DRAFT, participants=parts)
    response = editor.post(
        MEETINGS, {"action": "publish", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    shared = version_of(second, -1)
    assert shared.revision.version_set.filter(object_id=str(first.pk)).exists()
    first.title = "First, corrected"
    first.save()
    second.title = "Second, corrected"
    second.save()

    assert revert_through(editor, f"{MEETINGS}{second.pk}/history/{shared.pk}/").status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.title == "Second"
    assert first.title == "First, corrected"
    assert_exact()


def test_an_editor_reverts_an_official_and_the_readouts_and_old_address_follow(
    roles_clients, staff_client
):
    _contributor, editor = roles_clients
    liu = make_official("Liu Haixing", country="CN")
    make_meeting(
        "Ambassador calls on the Minister",
        participants=[(make_official("Khalil Hashmi"), "envoy", ""), (liu, "counterpart", "")],
    )
    snapshot(liu)
    url = f"/admin/engagements/official/{liu.pk}/change/"
    data = {"name": "Liu H.", "slug": "liu-h", "country": liu.country_id, "aliases": ""}
    assert staff_client.post(url, data).status_code == 302
    assert "Ambassador" in Client().get("/meetings/?q=Liu H.").content.decode()

    revision = f"/admin/engagements/official/{liu.pk}/history/{version_of(liu).pk}/"
    assert revert_through(editor, revision).status_code == 302
    liu.refresh_from_db()
    assert (liu.name, liu.slug) == ("Liu Haixing", "liu-haixing")
    assert "Ambassador" in Client().get("/meetings/?q=Haixing").content.decode()
    moved = Client().get("/officials/liu-h/")
    assert moved.status_code == 301 and moved["Location"] == "/officials/liu-haixing/"
    assert_exact()


def test_a_revert_to_a_version_naming_a_deleted_official_changes_nothing(roles_clients, pair):
    _contributor, editor = roles_clients
    envoy, counterpart = pair
    gone = make_official("Someone Deleted", country="CN")
    meeting = make_meeting(
        "Three people",
        status=Meeting.Status.DRAFT,
        participants=[
            (envoy, "envoy", ""),
            (counterpart, "counterpart", ""),
            (gone, "participant", ""),
        ],
    )
    snapshot(meeting)
    meeting.participations.filter(official=gone).delete()
    gone.delete()
    before = archive_state()
    url = f"{MEETINGS}{meeting.pk}/history/{version_of(meeting).pk}/"
    response = editor.get(url)
    assert response.status_code == 302  # back to the list, with the reason
    assert "deleted since" in editor.get(MEETINGS).content.decode()
    assert archive_state() == before


def test_an_editor_reverting_a_published_readout_to_a_draft_takes_it_off_the_site(
    roles_clients, pair
):
    _contributor, editor = roles_clients
    envoy, counterpart = pair
    meeting = make_meeting(
        "Drafted first",
        status=Meeting.Status.DRAFT,
        participants=[(envoy, "envoy", ""), (counterpart, "counterpart", "")],
        topics=["CPEC 2.0"],
    )
    snapshot(meeting)
    meeting.status = Meeting.Status.PUBLISHED
    meeting.save()
    visitor = Client()
    assert visitor.get(meeting.get_absolute_url()).status_code == 200
    assert "Drafted first" in visitor.get("/topics/cpec-20/").content.decode()
    version = archive_version.current().number

    url = f"{MEETINGS}{meeting.pk}/history/{version_of(meeting).pk}/"
    assert revert_through(editor, url).status_code == 302
    meeting.refresh_from_db()
    assert not meeting.is_published
    assert archive_version.current().number > version  # every cached page goes
    assert visitor.get(meeting.get_absolute_url()).status_code == 404
    assert visitor.get("/topics/cpec-20/").status_code == 404
    assert_exact()
