"""OAI-PMH 2.0 at /oai/: harvested whole by a real harvester (Sickle), and its error cases."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from factories import make_meeting, make_official
from sickle import Sickle

from engagements.interchange.importing import import_readouts
from engagements.interchange.synthetic import sample_records
from engagements.models import Meeting, Withdrawal
from engagements.public import oai

NS = {"o": oai.OAI, "dc": oai.DC, "oai_dc": oai.OAI_DC}


@pytest.fixture
def archive(db):
    lines = [(json.dumps(r) + "\n").encode() for r in sample_records(25)]
    assert import_readouts(lines).created == 25
    hashmi = make_official("Khalil Hashmi", country="PK")
    liu = make_official("Liu Haixing", country="CN", aliases="刘海星")
    real = make_meeting(
        "Khalil Hashmi calls on Liu Haixing",
        participants=[(hashmi, "envoy", "Ambassador"), (liu, "counterpart", "Minister")],
        topics=["CPEC 2.0"],
        summary="A courtesy call.",
    )
    draft = make_meeting("A draft", status=Meeting.Status.DRAFT, topics=["CPEC 2.0"])
    return {"real": real, "draft": draft}


def ask(client, **arguments) -> ET.Element:
    response = client.get("/oai/", arguments)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)


def error_code(root: ET.Element) -> str | None:
    error = root.find("o:error", NS)
    return error.get("code") if error is not None else None


@pytest.mark.django_db(transaction=True)
def test_a_harvester_harvests_the_whole_archive_page_by_page(live_server, archive, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 7)  # several resumption tokens
    sickle = Sickle(f"{live_server.url}/oai/")
    identify = sickle.Identify()
    assert identify.repositoryName == "Engagement Archive"
    assert identify.deletedRecord == "transient"
    assert identify.adminEmail == "archive@localhost"  # CONTACT_EMAIL
    assert [f.metadataPrefix for f in sickle.ListMetadataFormats()] == ["oai_dc"]
    sets = {s.setSpec: s.setName for s in sickle.ListSets()}
    assert sets["country:pk"] == "Readouts involving Pakistan"
    assert sets["topic:cpec-20"] == "Readouts on CPEC 2.0"
    records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    published = Meeting.objects.published()
    assert len(records) == published.count() == 26
    ids = {r.header.identifier for r in records}
    assert ids == {oai.identifier_of(m.external_id) for m in published}
    assert oai.identifier_of(archive["draft"].external_id) not in ids  # drafts never
    real = next(r for r in records if r.metadata["title"] == [archive["real"].title])
    assert real.metadata["contributor"] == ["Khalil Hashmi (Ambassador)", "Liu Haixing (Minister)"]
    assert real.metadata["subject"] == ["CPEC 2.0"]
    assert real.metadata["identifier"][0].endswith(archive["real"].get_absolute_url())
    assert "country:pk" in real.header.setSpecs and "topic:cpec-20" in real.header.setSpecs
    headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="country:pk"))
    assert {h.identifier for h in headers} == {
        oai.identifier_of(m.external_id) for m in published.filter(countries__code="PK")
    }
    one = sickle.GetRecord(identifier=real.header.identifier, metadataPrefix="oai_dc")
    assert one.metadata["title"] == [archive["real"].title]


def test_a_withdrawn_readout_is_reported_deleted_until_published_again(client, archive):
    real = archive["real"]
    real.status = Meeting.Status.DRAFT
    real.save()
    identifier = oai.identifier_of(real.external_id)
    root = ask(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    header = root.find("o:GetRecord/o:record/o:header", NS)
    assert header.get("status") == "deleted"
    assert root.find("o:GetRecord/o:record/o:metadata", NS) is None
    listed = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    deleted = [
        h.find("o:identifier", NS).text
        for h in listed.findall("o:ListIdentifiers/o:header", NS)
        if h.get("status") == "deleted"
    ]
    assert deleted == [identifier]
    real.status = Meeting.Status.PUBLISHED
    real.save()
    assert not Withdrawal.objects.exists()
    real.delete()  # a published readout deleted: withdrawn too
    assert Withdrawal.objects.get().external_id == real.external_id


def test_from_and_until_select_by_datestamp(client, archive):
    some = Meeting.objects.published().order_by("pk")[:3]
    Meeting.objects.filter(pk__in=[m.pk for m in some]).update(updated_at="2020-01-02T10:00:00Z")
    root = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2020-01-02")
    assert len(root.findall("o:ListIdentifiers/o:header", NS)) == 3
    root = ask(
        client,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        **{"from": "2020-01-02T10:00:01Z", "until": "2020-12-31T00:00:00Z"},
    )
    assert error_code(root) == "noRecordsMatch"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Dance"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "set": "country:pk"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "last week"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2025-01-01",
             "until": "2024-01-01"},
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2025-01-01",
             "until": "2025-02-01T00:00:00Z"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "metadataPrefix": "marc21",
             "identifier": "oai:engagement-archive:x"},
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc",
             "identifier": "oai:engagement-archive:no-such-readout"},
            "idDoesNotExist",
        ),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "junk"},
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "oai:other:1"}, "idDoesNotExist"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "country:zz"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "nonsense"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2099-01-01"},
            "noRecordsMatch",
        ),
    ],
)  # fmt: skip
def test_the_protocols_error_cases(client, archive, arguments, code):
    root = ask(client, **arguments)
    assert error_code(root) == code
    request = root.find("o:request", NS)
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}  # the protocol: no arguments echoed after these errors


def test_a_draft_is_no_record(client, archive):
    identifier = oai.identifier_of(archive["draft"].external_id)
    root = ask(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert error_code(root) == "idDoesNotExist"


def test_a_token_of_one_list_does_not_continue_another(client, archive, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 5)
    root = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find("o:ListIdentifiers/o:resumptionToken", NS)
    assert token.text and token.get("cursor") == "0"
    assert error_code(ask(client, verb="ListRecords", resumptionToken=token.text)) == (
        "badResumptionToken"
    )
    following = ask(client, verb="ListIdentifiers", resumptionToken=token.text)
    assert following.find("o:ListIdentifiers/o:resumptionToken", NS).get("cursor") == "5"
    # The same list gives the same tokens: a second harvest is answered from the cache.
    again = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert again.find("o:ListIdentifiers/o:resumptionToken", NS).text == token.text


def test_harvesting_answers_from_the_page_cache(client, archive, django_assert_max_num_queries):
    client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    with django_assert_max_num_queries(1):  # the archive's version
        client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    # Arguments of the protocol are kept; others are dropped, as on every page.
    assert client.get("/oai/", {"verb": "Identify", "junk": "1"}).status_code == 301


def test_a_harvester_may_post_its_arguments(client, archive):
    response = client.post("/oai/", {"verb": "Identify"})
    assert response.status_code == 200
    assert ET.fromstring(response.content).find("o:Identify/o:protocolVersion", NS).text == "2.0"


def test_a_readout_published_again_by_an_import_is_no_longer_reported_deleted(client, archive):
    from engagements.interchange.export import export_records

    real = archive["real"]
    (line,) = export_records(Meeting.objects.filter(pk=real.pk))
    real.status = Meeting.Status.DRAFT
    real.save()
    assert Withdrawal.objects.filter(external_id=real.external_id).exists()
    assert import_readouts([(json.dumps(line) + "\n").encode()]).updated == 1
    assert not Withdrawal.objects.exists()
    identifier = oai.identifier_of(real.external_id)
    root = ask(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert root.find("o:GetRecord/o:record/o:header", NS).get("status") is None
