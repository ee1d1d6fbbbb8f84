"""The paste page: a press release becomes a proposed readout in the normal form; nothing saved."""

import datetime as dt
from pathlib import Path

import pytest
from factories import make_meeting, make_official, make_topic

from engagements.models import Country, Meeting, Official, Topic

pytestmark = pytest.mark.django_db

PASTE = "/admin/engagements/meeting/paste/"
SEED = (
    Path(__file__).resolve().parents[1] / "data" / "readout-2025-11-11-pakistan-idcpc.txt"
).read_text()
DELEGATION = """ISLAMABAD, March 4, 2025 (APP): A delegation led by Mr. Sun Haiyan, Vice \
Minister of the International Department of the Communist Party of China, called on \
Senator Mushahid Hussain, Chairman of the Senate Defence Committee, on Tuesday. They \
discussed CPEC 2.0 and youth exchanges.
"""


@pytest.fixture
def known():
    hashmi = make_official("Khalil Hashmi", country="PK")
    liu = make_official("Liu Haixing", country="CN", aliases="刘海星")
    topics = [make_topic(n) for n in ["CPEC 2.0", "youth exchanges", "climate finance"]]
    return {"hashmi": hashmi, "liu": liu, "topics": topics}


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Meeting, Official, Topic, Country))


def test_the_paste_page_is_linked_from_the_list_and_the_add_form(staff_client):
    assert PASTE in staff_client.get("/admin/engagements/meeting/").content.decode()
    assert PASTE in staff_client.get("/admin/engagements/meeting/add/").content.decode()
    page = staff_client.get(PASTE)
    assert page.status_code == 200 and 'name="text"' in page.content.decode()


def test_the_seed_release_opens_the_readout_form_filled_in_and_saves_nothing(staff_client, known):
    before = counts()
    response = staff_client.post(PASTE, {"text": SEED, "url": "https://example.org/r/1"})
    assert response.status_code == 302
    assert "/admin/engagements/meeting/add/?proposal=" in response["Location"]
    form = staff_client.get(response["Location"])
    assert counts() == before  # nothing saved by proposing
    initial = form.context["adminform"].form.initial
    assert initial["date"] == "2025-11-11"
    assert initial["city"] == "Beijing"
    assert initial["kind"] == "courtesy call"
    assert initial["status"] == "draft"
    assert initial["title"] == "Khalil Hashmi pays courtesy call on Liu Haixing"
    assert initial["slug"].startswith("khalil-hashmi-pays-courtesy-call-on-liu-haixing")
    assert initial["location_country"] == Country.objects.get(code="CN").pk
    assert "CPEC 2.0" in initial["topics"] and "climate finance" not in initial["topics"]
    participants, sources = (i.formset for i in form.context["inline_admin_formsets"])
    rows = [f.initial for f in participants.forms if f.initial]
    assert rows[0]["official"] == known["hashmi"].pk and rows[0]["role"] == "envoy"
    assert rows[0]["title"] == "Ambassador of Pakistan to China"
    assert rows[1]["official"] == known["liu"].pk and rows[1]["role"] == "counterpart"
    assert sources.forms[0].initial["publisher"] == "DNA"
    assert sources.forms[0].initial["url"] == "https://example.org/r/1"
    html = form.content.decode()
    assert "Proposed from the pasted press release" in html


