"""import_readouts: validation by line, all or nothing, idempotence, matching, bad files."""

from __future__ import annotations

import copy
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from factories import make_official, make_topic

from engagements.interchange.importing import import_readouts
from engagements.interchange.synthetic import sample_records
from engagements.management.commands.import_readouts import Progress
from engagements.markup import render_markdown
from engagements.models import Country, Meeting, Official, Participation, Source, Topic

pytestmark = pytest.mark.django_db(transaction=False)
ROOT = Path(__file__).resolve().parents[2]


def readout(n: int = 1, **changes) -> dict:
    record = {
        "id": f"t-{n:04d}",
        "date": "2025-11-11",
        "title": f"Ambassador calls on the Minister ({n})",
        "kind": "courtesy call",
        "location": {"city": "Beijing", "country": "CN"},
        "participants": [
            {
                "name": "Khalil Hashmi",
                "title": "Ambassador of Pakistan to China",
                "country": "PK",
                "role": "envoy",
            },
            {
                "name": "Liu Haixing",
                "title": "Minister of the IDCPC",
                "country": "CN",
                "role": "counterpart",
            },
        ],
        "themes": ["CPEC 2.0", "5E framework"],
        "summary": "A courtesy call.",
        "body": "The Ambassador paid a courtesy call.",
        "sources": [
            {"url": "https://example.org/r", "publisher": "DNA", "published": "2025-11-11"}
        ],
    }
    record.update(changes)
    return record


