"""The demo archive's synthetic readouts look like the world and say what they are."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

from engagements.interchange.synthetic import SAMPLE_PUBLISHER, sample_records

RECORDS = list(sample_records(3000, seed=7))
COUNTRY_NAMES = {"PK": "Pakistan", "CN": "China", "FR": "France", "DE": "Germany"}


def test_every_record_is_marked_synthetic_and_cites_the_sample_publisher():
    assert all(record["synthetic"] is True for record in RECORDS)
    assert all(record["sources"][0]["publisher"] == SAMPLE_PUBLISHER for record in RECORDS)
    assert all("synthetic sample data" in record["body"] for record in RECORDS)


def test_an_official_holds_one_to_three_offices_one_at_a_time_in_their_own_country():
    held: dict[tuple[str, str], dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    for record in RECORDS:
        for person in record["participants"]:
            key = (person["name"], person["country"])
            held[key][person["title"]].append(dt.date.fromisoformat(record["date"]))
    assert max(len(offices) for offices in held.values()) <= 3
    assert any(len(offices) >= 2 for offices in held.values())  # careers do change
    for (_, country), offices in held.items():
        name = COUNTRY_NAMES.get(country)
        if name:
            # "Ambassador of Pakistan to China": the office is the person's own country's.
            assert all(f"of {name}" in office for office in offices)
        # One office at a time: the periods in which each office is named do not interleave.
        spans = sorted((min(days), max(days)) for days in offices.values())
        assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))


def test_topics_fit_the_countries_that_discuss_them():
    for record in RECORDS:
        countries = {person["country"] for person in record["participants"]}
        if "CPEC 2.0" in record["themes"] or "Gwadar port" in record["themes"]:
            assert countries == {"PK", "CN"}
        if "Uraan Pakistan" in record["themes"]:
            assert "PK" in countries
    pair = [r for r in RECORDS if {p["country"] for p in r["participants"]} == {"PK", "CN"}]
    assert sum("CPEC 2.0" in r["themes"] for r in pair) > len(pair) // 10


def test_the_same_seed_gives_the_same_archive():
    assert list(sample_records(50, seed=7)) == list(sample_records(50, seed=7))
    assert list(sample_records(50, seed=8)) != list(sample_records(50, seed=7))
