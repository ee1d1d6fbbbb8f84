"""Scoring the press-release reader on a corpus (engagements/desk/pressrelease/evaluation.py)
and the evaluate_intake command that runs it (docs/intake-corpus.md)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from engagements.desk.pressrelease.evaluation import (
    read_corpus,
    same_person,
    same_text,
    score,
)

# --- same_person --------------------------------------------------------------------------


def test_names_with_the_same_words_are_the_same_person():
    assert same_person("Liu Haixing", "Liu Haixing")


def test_word_order_does_not_matter():
    assert same_person("Kamikawa Yoko", "Yoko Kamikawa")


def test_honorifics_case_and_accents_are_ignored():
    assert same_person("H.E. Mr. Liu Haixing", "liu haixing")
    assert same_person("Dr. Nguyễn Văn An", "Nguyen Van An")


def test_a_name_holding_another_with_two_common_words_is_the_same_person():
    assert same_person("Ishaq Dar", "Muhammad Ishaq Dar")
    assert same_person("Muhammad Ishaq Dar", "Ishaq Dar")


def test_one_shared_word_is_not_enough():
    assert not same_person("Dar", "Ishaq Dar")
    assert not same_person("Wang Yi", "Wang Wenbin")


def test_two_common_words_are_not_enough_when_neither_name_holds_the_other():
    assert not same_person("Maryam Nawaz Sharif", "Muhammad Nawaz Sharif")


def test_an_honorific_alone_is_nobody():
    assert not same_person("Mr.", "Mr.")


def test_a_one_word_name_in_chinese_script_compares_whole():
    assert same_person("刘海星", "刘海星")
    assert not same_person("刘海星", "王毅")


# --- same_text ----------------------------------------------------------------------------


def test_a_nationality_opening_a_title_is_ignored():
    assert same_text("Chinese Vice Premier", "Vice Premier")
    assert same_text("Pakistan's Ambassador to China", "Ambassador to China")


def test_the_is_ignored():
    assert same_text("the Foreign Minister", "Foreign Minister")


def test_close_spellings_of_an_office_are_the_same():
    assert same_text("Minister of Foreign Affairs", "Minister for Foreign Affairs")


def test_different_offices_differ():
    assert not same_text("Foreign Minister", "Minister of Defence")


def test_two_empty_titles_agree_and_an_empty_one_differs_from_a_title():
    assert same_text("", "")
    assert not same_text("Ambassador", "")


# --- score --------------------------------------------------------------------------------

TRUTH = {
    "url": "",
    "date": "2025-03-04",
    "city": "Oslo",
    "country": "NO",
    "kind": "courtesy call",
    "participants": [
        {
            "name": "Karim Aziz",
            "country": "PK",
            "title": "Ambassador of Pakistan to Norway",
            "role": "envoy",
        },
        {"name": "Ingrid Holm", "country": "NO", "title": "State Secretary", "role": "counterpart"},
        {"name": "Paula Jansen", "country": "NO", "title": "Director", "role": "participant"},
    ],
    "topics": ["trade", "energy"],
}
PROPOSED = {
    "id": "oslo-01",
    "date": "2025-03-04",
    "city": "OSLO",
    "country": "NO",
    "kind": "meeting",
    "participants": [
        {
            "name": "H.E. Mr. Karim Aziz",
            "country": "PK",
            "title": "Ambassador of Pakistan to Norway",
            "role": "envoy",
        },
        {"name": "Ingrid Holm", "country": "SE", "title": "the State Secretary", "role": "envoy"},
        {"name": "Lars Berg", "country": "NO", "title": "Spokesperson", "role": "participant"},
    ],
    "topics": ["trade", "fisheries"],
}


def tally(field: str, truth: dict = TRUTH, proposed: dict = PROPOSED) -> tuple[int, int]:
    tallies, _ = score([(truth, proposed)])
    return tallies[field].right, tallies[field].total


def test_the_date_and_city_are_right_ignoring_case():
    assert tally("date") == (1, 1)
    assert tally("city") == (1, 1)


def test_a_wrong_kind_is_counted_wrong():
    assert tally("kind") == (0, 1)


def test_people_found_counts_the_truths_people_the_proposal_names():
    assert tally("people_found") == (2, 3)


def test_people_extra_counts_those_proposed_who_were_not_there():
    assert tally("people_extra") == (1, 3)


def test_country_title_and_role_are_scored_for_found_people_only():
    assert tally("country") == (1, 2)
    assert tally("title") == (2, 2)
    assert tally("role") == (1, 2)


def test_topics_are_scored_for_precision_and_recall():
    assert tally("topics_precision") == (1, 2)
    assert tally("topics_recall") == (1, 2)


def test_each_miss_is_listed_for_its_release():
    _, releases = score([(TRUTH, PROPOSED)])
    (release,) = releases
    assert release.id == "oslo-01"
    assert release.misses == [
        "kind: meeting (courtesy call)",
        "Ingrid Holm: country 'SE' (truth 'NO')",
        "Ingrid Holm: role envoy (truth counterpart)",
        "missed Paula Jansen",
        "not there: Lars Berg",
    ]
    assert release.errors == 5


def test_the_city_is_not_scored_for_a_call():
    truth = {"date": None, "city": "Oslo", "kind": "telephone call", "participants": []}
    proposed = {"id": "call", "date": None, "city": "", "kind": "telephone call"}
    assert tally("city", truth, proposed) == (0, 0)
    assert tally("date", truth, proposed) == (1, 1)  # both null is right
    _, releases = score([(truth, proposed)])
    assert releases[0].misses == []


def test_a_wrong_city_is_scored_for_an_in_person_meeting():
    truth = {**TRUTH, "city": "Bergen"}
    assert tally("city", truth) == (0, 1)
    _, releases = score([(truth, PROPOSED)])
    assert "city: 'OSLO' (truth 'Bergen')" in releases[0].misses


# --- read_corpus --------------------------------------------------------------------------


def test_a_missing_corpus_folder_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="is not a folder"):
        read_corpus(tmp_path / "nowhere")


def test_an_invalid_truth_file_is_a_value_error_naming_it(tmp_path):
    (tmp_path / "oslo-01.txt").write_text("OSLO — The minister met the envoy.", encoding="utf-8")
    (tmp_path / "oslo-01.json").write_text('{"date": "2025-03-04",', encoding="utf-8")
    with pytest.raises(ValueError, match=r"oslo-01\.json: not valid JSON"):
        read_corpus(tmp_path)


def test_a_truth_that_is_not_an_object_is_a_value_error(tmp_path):
    (tmp_path / "oslo-01.txt").write_text("OSLO — The minister met the envoy.", encoding="utf-8")
    (tmp_path / "oslo-01.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match=r"oslo-01\.json: the truth must be a JSON object"):
        read_corpus(tmp_path)


def test_a_release_that_is_not_utf8_is_a_value_error_naming_it(tmp_path):
    (tmp_path / "latin.txt").write_bytes("Bogotá - the envoy met".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin\.txt: cannot be read as UTF-8"):
        read_corpus(tmp_path)


def test_releases_are_read_in_order_with_their_truths_where_there_are_some(tmp_path):
    (tmp_path / "b-release.txt").write_text("Second release.", encoding="utf-8")
    (tmp_path / "a-release.txt").write_text("First release.", encoding="utf-8")
    (tmp_path / "a-release.json").write_text('{"kind": "meeting"}', encoding="utf-8")
    (tmp_path / "notes.md").write_text("Not a release.", encoding="utf-8")

    releases = read_corpus(tmp_path)

    assert [r.id for r in releases] == ["a-release", "b-release"]
    assert releases[0].text == "First release."
    assert releases[0].truth == {"kind": "meeting"}
    assert releases[1].truth is None


# --- the evaluate_intake command ----------------------------------------------------------

COURTESY_CALL = """\
Envoy of Norway calls on Pakistan's Commerce Minister