def write(tmp_path: Path, records: list, name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(record if isinstance(record, str) else json.dumps(record, ensure_ascii=False))
            out.write("\n")
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_readouts", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path: Path, *args: str) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_readouts", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(failure.value), err.getvalue()


def test_a_file_imports_with_participants_topics_sources_and_countries(tmp_path):
    out, _ = run(write(tmp_path, [readout(1), readout(2, kind="Telephone Call", location=None)]))
    assert "created 2, updated 0, unchanged 0, invalid 0" in out
    meeting = Meeting.objects.get(external_id="t-0001")
    assert meeting.is_published and meeting.published_at is not None
    assert meeting.slug == "ambassador-calls-on-the-minister-1"
    assert [(p.official.name, p.role) for p in meeting.participations.all()] == [
        ("Khalil Hashmi", "envoy"),
        ("Liu Haixing", "counterpart"),
    ]
    # Created in bulk, they are indexed by family name all the same (the index's key).
    assert [p.official.sort_key for p in meeting.participations.all()] == [
        "hashmi khalil",
        "liu haixing",
    ]
    assert sorted(t.name for t in meeting.topics.all()) == ["5E framework", "CPEC 2.0"]
    assert meeting.sources.get().url == "https://example.org/r"
    assert {c.code for c in meeting.countries.all()} == {"PK", "CN"}
    assert meeting.body_html == render_markdown(meeting.body)
    call = Meeting.objects.get(external_id="t-0002")
    assert call.kind == "telephone call" and call.location_country is None
    assert Official.objects.count() == 2  # the same people in both readouts


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write(tmp_path, [readout(i) for i in range(1, 6)])
    run(path)
    before = list(Meeting.objects.values_list("pk", "updated_at", "published_at").order_by("pk"))
    out, _ = run(path)
    assert "created 0, updated 0, unchanged 5, invalid 0" in out
    after = list(Meeting.objects.values_list("pk", "updated_at", "published_at").order_by("pk"))
    assert before == after
    assert Participation.objects.count() == 10 and Source.objects.count() == 5


def test_a_changed_line_replaces_participants_topics_and_sources(tmp_path):
    run(write(tmp_path, [readout(1), readout(2)]))
    changed = readout(
        1,
        title="Talks on CPEC",
        participants=[
            {"name": "Khalil Hashmi", "title": "Ambassador", "country": "PK", "role": "envoy"},
            {
                "name": "Wang Yi",
                "title": "Foreign Minister",
                "country": "CN",
                "role": "counterpart",
            },
        ],
        themes=["trade"],
        sources=[{"url": "", "publisher": "MOFA", "published": None}],
    )
    out, _ = run(write(tmp_path, [changed, readout(2)], "changed.jsonl"))
    assert "created 0, updated 1, unchanged 1, invalid 0" in out
    meeting = Meeting.objects.get(external_id="t-0001")
    assert meeting.title == "Talks on CPEC"
    assert meeting.slug == "ambassador-calls-on-the-minister-1"  # permalinks stay
    assert [p.official.name for p in meeting.participations.all()] == ["Khalil Hashmi", "Wang Yi"]
    assert [t.name for t in meeting.topics.all()] == ["trade"]
    assert [s.publisher for s in meeting.sources.all()] == ["MOFA"]


def test_officials_match_by_name_and_country_case_folded_or_by_alias(tmp_path):
    liu = make_official("Liu Haixing", country="CN", aliases="刘海星")
    topic = make_topic("CPEC 2.0")
    record = readout(1, themes=["cpec 2.0", "New Topic"])
    record["participants"][1]["name"] = "刘海星"
    record["participants"][0]["name"] = "  KHALIL hashmi "
    other = readout(2)
    other["participants"][0]["name"] = "Khalil Hashmi"
    run(write(tmp_path, [record, other]))
    meeting = Meeting.objects.get(external_id="t-0001")
    assert liu in [p.official for p in meeting.participations.all()]
    assert topic in meeting.topics.all()
    assert Official.objects.filter(name__iexact="khalil hashmi").count() == 1
    assert Topic.objects.filter(name="New Topic").exists()
    # Same name, another country: another person.
    singapore = readout(3, participants=[
        {"name": "Liu Haixing", "title": "", "country": "SG", "role": "envoy"}
    ])  # fmt: skip
    run(write(tmp_path, [singapore], "sg.jsonl"))
    assert Official.objects.filter(name="Liu Haixing").count() == 2


def test_drafts_stay_drafts(tmp_path):
    run(write(tmp_path, [readout(1, status="draft")]))
    meeting = Meeting.objects.get()
    assert meeting.status == "draft" and meeting.published_at is None
    run(write(tmp_path, [readout(1)], "publish.jsonl"))
    meeting.refresh_from_db()
    assert meeting.is_published and meeting.published_at is not None


def test_bad_lines_are_all_reported_with_file_and_line_and_nothing_is_written(tmp_path):
    path = write(
        tmp_path,
        [
            readout(1),
            readout(2, date="2025-02-30"),
            "{not json",
            readout(4, location={"city": "X", "country": "ZZ"}),
            readout(5, kind="picnic"),
            readout(1),
        ],
    )
    message, err = run_failing(path)
    assert "4 invalid line(s)" not in message  # five bad lines, not four
    assert "5 invalid line(s)" in message and "nothing was imported" in message
    assert f"{path}:2: date: 2025-02-30 is not a real date" in err
    assert f"{path}:3: not valid JSON" in err
    assert f'{path}:4: location.country: "ZZ" is not an ISO 3166-1 alpha-2 country code' in err
    assert f'{path}:5: kind: "picnic" is not one of' in err
    assert f"{path}:6: id: t-0001 is already used on line 1" in err
    assert not Meeting.objects.exists() and not Official.objects.exists()
    assert not Country.objects.exists()


def test_skip_invalid_imports_the_good_lines_and_lists_the_rest(tmp_path):
    path = write(tmp_path, [readout(1), readout(2, date="tomorrow"), readout(3)])
    out, err = run(path, "--skip-invalid")
    assert "created 2, updated 0, unchanged 0, invalid 1" in out
    assert f"{path}:2: date: expected an ISO date" in err
    assert set(Meeting.objects.values_list("external_id", flat=True)) == {"t-0001", "t-0003"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": ""}, "id:"),
        ({"id": "x" * 300}, "id:"),
        ({"title": ""}, "title: must not be empty"),
        ({"title": "x" * 301}, "title: longer than 300 characters"),
        ({"title": "a\x00b"}, "title: contains a NUL character"),
        ({"title": 7}, "title: expected text, got a number"),
        ({"participants": "Liu"}, "participants: expected a list"),
        ({"participants": [{"name": "A", "country": "PK", "role": "spy"}]}, "role"),
        ({"themes": ["x" * 101]}, "themes[0]: longer than 100"),
        ({"sources": [{"url": "javascript:alert(1)", "publisher": "x"}]}, "is not an http(s) URL"),
        ({"sources": [{"url": "", "publisher": ""}]}, "needs a url or a publisher"),
        ({"status": "secret"}, "status:"),
        ({"summary": "x" * 2001}, "summary: longer than 2,000"),
    ],
)
def test_each_field_is_validated(tmp_path, change, message):
    _, err = run_failing(write(tmp_path, [readout(1, **change)]))
    assert message in err
    assert not Meeting.objects.exists()