def test_unknown_people_are_proposed_as_new_officials_created_on_save(staff_client, known):
    response = staff_client.post(PASTE, {"text": DELEGATION})
    form = staff_client.get(response["Location"])
    participants = form.context["inline_admin_formsets"][0].formset
    new = [f.initial for f in participants.forms if f.initial.get("new_official_name")]
    assert {row["new_official_name"] for row in new} == {"Sun Haiyan", "Mushahid Hussain"}
    assert "new official" in form.content.decode()
    assert not Official.objects.filter(name="Sun Haiyan").exists()

    # Saving the proposal, as the editor would after checking it, creates them.
    data = {
        key: value
        for key, value in form.context["adminform"].form.initial.items()
        if key != "location_country"
    }
    data.update(
        {
            "participations-TOTAL_FORMS": str(len(new)),
            "participations-INITIAL_FORMS": "0",
            "sources-TOTAL_FORMS": "1",
            "sources-INITIAL_FORMS": "0",
            "sources-0-order": "0",
            "sources-0-publisher": "APP",
        }
    )
    for i, row in enumerate(new):
        for key, value in row.items():
            data[f"participations-{i}-{key}"] = value
        data.setdefault(f"participations-{i}-new_official_country", "PK")
        if not data[f"participations-{i}-new_official_country"]:
            data[f"participations-{i}-new_official_country"] = "PK"
    saved = staff_client.post("/admin/engagements/meeting/add/", data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.DRAFT
    assert {p.official.name for p in meeting.participations.all()} == {
        "Sun Haiyan",
        "Mushahid Hussain",
    }
    assert Official.objects.get(name="Sun Haiyan").country.code == "CN"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"text": ""}, "This field is required."),
        ({"text": "   \n\t  "}, "This field is required."),
        ({"text": "\x00\x00"}, "Null characters are not allowed."),
        ({"text": "x" * 200_001}, "Ensure this value has at most 200000 characters"),
        ({"text": SEED, "url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"text": SEED, "url": "ftp://example.org/r"}, "Enter an http or https address."),
    ],
)
def test_bad_pastes_are_refused_with_a_message(staff_client, data, error):
    before = counts()
    response = staff_client.post(PASTE, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert counts() == before


def test_hostile_text_is_shown_escaped(staff_client, known):
    text = SEED.replace("Khalil Hashmi", "Khalil <script>alert(1)</script> Hashmi")
    response = staff_client.post(PASTE, {"text": text})
    html = staff_client.get(response["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in html


def test_an_unknown_or_stale_proposal_opens_an_empty_form(staff_client):
    response = staff_client.get("/admin/engagements/meeting/add/?proposal=nonsense")
    assert response.status_code == 200
    assert "Proposed from the pasted press release" not in response.content.decode()


def test_only_the_latest_proposals_are_kept_in_the_session(staff_client, known):
    tokens = []
    for _ in range(7):
        location = staff_client.post(PASTE, {"text": SEED})["Location"]
        tokens.append(location.rsplit("=", 1)[1])
    kept = staff_client.session["pasted_proposals"]
    assert list(kept) == tokens[-5:]


def test_the_paste_page_is_for_staff_who_may_add_readouts(client, django_user_model):
    response = client.get(PASTE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    user = django_user_model.objects.create_user("v", "v@example.org", "pw", is_staff=True)
    client.force_login(user)
    assert client.get(PASTE).status_code == 403
    assert client.post(PASTE, {"text": SEED}).status_code == 403


def test_a_release_of_a_meeting_already_entered_links_to_it_before_anything_is_saved(
    staff_client, known
):
    # The other side's account of the seed meeting, entered a day later as a draft.
    entered = make_meeting(
        "Liu Haixing receives Ambassador Khalil Hashmi",
        date=dt.date(2025, 11, 12),
        status=Meeting.Status.DRAFT,
        participants=[(known["hashmi"], "envoy", "Ambassador"), (known["liu"], "counterpart", "")],
    )
    elsewhere = make_meeting(  # the same officials a week later: another meeting
        date=dt.date(2025, 11, 18),
        participants=[(known["hashmi"], "envoy", "Ambassador"), (known["liu"], "counterpart", "")],
    )
    before = counts()
    form = staff_client.get(staff_client.post(PASTE, {"text": SEED})["Location"])
    assert counts() == before
    html = form.content.decode()
    assert "Already in the archive?" in html
    assert f"/admin/engagements/meeting/{entered.pk}/change/" in html
    assert f"/admin/engagements/meeting/{elsewhere.pk}/change/" not in html
    assert "may already be in the archive" in html


def test_subjects_the_archive_lacks_are_offered_as_new_topics(staff_client, known):
    form = staff_client.get(staff_client.post(PASTE, {"text": SEED})["Location"])
    html = form.content.decode()
    assert "Also named, not yet topics" in html
    assert "Already in the archive?" not in html
