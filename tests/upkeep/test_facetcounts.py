"""The facet counts kept on write always equal a count from scratch, on both databases."""

import datetime as dt
import io
import json

import pytest
from checks import assert_exact, kept
from django.core.management import call_command
from django.http import QueryDict
from factories import ADD_URL, make_meeting, make_official, make_topic, readout_form

from engagements.desk import merging
from engagements.interchange.importing import import_readouts
from engagements.models import (
    Country,
    FacetCount,
    Meeting,
    MeetingFacet,
    Official,
    Participation,
    Topic,
)
from engagements.public import facets, keptcounts
from engagements.public.filters import parse_filters
from engagements.upkeep import facetcounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "hashmi": make_official("Khalil Hashmi", country="PK"),
        "liu": make_official("Liu Haixing", country="CN"),
        "dar": make_official("Ishaq Dar", country="PK"),
        "wang": make_official("Wang Yi", country="CN"),
    }


@pytest.fixture
def archive(people):
    meetings = [
        make_meeting(
            f"Readout {i}",
            date=dt.date(2024 + i % 2, 1 + i % 12, 1 + i),
            kind=Meeting.Kind.values[i % 4],
            location="CN" if i % 3 else "PK",
            participants=[
                (people["hashmi"] if i % 2 else people["dar"], "envoy", ""),
                (people["liu"] if i % 3 else people["wang"], "counterpart", ""),
            ],
            topics=["CPEC", f"theme {i % 3}"],
        )
        for i in range(12)
    ]
    make_meeting(
        "A draft", status=Meeting.Status.DRAFT, participants=[(people["dar"], "envoy", "")]
    )
    return meetings


# The counts a write touches are looked up one by one (a readout's), or read with their
# scopes whole (many readouts'): both ways on every write.
@pytest.mark.parametrize("exact_up_to", [facetcounts.EXACT_PROBES_UP_TO, 0])
def test_counts_follow_every_kind_of_write(
    archive, people, staff_client, tmp_path, monkeypatch, exact_up_to
):
    monkeypatch.setattr(facetcounts, "EXACT_PROBES_UP_TO", exact_up_to)
    assert FacetCount.objects.filter(scope_facet="all", facet="kind").exists()
    assert_exact()
    first, second = archive[0], archive[1]

    first.kind = Meeting.Kind.SUMMIT  # a field
    first.date = dt.date(2019, 5, 5)
    first.save()
    assert_exact()

    Participation.objects.create(meeting=second, official=people["wang"], order=5)  # a person
    second.participations.filter(official=people["liu"]).delete()
    assert_exact()

    second.topics.add("trade")  # topics
    second.topics.remove("CPEC")
    assert_exact()

    first.status = Meeting.Status.DRAFT  # unpublishing takes it out of every count
    first.save()
    assert not MeetingFacet.objects.filter(meeting_id=first.pk).exists()
    assert_exact()

    people["liu"].country = make_official(country="IN").country  # an official's country
    people["liu"].save()
    assert_exact()

    Meeting.objects.filter(pk=second.pk).update(kind=Meeting.Kind.STATE_VISIT)  # no signals
    Meeting.objects.filter(pk=archive[5].pk).update(status=Meeting.Status.DRAFT)
    assert_exact()

    archive[2].delete()  # one readout
    Meeting.objects.filter(title__in=["Readout 3", "Readout 4"]).delete()  # several
    assert_exact()

    merging.merge_officials(keep=people["hashmi"], duplicates=[people["dar"]])
    merging.merge_topics(keep=make_topic("CPEC"), duplicates=[make_topic("theme 1")])
    assert_exact()

    envoy, counterpart = people["hashmi"], people["wang"]  # the admin's form
    assert (
        staff_client.post(ADD_URL, readout_form(envoy=envoy, counterpart=counterpart)).status_code
        == 302
    )
    assert_exact()


def readout_line(n: int, **changes) -> bytes:
    record = {
        "id": f"fc-{n}",
        "date": f"2023-0{1 + n % 9}-1{n % 9}",
        "title": f"Imported {n}",
        "kind": "telephone call",
        "participants": [
            {"name": "Khalil Hashmi", "title": "", "country": "PK", "role": "envoy"},
            {"name": f"Someone {n % 3}", "title": "", "country": "JP", "role": "counterpart"},
        ],
        "themes": ["CPEC", f"imported {n % 2}"],
        "sources": [{"publisher": "DNA"}],
        **changes,
    }
    return json.dumps(record).encode()


