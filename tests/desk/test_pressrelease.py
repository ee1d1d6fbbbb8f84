"""propose(): a pasted press release becomes a proposed draft readout, read-only and robust.

The seed readout, then one realistic release per shape (telephone call, delegation visit,
joint statement, no dateline, non-English names, "received"), year inference, hostile
input, and proof that nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import make_meeting, make_official, make_topic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagements.desk.pressrelease import MAX_TEXT_CHARS, Proposal, propose
from engagements.models import Country, Meeting, Official, Topic

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# The first real readout's text (its facts are in fixtures/SOURCES.md).
SEED_PATH = ROOT / "tests" / "data" / "readout-2025-11-11-pakistan-idcpc.txt"
# The seed's topics named by the seed text: by name, by alias or in a possessive ("5E's
# framework"). "party-to-party exchanges" is not: the text says "exchanges between
# political parties".
SEED_TOPICS_NAMED = {
    "CPEC 2.0",
    "5E framework",
    "Uraan Pakistan",
    "15th Five-Year Plan",
    "youth exchanges",
    "think-tank cooperation",
    "people-to-people connectivity",
    "industrial cooperation",
    "agriculture",
    "digital technology",
    "green development",
    "institutional linkages",
    "anniversary of diplomatic relations",
}


def seed_fixture_topics() -> dict[str, str]:
    """Topic name → aliases, as fixtures/seed.json gives them."""
    records = json.loads((ROOT / "fixtures" / "seed.json").read_text(encoding="utf-8"))
    return {
        record["fields"]["name"]: record["fields"].get("aliases", "")
        for record in records
        if record["model"] == "engagements.topic"
    }


TELEPHONE_CALL = """\
ISLAMABAD, March 3 (APP): Deputy Prime Minister and Foreign Minister Senator Mohammad \
Ishaq Dar held a telephone conversation with Chinese Foreign Minister Wang Yi today.

The two foreign ministers reviewed progress on CPEC 2.0 and exchanged views on the \
regional situation. They agreed to remain in close contact.
"""

DELEGATION_VISIT = """\
Bangladeshi delegation visits the Ministry of Foreign Affairs

ISLAMABAD, 14 May 2025 (Radio Pakistan) – A delegation led by Mr. Kamal Uddin Ahmed, \
Director General (South Asia) of the Ministry of Foreign Affairs of Bangladesh, called on \
Foreign Secretary Amna Baloch at the Ministry of Foreign Affairs today.

The delegation included Ms. Farhana Rahman, Director (SAARC), and Dr. Tanvir Hossain of the \
Bangladesh Institute of International and Strategic Studies. Ambassador Khalil Hashmi also \
attended the meeting.

Both sides discussed trade, connectivity and people-to-people connectivity. Foreign \
Secretary Amna Baloch said Pakistan valued its ties with Bangladesh.
"""

JOINT_STATEMENT = """\
Joint Statement between the Islamic Republic of Pakistan and the People's Republic of China

BEIJING, 8 February 2025 (Xinhua) — At the invitation of President Xi Jinping, President \
Asif Ali Zardari paid a state visit to China from 4 to 8 February 2025.

The two leaders recalled their telephone conversation of last year and held \
delegation-level talks in a cordial atmosphere. Several MoUs were signed.

The two sides agreed that CPEC 2.0 will focus on growth, livelihoods, innovation, green \
development and openness.
"""

NO_DATELINE_NO_DATE = """\
Pakistan and Uzbekistan agree to expand rail links

The two sides held talks on the Trans-Afghan railway and regional connectivity. They \
agreed to meet again soon.
"""

RECEIVED_WITH_DIACRITICS = """\
HANOI, 20 May 2025 (VNA) – Deputy Prime Minister Nguyễn Văn A received Russian Foreign \
Minister Сергей Лавров at the Government Headquarters.

The two sides held talks on energy cooperation and education.
"""

CHINESE_SCRIPT = """\
BEIJING, 2 June 2025 – Minister 刘海星 met a delegation of the Pakistan Peoples Party led \
by Pakistani Senator Sherry Rehman.

