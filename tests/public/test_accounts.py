"""Several accounts of one meeting: kept with their side, headline, text and topics, carried
by the interchange format (version 2; version 1 files still import), compared side by side
on the readout's page, edited in the admin, and added from a pasted release."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from factories import change_form_data, make_country, make_meeting, make_official, make_topic

from engagements.desk import roles
from engagements.interchange.export import export_records
from engagements.interchange.importing import import_readouts
from engagements.models import AccountTitle, Meeting, Source

pytestmark = pytest.mark.django_db

TWO_ACCOUNTS = {
    "id": "two-accounts-1",
    "date": "2025-11-11",
    "title": "Khalil Hashmi pays courtesy call on Liu Haixing",
    "kind": "courtesy call",
    "location": {"city": "Beijing", "country": "CN"},
    "participants": [
        {"name": "Khalil Hashmi", "title": "Ambassador", "country": "PK", "role": "envoy"},
        {"name": "Liu Haixing", "title": "Minister", "country": "CN", "role": "counterpart"},
    ],
    "themes": ["CPEC 2.0", "party-to-party exchanges", "youth exchanges"],
    "summary": "The ambassador called on the minister.",
    "body": "The readout.",
    "sources": [
        {
            "url": "https://example.org/pk",
            "publisher": "Embassy of Pakistan",
            "published": "2025-11-11",
            "side": "PK",
            "headline": "Ambassador calls on the Minister",
            "text": "The Ambassador stressed **youth exchanges** and CPEC 2.0.",
            "topics": ["CPEC 2.0", "youth exchanges"],
        },
        {
            "url": "https://example.org/cn",
            "publisher": "IDCPC",
            "published": "2025-11-12",
            "side": "CN",
            "headline": "Liu Haixing meets the Pakistani Ambassador",
            "text": "Liu spoke of party-to-party exchanges and CPEC 2.0.",
            "topics": ["CPEC 2.0", "party-to-party exchanges"],
        },
    ],
}


def line(record: dict) -> bytes:
    return (json.dumps(record) + "\n").encode()


def test_accounts_round_trip_through_the_interchange_format():
    result = import_readouts([line(TWO_ACCOUNTS)])
    assert result.created == 1 and not result.errors
    meeting = Meeting.objects.get(external_id="two-accounts-1")
    pakistan, china = meeting.sources.all()
    assert (pakistan.side.code, china.side.code) == ("PK", "CN")
    assert pakistan.text_html == (
        "<p>The Ambassador stressed <strong>youth exchanges</strong> and CPEC 2.0.</p>"
    )
    assert {t.name for t in china.topics.all()} == {"CPEC 2.0", "party-to-party exchanges"}
    (exported,) = export_records(Meeting.objects.all())
    assert exported["sources"] == TWO_ACCOUNTS["sources"]
    assert import_readouts([line(TWO_ACCOUNTS)]).unchanged == 1  # nothing to update


def test_a_version_1_file_still_imports_and_exports_as_before():
    old = {**TWO_ACCOUNTS, "id": "v1", "sources": [{"url": "", "publisher": "APP"}]}
    assert import_readouts([line(old)]).created == 1
    (exported,) = export_records(Meeting.objects.filter(external_id="v1"))
    assert exported["sources"] == [{"url": "", "publisher": "APP", "published": None}]


def test_an_account_naming_a_topic_the_readout_lacks_is_refused():
    record = json.loads(json.dumps(TWO_ACCOUNTS))
    record["sources"][0]["topics"] = ["climate finance"]
    record["sources"][1]["side"] = "XX"
    result = import_readouts([line(record)])
    assert result.created == 0
    messages = " ".join(message for _, message in result.errors)
    assert "sources[0].topics[0]" in messages
    assert "is not among the readout's themes" in messages and "climate finance" in messages
    assert "sources[1].side" in messages


def test_the_readout_page_compares_both_accounts_side_by_side(client):
    import_readouts([line(TWO_ACCOUNTS)])
    meeting = Meeting.objects.get()
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "2 accounts of this meeting" in html
    assert "Only in Pakistan’s account:</strong> <a" in html
    assert html.index("Only in Pakistan’s account") < html.index("youth exchanges</a></p>")
    assert "Only in China’s account:</strong> <a" in html
    assert 'Named in every account:</strong> <a href="/topics/cpec-20/">CPEC 2.0</a>' in html
    assert "<strong>youth exchanges</strong>" in html  # each account's text, rendered
    assert "Liu Haixing meets the Pakistani Ambassador" in html


def test_a_single_account_readout_shows_no_comparison(client, seed_like):
    html = client.get(seed_like["meeting"].get_absolute_url()).content.decode()
    assert "accounts of this meeting" not in html


def test_an_accounts_text_is_sanitised(client):
    record = json.loads(json.dumps(TWO_ACCOUNTS))
    record["sources"][1]["text"] = "<script>alert(1)</script><img src=x onerror=alert(2)> Hi"
    import_readouts([line(record)])
    html = client.get(Meeting.objects.get().get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "onerror" not in html


def test_the_readout_page_reads_its_accounts_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    import_readouts([line(TWO_ACCOUNTS)])
    url = Meeting.objects.get().get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_the_admin_edits_accounts_and_their_topics_join_the_readouts(staff_client):
    hashmi = make_official("Khalil Hashmi", country="PK")
    liu = make_official("Liu Haixing", country="CN")
    meeting = make_meeting(
        "Talks",
        participants=[(hashmi, "envoy", "Ambassador"), (liu, "counterpart", "Minister")],
        sources=[{"publisher": "APP", "url": "https://example.org/a"}],
    )
    topic = make_topic("green development")
    change = f"/admin/engagements/meeting/{meeting.pk}/change/"
    form = staff_client.get(change)
    assert form.status_code == 200 and "sources-0-headline" in form.content.decode()
    source = meeting.sources.get()
    data = {
        "title": meeting.title, "slug": meeting.slug, "date": "2025-11-11",
        "kind": meeting.kind, "city": "Beijing", "location_country": meeting.location_country_id,
        "summary": "", "body": "", "topics": "", "status": meeting.status,
        "participations-TOTAL_FORMS": "2", "participations-INITIAL_FORMS": "2",
        "sources-TOTAL_FORMS": "1", "sources-INITIAL_FORMS": "1",
        "account_titles-TOTAL_FORMS": "0", "account_titles-INITIAL_FORMS": "0",
        "sources-0-id": source.pk, "sources-0-meeting": meeting.pk, "sources-0-order": "0",
        "sources-0-publisher": "APP", "sources-0-url": "https://example.org/a",
        "sources-0-side": make_country("PK").pk, "sources-0-headline": "Talks held",
        "sources-0-text": "They spoke of green development.", "sources-0-topics": [topic.pk],
    }  # fmt: skip
    for i, p in enumerate(meeting.participations.all()):
        data |= {
            f"participations-{i}-id": p.pk, f"participations-{i}-meeting": meeting.pk,
            f"participations-{i}-order": i, f"participations-{i}-role": p.role,
            f"participations-{i}-official": p.official_id, f"participations-{i}-title": p.title,
        }  # fmt: skip
    response = staff_client.post(change, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    source.refresh_from_db()
    assert (source.headline, source.side.code) == ("Talks held", "PK")
    assert list(source.topics.all()) == [topic]
    assert topic in meeting.topics.all()  # the readout's topics include its accounts'


# The DNA's release of the seed meeting, as the Pakistani side told it.
DNA_RELEASE = (
    "BEIJING, NOV 11, 2025 /DNA/ – The Ambassador of Pakistan to China, H.E. Khalil "
    "Hashmi, paid a courtesy call today on Mr. Liu Haixing, Minister of the International "
    "Department."
)


def hashmi_calls_on_liu() -> Meeting:
    hashmi = make_official("Khalil Hashmi", country="PK")
    liu = make_official("Liu Haixing", country="CN")
    return make_meeting(
        "Liu Haixing receives Khalil Hashmi",
        participants=[(hashmi, "envoy", "Ambassador"), (liu, "counterpart", "Minister")],
    )


def paste(staff_client, release: str) -> str:
    """Paste a release; the address of the proposed readout (its token in the query)."""
    return staff_client.post("/admin/engagements/meeting/paste/", {"text": release})["Location"]


def test_a_pasted_release_is_added_as_another_account_of_the_meeting(staff_client):
    cpec = make_topic("CPEC 2.0")
    meeting = hashmi_calls_on_liu()
    before = Meeting.objects.count()
    location = paste(staff_client, DNA_RELEASE + " They discussed CPEC 2.0.")
    form = staff_client.get(location).content.decode()
    add_url = f"/admin/engagements/meeting/{meeting.pk}/add-account/"
    assert add_url in form and "Add this release as another account of it" in form
    token = location.split("proposal=")[1]
    response = staff_client.post(add_url, {"proposal": token})
    assert response.status_code == 302
    assert Meeting.objects.count() == before  # no duplicate meeting
    added = meeting.sources.order_by("-order").first()
    assert added.publisher == "DNA" and added.text.startswith("The Ambassador of Pakistan")
    assert added.side is not None and added.side.code == "PK"
    assert list(added.topics.all()) == [cpec] and cpec in meeting.topics.all()


def test_only_staff_who_may_change_the_meeting_add_an_account(client, django_user_model):
    meeting = make_meeting("Published talks")
    writer = django_user_model.objects.create_user("writer", "w@example.org", "pw-writer-1")
    writer.is_staff = True
    writer.save()
    writer.groups.add(Group.objects.get(name=roles.CONTRIBUTOR))
    client.force_login(writer)
    url = f"/admin/engagements/meeting/{meeting.pk}/add-account/"
    assert client.post(url, {"proposal": "x"}).status_code == 403
    assert Source.objects.filter(meeting=meeting).count() == 1


def test_adding_an_account_without_the_pasted_release_at_hand_adds_nothing(staff_client):
    meeting = make_meeting("Talks")
    url = f"/admin/engagements/meeting/{meeting.pk}/add-account/"
    assert staff_client.get(url)["Location"].endswith(f"/{meeting.pk}/change/")
    response = staff_client.post(url, {"proposal": "expired-token"}, follow=True)
    assert "no longer at hand" in response.content.decode()
    assert meeting.sources.count() == 1
    assert staff_client.post("/admin/engagements/meeting/999999/add-account/").status_code == 404


def test_the_dossier_and_the_country_page_count_what_each_side_names(client):
    first = json.loads(json.dumps(TWO_ACCOUNTS))
    second = json.loads(json.dumps(TWO_ACCOUNTS))
    second["id"], second["date"] = "two-accounts-2", "2025-12-01"
    second["sources"][1]["topics"] = ["CPEC 2.0", "youth exchanges"]
    second["sources"][1]["text"] = "Both stressed youth exchanges."
    assert import_readouts([line(first), line(second)]).created == 2
    # One address per pair: the codes in alphabetical order.
    redirect = client.get("/countries/pk/cn/", {"topic": "cpec-20"})
    assert redirect.status_code == 301
    assert redirect["Location"] == "/countries/cn/pk/?topic=cpec-20"
    page = client.get("/countries/cn/pk/").content.decode()
    assert "What each side names" in page
    assert "Of the 2 meetings with accounts by both China and Pakistan" in page
    table = page[page.index('<table class="sides-compared">') : page.index("</table>")]

    def row(topic: str) -> str:
        start = table.index(f">{topic}</a>")
        return table[start : table.index("</tr>", start)]

    assert row("CPEC 2.0").count(">2</a> of 2") == 2  # both sides named it both times
    youth = row("youth exchanges")
    assert ">2</a> of 2</td>" in youth and ">1</a> of 2</td>" in youth
    assert "<td>0 of 2</td>" in row("party-to-party exchanges")
    # Each number links to the readouts behind it.
    behind = "/meetings/?country=cn&country=pk&topic=youth-exchanges&named_by=cn"
    assert f'<a href="{behind.replace("&", "&amp;")}">1</a>' in youth
    listed = client.get(behind).content.decode()
    assert "1 readout" in listed and "named in" in listed and "China’s account" in listed
    assert "Khalil Hashmi pays courtesy call" in listed
    html = table
    assert 'href="/meetings/?country=cn&amp;country=pk&amp;topic=youth-exchanges"' in html
    country = client.get("/countries/pk/").content.decode()
    assert "accounts by both Pakistan and their counterparts" in country


def test_named_by_lists_only_readouts_told_by_both_sides_whose_account_names_the_topic(
    client,
):
    one_sided = json.loads(json.dumps(TWO_ACCOUNTS))
    one_sided["id"], one_sided["title"] = "one-sided", "Told by one side only"
    one_sided["sources"] = one_sided["sources"][:1]  # Pakistan's account alone
    assert import_readouts([line(TWO_ACCOUNTS), line(one_sided)]).created == 2
    html = client.get("/meetings/", {"topic": "youth-exchanges", "named_by": "pk"}).content
    html = html.decode()
    assert "1 readout" in html and "Told by one side only" not in html
    assert (
        "0 readouts"
        in client.get(
            "/meetings/", {"topic": "party-to-party-exchanges", "named_by": "pk"}
        ).content.decode()
    )
    assert client.get("/meetings/", {"named_by": "pakistan"}).status_code == 400
    unknown = client.get("/meetings/", {"named_by": "zz"})
    assert unknown.status_code == 200 and "0 readouts" in unknown.content.decode()


def test_no_comparison_without_both_sides_accounts(client, seed_like):
    assert "What each side names" not in client.get("/countries/cn/pk/").content.decode()


def test_a_meeting_is_found_by_any_accounts_words(client):
    record = json.loads(json.dumps(TWO_ACCOUNTS))
    record["sources"][1]["text"] = "Liu praised the Karakoram friendship highway."
    import_readouts([line(record)])
    meeting = Meeting.objects.get()
    assert "Karakoram" in meeting.search_secondary
    html = client.get("/meetings/", {"q": "Karakoram"}).content.decode()
    assert meeting.title in html and "1 readout" in html


def test_a_search_says_whose_account_holds_the_words_it_found(client):
    record = json.loads(json.dumps(TWO_ACCOUNTS))
    record["sources"][1]["text"] = (
        "Liu praised the **Karakoram** friendship highway and the people who built it."
    )
    import_readouts([line(record)])
    html = client.get("/meetings/", {"q": "karakoram highways"}).content.decode()
    assert (
        '<span class="snippet-whose">In China’s account:</span> Liu praised the '
        "<mark>Karakoram</mark> friendship <mark>highway</mark> and" in html
    )
    # Words of the readout's own text: its own snippet, no account named.
    html = client.get("/meetings/", {"q": "readout"}).content.decode()
    assert "<mark>readout</mark>" in html and "snippet-whose" not in html


def test_the_account_snippet_escapes_and_cuts_long_text():
    from engagements.search import account_snippets

    record = json.loads(json.dumps(TWO_ACCOUNTS))
    record["sources"][0]["text"] = "word " * 200 + "<b>Türkiye</b> & friends " + "tail " * 200
    import_readouts([line(record)])
    meeting = Meeting.objects.get()
    found = account_snippets([meeting.pk], "turkiye")[meeting.pk]
    assert found.whose == "Pakistan"
    assert "<mark>Türkiye</mark> &amp; friends" in found.passage and "<b>" not in found.passage
    assert found.passage.startswith("… ") and found.passage.endswith(" …")
    assert len(found.passage) < 300
    assert account_snippets([meeting.pk], "absent") == {}
    assert account_snippets([meeting.pk], '"" -') == {}


def test_the_csv_download_names_each_accounts_side(client):
    import_readouts([line(TWO_ACCOUNTS)])
    body = b"".join(client.get("/meetings/export.csv").streaming_content).decode("utf-8-sig")
    assert "PK: https://example.org/pk; CN: https://example.org/cn" in body


# -- the titles each account gives ---------------------------------------------------------

WITH_TITLES = json.loads(json.dumps(TWO_ACCOUNTS))
WITH_TITLES["id"] = "with-titles"
WITH_TITLES["sources"][0]["titles"] = {"Liu Haixing": "Head of the IDCPC"}
WITH_TITLES["sources"][1]["titles"] = {
    "Khalil Hashmi": "Pakistani Ambassador to China",
    "Liu Haixing": "Minister of the International Department of the CPC Central Committee",
}


def test_the_titles_each_account_gives_round_trip():
    assert import_readouts([line(WITH_TITLES)]).created == 1
    meeting = Meeting.objects.get()
    assert {
        (t.account.publisher, t.participation.official.name, t.title)
        for t in AccountTitle.objects.filter(meeting=meeting)
    } == {
        ("Embassy of Pakistan", "Liu Haixing", "Head of the IDCPC"),
        ("IDCPC", "Khalil Hashmi", "Pakistani Ambassador to China"),
        (
            "IDCPC",
            "Liu Haixing",
            "Minister of the International Department of the CPC Central Committee",
        ),
    }
    (exported,) = export_records(Meeting.objects.all())
    assert exported["sources"] == WITH_TITLES["sources"]
    assert import_readouts([line(WITH_TITLES)]).unchanged == 1
    changed = json.loads(json.dumps(WITH_TITLES))
    del changed["sources"][0]["titles"]
    assert import_readouts([line(changed)]).updated == 1
    assert AccountTitle.objects.filter(meeting=meeting).count() == 2


def test_a_title_for_someone_who_is_not_a_participant_is_refused():
    record = json.loads(json.dumps(WITH_TITLES))
    record["sources"][0]["titles"] = {"Wang Yi": "Foreign Minister", "Liu Haixing": 7}
    record["sources"][1]["titles"] = ["not", "an", "object"]
    result = import_readouts([line(record)])
    assert result.created == 0 and not AccountTitle.objects.exists()
    messages = " ".join(message for _, message in result.errors)
    assert 'sources[0].titles: "Wang Yi" is not one of the readout\'s participants' in messages
    assert "expected text, got" in messages
    assert "sources[1].titles: expected an object of names and titles" in messages


def test_the_readout_page_sets_the_titles_each_account_gives_side_by_side(
    client, django_assert_max_num_queries
):
    import_readouts([line(WITH_TITLES)])
    url = Meeting.objects.get().get_absolute_url()
    html = client.get(url).content.decode()
    table = html[html.index('<table class="titles-compared">') : html.index("</table>")]
    assert "<caption>The titles each account gives</caption>" in table
    assert '<th scope="col">Pakistan</th><th scope="col">China</th>' in table
    liu = table[table.index('<th scope="row">Liu Haixing</th>') :]
    liu = liu[: liu.index("</tr>")]
    assert "<td>Head of the IDCPC</td>" in liu
    assert "<td>Minister of the International Department of the CPC Central Committee</td>" in liu
    hashmi = table[table.index('<th scope="row">Khalil Hashmi</th>') :]
    hashmi = hashmi[: hashmi.index("</tr>")]
    # Pakistan's account keeps no wording of its own: the readout's title, marked as such.
    assert '<span class="meta" title="This account' in hashmi and ">Ambassador</span>" in hashmi
    with django_assert_max_num_queries(21):
        assert client.get(url).status_code == 200


def test_no_titles_table_when_no_account_words_a_title_its_own_way(client):
    import_readouts([line(TWO_ACCOUNTS)])
    html = client.get(Meeting.objects.get().get_absolute_url()).content.decode()
    assert "2 accounts of this meeting" in html and "titles-compared" not in html


def test_the_admin_keeps_a_title_in_an_account_and_refuses_another_readouts(staff_client):
    import_readouts([line(TWO_ACCOUNTS)])
    meeting = Meeting.objects.get()
    other = make_meeting(
        "Other talks", participants=[(make_official("Wang Yi", country="CN"), "envoy", "")]
    )
    change = f"/admin/engagements/meeting/{meeting.pk}/change/"
    page = staff_client.get(change)
    assert page.status_code == 200
    assert "titles as each account gives them" in page.content.decode().lower()
    assert (
        "titles as each account gives them"
        not in staff_client.get("/admin/engagements/meeting/add/").content.decode().lower()
    )
    data = change_form_data(page)
    pakistan = meeting.sources.get(side__code="PK")
    liu = meeting.participations.get(official__name="Liu Haixing")
    prefix = "account_titles"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-participation": str(liu.pk),
            f"{prefix}-0-account": str(pakistan.pk),
            f"{prefix}-0-title": "Head of the IDCPC",
        }
    )
    response = staff_client.post(change, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert AccountTitle.objects.get(meeting=meeting).title == "Head of the IDCPC"
    # A participant of another readout is not among the choices: the form says so.
    data = change_form_data(staff_client.get(change))
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-1-participation": str(other.participations.first().pk),
            f"{prefix}-1-account": str(pakistan.pk),
            f"{prefix}-1-title": "Somebody else",
        }
    )
    response = staff_client.post(change, data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert AccountTitle.objects.count() == 1


def test_an_account_added_from_a_paste_is_a_revision_in_history(staff_client):
    from reversion.models import Version

    meeting = hashmi_calls_on_liu()
    token = paste(staff_client, DNA_RELEASE).split("proposal=")[1]
    staff_client.post(f"/admin/engagements/meeting/{meeting.pk}/add-account/", {"proposal": token})
    (version,) = Version.objects.get_for_object(meeting)
    assert version.revision.comment.startswith("Added an account from a pasted release")
    assert version.revision.user.username == "editor"
    held = Version.objects.filter(revision=version.revision, content_type__model="source")
    assert held.count() == 2  # the readout's first account and the one just added


def test_a_pasted_account_that_does_not_validate_adds_nothing(staff_client):
    meeting = make_meeting("Talks")
    release = "ISLAMABAD, 3 March 2025 (APP): Ishaq Dar met Jiang Zaidong. " * 3
    token = paste(staff_client, release).split("proposal=")[1]
    session = staff_client.session
    session["pasted_proposals"][token]["account"]["url"] = "javascript:alert(1)"
    session.save()
    response = staff_client.post(
        f"/admin/engagements/meeting/{meeting.pk}/add-account/", {"proposal": token}, follow=True
    )
    assert "could not be added as an account" in response.content.decode()
    assert meeting.sources.count() == 1


def test_reverting_a_readout_puts_back_the_titles_its_accounts_gave():
    import reversion
    from reversion.models import Version

    from engagements.desk import history

    import_readouts([line(WITH_TITLES)])
    meeting = Meeting.objects.get()
    with reversion.create_revision():
        reversion.add_to_revision(meeting)
    AccountTitle.objects.filter(meeting=meeting, title="Head of the IDCPC").delete()
    (version,) = Version.objects.get_for_object(meeting)
    history.revert(version)
    assert AccountTitle.objects.filter(meeting=meeting).count() == 3