def test_a_json_array_is_explained(tmp_path):
    path = tmp_path / "array.json"
    path.write_text(json.dumps([readout(1), readout(2)]))
    _, err = run_failing(path)
    assert "found a list" in err and "JSON Lines" in err


def test_an_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    message, _ = run_failing(path)
    assert "no readouts found" in message


def test_binary_junk_and_invalid_utf8_are_reported_per_line(tmp_path):
    path = tmp_path / "junk.bin"
    path.write_bytes(os.urandom(2048).replace(b"\n", b"") + b"\n" + b'{"id": "\xff\xfe"}\n')
    message, err = run_failing(path)
    assert "nothing was imported" in message
    assert f"{path}:2: not valid UTF-8" in err


def test_a_missing_file_is_a_clear_error(tmp_path):
    message, _ = run_failing(tmp_path / "nope.jsonl")
    assert "cannot read it" in message


def test_a_huge_line_is_refused_without_a_traceback(tmp_path):
    path = tmp_path / "huge.jsonl"
    path.write_text(json.dumps(readout(1, body="x" * (50 * 1024 * 1024))) + "\n")
    _, err = run_failing(path)
    assert f"{path}:1: line is" in err and "the limit is" in err


def test_a_body_over_the_limit_is_refused(tmp_path):
    _, err = run_failing(write(tmp_path, [readout(1, body="word " * 200_000)]))
    assert "body: longer than 500,000 characters" in err


def test_duplicate_entries_for_one_person_collapse_but_conflicting_ones_are_refused(tmp_path):
    record = readout(1)
    record["participants"].append(copy.deepcopy(record["participants"][1]))
    run(write(tmp_path, [record]))
    assert Meeting.objects.get().participations.count() == 2
    clash = readout(2)
    clash["participants"].append({**clash["participants"][1], "role": "participant"})
    _, err = run_failing(write(tmp_path, [clash], "clash.jsonl"))
    assert "listed twice with different titles or roles" in err


@pytest.mark.slow  # a large readout: the importer's cost, not a rule
def test_a_thousand_participants_import(tmp_path):
    people = [
        {"name": f"Delegate {i}", "title": "Delegate", "country": "PK", "role": "participant"}
        for i in range(1000)
    ]
    run(write(tmp_path, [readout(1, participants=people)]))
    assert Meeting.objects.get().participations.count() == 1000


def test_xss_in_every_text_field_is_stored_as_text_and_inert(tmp_path, client):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    record = readout(
        1,
        title=payload,
        summary=payload,
        body=payload + " [x](javascript:alert(3))",
        themes=[payload],
        location={"city": payload, "country": "CN"},
    )
    record["participants"][0].update(name=payload, title=payload)
    record["sources"][0]["publisher"] = payload
    run(write(tmp_path, [record]))
    meeting = Meeting.objects.get()
    assert meeting.title == payload  # kept verbatim, escaped when shown
    assert "<script" not in meeting.body_html and "javascript:" not in meeting.body_html
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "onerror=alert(2)>" not in page


