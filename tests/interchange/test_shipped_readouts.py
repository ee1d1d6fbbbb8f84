"""The real readouts shipped in fixtures/real/ (loaded by `make run`): complete, sourced,
consistent, and each meeting once. Their provenance is in fixtures/SOURCES.md."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count

from engagements.models import AccountTitle, Meeting, Official, Topic

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "fixtures" / "real").glob("*.jsonl"))
RECORDS = [json.loads(line) for path in FILES for line in path.read_text("utf-8").splitlines()]
VOCABULARY = json.loads((ROOT / "fixtures" / "vocabulary.json").read_text("utf-8"))
TOPICS = {entry["name"] for entry in VOCABULARY["topics"]}
# The count shipped today: a file that loses records fails here.
SHIPPED = 151


def test_the_shipped_files_hold_real_readouts_each_once():
    assert len(RECORDS) >= SHIPPED
    ids = [record["id"] for record in RECORDS]
    assert len(ids) == len(set(ids))
    assert all(record_id.startswith("real-") for record_id in ids)
    # One meeting, one record: no two records on the same day name the same people.
    meetings = Counter(
        (record["date"], frozenset(p["name"] for p in record["participants"])) for record in RECORDS
    )
    assert [key for key, count in meetings.items() if count > 1] == []


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: record["id"])
def test_each_record_is_complete_sourced_and_uses_the_controlled_topics(record):
    assert not record.get("synthetic") and record.get("status") in (None, "published")
    assert dt.date(2023, 1, 1) <= dt.date.fromisoformat(record["date"]) <= dt.date(2026, 12, 31)
    roles = Counter(person["role"] for person in record["participants"])
    assert roles["envoy"] == 1 and roles["counterpart"] >= 1
    assert all(person["name"] and person["country"] for person in record["participants"])
    assert record["sources"] and all(
        source["url"].startswith(("https://", "http://")) for source in record["sources"]
    )
    assert len({source["url"] for source in record["sources"]}) == len(record["sources"])
    assert record["summary"].strip() and record["title"].strip()
    assert set(record.get("themes", [])) <= TOPICS, set(record["themes"]) - TOPICS


@pytest.mark.django_db
def test_make_run_loads_them_published_with_one_official_per_person():
    call_command("load_fixtures", verbosity=0)
    assert Meeting.objects.published().count() == len(RECORDS) + 1  # and the seed
    assert not Meeting.objects.filter(synthetic=True).exists()
    # Every name is one official: the consistent spellings and aliases hold.
    names = Counter(Official.objects.values_list("name", flat=True))
    assert [name for name, count in names.items() if count > 1] == []
    hashmi = Official.objects.get(name="Khalil Hashmi")
    assert hashmi.participations.count() >= 2  # the seed's envoy, met again in the records
    cpec = Topic.objects.get(name="CPEC 2.0")
    assert "China-Pakistan Economic Corridor phase II" in cpec.alias_list and cpec.description
    assert Topic.objects.filter(name__in=TOPICS).count() == len(TOPICS)
    # Both sides' accounts, and the titles they word their own way, came in with them.
    compared = Meeting.objects.filter(sources__side__isnull=False).annotate(
        sides=Count("sources__side", distinct=True)
    )
    assert compared.filter(sides__gte=2).count() >= 26
    kakar = AccountTitle.objects.filter(participation__official__name="Anwaar-ul-Haq Kakar")
    assert {t.title for t in kakar} >= {"Caretaker Prime Minister", "Prime Minister"}
    assert AccountTitle.objects.count() == sum(
        len(source.get("titles", {})) for record in RECORDS for source in record["sources"]
    )
    seed = Meeting.objects.get(external_id="seed-2025-11-11-pakistan-idcpc").sources.get()
    assert seed.side.code == "PK" and seed.headline.startswith("Ambassador of Pakistan")
