"""Data out: export_readouts round trips byte for byte; the list's CSV and JSON Lines downloads."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_meeting, make_official
from django.core.management import call_command

from engagements.importing import import_readouts
from engagements.models import Meeting, Official, Participation, Source, TaggedMeeting, Topic
from engagements.synthetic import sample_records

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
# The team's benchmark generator lives beside the project (../shared), or in the workspace.
MAKE_DATASET = next(
    (
        path
        for path in [
            ROOT.parent / "shared" / "bench" / "make_dataset.py",
            Path("/work/shared/bench/make_dataset.py"),
        ]
        if path.exists()
    ),
    ROOT.parent / "shared" / "bench" / "make_dataset.py",
)


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_readouts", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def export_to_string(tmp_path: Path, *args: str) -> str:
    path = tmp_path / "export.jsonl"
    call_command("export_readouts", str(path), *args, stderr=io.StringIO())
    return path.read_text(encoding="utf-8")


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
    record = json.loads(text)
    assert record["id"] == "seed-2025-11-11-pakistan-idcpc"
    assert record["location"] == {"city": "Beijing", "country": "CN"}
    assert "CPEC 2.0" in record["themes"]
    assert "status" not in record  # published is the default


def test_meetings_entered_in_the_admin_round_trip_and_reimport_in_place(tmp_path, seed_like):
    draft = make_meeting("Draft talks", status=Meeting.Status.DRAFT, location=None, city="")
    text = assert_round_trip(tmp_path)
    lines = [json.loads(line) for line in text.splitlines()]
    assert {r["id"] for r in lines} == {seed_like["meeting"].external_id, draft.external_id}
    assert all(r["id"].startswith("ea-") and len(r["id"]) == 35 for r in lines)
    assert [r.get("status") for r in lines if r["title"] == "Draft talks"] == ["draft"]
    # Importing its own export into the same archive matches every record: nothing new.
    again = import_readouts(text.encode().splitlines(keepends=True))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_thousand_sample_readouts_round_trip(tmp_path):
    lines = [json.dumps(r).encode() + b"\n" for r in sample_records(1000)]
    result = import_readouts(lines)
    assert (result.created, result.invalid) == (1000, 0)
    assert_round_trip(tmp_path)


@pytest.mark.skipif(not MAKE_DATASET.exists(), reason=f"{MAKE_DATASET} is not beside the project")
def test_a_generated_thousand_readout_benchmark_file_round_trips(tmp_path):
    generated = subprocess.run(
        [sys.executable, str(MAKE_DATASET), "--meetings", "1000", "--out", "-"],
        capture_output=True,
        check=True,
    ).stdout
    result = import_readouts(generated.splitlines(keepends=True))
    assert (result.created, result.invalid) == (1000, 0)
    assert_round_trip(tmp_path)


def test_status_option_filters_the_export(seed_like):
    make_meeting("Draft talks", status=Meeting.Status.DRAFT)
    assert len(export("--status", "published").splitlines()) == 1
    assert len(export("--status", "draft").splitlines()) == 1
    assert len(export().splitlines()) == 2


def test_jsonl_download_takes_the_list_filters(client, seed_like):
    make_meeting("Paris talks", location="FR", city="Paris")
    response = client.get("/meetings/export.jsonl", {"country": "pk"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    assert 'filename="readouts_country-pakistan.jsonl"' in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["title"] for line in lines] == [seed_like["meeting"].title]


def test_csv_download_has_readable_columns(client, seed_like):
    response = client.get("/meetings/export.csv", {"topic": "cpec-20"})
    assert response.status_code == 200
    assert 'filename="readouts_topic-cpec-20.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["participants"].startswith("Khalil Hashmi (PK, envoy, Ambassador of Pakistan")
    assert row["countries"] == "CN; PK"
    assert row["topics"] == "5E framework; CPEC 2.0"
    assert row["url"] == "http://testserver" + seed_like["meeting"].get_absolute_url()


def test_csv_cells_that_look_like_formulas_are_neutralised(client):
    official = make_official('=HYPERLINK("http://evil")', country="PK")
    make_meeting("+SUM(A1:A9)", summary="@cmd", participants=[(official, "envoy", "-2+3")])
    response = client.get("/meetings/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in {"=", "+", "-", "@"}]
    assert "'+SUM(A1:A9)" in cells and "'@cmd" in cells


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
        ("/countries/pk/cn/", "country=pk&amp;country=cn"),
        (f"/officials/{liu.slug}/", f"official={liu.slug}"),
        ("/topics/cpec-20/", "topic=cpec-20"),
    ]:
        html = client.get(url).content.decode()
        assert f'href="/meetings/export.csv?{query}"' in html, url
        assert f'href="/meetings/export.jsonl?{query}"' in html, url


def test_downloads_stream_in_chunks(client, django_assert_max_num_queries, many_meetings):
    many_meetings(30)
    # Per chunk: meetings, participants, sources, topics (+ the filter lookups).
    with django_assert_max_num_queries(12):
        body = b"".join(client.get("/meetings/export.jsonl").streaming_content)
    assert len(body.splitlines()) == 30


def test_export_command_writes_a_file_and_reports(tmp_path, seed_like):
    path = tmp_path / "out.jsonl"
    err = io.StringIO()
    call_command("export_readouts", str(path), stderr=err)
    assert "exported 1 readouts" in err.getvalue()
    assert json.loads(path.read_text())["title"] == seed_like["meeting"].title


def test_export_to_an_unwritable_place_is_a_clear_error(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="cannot write it"):
        call_command("export_readouts", str(tmp_path / "missing" / "x.jsonl"))
