"""Country-year data: panels of counts in CSV and JSON, equal to what the list pages count."""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from factories import make_meeting, make_official

from engagements.interchange.importing import import_readouts
from engagements.interchange.synthetic import sample_records
from engagements.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(db):
    """Synthetic readouts, a real one, and a draft that must count nowhere."""
    lines = [(json.dumps(r) + "\n").encode() for r in sample_records(120)]
    assert import_readouts(lines).created == 120
    hashmi = make_official("Khalil Hashmi", country="PK")
    liu = make_official("Liu Haixing", country="CN", aliases="刘海星")
    make_meeting(
        "A real call",
        participants=[(hashmi, "envoy", ""), (liu, "counterpart", "")],
        topics=["CPEC 2.0"],
    )
    make_meeting(
        "A draft",
        status=Meeting.Status.DRAFT,
        participants=[(hashmi, "envoy", ""), (liu, "counterpart", "")],
        topics=["CPEC 2.0"],
    )


def panel(client, key: str) -> list[dict]:
    response = client.get(f"/data/{key}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{key}.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # a spreadsheet reads it as UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def listed(client, params: dict) -> int:
    response = client.get("/meetings/", params)
    assert response.status_code == 200
    return response.context["paginator"].count


def check(client, rows: list[dict], to_params, sample: int = 8) -> None:
    assert rows
    for row in random.Random(7).sample(rows, min(sample, len(rows))):
        params = to_params(row) | {"from": row["year"], "to": row["year"]}
        total = int(row["real"]) + int(row["synthetic"])
        assert listed(client, params) == total, (row, params)
        assert listed(client, params | {"real": "1"}) == int(row["real"]), (row, params)


def test_each_panel_counts_what_the_list_pages_count(client, archive):
    check(client, panel(client, "country-year"), lambda r: {"country": r["country_code"].lower()})
    check(
        client,
        panel(client, "country-year-kind"),
        lambda r: {"country": r["country_code"].lower(), "kind": r["kind"]},
    )
    check(
        client,
        panel(client, "pair-year"),
        lambda r: {"country": [r["country_a_code"].lower(), r["country_b_code"].lower()]},
    )
    check(client, panel(client, "topic-year"), lambda r: {"topic": r["topic_slug"]})


def test_real_and_synthetic_readouts_are_counted_apart_and_drafts_not_at_all(client, archive):
    pairs = panel(client, "pair-year")
    [row] = [r for r in pairs if {r["country_a_code"], r["country_b_code"]} == {"CN", "PK"}
             and r["real"] != "0"]  # fmt: skip
    assert row["real"] == "1"  # the real call; the draft is not counted
    assert (row["country_a_code"], row["country_b_code"]) == ("CN", "PK")
    topics = panel(client, "topic-year")
    cpec = [r for r in topics if r["topic"] == "CPEC 2.0" and r["real"] != "0"]
    assert [r["real"] for r in cpec] == ["1"]


def test_the_json_panel_holds_the_same_rows_with_their_meaning(client, archive):
    response = client.get("/data/country-year.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(response.content)
    assert body["panel"] == "country-year" and body["description"]
    assert body["columns"] == ["country_code", "country", "year", "real", "synthetic"]
    as_csv = panel(client, "country-year")
    assert [{k: str(v) for k, v in row.items()} for row in body["rows"]] == as_csv


def test_the_data_page_offers_every_panel(client, archive, django_assert_max_num_queries):
    html = client.get("/data/").content.decode()
    for key in ("country-year", "country-year-kind", "pair-year", "topic-year"):
        assert f'href="/data/{key}.csv"' in html and f'href="/data/{key}.json"' in html
    assert 'href="/data/"' in client.get("/").content.decode()  # in the main navigation
    client.get("/data/topic-year.csv")
    with django_assert_max_num_queries(2):  # kept per version of the archive
        client.get("/data/topic-year.csv")


def test_an_unknown_panel_is_404(client, archive):
    assert client.get("/data/nonsense.csv").status_code == 404
    assert client.get("/data/nonsense.json").status_code == 404
    assert client.get("/data/country-year.xml").status_code == 404