Minister Liu Haixing (刘海星) said the IDCPC valued party-to-party exchanges with Pakistan.
"""


@pytest.fixture
def seed_archive(db):
    """The archive the seed is read against: its two officials, countries and topics."""
    hashmi = make_official("Khalil Hashmi", country="PK")
    liu = make_official("Liu Haixing", country="CN", aliases="刘海星")
    topics = {
        name: make_topic(name, aliases=aliases) for name, aliases in seed_fixture_topics().items()
    }
    assert set(topics) >= SEED_TOPICS_NAMED  # the fixture still holds what the text names
    cpec = topics["CPEC 2.0"]
    cpec.aliases = "\n".join(filter(None, [cpec.aliases, "China-Pakistan Economic Corridor"]))
    cpec.save()
    topics["climate finance"] = make_topic("climate finance")
    return {"hashmi": hashmi, "liu": liu, "topics": topics}


def assert_well_formed(proposal: Proposal) -> None:
    """What every proposal satisfies, and proof that the reader did not fall over."""
    assert isinstance(proposal, Proposal)
    assert not has_note(proposal, "could not be read automatically"), proposal.notes
    assert proposal.title and len(proposal.title) <= 300
    assert len(proposal.summary) <= 400
    assert "\x00" not in proposal.body + proposal.title + proposal.summary
    assert proposal.kind in Meeting.Kind.values
    assert proposal.location_country_code == "" or len(proposal.location_country_code) == 2
    assert len(proposal.participants) <= 40
    for participant in proposal.participants:
        assert participant.role in {"envoy", "counterpart", "participant"}
        assert participant.name and len(participant.title) <= 300
        assert participant.country_code == "" or participant.country_code.isupper()
    assert [p.role for p in proposal.participants].count("envoy") <= 1


def by_name(proposal: Proposal) -> dict:
    return {p.name: p for p in proposal.participants}


def has_note(proposal: Proposal, *words: str) -> bool:
    return any(all(w.lower() in note.lower() for w in words) for note in proposal.notes)


# --- The seed ---------------------------------------------------------------------------


def test_the_seed_release_gives_the_seed_readout(seed_archive, django_assert_max_num_queries):
    text = SEED_PATH.read_text(encoding="utf-8")
    with django_assert_max_num_queries(5):
        proposal = propose(text, today=dt.date(2026, 11, 27))

    assert proposal.date == dt.date(2025, 11, 11)
    assert proposal.published == dt.date(2025, 11, 11)
    assert (proposal.city, proposal.location_country_code) == ("Beijing", "CN")
    assert proposal.publisher == "DNA"
    assert proposal.kind == Meeting.Kind.COURTESY_CALL
    # The title describes the meeting; the headline is offered in a note.
    assert proposal.title == "Khalil Hashmi pays courtesy call on Liu Haixing"
    assert has_note(proposal, "headline", "Ambassador of Pakistan pays courtesy call")

    envoy, counterpart = proposal.participants
    assert envoy.official == seed_archive["hashmi"]
    assert (envoy.name, envoy.role, envoy.country_code) == ("Khalil Hashmi", "envoy", "PK")
    assert envoy.title == "Ambassador of Pakistan to China"
    assert counterpart.official == seed_archive["liu"]
    assert (counterpart.role, counterpart.country_code) == ("counterpart", "CN")
    assert counterpart.title.startswith("Minister of the International Department")
    assert counterpart.title.endswith("Communist Party of China (IDCPC)")

    names = [topic.name for topic in proposal.topics]
    assert set(names) >= SEED_TOPICS_NAMED
    assert len(names) == len(set(names))
    assert "climate finance" not in names
    assert "party-to-party exchanges" not in names
    assert names.index("CPEC 2.0") < names.index("Uraan Pakistan")  # order of first mention

    # The metadata line and the dateline/headline are not part of the body.
    assert proposal.body.startswith("The Ambassador of Pakistan to China, H.E. Khalil Hashmi")
    assert "date 2025-11-11" not in proposal.body and "/DNA/" not in proposal.body
    assert proposal.body.count("\n\n") == 5  # six paragraphs
    assert proposal.body.endswith("managing international political exchanges.")
    assert proposal.summary.startswith("The Ambassador of Pakistan to China")
    assert "congratulated the Minister" in proposal.summary  # two sentences fit
    assert len(proposal.summary) <= 400
    # Nothing here needs the editor's attention but the absence of a URL.
    assert not has_note(proposal, "year"), proposal.notes


def test_the_seed_without_its_metadata_line_takes_the_year_only_when_recent(seed_archive):
    text = SEED_PATH.read_text(encoding="utf-8").replace("date 2025-11-11", "", 1)
    # Pasted the next day, "NOV 11" is this year's, with a note.
    proposal = propose(text, today=dt.date(2025, 11, 12))
    assert proposal.date == dt.date(2025, 11, 11)
    assert has_note(proposal, "year", "2025", "recent")
    # Pasted weeks later, the year is asked for, not guessed.
    proposal = propose(text, today=dt.date(2026, 1, 20))
    assert proposal.date is None
    assert has_note(proposal, "NOV 11", "without a year")


# --- Shapes of release --------------------------------------------------------------------


def test_a_telephone_call_has_no_venue_and_an_unknown_counterpart_is_proposed(db):
    dar = make_official("Ishaq Dar", country="PK")
    make_topic("CPEC 2.0")
    proposal = propose(
        TELEPHONE_CALL, url="https://www.app.com.pk/national/2024/03/dar-wang-yi-call/"
    )

    assert proposal.kind == Meeting.Kind.TELEPHONE_CALL
    assert (proposal.city, proposal.location_country_code) == ("", "")
    assert has_note(proposal, "telephone call has no venue", "Islamabad")
    assert proposal.publisher == "APP"
    assert proposal.url == "https://www.app.com.pk/national/2024/03/dar-wang-yi-call/"
    assert proposal.date == dt.date(2024, 3, 3)  # the year from the URL
    assert has_note(proposal, "2024", "address")

    envoy, counterpart = proposal.participants
    assert envoy.official == dar and envoy.role == "envoy"
    assert envoy.name == "Ishaq Dar"  # the known official, not "Mohammad Ishaq Dar" anew
    assert envoy.title == "Deputy Prime Minister and Foreign Minister"
    assert counterpart.official is None
    assert (counterpart.name, counterpart.title) == ("Wang Yi", "Foreign Minister")
    assert (counterpart.country_code, counterpart.role) == ("CN", "counterpart")
    assert has_note(proposal, "Wang Yi", "not in the archive")
    assert [t.name for t in proposal.topics] == ["CPEC 2.0"]
    # No headline: the title is made from the people and the kind.
    assert proposal.title == "Ishaq Dar holds telephone call with Wang Yi"
    assert proposal.summary.startswith("Deputy Prime Minister and Foreign Minister")


def test_a_counterpart_known_only_by_an_alias_in_chinese_script(db):
    make_official("Ishaq Dar", country="PK")
    wang = make_official("Wang Yi", country="CN", aliases="王毅")
    text = TELEPHONE_CALL.replace("Chinese Foreign Minister Wang Yi", "Foreign Minister 王毅")
    proposal = propose(text, today=dt.date(2025, 3, 5))
    counterpart = by_name(proposal)["王毅"]
    assert counterpart.official == wang
    assert (counterpart.role, counterpart.country_code) == ("counterpart", "CN")
    assert counterpart.title == "Foreign Minister"
    assert proposal.date == dt.date(2025, 3, 3)  # 3 March two days before `today`
    assert proposal.title == "Ishaq Dar holds telephone call with Wang Yi"


def test_a_delegation_visit_lists_everyone_and_guesses_a_new_persons_country(db):
    baloch = make_official("Amna Baloch", country="PK")
    hashmi = make_official("Khalil Hashmi", country="PK")
    make_topic("people-to-people connectivity")
    make_topic("trade")
    proposal = propose(DELEGATION_VISIT)

    assert proposal.kind == Meeting.Kind.DELEGATION_VISIT
    assert proposal.title == "Kamal Uddin Ahmed leads delegation to meet Amna Baloch"
    assert has_note(proposal, "Bangladeshi delegation visits the Ministry of Foreign Affairs")
    assert proposal.date == dt.date(2025, 5, 14)
    assert (proposal.city, proposal.location_country_code) == ("Islamabad", "PK")
    assert proposal.publisher == "Radio Pakistan"
    assert proposal.body.startswith("A delegation led by Mr. Kamal Uddin Ahmed")

    people = by_name(proposal)
    assert list(people) == [
        "Kamal Uddin Ahmed",
        "Amna Baloch",
        "Farhana Rahman",
        "Tanvir Hossain",
        "Khalil Hashmi",
    ]
    leader = people["Kamal Uddin Ahmed"]
    assert (leader.official, leader.role, leader.country_code) == (None, "envoy", "BD")
    assert leader.title == (
        "Director General (South Asia) of the Ministry of Foreign Affairs of Bangladesh"
    )
    host = people["Amna Baloch"]
    assert (host.official, host.role, host.title) == (baloch, "counterpart", "Foreign Secretary")
    assert people["Farhana Rahman"].title == "Director (SAARC)"
    assert people["Khalil Hashmi"].official == hashmi
    assert people["Khalil Hashmi"].title == "Ambassador"
    assert {p.role for p in proposal.participants[2:]} == {"participant"}
    assert has_note(proposal, "Farhana Rahman", "country")
    assert [t.name for t in proposal.topics] == ["trade", "people-to-people connectivity"]


def test_a_joint_statement_is_the_visit_it_closes(db):
    zardari = make_official("Asif Ali Zardari", country="PK")
    xi = make_official("Xi Jinping", country="CN", aliases="习近平")
    proposal = propose(JOINT_STATEMENT)

    # The body also mentions a telephone conversation, a delegation and MoUs signed.
    assert proposal.kind == Meeting.Kind.STATE_VISIT
    assert proposal.title == "Asif Ali Zardari meets Xi Jinping during state visit"
    assert has_note(proposal, "Joint Statement between the Islamic Republic of Pakistan")
    assert proposal.date == dt.date(2025, 2, 8)
    assert (proposal.city, proposal.location_country_code) == ("Beijing", "CN")
    assert proposal.publisher == "Xinhua"
    envoy, counterpart = proposal.participants
    # "At the invitation of President Xi, President Zardari paid a state visit": the
    # visitor is the envoy although the host is named first.
    assert (envoy.official, envoy.title) == (zardari, "President")
    assert (counterpart.official, counterpart.title) == (xi, "President")


def test_a_release_without_dateline_or_date(db):
    proposal = propose(NO_DATELINE_NO_DATE)
    assert proposal.date is None and proposal.published is None
    assert has_note(proposal, "No date found")
    assert proposal.title == "Pakistan and Uzbekistan agree to expand rail links"
    assert (proposal.city, proposal.location_country_code) == ("", "")
    assert has_note(proposal, "No place found")
    assert proposal.kind == Meeting.Kind.BILATERAL_MEETING
    assert proposal.participants == []
    assert has_note(proposal, "No participants")
    assert proposal.publisher == "" and has_note(proposal, "No publisher")
    assert proposal.body.startswith("The two sides held talks")
    assert proposal.summary == proposal.body


def test_received_swaps_the_roles_and_names_keep_their_diacritics_and_script(db):
    nguyen = make_official("Nguyễn Văn A", country="VN")
    lavrov = make_official("Sergey Lavrov", country="RU", aliases="Сергей Лавров\nS. Lavrov")
    proposal = propose(RECEIVED_WITH_DIACRITICS)
    envoy, counterpart = proposal.participants
    assert (envoy.official, envoy.name, envoy.role) == (lavrov, "Сергей Лавров", "envoy")
    assert envoy.title == "Foreign Minister"
    assert (counterpart.official, counterpart.name) == (nguyen, "Nguyễn Văn A")
    assert (counterpart.role, counterpart.title) == ("counterpart", "Deputy Prime Minister")
    assert (proposal.city, proposal.location_country_code) == ("Hanoi", "VN")
    assert proposal.kind == Meeting.Kind.BILATERAL_MEETING
    assert proposal.title == "Sergey Lavrov holds talks with Nguyễn Văn A"


def test_an_official_named_in_chinese_script_and_in_english_is_listed_once(db):
    liu = make_official("Liu Haixing", country="CN", aliases="刘海星")
    make_topic("party-to-party exchanges")
    proposal = propose(CHINESE_SCRIPT)
    # The delegation's leader is the envoy; the minister receiving it, the counterpart.
    assert [p.name for p in proposal.participants] == ["Sherry Rehman", "刘海星"]
    senator, minister = proposal.participants
    assert (minister.official, minister.role, minister.title) == (liu, "counterpart", "Minister")
    assert (senator.official, senator.role) == (None, "envoy")
    assert (senator.title, senator.country_code) == ("Senator", "PK")
    assert [t.name for t in proposal.topics] == ["party-to-party exchanges"]


STATE_DEPARTMENT_READOUT = """\
Secretary Blinken’s Call with Chinese Foreign Minister Wang Yi

