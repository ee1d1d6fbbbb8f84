"""Citing a readout: formatted styles on its page, and files reference managers import,
each parsed back by a reader of that format (bibtexparser, rispy, citeproc-py)."""

from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from factories import make_meeting, make_official

from engagements.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def readout(seed_like) -> Meeting:
    meeting = seed_like["meeting"]
    Meeting.objects.filter(pk=meeting.pk).update(created_at="2026-11-27T07:31:17Z")
    meeting.refresh_from_db()
    return meeting


def download(client, meeting: Meeting, fmt: str):
    response = client.get(f"{meeting.get_absolute_url()}cite.{fmt}")
    assert response.status_code == 200, fmt
    assert f'filename="{meeting.slug}.{fmt}"' in response["Content-Disposition"]
    return response


def test_bibtex_parses_back_with_its_fields(client, readout):
    response = download(client, readout, "bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    [entry] = library.entries
    fields = entry.fields_dict
    assert entry.entry_type == "misc"
    assert fields["title"].value == "{" + readout.title + "}"
    assert fields["year"].value == "2025" and fields["month"].value == "nov"
    assert fields["url"].value == "http://testserver" + readout.get_absolute_url()
    assert fields["urldate"].value == "2026-11-27"  # when the archive took the record
    publisher = readout.sources.first().publisher
    assert fields["author"].value == "{" + publisher + "}"


def test_ris_parses_back_with_its_fields(client, readout):
    response = download(client, readout, "ris")
    [entry] = rispy.loads(response.content.decode())
    assert entry["type_of_reference"] == "ELEC"
    assert entry["title"] == readout.title
    assert entry["authors"] == [readout.sources.first().publisher]
    assert entry["year"] == "2025"
    assert entry["urls"] == ["http://testserver" + readout.get_absolute_url()]
    assert entry["access_date"] == "2026/11/27"


def test_csl_json_renders_with_a_citation_processor(client, readout):
    response = download(client, readout, "json")
    items = json.loads(response.content)
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem(items[0]["id"])]))
    [rendered] = [str(entry) for entry in bibliography.bibliography()]
    assert readout.title in rendered and "2025" in rendered
    assert readout.sources.first().publisher in rendered


def test_the_page_offers_chicago_apa_and_the_files(client, readout):
    html = client.get(readout.get_absolute_url()).content.decode()
    publisher = readout.sources.first().publisher
    assert f"{publisher}. “{readout.title}.” November 11, 2025, Beijing, China." in html
    assert "Archived November 27, 2026" in html and "(archived 27 November 2026)" in html
    assert f"{publisher}. (2025, November 11). {readout.title}. Engagement Archive." in html
    for fmt in ("bib", "ris", "json"):
        assert f'{readout.get_absolute_url()}cite.{fmt}" download' in html


def test_hostile_text_stays_inert_in_every_format(client, db):
    meeting = make_meeting(
        'Talks {\\evil} & "quotes" <script>',
        participants=[(make_official(country="PK"), "envoy", "")],
        sources=[{"publisher": "Agency}\nTY  - JOUR"}],
    )
    bib = download(client, meeting, "bib").content.decode()
    assert not bibtexparser.parse_string(bib).failed_blocks
    [entry] = rispy.loads(download(client, meeting, "ris").content.decode())
    assert entry["type_of_reference"] == "ELEC"  # the newline did not start a new tag
    assert json.loads(download(client, meeting, "json").content)[0]["title"] == meeting.title


def test_drafts_and_unknown_formats_have_no_citation(client, db):
    draft = make_meeting("A draft", status=Meeting.Status.DRAFT)
    assert client.get(f"{draft.get_absolute_url()}cite.bib").status_code == 404
    published = make_meeting("Published")
    assert client.get(f"{published.get_absolute_url()}cite.pdf").status_code == 404