def test_stdin_is_read_with_a_dash(monkeypatch):
    data = (json.dumps(readout(1)) + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = io.StringIO()
    call_command("import_readouts", "-", stdout=out, stderr=io.StringIO())
    assert "created 1," in out.getvalue()
    assert Meeting.objects.get().external_id == "t-0001"


def test_the_progress_bar_shows_share_rate_and_eta():
    screen = io.StringIO()
    progress = Progress(screen, total_bytes=1000)
    progress.last = 0  # as if the last redraw were long ago
    progress(50, 500)
    assert "50%" in screen.getvalue() and "/s" in screen.getvalue() and "ETA" in screen.getvalue()
    progress.done()
    screen = io.StringIO()
    from_stdin = Progress(screen, total_bytes=None)
    from_stdin.last = 0
    from_stdin(10, 100)
    assert "10 lines" in screen.getvalue() and "ETA" not in screen.getvalue()


def test_generated_sample_imports_and_reimports_unchanged():
    lines = [(json.dumps(r) + "\n").encode() for r in sample_records(200)]
    first = import_readouts(lines, batch_size=64)
    assert (first.created, first.invalid) == (200, 0)
    second = import_readouts(lines, batch_size=64)
    assert (second.unchanged, second.created, second.updated) == (200, 0, 0)
    assert Meeting.objects.filter(synthetic=True).count() == 200


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_an_interrupted_import_leaves_the_database_as_it_was(tmp_path, sig):
    """Interrupt the command mid-run: the one transaction it runs in never commits."""
    path = write(tmp_path, [json.loads(json.dumps(r)) for r in sample_records(30_000)])
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{settings_dict['NAME']}"
    else:
        url = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT']}/{settings_dict['NAME']}"
        )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_readouts", str(path), "--batch-size", "200"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # 30,000 readouts take well over ten seconds: five seconds in, it is writing batches.
    time.sleep(5)
    assert process.poll() is None, process.communicate()[1].decode()[-2000:]
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert process.returncode == 1
        assert b"Interrupted: nothing was imported." in err
        assert b"Traceback" not in err
    assert not Meeting.objects.exists()
    assert not Official.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": ["courtesy call"]}, 'kind: ["courtesy call"] is not one of'),
        ({"status": {"a": 1}}, "status:"),
        ({"date": "0225-11-11"}, "date: 0225-11-11 is outside the years 1000-2999"),
        ({"date": "2025-11-11\n"}, "date: expected an ISO date"),
        ({"id": "t-1\n"}, "id:"),
        ({"title": "\ud800"}, "title: contains an unpaired surrogate"),
    ],
)
def test_odd_values_are_reported_not_crashed_on(tmp_path, change, message):
    # Written as ASCII JSON, as a lone surrogate can only appear in a file: "\ud800".
    _, err = run_failing(write(tmp_path, [json.dumps(readout(1, **change))]))
    assert message in err


def test_a_role_list_and_a_huge_number_are_reported_with_their_line(tmp_path):
    bad_role = readout(1)
    bad_role["participants"][0]["role"] = ["envoy"]
    huge = '{"id": "t-2", "date": ' + "9" * 5000 + "}"
    path = write(tmp_path, [bad_role, huge])
    _, err = run_failing(path)
    assert f"{path}:1: participants[0].role:" in err
    assert f"{path}:2: not valid JSON" in err


def test_vocabulary_words_are_trimmed_and_case_folded(tmp_path):
    record = readout(1, kind=" Courtesy Call ", status="Published")
    record["participants"][0]["role"] = "Envoy"
    run(write(tmp_path, [record]))
    meeting = Meeting.objects.get()
    assert meeting.kind == "courtesy call" and meeting.is_published
    assert meeting.participations.first().role == "envoy"


