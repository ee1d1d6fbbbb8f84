"""Data out: export_readouts round trips byte for byte; the list's CSV and JSON Lines downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import make_meeting, make_official

from engagements.interchange.importing import import_readouts
from engagements.interchange.synthetic import sample_records
from engagements.models import Meeting, Official, Participation, Source, TaggedMeeting, Topic
from engagements.public import downloads, dumps

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_readouts", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def export_to_string(tmp_path: Path, *args: str) -> str:
    path = tmp_path / "export.jsonl"
    call_command("export_readouts", str(path), *args, stderr=io.StringIO())
    return path.read_text(encoding="utf-8")


def readouts(text: str) -> list[dict]:
    """The readout lines of a file (without the lines of the records they name)."""
    return [r for r in map(json.loads, text.splitlines()) if "record" not in r]


def empty_the_archive() -> None:
    for model in [Participation, Source, TaggedMeeting, Meeting, Official, Topic]:
        model.objects.all().delete()


def assert_round_trip(tmp_path: Path) -> str:
    """export → import into an empty archive → export: the two files are identical."""
    first = export_to_string(tmp_path)
    empty_the_archive()
    result = import_readouts(first.encode().splitlines(keepends=True))
    assert result.invalid == 0, result.errors[:5]
    second = export_to_string(tmp_path)
    assert first == second
    return first


def test_the_shipped_fixtures_round_trip(tmp_path):
    call_command("load_fixtures", verbosity=0)
    text = assert_round_trip(tmp_path)
    records = {r["id"]: r for r in readouts(text)}
    record = records["seed-2025-11-11-pakistan-idcpc"]
    assert record["location"] == {"city": "Beijing", "country": "CN"}
    assert "CPEC 2.0" in record["themes"]
    assert "status" not in record  # published is the default


def test_meetings_entered_in_the_admin_round_trip_and_reimport_in_place(tmp_path, seed_like):
    draft = make_meeting("Draft talks", status=Meeting.Status.DRAFT, location=None, city="")
    text = assert_round_trip(tmp_path)
    lines = readouts(text)
    assert {r["id"] for r in lines} == {seed_like["meeting"].external_id, draft.external_id}
    assert all(r["id"].startswith("ea-") and len(r["id"]) == 35 for r in lines)
    assert [r.get("status") for r in lines if r["title"] == "Draft talks"] == ["draft"]
    # Importing its own export into the same archive matches every record: nothing new.
    again = import_readouts(text.encode().splitlines(keepends=True))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.slow
def test_a_thousand_sample_readouts_round_trip(tmp_path):
    lines = [json.dumps(r).encode() + b"\n" for r in sample_records(1000)]
    result = import_readouts(lines)
    assert (result.created, result.invalid) == (1000, 0)
    assert_round_trip(tmp_path)


def test_status_option_filters_the_export(seed_like):
    make_meeting("Draft talks", status=Meeting.Status.DRAFT)
    assert len(readouts(export("--status", "published"))) == 1
    assert len(readouts(export("--status", "draft"))) == 1
    assert len(readouts(export())) == 2
    # Liu Haixing's alias comes along, on a line of its own before the readouts.
    lines = [json.loads(line) for line in export().splitlines()]
    liu = next(r for r in lines if r.get("record") == "official" and r["name"] == "Liu Haixing")
    assert liu["aliases"] == ["刘海星"]


def test_jsonl_download_takes_the_list_filters(client, seed_like):
    make_meeting("Paris talks", location="FR", city="Paris")
    response = client.get("/meetings/export.jsonl", {"country": "pk"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    assert 'filename="readouts_country-pakistan.jsonl"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    assert [r["title"] for r in readouts(text)] == [seed_like["meeting"].title]


def test_csv_download_has_readable_columns(client, seed_like):
    response = client.get("/meetings/export.csv", {"topic": "cpec-20"})
    assert response.status_code == 200
    assert 'filename="readouts_topic-cpec-20.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    # Spreadsheets read it as UTF-8 (a byte order mark first): non-Latin names arrive intact.
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["participants"].startswith("Khalil Hashmi (PK, envoy, Ambassador of Pakistan")
    assert row["countries"] == "CN; PK"
    assert row["topics"] == "CPEC 2.0; 5E framework"  # as the readout lists them
    assert row["url"] == "http://testserver" + seed_like["meeting"].get_absolute_url()


def test_csv_cells_that_look_like_formulas_are_neutralised(client):
    official = make_official('=HYPERLINK("http://evil")', country="PK")
    make_meeting("+SUM(A1:A9)", summary="@cmd", participants=[(official, "envoy", "-2+3")])
    response = client.get("/meetings/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in {"=", "+", "-", "@"}]
    assert "'+SUM(A1:A9)" in cells and "'@cmd" in cells


def test_csv_keeps_non_latin_names_for_spreadsheets(client):
    make_meeting(
        "Talks in Ankara",
        location="TR",
        participants=[(make_official("刘海星", country="CN"), "envoy", "")],
    )
    body = b"".join(client.get("/meetings/export.csv").streaming_content)
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert ("刘海星 (CN, envoy)" in text and "Türkiye" not in text) or "TR" in text


def test_every_csv_cell_is_quoted(client):
    make_meeting("x;=5+5;y", summary="plain")
    body = b"".join(client.get("/meetings/export.csv").streaming_content).decode("utf-8-sig")
    assert '"x;=5+5;y"' in body
    header, row = body.splitlines()
    assert all(cell.startswith('"') and cell.endswith('"') for cell in header.split(","))
    assert row.startswith('"') and row.endswith('"')


def test_drafts_are_never_downloaded(client, seed_like):
    make_meeting("Secret draft", status=Meeting.Status.DRAFT)
    for url in ["/meetings/export.csv", "/meetings/export.jsonl"]:
        body = b"".join(client.get(url).streaming_content).decode()
        assert "Secret draft" not in body


@pytest.mark.parametrize("query", ["from=notadate", "kind=bogus", "country=" + "x" * 5000])
def test_bad_filters_on_downloads_are_a_400_with_a_message(client, query):
    for url in ["/meetings/export.csv", "/meetings/export.jsonl"]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400
        assert b"cannot read" in response.content


def test_downloads_are_linked_from_every_list(client, seed_like):
    liu = seed_like["liu"]
    for url, query in [
        ("/meetings/?kind=courtesy+call", "kind=courtesy+call"),
        ("/countries/pk/", "country=pk"),
        ("/countries/cn/pk/", "country=cn&amp;country=pk"),
        (f"/officials/{liu.slug}/", f"official={liu.slug}"),
        ("/topics/cpec-20/", "topic=cpec-20"),
    ]:
        html = client.get(url).content.decode()
        assert f'href="/meetings/export.csv?{query}"' in html, url
        assert f'href="/meetings/export.jsonl?{query}"' in html, url


def test_the_whole_archive_is_built_once_then_served_as_a_file(
    client, django_assert_max_num_queries, many_meetings
):
    many_meetings(30)
    # Built on the first request here (tests build at once): the records they name
    # (organisations twice, officials, topics, countries, their former addresses), then
    # per chunk, meetings, participants, former addresses, sources, the topics their
    # accounts name and the titles they give, topics; for both files.
    with django_assert_max_num_queries(27):
        first = client.get("/meetings/export.jsonl")
    body = b"".join(first.streaming_content)
    assert len(readouts(body.decode())) == 30
    assert first["Content-Length"] == str(len(body))
    assert first["X-Archive-Readouts"] == "30"
    # Then it is a file: no query per readout, a validator, and a 304 for a repeat.
    with django_assert_max_num_queries(2):
        again = client.get("/meetings/export.jsonl")
    assert b"".join(again.streaming_content) == body
    assert client.get("/meetings/export.csv")["ETag"] != again["ETag"]
    repeat = client.get("/meetings/export.jsonl", headers={"if_none_match": again["ETag"]})
    assert repeat.status_code == 304


def test_a_filtered_download_is_whole_and_says_its_length(client, many_meetings):
    many_meetings(12)
    response = client.get("/meetings/export.csv", {"topic": "trade"})
    body = b"".join(response.streaming_content)
    assert response["Content-Length"] == str(len(body))
    assert len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) == 13


def test_a_filtered_download_past_the_limit_points_to_the_whole_archive(
    client, many_meetings, settings
):
    many_meetings(5)
    settings.EXPORT_ROW_LIMIT = 4
    response = client.get("/meetings/export.jsonl", {"topic": "trade"})
    assert response.status_code == 400
    message = response.content.decode()
    assert "holds 5 readouts" in message and "at most 4" in message
    assert "http://testserver/meetings/export.jsonl" in message
    assert response["Link"] == '<http://testserver/meetings/export.jsonl>; rel="alternate"'
    settings.EXPORT_ROW_LIMIT = 5
    assert client.get("/meetings/export.jsonl", {"topic": "trade"}).status_code == 200


def test_a_stale_file_is_served_only_while_nothing_in_it_was_withdrawn(seed_like, many_meetings):
    many_meetings(3)
    built = dumps.build()
    assert dumps.is_current(built) and built.readouts == 4
    make_meeting("Published after the build", date=dt.date(2026, 1, 5))
    assert not dumps.is_current(built)
    assert dumps.still_valid(built)  # only a new readout is missing
    Meeting.objects.filter(pk=seed_like["meeting"].pk).update(status=Meeting.Status.DRAFT)
    assert not dumps.still_valid(built)  # one of its readouts is no longer public
    rebuilt = dumps.rebuild_if_stale()
    assert dumps.is_current(rebuilt) and rebuilt.readouts == 4


def test_a_stale_file_whose_readouts_changed_is_not_served(client, seed_like):
    first = client.get("/meetings/export.jsonl")
    assert len(readouts(b"".join(first.streaming_content).decode())) == 1
    Meeting.objects.filter(pk=seed_like["meeting"].pk).update(status=Meeting.Status.DRAFT)
    again = client.get("/meetings/export.jsonl")  # rebuilt at once here (no background)
    assert b"".join(again.streaming_content) == b""
    assert again["ETag"] != first["ETag"]


def test_no_file_and_no_way_to_build_one_is_a_clear_503(client, seed_like, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.DUMP_DIR = blocker / "dumps"
    response = client.get("/meetings/export.csv")
    assert response.status_code == 503
    assert response["Retry-After"] and "Try again" in response.content.decode()


def test_both_formats_are_written_from_one_read_of_the_readouts(seed_like, many_meetings):
    many_meetings(6)
    meetings = Meeting.objects.published().order_by("-date", "-id")
    alone: dict[str, str] = {}
    queries_alone = {}
    for fmt in downloads.FORMATS:
        out = io.StringIO()
        with CaptureQueriesContext(connection) as captured:
            assert downloads.write(meetings, {fmt: out}, site="https://example.org") == 7
        alone[fmt], queries_alone[fmt] = out.getvalue(), len(captured)
    together = {fmt: io.StringIO() for fmt in downloads.FORMATS}
    with CaptureQueriesContext(connection) as captured:
        assert downloads.write(meetings, together, site="https://example.org") == 7
    # The same files, for the queries of the JSON Lines file alone (its records' lines
    # are the only reads the CSV file does not make).
    assert {fmt: out.getvalue() for fmt, out in together.items()} == alone
    assert len(captured) == queries_alone["jsonl"] > queries_alone["csv"]


def test_the_build_command_reports_what_it_wrote(seed_like, dump_dir):
    out = io.StringIO()
    call_command("build_dumps", stdout=out)
    assert "1 published readouts" in out.getvalue()
    assert (dump_dir / "engagement-archive.csv").exists()
    assert len(readouts((dump_dir / "engagement-archive.jsonl").read_text())) == 1


def test_export_command_writes_a_file_and_reports(tmp_path, seed_like):
    path = tmp_path / "out.jsonl"
    err = io.StringIO()
    call_command("export_readouts", str(path), stderr=err)
    # Its two countries, two officials and two topics, on lines before it.
    assert "exported 1 readouts and 6 of the records they name" in err.getvalue()
    assert [r["title"] for r in readouts(path.read_text())] == [seed_like["meeting"].title]


def test_export_to_an_unwritable_place_is_a_clear_error(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="cannot write it"):
        call_command("export_readouts", str(tmp_path / "missing" / "x.jsonl"))


def test_the_list_says_when_it_is_too_large_to_download(client, many_meetings, settings):
    many_meetings(3)
    settings.EXPORT_ROW_LIMIT = 2
    page = client.get("/meetings/", {"topic": "trade"}).content.decode()
    assert "This list holds 3 readouts; a download of a list holds at most 2." in page
    assert "/meetings/export.csv?topic=trade" not in page
    assert 'The whole archive: <a href="/meetings/export.csv">CSV</a>' in page
    settings.EXPORT_ROW_LIMIT = 3
    page = client.get("/meetings/", {"topic": "trade", "page": "1"}).content.decode()
    assert "/meetings/export.csv?topic=trade" in page
