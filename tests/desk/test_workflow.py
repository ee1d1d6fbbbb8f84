"""The editors' workflow: Contributors write drafts, Editors publish what is complete."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from factories import (
    ADD_URL,
    make_country,
    make_meeting,
    make_official,
    readout_form,
    staff_in,
)

from engagements.desk import roles
from engagements.models import Meeting, Official

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/engagements/meeting/"


@pytest.fixture
def contributor(client, django_user_model):
    return staff_in(roles.CONTRIBUTOR, django_user_model, client)


@pytest.fixture
def editor(client, django_user_model):
    return staff_in(roles.EDITOR, django_user_model, client)


@pytest.fixture
def pair():
    return make_official("Khalil Hashmi", country="PK"), make_official("Liu Haixing", country="CN")


def complete_draft(pair, **fields) -> Meeting:
    envoy, counterpart = pair
    return make_meeting(
        status=Meeting.Status.DRAFT,
        participants=[(envoy, "envoy", "Ambassador"), (counterpart, "counterpart", "Minister")],
        **fields,
    )


# -- the roles -------------------------------------------------------------------------------


def test_migrate_creates_both_roles_and_running_it_again_changes_nothing():
    contributor = Group.objects.get(name=roles.CONTRIBUTOR)
    editor = Group.objects.get(name=roles.EDITOR)
    codes = set(contributor.permissions.values_list("codename", flat=True))
    assert {"add_meeting", "change_meeting", "add_official"} <= codes
    assert "publish_meeting" not in codes and "delete_meeting" not in codes
    assert {"publish_meeting", "delete_meeting", "delete_official"} <= set(
        editor.permissions.values_list("codename", flat=True)
    )
    before = {g.name: set(g.permissions.all()) for g in Group.objects.all()}
    call_command("migrate", verbosity=0)
    assert {g.name: set(g.permissions.all()) for g in Group.objects.all()} == before


def test_a_contributor_saves_drafts_and_cannot_publish_from_the_form(contributor, pair):
    page = contributor.get(ADD_URL).content.decode()
    assert 'name="status"' not in page  # no publish control at all
    assert "an Editor publishes them" in page
    data = readout_form(envoy=pair[0], counterpart=pair[1], status="published")  # forged
    response = contributor.post(ADD_URL, data)
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.DRAFT and meeting.published_at is None


def test_a_contributor_cannot_publish_with_the_action(contributor, pair):
    draft = complete_draft(pair)
    changelist = contributor.get(CHANGELIST).content.decode()
    assert 'value="publish"' not in changelist
    response = contributor.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]})
    assert response.status_code == 200  # "no action selected": the action is not theirs
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.DRAFT


def test_a_contributor_edits_drafts_but_not_published_readouts(contributor, pair):
    draft = complete_draft(pair, title="Draft readout")
    published = make_meeting("Public readout")
    assert contributor.get(f"{CHANGELIST}{draft.pk}/change/").status_code == 200
    data = readout_form(envoy=pair[0], counterpart=pair[1])
    data.pop("status")
    response = contributor.post(f"{CHANGELIST}{published.pk}/change/", data)
    assert response.status_code == 403
    page = contributor.get(f"{CHANGELIST}{published.pk}/change/").content.decode()
    assert 'name="_save"' not in page  # read-only view
    assert (
        contributor.post(f"{CHANGELIST}{published.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Meeting.objects.filter(pk=published.pk).exists()


def test_an_editor_publishes_and_unpublishes(editor, pair, client):
    draft = complete_draft(pair)
    editor.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published and draft.published_at is not None
    editor.post(CHANGELIST, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.DRAFT


def test_an_editor_publishes_from_the_form(editor, pair):
    response = editor.post(ADD_URL, readout_form(envoy=pair[0], counterpart=pair[1]))
    assert response.status_code == 302
    assert Meeting.objects.get().is_published


def test_the_admin_is_closed_to_staff_without_a_role(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", "n@example.org", "pw", is_staff=True)
    client.force_login(user)
    assert client.get(ADD_URL).status_code == 403
    assert client.get("/admin/engagements/meeting/paste/").status_code == 403


# -- what publishing needs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("envoy", "needs an envoy"),
        ("counterpart", "needs a counterpart"),
        ("source", "needs a source"),
    ],
)
def test_the_form_refuses_to_publish_without_envoy_counterpart_or_source(
    editor, pair, drop, message
):
    data = readout_form(envoy=pair[0], counterpart=pair[1])
    if drop == "envoy":
        data["participations-0-role"] = "participant"
    elif drop == "counterpart":
        data["participations-TOTAL_FORMS"] = "1"
    else:
        data["sources-TOTAL_FORMS"] = "0"
    response = editor.post(ADD_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "or save the readout as a draft" in response.content.decode()
    assert not Meeting.objects.exists()
    # The same readout saves as a draft.
    data["status"] = "draft"
    assert editor.post(ADD_URL, data).status_code == 302
    assert Meeting.objects.get().status == Meeting.Status.DRAFT


def test_removing_the_only_source_of_a_published_readout_is_refused(editor, pair):
    meeting = make_meeting(
        participants=[(pair[0], "envoy", ""), (pair[1], "counterpart", "")],
        sources=[{"publisher": "DNA"}],
    )
    source = meeting.sources.get()
    participations = list(meeting.participations.all())
    data = readout_form(envoy=pair[0], counterpart=pair[1])
    data.update(
        {
            "participations-INITIAL_FORMS": "2",
            "participations-0-id": str(participations[0].pk),
            "participations-0-meeting": str(meeting.pk),
            "participations-1-id": str(participations[1].pk),
            "participations-1-meeting": str(meeting.pk),
            "sources-INITIAL_FORMS": "1",
            "sources-0-id": str(source.pk),
            "sources-0-meeting": str(meeting.pk),
            "sources-0-DELETE": "on",
            "slug": meeting.slug,
        }
    )
    response = editor.post(f"{CHANGELIST}{meeting.pk}/change/", data)
    assert response.status_code == 200
    assert "needs a source" in response.content.decode()
    assert meeting.sources.exists()


def test_the_publish_action_says_what_an_incomplete_readout_lacks(editor, pair):
    complete = complete_draft(pair, title="Complete")
    lacking = make_meeting(
        "Lacking", status=Meeting.Status.DRAFT, participants=[(pair[0], "envoy", "")], sources=[]
    )
    # make_meeting adds a default source when given none: remove it.
    lacking.sources.all().delete()
    response = editor.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [complete.pk, lacking.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "1 readout(s) published" in text
    assert "“Lacking” needs a counterpart" in text and "a source" in text
    lacking.refresh_from_db()
    complete.refresh_from_db()
    assert complete.is_published and not lacking.is_published


# -- a new official named in the readout form ------------------------------------------------


def test_a_participant_unknown_to_the_archive_is_created_with_the_readout(editor, pair):
    make_country("CN")
    data = readout_form(envoy=pair[0], counterpart=pair[1])
    data.update(
        {
            "participations-TOTAL_FORMS": "3",
            "participations-2-order": "2",
            "participations-2-role": "participant",
            "participations-2-new_official_name": "Sun Haiyan",
            "participations-2-new_official_country": "CN",
            "participations-2-title": "Vice Minister of the IDCPC",
        }
    )
    assert editor.post(ADD_URL, data).status_code == 302
    sun = Official.objects.get(name="Sun Haiyan")
    assert sun.country.code == "CN" and sun.slug == "sun-haiyan"
    assert Meeting.objects.get().participations.filter(official=sun).exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"new_official_name": "Sun Haiyan"}, "A new official needs a country."),
        ({"role": "participant", "title": "Adviser"}, "Choose an official, or name a new one"),
    ],
)
def test_a_participant_row_needs_a_known_or_a_fully_named_official(editor, pair, fields, error):
    data = readout_form(envoy=pair[0], counterpart=pair[1], status="draft")
    data["participations-TOTAL_FORMS"] = "3"
    data.update({f"participations-2-{key}": value for key, value in fields.items()})
    response = editor.post(ADD_URL, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Meeting.objects.exists()
    assert not Official.objects.filter(name="Sun Haiyan").exists()


def test_a_failed_save_creates_no_new_official(editor, pair):
    data = readout_form(envoy=pair[0], counterpart=pair[1])
    data["sources-0-url"] = "javascript:alert(1)"  # refused: the readout is not saved
    data.update(
        {
            "participations-TOTAL_FORMS": "3",
            "participations-2-new_official_name": "Sun Haiyan",
            "participations-2-new_official_country": "CN",
        }
    )
    assert editor.post(ADD_URL, data).status_code == 200
    assert not Official.objects.filter(name="Sun Haiyan").exists()


# -- preview ---------------------------------------------------------------------------------


def test_an_editor_previews_a_draft_as_the_public_will_see_it(editor, pair, client):
    draft = complete_draft(pair, title="Unreleased readout", body="Talks on **CPEC**.")
    change = editor.get(f"{CHANGELIST}{draft.pk}/change/").content.decode()
    preview_url = f"{CHANGELIST}{draft.pk}/preview/"
    assert preview_url in change
    response = editor.get(preview_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unreleased readout" in html and "<strong>CPEC</strong>" in html
    assert "Preview of a draft" in html and "Khalil Hashmi" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    # The public still gets a 404, before and after the preview.
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_preview_is_for_staff_only(client, pair, django_user_model):
    draft = complete_draft(pair)
    url = f"{CHANGELIST}{draft.pk}/preview/"
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    user = django_user_model.objects.create_user("v", "v@example.org", "pw")  # not staff
    client.force_login(user)
    assert client.get(url).status_code == 302


def test_preview_of_a_missing_readout_is_a_404(editor):
    assert editor.get(f"{CHANGELIST}999999/preview/").status_code == 404
    assert editor.get(f"{CHANGELIST}abc/preview/").status_code == 404