def test_a_readout_with_no_participants_imports(tmp_path):
    run(write(tmp_path, [readout(1, participants=[]), readout(2, participants=[], status="draft")]))
    assert Meeting.objects.count() == 2


def test_moving_a_readout_to_a_date_where_its_slug_is_taken_gives_it_a_free_one(tmp_path):
    first = readout(1, title="Same Title", date="2031-01-01")
    second = readout(2, title="Same Title", date="2031-01-02")
    run(write(tmp_path, [first, second]))
    out, _ = run(write(tmp_path, [{**first, "date": "2031-01-02"}, second], "moved.jsonl"))
    assert "updated 1, unchanged 1" in out
    slugs = dict(Meeting.objects.values_list("external_id", "slug"))
    assert slugs == {"t-0001": "same-title-2", "t-0002": "same-title"}


def test_ids_from_another_archive_never_overwrite_meetings_entered_here(tmp_path):
    ours = make_official("Our Official", country="PK")
    from factories import make_meeting

    mine = make_meeting("Entered by our staff", participants=[(ours, "envoy", "")])
    assert mine.external_id.startswith("ea-")
    run(write(tmp_path, [readout(1, id=f"ea-{mine.pk}")]))
    mine.refresh_from_db()
    assert mine.title == "Entered by our staff"
    assert Meeting.objects.count() == 2


def test_a_refused_readout_creates_no_officials_or_topics(tmp_path):
    make_official("Liu Haixing", country="CN", aliases="刘海星")
    clash = readout(1, themes=["only in the refused line"])
    clash["participants"] = [
        {"name": "New Person", "title": "", "country": "PK", "role": "envoy"},
        {"name": "Liu Haixing", "title": "Minister", "country": "CN", "role": "counterpart"},
        {"name": "刘海星", "title": "Someone else", "country": "CN", "role": "participant"},
    ]
    out, err = run(write(tmp_path, [clash, readout(2)]), "--skip-invalid")
    assert "are the same official with different titles or roles" in err
    assert "created 1," in out and "invalid 1" in out
    assert not Official.objects.filter(name="New Person").exists()
    assert not Topic.objects.filter(name="only in the refused line").exists()


@pytest.mark.parametrize("size", ["0", "5001"])
def test_batch_size_is_bounded(tmp_path, size):
    message, _ = run_failing(write(tmp_path, [readout(1)]), "--batch-size", size)
    assert "--batch-size must be between 1 and 5000" in message


# -- the publishing rule applies to imports too -----------------------------------------------


def line(record_id: str, **changes) -> bytes:
    record = {
        "id": record_id,
        "date": "2025-11-11",
        "title": f"Readout {record_id}",
        "kind": "meeting",
        "participants": [
            {"name": "Khalil Hashmi", "title": "", "country": "PK", "role": "envoy"},
            {"name": "Liu Haixing", "title": "", "country": "CN", "role": "counterpart"},
        ],
        "sources": [{"url": "https://example.org/r", "publisher": "DNA", "published": None}],
    }
    return (json.dumps(record | changes) + "\n").encode()


def test_what_the_admin_would_refuse_to_publish_is_imported_as_a_draft(tmp_path, client):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        line("complete")
        + line("no-source", sources=[])
        + line("no-one", participants=[], sources=[])
        + line("asked-draft", sources=[], status="draft")
    )
    out = io.StringIO()
    call_command("import_readouts", str(path), stdout=out)
    report = out.getvalue()
    statuses = dict(Meeting.objects.values_list("external_id", "status"))
    assert statuses == {
        "complete": "published",
        "no-source": "draft",
        "no-one": "draft",
        "asked-draft": "draft",
    }
    assert "mixed.jsonl:2: kept as a draft, not published: it has no source" in report
    assert (
        "mixed.jsonl:3: kept as a draft, not published: it has no envoy, no counterpart, no source"
        in report
    )
    assert ":4:" not in report  # it asked to be a draft: nothing to report
    assert "kept as drafts 2" in report
    assert client.get("/meetings/").content.decode().count("Readout ") == 1
    # Importing the same file again changes nothing (the drafts stay drafts, unchanged).
    again = io.StringIO()
    call_command("import_readouts", str(path), stdout=again)
    assert "unchanged 4" in again.getvalue()