@pytest.mark.parametrize("rebuild_above", [2000, 3])
def test_an_import_recounts_what_it_wrote_or_rebuilds(archive, monkeypatch, rebuild_above):
    # Small imports recount the readouts they wrote; large ones rebuild. Both must agree.
    monkeypatch.setattr(facetcounts, "REBUILD_ABOVE", rebuild_above)
    import_readouts([readout_line(n) for n in range(8)])
    assert FacetCount.objects.filter(scope_facet="kind", facet="kind").exists()
    assert_exact()
    import_readouts([readout_line(1, kind="summit", themes=["trade"])])  # an update
    assert_exact()


def test_a_refused_import_changes_no_count(archive):
    before = kept()
    result = import_readouts([readout_line(1), b'{"id": "broken"'])
    assert not result.written
    assert kept() == before


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/meetings/", ""),
        ("/meetings/", "kind=bilateral+meeting"),
        ("/meetings/", "from=2025&to=2025"),
        ("/meetings/", "from=2024&to=2025"),
        ("/meetings/", "from=2020-01-01&to=2030-12-31"),
        ("/meetings/", "from=1000&to=2999"),  # every year a readout may have: 2,000 named
        ("/meetings/", "country=pk"),
        ("/meetings/", "topic=cpec"),
        ("/countries/cn/", ""),
        ("/topics/cpec/", ""),
        ("/officials/khalil-hashmi/", ""),
    ],
)
def test_a_scope_page_reads_kept_counts_equal_to_counting(client, archive, path, query):
    filters, _ = parse_filters(QueryDict(query))
    scope = []
    if path.startswith("/countries/"):
        scope = [archive[1].location_country]
    elif path.startswith("/topics/"):
        scope = [archive[0].topics.get(name="CPEC")]
    elif path.startswith("/officials/"):
        scope = [archive[1].participations.get(role="envoy").official]
    kept_scope = keptcounts.scopes_of(filters, scope)
    assert kept_scope
    meetings = filters.apply(Meeting.objects.published())
    for item in scope:
        meetings = meetings.filter(
            **{
                "Country": {"countries": item},
                "Topic": {"topic_links__tag": item},
                "Official": {"participations__official": item},
            }[type(item).__name__]
        )
    live = facets._live_counts(meetings, lambda model: set())
    read = facets._kept_counts(kept_scope, lambda model: set())
    assert read == live
    # Values left out (those in force) are left out of each facet's busiest alike, and the
    # next ones move up (one statement reads them all: keptcounts.facets_of).
    busiest = {Country: live.countries, Official: live.officials, Topic: live.topics}
    first = {model: set(list(values)[:1]) for model, values in busiest.items()}
    assert facets._kept_counts(kept_scope, first.__getitem__, 2) == facets._live_counts(
        meetings, first.__getitem__, 2
    )
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "q=cpec",
        "country=pk&country=cn&country=in",
        "country=pk&kind=summit",
        "from=2024-02&to=2025",
    ],
)
def test_other_combinations_are_counted_live(query):
    filters, _ = parse_filters(QueryDict(query))
    assert filters is None or keptcounts.scopes_of(filters) is None


def test_a_span_of_whole_years_adds_up_each_years_counts():
    filters, _ = parse_filters(QueryDict("from=2023&to=2025"))
    assert keptcounts.scopes_of(filters) == [("year", 2023), ("year", 2024), ("year", 2025)]
    filters, _ = parse_filters(QueryDict("from=2024&to=2024"))
    assert keptcounts.scopes_of(filters) == [("year", 2024)]


def test_drafts_never_count(people):
    make_meeting("Draft", status=Meeting.Status.DRAFT, participants=[(people["dar"], "envoy", "")])
    assert not FacetCount.objects.exists() and not MeetingFacet.objects.exists()


def test_the_rebuild_command_recounts_and_reports(archive):
    FacetCount.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_facet_counts", stdout=out)
    assert "Recounted" in out.getvalue()
    assert FacetCount.objects.filter(scope_facet="all").exists()
    assert_exact()


def test_a_bilateral_page_reads_the_pair_counts(client, archive):
    pk_cn = keptcounts.scopes_of(parse_filters(QueryDict("country=pk&country=cn"))[0])
    assert pk_cn is not None and pk_cn[0][0] == "pair"
    meetings = Meeting.objects.published().filter(countries__code="PK").filter(countries__code="CN")
    read = facets._kept_counts(pk_cn, lambda model: set())
    assert read == facets._live_counts(meetings, lambda model: set())
    assert read.per_kind.total() == meetings.count() > 0
    assert client.get("/countries/cn/pk/").status_code == 200


def test_a_country_given_twice_is_one_scope(archive):
    country = archive[1].location_country
    filters, _ = parse_filters(QueryDict(f"country={country.code.lower()}"))
    assert keptcounts.scopes_of(filters, [country]) == [("country", country.pk)]
