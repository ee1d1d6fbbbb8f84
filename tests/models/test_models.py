"""Model rules: slugs, publication, derived countries, sanitised Markdown, named constraints."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from factories import make_country, make_meeting, make_official, make_topic

from engagements.markup import render_markdown
from engagements.models import Country, Meeting, Participation, Source

pytestmark = pytest.mark.django_db


def test_country_is_created_from_its_iso_code():
    country = Country.for_code("pk")
    assert (country.code, country.name, country.slug) == ("PK", "Pakistan", "pakistan")
    assert Country.for_code("PK") == country
    assert country.get_absolute_url() == "/countries/pk/"
    for bad in ["ZZ", "", "PAK", "1!"]:
        with pytest.raises(ValueError):
            Country.for_code(bad)


def test_country_code_constraint_refuses_lower_case_codes_written_directly():
    with pytest.raises(IntegrityError), transaction.atomic():
        Country.objects.bulk_create([Country(code="x1", name="X", slug="x")])


def test_slugs_are_made_from_titles_and_unique_per_date():
    a = make_meeting("Talks in Beijing", date=dt.date(2025, 1, 2))
    b = make_meeting("Talks in Beijing", date=dt.date(2025, 1, 2))
    c = make_meeting("Talks in Beijing", date=dt.date(2025, 1, 3))
    assert (a.slug, b.slug, c.slug) == (
        "talks-in-beijing",
        "talks-in-beijing-2",
        "talks-in-beijing",
    )
    assert a.get_absolute_url() == "/meetings/2025/01/02/talks-in-beijing/"
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=b.pk).update(slug=a.slug)


def test_official_slugs_are_unique_and_aliases_are_tidied():
    one = make_official("Liu Haixing", aliases="  刘海星 \n\n Liu Hai-xing ")
    two = make_official("Liu Haixing", country="CN")
    assert (one.slug, two.slug) == ("liu-haixing", "liu-haixing-2")
    assert one.alias_list == ["刘海星", "Liu Hai-xing"]


def test_publishing_stamps_published_at_once():
    meeting = make_meeting(status=Meeting.Status.DRAFT)
    assert meeting.published_at is None
    meeting.status = Meeting.Status.PUBLISHED
    meeting.save()
    first = meeting.published_at
    assert first is not None
    meeting.save()
    assert meeting.published_at == first


def test_a_published_meeting_without_published_at_is_refused_by_the_database():
    meeting = make_meeting(status=Meeting.Status.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(status="published")


def test_role_and_source_url_constraints():
    meeting = make_meeting()
    official = make_official()
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.bulk_create(
            [Participation(meeting=meeting, official=official, role="spy")]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.bulk_create(
            [Source(meeting=meeting, publisher="x", url="javascript:alert(1)")]
        )


def test_an_official_takes_part_once_per_meeting():
    official = make_official()
    meeting = make_meeting(participants=[(official, "envoy", "Ambassador")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(meeting=meeting, official=official, role="participant")


def test_involved_countries_follow_venue_and_participants():
    fr = make_official(country="FR")
    meeting = make_meeting(location="CN", participants=[(fr, "envoy", "Ambassador")])
    assert {c.code for c in meeting.countries.all()} == {"CN", "FR"}
    Participation.objects.create(
        meeting=meeting, official=make_official(country="DE"), role="participant"
    )
    assert {c.code for c in meeting.countries.all()} == {"CN", "FR", "DE"}
    meeting.participations.filter(official=fr).delete()
    assert {c.code for c in meeting.countries.all()} == {"CN", "DE"}
    assert set(Meeting.objects.involving(make_country("DE"))) == {meeting}


def test_body_is_rendered_to_sanitised_html_on_save():
    meeting = make_meeting(
        body="**Talks** on [CPEC](https://example.org) <script>alert(1)</script>"
    )
    assert "<strong>Talks</strong>" in meeting.body_html
    assert 'href="https://example.org"' in meeting.body_html
    assert "<script" not in meeting.body_html


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](javascript:alert(1))",
        "![x](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "<iframe src='https://evil.example'></iframe>",
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        "<svg><script>alert(1)</script></svg>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_markdown_tricks_are_stripped(markdown):
    html = render_markdown(markdown)
    for danger in ["javascript:", "onerror", "<iframe", "data:text", "<script", "<svg", "style="]:
        assert danger not in html


@pytest.mark.parametrize(
    "text",
    [
        "Plain prose.",
        "First paragraph, with a comma; and a colon: here.\n\nSecond paragraph.",
        "It's “quoted” and 'single' and \"double\" - with dashes – and — more.",
        "Deputy Prime Minister/Foreign Minister and 15th Five-Year Plan (2026-2030) at 5%.",
        "Line one\nline two in the same paragraph.",
        "Ünïcödé names: Liu Haixing 刘海星 and Ağaoğlu.",
        "Visit http://example.org today.",
        "Trailing blank lines.\n\n\n",
        "Three\n\n\nnewlines between.",
        "1. Starts like a list",
        "- a bullet",
        "A line\n===",
        "Has *emphasis* and _under_ and `code`.",
        "Ampersand & angle <b>bold</b>.",
        "Two spaces  inside and trailing  ",
        "A\ttab",
        "Windows\r\nline ends",
        "# Heading",
        "Term\n: definition",
    ],
)
def test_the_prose_fast_path_renders_exactly_as_markdown_does(text):
    import markdown
    import nh3

    from engagements import markup

    slow = nh3.clean(
        markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html"),
        tags=markup._ALLOWED_TAGS,
        attributes=markup._ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    assert render_markdown(text) == slow


def test_dates_outside_four_digit_years_are_refused_by_the_database():
    meeting = make_meeting()
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(date=dt.date(225, 11, 11))


def test_every_meeting_gets_a_stable_external_id():
    a, b = make_meeting(), make_meeting()
    assert a.external_id.startswith("ea-") and a.external_id != b.external_id
    old = a.external_id
    a.title = "Renamed"
    a.save()
    a.refresh_from_db()
    assert a.external_id == old


def test_deleting_a_meeting_does_not_refresh_it_once_per_participant(
    django_assert_max_num_queries,
):
    people = [(make_official(country="PK"), "participant", "") for _ in range(30)]
    meeting = make_meeting(participants=people)
    # The delete itself (its accounts' topics and titles too), the cache's version, taking
    # back its facet counts and noting its withdrawal for harvesters: a fixed few (one more
    # on PostgreSQL).
    with django_assert_max_num_queries(23):
        meeting.delete()
    assert not Participation.objects.exists()


def test_addresses_built_from_the_index_agree_with_reverse():
    from django.urls import reverse, set_script_prefix

    from engagements.models.addresses import index_path

    meeting = make_meeting("Talks in Beijing", date=dt.date(2025, 1, 2))
    official = make_official("Liu Haixing")
    topics = [make_topic(name) for name in ("一带一路", "CPEC 2.0", "Türkiye ties")]
    cases = [
        (Country.for_code("cn"), "engagements:country-detail", [Country.for_code("cn").code]),
        (official, "engagements:official-detail", [official.slug]),
        *((topic, "engagements:topic-detail", [topic.slug]) for topic in topics),
    ]
    # Under a script prefix (the site served below /archive/) too: the index is per prefix.
    for prefix in ("/", "/archive/"):
        set_script_prefix(prefix)
        try:
            for record, name, args in cases:
                assert record.get_absolute_url() == reverse(name, args=args)
            assert meeting.get_absolute_url() == reverse(
                "engagements:meeting-detail",
                kwargs={"year": "2025", "month": "01", "day": "02", "slug": meeting.slug},
            )
            # The activity chart's bars: the year's and the month's archive (stats.py).
            archive = index_path("engagements:meeting-list")
            assert f"{archive}2025/" == reverse("engagements:meeting-year", args=[2025])
            assert f"{archive}2025/01/" == reverse("engagements:meeting-month", args=[2025, 1])
        finally:
            set_script_prefix("/")
    assert topics[0].get_absolute_url().startswith("/topics/%E4%B8%80")


def test_among_selects_as_in_does_with_one_parameter():
    from engagements.models.lookups import Among

    envoy = make_official("Among Envoy")
    meetings = [make_meeting(f"Among {n}") for n in range(4)]
    meetings.append(make_meeting("Among 4", participants=[(envoy, "envoy", "")]))
    wanted = [meetings[0].pk, meetings[3].pk, 10**9]  # one no readout has
    assert list(Meeting.objects.filter(Among("id", wanted)).order_by("id")) == [
        meetings[0],
        meetings[3],
    ]
    assert not Meeting.objects.filter(Among("id", [])).exists()
    # Through a relation, and however many values: one parameter.
    many = [*range(10**6, 10**6 + 5_000), meetings[4].pk]
    people = Participation.objects.filter(Among("meeting__id", many)).values_list(
        "official__name", flat=True
    )
    assert list(people) == ["Among Envoy"]
    _sql, params = people.query.sql_with_params()
    assert len(params) <= 2  # the values, and what the query held before (not 5,001)