INDEXED_TABLES = ["engagements_meeting", "engagements_participation", "engagements_source"]


def _indexes_and_constraints() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
            [INDEXED_TABLES],
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
            [INDEXED_TABLES],
        )
        return indexes | set(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bulk path")
def test_a_first_load_builds_every_index_and_constraint_again_under_its_name(tmp_path):
    """Into an empty archive the importer sets the indexes, unique and foreign keys aside
    and builds them once at the end (upkeep/bulk.py): they come back as they were, and
    they hold (a readout's slug is unique on its date, a participant's official exists)."""
    before = _indexes_and_constraints()
    records = [readout(n, title="Same title", date="2025-01-01") for n in range(1, 4)]
    run(write(tmp_path, records))
    assert _indexes_and_constraints() == before
    assert Meeting.objects.filter(date="2025-01-01").values("slug").distinct().count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # not at the test's end, now
        Participation.objects.create(
            meeting=Meeting.objects.first(), official_id=10**9, role="envoy"
        )


def test_a_read_that_fails_midway_raises_and_writes_nothing():
    """An error reading the lines (a file on a disk that went away) stops the import,
    which writes nothing."""

    def lines():
        yield (json.dumps(readout(1)) + "\n").encode()
        yield (json.dumps(readout(2)) + "\n").encode()
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="the disk went away"):
        import_readouts(lines(), batch_size=1)
    assert not Meeting.objects.exists()


def test_a_readouts_themes_keep_their_order_main_subjects_first(tmp_path, client):
    """The order of `themes` is the readout's: its main subjects first. It is kept, shown on
    the readout's page and in the API, written back by the export, and a line that only
    reorders them is a change."""
    run(write(tmp_path, [readout(1, themes=["Gwadar Port", "CPEC 2.0", "agriculture"])]))
    meeting = Meeting.objects.get(external_id="t-0001")
    assert [t.name for t in meeting.topics_in_order] == ["Gwadar Port", "CPEC 2.0", "agriculture"]
    page = client.get(meeting.get_absolute_url()).content.decode()
    shown = page[page.index('id="topics-heading"') :]
    assert shown.index("Gwadar Port") < shown.index("CPEC 2.0") < shown.index("agriculture")
    api = client.get(f"/api/meetings/{meeting.external_id}/").json()
    assert [t["name"] for t in api["topics"]] == ["Gwadar Port", "CPEC 2.0", "agriculture"]
    listed = client.get("/api/meetings/").json()["results"][0]
    assert [t["name"] for t in listed["topics"]] == ["Gwadar Port", "CPEC 2.0", "agriculture"]

    out = tmp_path / "out.jsonl"
    call_command("export_readouts", str(out), stdout=io.StringIO())
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert exported[-1]["themes"] == ["Gwadar Port", "CPEC 2.0", "agriculture"]

    again, _ = run(write(tmp_path, [readout(1, themes=["Gwadar Port", "CPEC 2.0", "agriculture"])]))
    assert "unchanged 1" in again
    reordered, _ = run(
        write(tmp_path, [readout(1, themes=["agriculture", "Gwadar Port", "CPEC 2.0"])], "b.jsonl")
    )
    assert "updated 1" in reordered
    assert [t.name for t in Meeting.objects.get(pk=meeting.pk).topics_in_order] == [
        "agriculture",
        "Gwadar Port",
        "CPEC 2.0",
    ]