ISLAMABAD, 4 March 2025 (APP): Ambassador Ingrid Holm of Norway called on Commerce \
Minister Tariq Mahmood at the Ministry of Commerce today.

The two sides discussed trade in seafood and the training of engineers.
"""
COURTESY_CALL_TRUTH = {
    "url": "",
    "date": "2025-03-04",
    "city": "Islamabad",
    "country": "PK",
    "kind": "courtesy call",
    "participants": [
        {"name": "Ingrid Holm", "country": "NO", "title": "Ambassador", "role": "envoy"},
        {
            "name": "Tariq Mahmood",
            "country": "PK",
            "title": "Commerce Minister",
            "role": "counterpart",
        },
    ],
    "topics": [],
}
TELEPHONE_CALL = """\
ANKARA, 11 June 2025 (AA) — Foreign Minister Kemal Arslan held a telephone conversation \
with Foreign Minister Lena Sorensen of Denmark on Wednesday.

The ministers discussed shipping through the straits.
"""


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "app-01.txt").write_text(COURTESY_CALL, encoding="utf-8")
    (folder / "app-01.json").write_text(json.dumps(COURTESY_CALL_TRUTH), encoding="utf-8")
    (folder / "aa-01.txt").write_text(TELEPHONE_CALL, encoding="utf-8")
    return folder


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("evaluate_intake", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_the_command_reads_every_release_and_prints_the_figures(corpus):
    out, _ = run_command(str(corpus))
    assert "2 releases read" in out
    assert "1 releases scored" in out  # only one release has a truth
    for label in ("people found (recall)", "meeting date", "kind", "topics found"):
        assert label in out
    assert "city (in-person meetings)" in out


@pytest.mark.django_db
def test_the_command_writes_every_proposal_in_the_truths_shape(corpus, tmp_path):
    out_path = tmp_path / "proposals.json"
    _, err = run_command(str(corpus), "--out", str(out_path))
    assert f"wrote 2 proposals to {out_path}" in err

    records = json.loads(out_path.read_text(encoding="utf-8"))
    assert isinstance(records, list)
    assert [record["id"] for record in records] == ["aa-01", "app-01"]
    keys = {"id", "url", "date", "city", "country", "kind", "participants", "topics", "notes"}
    for record in records:
        assert keys <= set(record)
        assert isinstance(record["participants"], list)
        assert isinstance(record["notes"], list)
    call = records[0]
    assert call["kind"] == "telephone call"
    assert call["date"] == "2025-06-11"


@pytest.mark.django_db
def test_the_command_without_truths_says_nothing_was_scored(tmp_path):
    (tmp_path / "aa-01.txt").write_text(TELEPHONE_CALL, encoding="utf-8")
    out, _ = run_command(str(tmp_path))
    assert "1 releases read" in out
    assert "No truth files (NAME.json): nothing scored." in out


def test_the_command_on_a_missing_folder_is_a_command_error(tmp_path):
    missing = tmp_path / "no-such-corpus"
    with pytest.raises(CommandError, match=f"{missing} is not a folder"):
        run_command(str(missing))


def test_the_command_on_an_empty_folder_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match=r"holds no NAME\.txt release"):
        run_command(str(tmp_path))


def test_the_command_on_an_invalid_truth_is_a_command_error_naming_the_file(tmp_path):
    (tmp_path / "bad.txt").write_text(TELEPHONE_CALL, encoding="utf-8")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.json: not valid JSON"):
        run_command(str(tmp_path))
