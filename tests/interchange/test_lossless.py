"""A lossless archive (interchange version 3): export → import into an empty archive →
export gives the same bytes, and every page of the restored archive is the original's."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from factories import make_meeting, make_official

from engagements.interchange.importing import import_readouts
from engagements.interchange.synthetic import sample_records
from engagements.models import (
    AccountTitle,
    Country,
    FacetCount,
    FormerAddress,
    Meeting,
    MeetingFacet,
    Official,
    Organization,
    Participation,
    Source,
    TaggedMeeting,
    Topic,
    Withdrawal,
)

pytestmark = pytest.mark.django_db


def export() -> str:
    out = io.StringIO()
    call_command("export_readouts", "-", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def every_kind_of_record() -> dict:
    """Synthetic readouts, and one of each thing a readout or its records can hold."""
    lines = [(json.dumps(r) + "\n").encode() for r in sample_records(30)]
    assert import_readouts(lines).created == 30
    party = Organization.objects.create(name="Communist Party of China", abbreviation="CPC")
    idcpc = Organization.objects.create(
        name="International Department of the CPC Central Committee",
        abbreviation="IDCPC",
        country=Country.for_code("CN"),
        parent=party,
    )
    embassy = Organization.objects.create(name="Embassy of Pakistan in Beijing")
    hashmi = make_official(
        "Khalil Hashmi", country="PK", aliases="خلیل ہاشمی", family_name="Hashmi"
    )
    liu = make_official(
        "Liu Haixing",
        country="CN",
        aliases="刘海星",
        wikidata_id="Q123456",
        bio="Head of the **International Department** since 2025.",
    )
    cpec = Topic.objects.create(
        name="CPEC 2.0",
        description="The corridor's second phase.",
        aliases="China-Pakistan Economic Corridor phase II",
    )
    meeting = make_meeting(
        "Khalil Hashmi calls on Liu Haixing",
        date=dt.date(2025, 11, 11),
        participants=[(hashmi, "envoy", "Ambassador"), (liu, "counterpart", "Minister")],
        topics=["CPEC 2.0", "youth exchanges"],
        summary="A courtesy call.",
        body="They spoke of **CPEC 2.0**.",
        sources=[
            {"publisher": "DNA", "url": "https://example.org/dna", "side": Country.for_code("PK"),
             "side_organization": embassy, "headline": "Ambassador calls on Minister",
             "text": "The ambassador congratulated the minister."},
            {"publisher": "IDCPC", "url": "https://example.org/idcpc",
             "archived_url": "https://web.archive.org/x", "side": Country.for_code("CN"),
             "side_organization": idcpc, "text": "Liu met Hashmi."},
        ],
    )  # fmt: skip
    Participation.objects.filter(meeting=meeting, official=liu).update(organization=idcpc)
    chinese = meeting.sources.get(publisher="IDCPC")
    AccountTitle.objects.create(
        meeting=meeting,
        account=chinese,
        participation=meeting.participations.get(official=hashmi),
        title="Pakistani Ambassador to China",
    )
    # Addresses that changed: each keeps answering.
    meeting.slug = "hashmi-liu-call"
    meeting.save()
    liu.slug = "liu-haixing-idcpc"
    liu.save()
    cpec.slug = "cpec-two"
    cpec.save()
    make_meeting("A draft", status=Meeting.Status.DRAFT, participants=[(hashmi, "envoy", "")])
    return {"meeting": meeting, "liu": liu, "cpec": cpec}


def pages(client) -> dict[str, tuple[int, bytes]]:
    """Every kind of public page (and the old addresses), as the visitor gets it."""
    urls = ["/", "/meetings/", "/meetings/?q=cpec", "/countries/", "/countries/pk/",
            "/countries/cn/pk/", "/officials/", "/topics/", "/meetings/feed/", "/sitemap.xml",
            "/data/country-year.csv", "/data/topic-year.json", "/meetings/2025/11/"]  # fmt: skip
    urls += [m.get_absolute_url() for m in Meeting.objects.published()]
    urls += [o.get_absolute_url() for o in Official.objects.public()]
    urls += [t.get_absolute_url() for t in Topic.objects.public()]
    urls += list(FormerAddress.objects.values_list("path", flat=True))
    return {
        url: (response.status_code, response.content)
        for url in sorted(set(urls))
        for response in [client.get(url)]
    }


def empty_the_archive() -> None:
    Organization.objects.update(parent=None)
    for model in (
        AccountTitle,
        Participation,
        Source,
        TaggedMeeting,
        FormerAddress,
        Meeting,
        Official,
        Topic,
        Organization,
        FacetCount,
        MeetingFacet,
        Withdrawal,
        Country,
    ):
        model.objects.all().delete()  # fmt: skip


def test_an_export_restores_the_archive_byte_for_byte_and_page_for_page(client, settings):
    settings.PAGE_CACHE = False  # each page computed afresh
    every_kind_of_record()
    before = pages(client)
    assert before["/officials/liu-haixing/"][0] == 301  # an old address
    first = export()
    kinds = [json.loads(line).get("record") for line in first.splitlines()]
    assert kinds.count("organization") == 3 and "official" in kinds and "topic" in kinds

    empty_the_archive()
    result = import_readouts(first.encode().splitlines(keepends=True))
    assert result.invalid == 0, result.errors[:5]
    assert result.records == len([kind for kind in kinds if kind])
    second = export()
    assert second == first
    assert Official.objects.get(name="Khalil Hashmi").family_name == "Hashmi"
    after = pages(client)
    assert after.keys() == before.keys() and len(before) >= 60
    for url, page in before.items():
        if after[url] != page:  # show where
            import difflib

            old, new = page[1].decode().splitlines(), after[url][1].decode().splitlines()
            diff = "\n".join(list(difflib.unified_diff(old, new, lineterm="", n=0))[:12])
            raise AssertionError(f"{url} differs:\n{diff}")


def test_a_version_3_line_keeps_what_the_archive_has_where_it_is_silent(settings):
    records = every_kind_of_record()
    meeting = records["meeting"]
    line = next(json.loads(text) for text in export().splitlines() if meeting.external_id in text)
    for key in ("slug", "created_at", "updated_at", "published_at", "former_addresses"):
        line.pop(key)
    again = import_readouts([(json.dumps(line) + "\n").encode()])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    meeting.refresh_from_db()
    assert meeting.slug == "hashmi-liu-call"


def test_record_lines_are_checked_and_must_come_before_the_readouts_naming_them(db):
    bad = [
        {"record": "official", "name": "X", "country": "ZZ"},
        {"record": "official", "name": "Y", "country": "PK", "wikidata_id": "42"},
        {"record": "topic", "name": "", "slug": "t"},
        {"record": "person", "name": "Z"},
        {"record": "organization", "name": "O", "parent": "nowhere"},
        {"record": "topic", "name": "T", "colour": "red"},
    ]
    result = import_readouts([(json.dumps(r) + "\n").encode() for r in bad])
    messages = [message for _, message in result.errors]
    assert len(result.invalid_lines) == len(bad), messages
    assert not Official.objects.exists() and not Topic.objects.exists()
    readout = {
        "id": "r1", "date": "2025-01-01", "title": "Talks", "kind": "meeting",
        "participants": [{"name": "A", "country": "PK", "role": "envoy", "organization": "mofa"}],
        "sources": [{"publisher": "APP"}],
    }  # fmt: skip
    result = import_readouts([(json.dumps(readout) + "\n").encode()])
    assert "organization: mofa is not in the archive" in result.errors[0][1]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2025, 11, 11, 9, 30, 0, 123456, tzinfo=dt.UTC),
        dt.datetime(2025, 11, 11, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=5))),
        dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=dt.UTC),  # a year of three digits
    ],
)
def test_a_moment_is_written_in_utc_and_read_back_the_same(moment):
    from engagements.interchange.format import _moment, moment_text

    text = moment_text(moment)
    assert text.endswith("Z") and len(text) == len("2025-11-11T09:30:00.123456Z")
    errors: list[str] = []
    assert _moment(errors, "updated_at", text) == moment and errors == []