READOUT
OFFICE OF THE SPOKESPERSON
January 27, 2024

The below is attributable to Spokesperson Matthew Miller:

Secretary of State Antony J. Blinken spoke today with People’s Republic of China (PRC) \
Foreign Minister Wang Yi. The Secretary raised concerns about the situation in the Red Sea.
"""

FOREIGN_MINISTRY_STYLE = """\
Wang Yi Holds Talks with Pakistani Foreign Minister Ishaq Dar
2025-05-21

On May 21, 2025, Member of the Political Bureau of the CPC Central Committee and Foreign \
Minister Wang Yi held talks with Pakistani Deputy Prime Minister and Foreign Minister Ishaq \
Dar in Beijing.
"""

AGENCY_STYLE = """\
KABUL, Feb 5 (Pajhwok): Afghanistan's acting foreign minister Amir Khan Muttaqi met with \
Pakistan's Special Representative for Afghanistan Mohammad Sadiq in Kabul on Wednesday.
"""


def test_a_us_readout_with_label_and_date_lines(db):
    blinken = make_official("Antony Blinken", country="US")
    proposal = propose(STATE_DEPARTMENT_READOUT)
    assert proposal.title == "Antony Blinken holds telephone call with Wang Yi"
    assert has_note(proposal, "Secretary Blinken’s Call with Chinese Foreign Minister Wang Yi")
    assert proposal.date == proposal.published == dt.date(2024, 1, 27)
    assert proposal.kind == Meeting.Kind.TELEPHONE_CALL  # "Call with" in the headline
    assert proposal.body.startswith("Secretary of State Antony J. Blinken spoke today")
    assert proposal.summary.startswith("Secretary of State Antony J. Blinken")
    envoy, counterpart = proposal.participants
    # The known "Antony Blinken" is found under "Antony J. Blinken".
    assert (envoy.official, envoy.name, envoy.title) == (
        blinken,
        "Antony J. Blinken",
        "Secretary of State",
    )
    assert (counterpart.name, counterpart.title, counterpart.country_code) == (
        "Wang Yi",
        "Foreign Minister",
        "CN",  # from the words before the office: "China (PRC)"
    )


def test_offices_with_objects_and_titles_from_the_body_not_the_headline(db):
    wang = make_official("Wang Yi", country="CN")
    dar = make_official("Ishaq Dar", country="PK")
    proposal = propose(FOREIGN_MINISTRY_STYLE)
    assert proposal.date == dt.date(2025, 5, 21) and not has_note(proposal, "date")
    assert (proposal.city, proposal.location_country_code) == ("Beijing", "CN")
    people = by_name(proposal)
    # Talks in Beijing: the Chinese minister hosts, the visitor is the envoy.
    assert people["Wang Yi"].official == wang and people["Wang Yi"].role == "counterpart"
    assert people["Wang Yi"].title == (
        "Member of the Political Bureau of the CPC Central Committee and Foreign Minister"
    )
    assert people["Ishaq Dar"].official == dar and people["Ishaq Dar"].role == "envoy"
    # The headline says "Foreign Minister"; the body gives the whole office.
    assert people["Ishaq Dar"].title == "Deputy Prime Minister and Foreign Minister"


def test_lower_case_offices_and_offices_for_a_country(db):
    proposal = propose(AGENCY_STYLE, today=dt.date(2025, 2, 7))
    # A meeting in Kabul: the Afghan minister hosts the Pakistani envoy.
    envoy, counterpart = proposal.participants
    assert (counterpart.name, counterpart.title, counterpart.country_code) == (
        "Amir Khan Muttaqi",
        "acting foreign minister",
        "AF",
    )
    assert (envoy.name, envoy.title, envoy.country_code) == (
        "Mohammad Sadiq",
        "Special Representative for Afghanistan",
        "PK",
    )
    assert proposal.date == dt.date(2025, 2, 5) and proposal.publisher == "Pajhwok"


# --- Datelines and dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opening", "city", "country", "date", "publisher"),
    [
        ("BEIJING, NOV 11 /DNA/ – ", "Beijing", "CN", dt.date(2025, 11, 11), "DNA"),
        ("ISLAMABAD, March 3 (APP): ", "Islamabad", "PK", dt.date(2025, 3, 3), "APP"),
        ("Beijing, 11 November 2025 — ", "Beijing", "CN", dt.date(2025, 11, 11), ""),
        ("WASHINGTON — ", "Washington", "US", None, ""),
        ("WASHINGTON, D.C., Dec. 1 (AP) -- ", "Washington", "US", dt.date(2025, 12, 1), "AP"),
        ("NEW DELHI, Jan. 5, 2024 (PTI) - ", "New Delhi", "IN", dt.date(2024, 1, 5), "PTI"),
        ("ABU DHABI, 11th of March 2024 (WAM) – ", "Abu Dhabi", "AE", dt.date(2024, 3, 11), "WAM"),
        ("KABUL, 2024-07-09 – ", "Kabul", "AF", dt.date(2024, 7, 9), ""),
        ("TORONTO, May 4 – ", "Toronto", "CA", dt.date(2025, 5, 4), ""),  # from GeoNames
        ("LOWER SNODSBURY, 4 May 2025 – ", "Lower Snodsbury", "", dt.date(2025, 5, 4), ""),
    ],
)
def test_datelines(db, opening, city, country, date, publisher):
    text = f"{opening}The two sides held talks on trade and investment in the capital.\n"
    # Pasted a few days after the release: a year-less dateline is this year's.
    today = (date or dt.date(2025, 12, 28)) + dt.timedelta(days=3)
    proposal = propose(text, today=today)
    assert (proposal.city, proposal.location_country_code) == (city, country)
    assert proposal.date == date
    assert proposal.publisher == publisher
    assert proposal.body == "The two sides held talks on trade and investment in the capital."
    if not country:
        assert has_note(proposal, "country of Lower Snodsbury")


def test_a_year_less_dateline_long_past_asks_for_the_year(db):
    text = "ISLAMABAD, March 3 (APP): The two sides held talks on trade and investment.\n"
    proposal = propose(text, today=dt.date(2025, 12, 31))
    assert proposal.date is None
    assert has_note(proposal, "March 3", "without a year", "enter the date")


def test_a_headline_above_the_dateline(db):
    text = (
        "Pakistan, Türkiye hold political consultations\n\n"
        "ANKARA, 12 September 2024 (APP): The fifth round of bilateral political "
        "consultations was held in Ankara.\n\nBoth sides reviewed relations."
    )
    proposal = propose(text)
    assert proposal.title == "Pakistan, Türkiye hold political consultations"
    assert (proposal.city, proposal.location_country_code) == ("Ankara", "TR")
    assert proposal.date == dt.date(2024, 9, 12)
    assert proposal.kind == Meeting.Kind.CONSULTATIONS
    assert proposal.body.startswith("The fifth round of bilateral political consultations")


def test_labels_and_a_written_date_line_above_the_release_are_metadata(db):
    text = (
        "PRESS RELEASE\nNo. 412/2025\nDate: 11 November 2025\n"
        "Pakistan’s Ambassador calls on the Minister\n\n"
        "The Prime Minister’s Special Assistant, Dr. Ayesha Khan, and Pakistan’s Ambassador, "
        "Mr. Khalil Hashmi, met officials in Beijing."
    )
    proposal = propose(text, today=dt.date(2030, 1, 1))
    assert has_note(proposal, "Pakistan’s Ambassador calls on the Minister")
    assert proposal.date == proposal.published == dt.date(2025, 11, 11)
    assert not has_note(proposal, "date")  # the metadata line is not a guess
    assert proposal.body.startswith("The Prime Minister’s Special Assistant")
    people = by_name(proposal)
    # A country's possessive gives the country; another possessive stays in the title.
    assert people["Ayesha Khan"].title == "Prime Minister’s Special Assistant"
    assert (people["Khalil Hashmi"].title, people["Khalil Hashmi"].country_code) == (
        "Ambassador",
        "PK",
    )


def test_the_year_comes_from_another_date_in_the_text(db):
    text = (
        "NEW DELHI, Jan. 5 (PTI) - The foreign secretaries met today. The next round will be "
        "held in Islamabad on 12 March 2024."
    )
    proposal = propose(text, url="https://example.org/2019/01/old/", today=dt.date(2030, 1, 1))
    assert proposal.date == dt.date(2024, 1, 5)  # the text outranks the URL and today
    assert has_note(proposal, "2024", "12 March 2024")


def test_a_year_less_date_near_new_year_takes_the_nearest_year(db):
    text = "MOSCOW, Dec 30 — The two ministers met in Moscow."
    assert propose(text, today=dt.date(2026, 1, 5)).date == dt.date(2025, 12, 30)
    assert propose(text, url="https://e.org/news/2021/01/x").date == dt.date(2020, 12, 30)


def test_a_date_only_in_the_body_and_yesterday(db):
    body_dated = propose("On 5 March 2024, the two sides held talks in Beijing on trade.")
    assert body_dated.date == dt.date(2024, 3, 5)
    assert (body_dated.city, body_dated.location_country_code) == ("Beijing", "CN")
    assert has_note(body_dated, "read from the text", "5 March 2024")

    yesterday = propose("DOHA, 3 June 2025 (QNA) – The Emir received the envoy yesterday.")
    assert (yesterday.date, yesterday.published) == (dt.date(2025, 6, 2), dt.date(2025, 6, 3))
    assert has_note(yesterday, "yesterday")


def test_city_country_comes_from_the_archive_before_the_builtin_table(db):
    make_meeting(city="Xiamen", location="CN")
    make_meeting(city="Santiago", location="ES")
    make_meeting(city="Santiago", location="ES")
    make_meeting(city="Santiago", location="CL")
    assert propose("XIAMEN, 11 Nov 2025 — Talks were held.").location_country_code == "CN"
    assert propose("SANTIAGO, 11 Nov 2025 — Talks were held.").location_country_code == "ES"


def test_publisher_from_the_archive_sources_of_the_same_site_else_the_host(db):
    make_meeting(
        sources=[
            {"url": "https://www.mofa.gov.pk/press/1", "publisher": "Ministry of Foreign Affairs"}
        ]
    )
    text = "The Foreign Minister met the Ambassador of Japan on 3 March 2025."
    known_site = propose(text, url="https://mofa.gov.pk/press/2025/03/3")
    assert known_site.publisher == "Ministry of Foreign Affairs"
    other_site = propose(text, url="https://www.example.org/a")
    assert other_site.publisher == "example.org"
    assert has_note(other_site, "publisher", "example.org")
    # A look-alike host is not the same site.
    assert propose(text, url="https://mofa.gov.pk.evil.test/x").publisher == "mofa.gov.pk.evil.test"


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("The Ambassador paid a courtesy call on the Minister.", "courtesy call"),
        ("The two leaders spoke over the phone.", "telephone call"),
        ("The ministers met via video link.", "video conference"),
        ("The President arrived on a state visit.", "state visit"),
        ("The Premier is on an official visit.", "official visit"),
        ("A delegation of the Senate called at the Embassy.", "delegation visit"),
        ("The two sides signed an MoU on agriculture.", "signing ceremony"),
        ("The Minister hosted a working lunch for the envoy.", "working lunch"),
        ("Consultations were held in Geneva.", "consultations"),
        ("The leaders attended the summit.", "summit"),
        ("The two ministers held talks.", "bilateral meeting"),
        ("The Foreign Minister met the Ambassador.", "meeting"),
        ("The Foreign Minister held talks with the Ambassador.", "bilateral meeting"),
        ("The Ambassador conveyed greetings.", "meeting"),
    ],
)
def test_kinds(db, sentence, kind):
    assert propose(f"PARIS, 2 May 2025 – {sentence}").kind == kind


def test_the_headline_decides_the_kind_before_the_body(db):
    text = "Ambassador pays courtesy call on the Minister\n\nThe two sides signed an MoU."
    assert propose(text).kind == Meeting.Kind.COURTESY_CALL


def test_topics_match_whole_words_by_name_or_alias_once_each(db):
    make_topic("trade")
    make_topic("CPEC 2.0", aliases="China-Pakistan Economic Corridor\n中巴经济走廊")
    make_topic("Belt and Road Initiative", aliases="BRI")
    text = (
        "They discussed trade, the China-Pakistan Economic Corridor, CPEC 2.0 and "
        "中巴经济走廊建设. "
        "Traders and a tradeshow do not count; nor does BRIDGE."
    )
    assert [t.name for t in propose(text).topics] == ["trade", "CPEC 2.0"]


def test_topics_match_their_close_variants(db):
    make_topic("party-to-party exchanges")
    make_topic("Shanghai Cooperation Organisation", aliases="SCO")
    make_topic("defence cooperation")
    text = (
        "The two sides agreed to deepen party-to-party exchange, discussed the Shanghai "
        "Cooperation Organization and defense cooperation."
    )
    assert [t.name for t in propose(text).topics] == [
        "party-to-party exchanges",
        "Shanghai Cooperation Organisation",
        "defence cooperation",
    ]


def test_subjects_without_a_topic_are_offered_as_new_topics_not_created(db):
    make_topic("trade")
    text = (
        "BEIJING, 2 June 2025 (Xinhua) -- Foreign Minister Wang Yi met Pakistani Foreign "
        "Minister Ishaq Dar. They discussed the Global Development Initiative (GDI), trade and "
        "cooperation in the fields of agriculture, mining and green energy."
    )
    proposal = propose(text)
    assert [t.name for t in proposal.topics] == ["trade"]
    assert proposal.new_topics[:1] == ["Global Development Initiative"]
    assert {"agriculture", "mining", "green energy"} <= set(proposal.new_topics)
    assert "trade" not in proposal.new_topics
    assert has_note(proposal, "no topic for", "Global Development Initiative")
    assert Topic.objects.count() == 1  # offered, not created


def test_a_large_vocabulary_of_topics_is_queried_not_loaded(db, django_assert_max_num_queries):
    Topic.objects.bulk_create(Topic(name=f"subject {n}", slug=f"subject-{n}") for n in range(2001))
    make_topic("green development")
    make_topic("youth exchanges")
    # The seed has some 1,100 distinct phrases (more than the 999 parameters old SQLite
    # allowed): all are sent in one query.
    with django_assert_max_num_queries(6):
        proposal = propose(SEED_PATH.read_text(encoding="utf-8"))
    assert [t.name for t in proposal.topics] == ["green development", "youth exchanges"]


# --- Hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t  ",
        "\x00",
        "BEIJING\x00, NOV 11 /DNA/ – Head\x00line\n\nBody \x00text.",
        "".join(map(chr, range(0, 0x300))),
        b"\xff\xfe\x00binary\x80junk".decode("utf-8", "surrogateescape"),
        "<script>alert(1)</script><b>BEIJING</b>, NOV 11 – <img src=x onerror=alert(1)>",
        "date 9999-99-99\n31 February 2025 and 29 Feb and 0 March 0000-00-00",
        "H.E. " * 5000,
        "Mr. " + "A" * 100_000,
        ",,,,––––////(((())))" * 1000,
        "\u202e\u200b\ufeff刘海星" * 1000,
        "\n" * 50_000,
        # Only Chinese: a release the model cannot read as English.
        "新华社北京11月11日电 中共中央对外联络部部长刘海星11日在北京会见巴基斯坦驻华大使哈希米。",
        # No names at all, and names everywhere.
        "The two sides met and discussed cooperation. They agreed to meet again soon. " * 200,
        ("Minister Wang Yi met Minister Ishaq Dar and President Xi Jinping. " * 400),
    ],
)
def test_hostile_text_never_raises(db, text):
    make_official("Liu Haixing", country="CN", aliases="刘海星")
    assert_well_formed(propose(text, url="https://example.org/x"))


# Pieces of real releases, shuffled with noise: the reader must cope with any mixture.
FRAGMENTS = [
    "BEIJING, NOV 11 /DNA/ – ",
    "ISLAMABAD, March 3 (APP): ",
    "WASHINGTON — ",
    "date 2025-11-11 ",
    "H.E. Mr. ",
    "The Ambassador of Pakistan to China, ",
    "Foreign Minister ",
    "President of ",
    "Khalil Hashmi",
    "Liu Haixing",
    "刘海星",
    "Nguyễn Văn A",
    " received ",
    " met ",
    " paid a courtesy call on ",
    "11 November 2025",
    "Feb 29",
    "CPEC 2.0",
    ", ",
    ". ",
    "\n",
    "\n\n",
    "(",
    ")",
    "/",
    "’s ",
    "J. ",
]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(
    pieces=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40),
    url=st.one_of(st.just(""), st.text(max_size=30), st.just("https://example.org/2024/03/x")),
)
def test_any_mixture_of_release_pieces_is_read(seed_archive, pieces, url):
    assert_well_formed(propose("".join(pieces), url=url, today=dt.date(2025, 12, 31)))


def test_empty_text_gives_an_untitled_proposal_with_notes(db):
    proposal = propose("")
    assert proposal.title == "Untitled readout"
    assert proposal.body == "" and proposal.date is None
    assert has_note(proposal, "empty") and has_note(proposal, "No date found")


def test_nul_bytes_are_removed_with_a_note(db):
    proposal = propose("BEIJING, NOV 11 /DNA/ – Head\x00line\n\nThe Minister\x00 met the envoy.")
    assert proposal.title == "Headline" and proposal.body == "The Minister met the envoy."
    assert has_note(proposal, "control characters")


def test_html_is_returned_as_text(db):
    proposal = propose("<h1>Talks</h1>\n\n<p>The two sides <script>alert(1)</script> met.</p>")
    assert proposal.title == "<h1>Talks</h1>"
    assert proposal.body == "<p>The two sides <script>alert(1)</script> met.</p>"
    assert has_note(proposal, "HTML")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/x",
        "https://",
        "https://exa mple.org/",
        "https://example.org/\x00",
        "https://example.org/" + "a" * 1000,
    ],
)
def test_invalid_urls_are_left_out(db, url):
    proposal = propose("PARIS, 2 May 2025 – The ministers met.", url=url)
    assert proposal.url == ""
    assert has_note(proposal, "not an http(s) URL")


def test_a_megabyte_of_words_is_cut_and_read_quickly(db, django_assert_max_num_queries):
    words = ["cooperation", "the", "Minister", "said", "trade", "and", "Beijing", "talks."]
    text = " ".join(random.Random(1).choice(words) for _ in range(150_000))
    assert len(text) > 1_000_000
    started = time.perf_counter()
    with django_assert_max_num_queries(10):
        proposal = propose(text)
    assert time.perf_counter() - started < 15  # a guard against a blow-up, not a benchmark
    assert len(proposal.body) <= MAX_TEXT_CHARS
    assert has_note(proposal, "longer than")


def test_ten_thousand_capitalised_words_stay_bounded(db, django_assert_max_num_queries):
    make_official("Khalil Hashmi", country="PK")
    rng = random.Random(2)
    syllables = ["ka", "li", "ha", "mi", "wang", "yi", "zar", "da", "ri", "no", "su"]
    words = [
        "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))).capitalize()
        for _ in range(10_000)
    ]
    words[9_000:9_000] = ["Mr.", "Khalil", "Hashmi"]  # past the candidate budget
    text = " ".join(words)
    started = time.perf_counter()
    with django_assert_max_num_queries(10):
        proposal = propose(text)
    # A guard against a blow-up, not a benchmark (bench/intake_bench.py): loose enough for
    # a busy machine.
    assert time.perf_counter() - started < 15
    assert len(proposal.participants) <= 40


# --- Read-only ----------------------------------------------------------------------------


def test_propose_never_writes(seed_archive, django_assert_max_num_queries):
    make_meeting(city="Beijing", location="CN")
    counts = [model.objects.count() for model in (Official, Topic, Country, Meeting)]
    texts = [
        SEED_PATH.read_text(encoding="utf-8"),
        TELEPHONE_CALL,
        DELEGATION_VISIT,
        JOINT_STATEMENT,
        RECEIVED_WITH_DIACRITICS,
        "TORONTO, May 4 – Ms. Jane Doe of Canada met Mr. John Roe.",
    ]
    for text in texts:
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(5):
            propose(text, url="https://www.example.org/2025/05/x")
        statements = [q["sql"].lstrip().split(None, 1)[0].upper() for q in queries]
        assert set(statements) <= {"SELECT"}, statements
    assert [model.objects.count() for model in (Official, Topic, Country, Meeting)] == counts
    # New people and unknown countries are proposed, never created.
    assert not Official.objects.filter(name__in=["Wang Yi", "Jane Doe"]).exists()
    assert not Country.objects.filter(code__in=["CA", "BD", "VN", "RU"]).exists()
