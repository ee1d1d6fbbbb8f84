"""The press-release reader's event layer (engagements/desk/pressrelease/events.py).

Which sentence tells the event, who was present, which names are someone else's
description or background, who hosted, what kind of meeting it was and on which day.
Everything here is pure text: no database, no language model.
"""

from __future__ import annotations

import datetime as dt

from engagements.desk.pressrelease.events import (
    Principal,
    Sentence,
    event_kind,
    event_sentences,
    is_background,
    is_possessor,
    order_roles,
    presence_sentences,
    relative_day,
    year_for_weekday,
)
from engagements.desk.pressrelease.layout import sentence_spans
from engagements.models import Meeting

Kind = Meeting.Kind


def spans_of(text: str, *names: str) -> list[tuple[int, int]]:
    """(start, end) of each name's first occurrence, as the people layer would give them."""
    return [(text.index(name), text.index(name) + len(name)) for name in names]


def event_texts(text: str, *names: str) -> list[str]:
    chosen = event_sentences(text, sentence_spans(text), spans_of(text, *names))
    return [sentence.text for sentence in chosen]


# --- event_sentences ----------------------------------------------------------------------


def test_the_event_sentence_is_the_first_with_a_meeting_verb_and_a_person():
    text = (
        "Spring weather returned to the capital this week. "
        "Foreign Minister Amna Qureshi met Ambassador Tomas Varga at the ministry on Monday. "
        "The two discussed vocational training."
    )
    chosen = event_texts(text, "Amna Qureshi", "Tomas Varga")
    assert chosen == [
        "Foreign Minister Amna Qureshi met Ambassador Tomas Varga at the ministry on Monday."
    ]


def test_the_event_sentence_keeps_its_offsets_into_the_text():
    text = "Minister Lena Sorensen met Ambassador Karim Aziz. Both sides agreed to meet again."
    (sentence,) = event_sentences(
        text, sentence_spans(text), spans_of(text, "Lena Sorensen", "Karim Aziz")
    )
    assert (sentence.start, sentence.end) == (
        0,
        len("Minister Lena Sorensen met Ambassador Karim Aziz."),
    )
    assert text[sentence.start : sentence.end] == sentence.text


def test_an_event_sentence_naming_one_person_extends_to_the_next_sentence():
    text = (
        "Minister Lena Sorensen met the visiting delegation on Tuesday. "
        "The delegation was led by Deputy Minister Karim Aziz. "
        "Fisheries and shipping were discussed."
    )
    chosen = event_texts(text, "Lena Sorensen", "Karim Aziz")
    # Once two people are named, no further sentence is taken.
    assert chosen == [
        "Minister Lena Sorensen met the visiting delegation on Tuesday.",
        "The delegation was led by Deputy Minister Karim Aziz.",
    ]


def test_the_extension_skips_a_background_sentence():
    text = (
        "Minister Lena Sorensen met the visiting delegation on Tuesday. "
        "The two sides recalled the fruitful forum held last year. "
        "The delegation was led by Deputy Minister Karim Aziz."
    )
    chosen = event_texts(text, "Lena Sorensen", "Karim Aziz")
    assert chosen == [
        "Minister Lena Sorensen met the visiting delegation on Tuesday.",
        "The delegation was led by Deputy Minister Karim Aziz.",
    ]


def test_without_a_meeting_verb_the_first_sentence_naming_two_people_tells_the_event():
    text = (
        "Relations between the two countries are warm. "
        "Senator Omar Farooq and Governor Ilse Brandt exchanged greetings at the reception. "
        "Trade featured prominently."
    )
    chosen = event_texts(text, "Omar Farooq", "Ilse Brandt")
    assert chosen == [
        "Senator Omar Farooq and Governor Ilse Brandt exchanged greetings at the reception."
    ]


def test_no_event_sentence_when_no_sentence_names_a_person():
    text = "The two countries met their targets for the year. Exports rose by a tenth."
    assert event_sentences(text, sentence_spans(text), []) == []


# --- presence_sentences -------------------------------------------------------------------

PRESENCE = (
    "Minister Lena Sorensen met Ambassador Karim Aziz on Monday. "
    "She was accompanied by Deputy Director Paula Jansen. "
    "The delegation included Colonel Ravi Menon. "
    "The agreement was signed in the presence of Governor Ilse Brandt. "
    "They discussed trade and shipping."
)


def test_presence_sentences_are_those_naming_people_as_present():
    spans = sentence_spans(PRESENCE)
    found = presence_sentences(PRESENCE, spans, after=spans[0][1])
    assert [sentence.text for sentence in found] == [
        "She was accompanied by Deputy Director Paula Jansen.",
        "The delegation included Colonel Ravi Menon.",
        "The agreement was signed in the presence of Governor Ilse Brandt.",
    ]


def test_presence_sentences_before_the_start_are_not_taken():
    spans = sentence_spans(PRESENCE)
    third_sentence_start = spans[2][0]
    found = presence_sentences(PRESENCE, spans, after=third_sentence_start)
    assert [sentence.text for sentence in found] == [
        "The delegation included Colonel Ravi Menon.",
        "The agreement was signed in the presence of Governor Ilse Brandt.",
    ]


def test_a_presence_sentence_about_another_time_is_background():
    text = (
        "Minister Lena Sorensen met Ambassador Karim Aziz. "
        "The minister recalled that she had been accompanied by her deputy last year."
    )
    spans = sentence_spans(text)
    assert presence_sentences(text, spans, after=spans[0][1]) == []


# --- is_possessor -------------------------------------------------------------------------


def possessor(text: str, office: str, has_office: bool = False) -> bool:
    return is_possessor(text, text.index(office), has_office)


def test_a_name_after_adviser_to_is_someone_elses_description():
    text = "He met Salim Haddad, adviser to President Omar Khalil, in the capital."
    assert possessor(text, "President Omar Khalil")


def test_a_name_whose_greetings_are_conveyed_is_a_possessor():
    text = "She conveyed the greetings of Prime Minister Aiko Tanabe to her host."
    assert possessor(text, "Prime Minister Aiko Tanabe")


def test_a_country_between_adviser_to_and_an_office_is_still_a_possessor():
    text = "He met Rashid Saeed, adviser to UAE President Khalid Mansour, on Monday."
    assert possessor(text, "President Khalid Mansour", has_office=True)


def test_a_country_before_the_office_is_skipped_only_when_the_name_has_an_office():
    text = "He met Rashid Saeed, adviser to UAE President Khalid Mansour, on Monday."
    assert not possessor(text, "President Khalid Mansour", has_office=False)


def test_under_the_chairmanship_of_names_someone_who_took_part():
    text = "The session was held under the chairmanship of Minister Elena Petrova."
    assert not possessor(text, "Minister Elena Petrova")
    assert not possessor(text, "Minister Elena Petrova", has_office=True)


def test_led_by_names_someone_who_took_part():
    text = "A delegation led by Senator Omar Farooq arrived in the capital."
    assert not possessor(text, "Senator Omar Farooq")
    text = "A delegation led by Emirati Senator Omar Farooq arrived in the capital."
    assert not possessor(text, "Senator Omar Farooq", has_office=True)


def test_the_subject_of_a_plain_meeting_is_not_a_possessor():
    text = "Minister Lena Sorensen met Ambassador Karim Aziz at the ministry."
    assert not possessor(text, "Ambassador Karim Aziz", has_office=True)


# --- is_background ------------------------------------------------------------------------


def test_a_spokesperson_is_background():
    text = "Spokesperson Dana Reyes said the meeting had been constructive."
    end = text.index("Dana Reyes") + len("Dana Reyes")
    assert is_background(text, end, "Spokesperson")


def test_a_leader_whose_greetings_are_conveyed_is_background():
    text = "The envoy conveyed President Lin Wei's greetings to the people of Kenya."
    end = text.index("Lin Wei") + len("Lin Wei")
    assert is_background(text, end, "President")


def test_a_leaders_own_visit_is_not_background():
    text = "President Lin Wei's visit to Kenya opened with talks on ports."
    end = text.index("Lin Wei") + len("Lin Wei")
    assert not is_background(text, end, "President")


def test_a_minister_who_met_someone_is_not_background():
    text = "Minister Lena Sorensen met Ambassador Karim Aziz."
    end = text.index("Lena Sorensen") + len("Lena Sorensen")
    assert not is_background(text, end, "Minister")


# --- order_roles --------------------------------------------------------------------------

AZIZ = ("Ambassador Karim Aziz", "Karim Aziz", "PK")
SORENSEN = ("Minister Lena Sorensen", "Lena Sorensen", "DK")


def principal(text: str, office_and_name: str, name: str, country: str) -> Principal:
    start = text.index(name)
    return Principal(name, start, start + len(name), text.index(office_and_name), country)


def envoy_then_counterpart(
    text: str, first: tuple[str, str, str], second: tuple[str, str, str], venue: str = ""
) -> tuple[object, object]:
    """The keys (names) of (envoy, counterpart), with `first` named first in `text`."""
    envoy, counterpart = order_roles(
        text,
        principal(text, *first),
        principal(text, *second),
        Sentence(0, len(text), text),
        venue,
    )
    return envoy.key, counterpart.key


def test_the_one_who_calls_on_the_other_is_the_envoy():
    text = "Ambassador Karim Aziz called on Minister Lena Sorensen at the ministry."
    assert envoy_then_counterpart(text, AZIZ, SORENSEN) == ("Karim Aziz", "Lena Sorensen")


def test_the_one_who_receives_the_other_is_the_counterpart():
    text = "Minister Lena Sorensen received Ambassador Karim Aziz at the ministry."
    assert envoy_then_counterpart(text, SORENSEN, AZIZ) == ("Karim Aziz", "Lena Sorensen")


def test_the_one_received_by_the_other_is_the_envoy():
    text = "Ambassador Karim Aziz was received by Minister Lena Sorensen at the ministry."
    assert envoy_then_counterpart(text, AZIZ, SORENSEN) == ("Karim Aziz", "Lena Sorensen")


def test_the_one_who_met_here_is_the_host():
    text = "Minister Lena Sorensen met here today with Ambassador Karim Aziz."
    assert envoy_then_counterpart(text, SORENSEN, AZIZ) == ("Karim Aziz", "Lena Sorensen")


def test_the_visiting_one_is_the_envoy():
    text = "Minister Lena Sorensen met visiting Ambassador Karim Aziz on Monday."
    assert envoy_then_counterpart(text, SORENSEN, AZIZ) == ("Karim Aziz", "Lena Sorensen")


def test_the_one_who_is_on_an_official_visit_is_the_envoy():
    text = (
        "Minister Lena Sorensen met Ambassador Karim Aziz, who is on an official visit to "
        "Denmark, on Monday."
    )
    assert envoy_then_counterpart(text, SORENSEN, AZIZ) == ("Karim Aziz", "Lena Sorensen")


def test_the_one_at_whose_invitation_the_other_came_is_the_host():
    text = (
        "At the invitation of Minister Lena Sorensen, Ambassador Karim Aziz held talks with "
        "her in Copenhagen."
    )
    assert envoy_then_counterpart(text, SORENSEN, AZIZ) == ("Karim Aziz", "Lena Sorensen")


def test_the_side_at_whose_request_a_call_was_held_is_the_caller():
    text = (
        "At the request of the Armenian side, Foreign Minister Lena Sorensen held a telephone "
        "conversation with Foreign Minister Aram Petrosyan."
    )
    first = ("Foreign Minister Lena", "Lena Sorensen", "DK")
    second = ("Foreign Minister Aram", "Aram Petrosyan", "AM")
    assert envoy_then_counterpart(text, first, second) == ("Aram Petrosyan", "Lena Sorensen")


def test_the_person_of_the_venues_country_hosts():
    text = "Minister Lena Sorensen met Ambassador Karim Aziz in Copenhagen."
    assert envoy_then_counterpart(text, SORENSEN, AZIZ, venue="DK") == (
        "Karim Aziz",
        "Lena Sorensen",
    )


def test_a_cue_around_a_name_outranks_the_venue():
    text = "Minister Lena Sorensen met Ambassador Karim Aziz, who was on a visit to Denmark."
    # The venue says Pakistan (Aziz's country), but "who was on a visit" makes Aziz the visitor.
    assert envoy_then_counterpart(text, SORENSEN, AZIZ, venue="PK") == (
        "Karim Aziz",
        "Lena Sorensen",
    )


def test_with_nothing_to_say_who_hosts_the_first_named_is_the_envoy():
    text = "Minister Lena Sorensen met Ambassador Karim Aziz in Geneva."
    assert envoy_then_counterpart(text, SORENSEN, AZIZ, venue="CH") == (
        "Lena Sorensen",
        "Karim Aziz",
    )
    assert envoy_then_counterpart(text, SORENSEN, AZIZ) == ("Lena Sorensen", "Karim Aziz")


# --- event_kind ---------------------------------------------------------------------------


def kind_of(event_text: str, headline: str = "", opening: str = "") -> str:
    return event_kind(headline, event_text, opening)


def test_calling_on_someone_is_a_courtesy_call():
    assert (
        kind_of("Ambassador Karim Aziz called on Minister Lena Sorensen at the ministry.")
        == Kind.COURTESY_CALL
    )
    assert (
        kind_of("Ambassador Karim Aziz paid a courtesy call on Minister Lena Sorensen.")
        == Kind.COURTESY_CALL
    )


def test_a_delegation_calling_on_someone_is_a_delegation_visit():
    text = "A delegation led by Senator Omar Farooq called on Minister Lena Sorensen."
    assert kind_of(text) == Kind.DELEGATION_VISIT


def test_a_delegation_received_by_a_host_is_a_delegation_visit():
    text = "Minister Lena Sorensen received a delegation of mayors led by Senator Omar Farooq."
    assert kind_of(text) == Kind.DELEGATION_VISIT


def test_talks_followed_by_a_signing_are_a_bilateral_meeting():
    text = (
        "Minister Lena Sorensen held talks with Minister Karim Aziz and the two signed an "
        "agreement on rail links."
    )
    assert kind_of(text) == Kind.BILATERAL_MEETING


def test_a_signing_with_no_meeting_is_a_signing_ceremony():
    text = (
        "Minister Lena Sorensen and Minister Karim Aziz signed a memorandum of understanding "
        "on water management."
    )
    assert kind_of(text) == Kind.SIGNING_CEREMONY


def test_a_telephone_conversation_is_a_telephone_call():
    text = "Minister Lena Sorensen held a telephone conversation with Minister Karim Aziz."
    assert kind_of(text) == Kind.TELEPHONE_CALL


def test_a_call_in_the_headline_makes_the_event_a_telephone_call():
    text = "Minister Karim Aziz spoke to Minister Lena Sorensen about fisheries."
    assert kind_of(text, headline="Aziz and Sorensen hold telephone call") == Kind.TELEPHONE_CALL


def test_a_video_link_or_video_call_is_a_video_conference():
    assert (
        kind_of("Minister Lena Sorensen spoke with Minister Karim Aziz by video link.")
        == Kind.VIDEO_CONFERENCE
    )
    assert (
        kind_of("Minister Lena Sorensen held a video call with Minister Karim Aziz.")
        == Kind.VIDEO_CONFERENCE
    )


def test_political_consultations_are_consultations():
    text = (
        "Vice Minister Lena Sorensen and Vice Minister Karim Aziz co-chaired the fifth round "
        "of political consultations."
    )
    assert kind_of(text) == Kind.CONSULTATIONS


def test_a_strategic_dialogue_is_consultations():
    text = (
        "Vice Minister Lena Sorensen and Vice Minister Karim Aziz co-chaired the third "
        "strategic dialogue between their ministries."
    )
    assert kind_of(text) == Kind.CONSULTATIONS


def test_a_working_lunch_is_a_working_lunch():
    text = "Minister Lena Sorensen hosted a working lunch for Minister Karim Aziz."
    assert kind_of(text) == Kind.WORKING_LUNCH


def test_meeting_at_a_summit_is_a_summit():
    text = (
        "President Lena Sorensen and President Karim Aziz met at the summit of the Nordic "
        "and Baltic states."
    )
    assert kind_of(text) == Kind.SUMMIT


def test_meeting_on_the_sidelines_of_a_summit_is_not_a_summit():
    text = "President Lena Sorensen met President Karim Aziz on the sidelines of the summit."
    assert kind_of(text) == Kind.MEETING


def test_preparing_an_upcoming_summit_is_not_a_summit():
    text = "President Lena Sorensen met President Karim Aziz to prepare the upcoming summit."
    assert kind_of(text) == Kind.MEETING


def test_meeting_during_a_state_visit_is_a_state_visit():
    text = "President Karim Aziz met President Lena Sorensen during his state visit to Denmark."
    assert kind_of(text) == Kind.STATE_VISIT


def test_meeting_during_an_official_visit_is_an_official_visit():
    text = "Minister Karim Aziz met Minister Lena Sorensen during his official visit to Denmark."
    assert kind_of(text) == Kind.OFFICIAL_VISIT


def test_a_plain_met_is_a_meeting():
    text = "Minister Karim Aziz met Minister Lena Sorensen at the ministry."
    assert kind_of(text) == Kind.MEETING


def test_talks_held_in_the_opening_make_a_plain_meeting_a_bilateral_meeting():
    event = "Minister Karim Aziz met Minister Lena Sorensen."
    opening = f"{event}\nThe two sides held talks on trade and shipping."
    assert kind_of(event, opening=opening) == Kind.BILATERAL_MEETING


# --- relative_day and year_for_weekday ----------------------------------------------------

# Saturday 26 February 2022: the release's own date.
SATURDAY = dt.date(2022, 2, 26)


def test_today_is_the_release_date():
    assert relative_day("The ministers met today in the capital.", SATURDAY) == (
        SATURDAY,
        "today",
    )


def test_yesterday_is_the_day_before():
    day, words = relative_day("The ministers met yesterday in the capital.", SATURDAY)
    assert (day, words) == (dt.date(2022, 2, 25), "yesterday")


def test_last_night_is_the_day_before():
    day, words = relative_day("The ministers dined together last night.", SATURDAY)
    assert (day, words) == (dt.date(2022, 2, 25), "last night")


def test_on_friday_in_a_saturday_release_is_the_day_before():
    day, words = relative_day("The ministers met on Friday.", SATURDAY)
    assert (day, words) == (dt.date(2022, 2, 25), "on Friday")


def test_the_release_dates_own_weekday_is_that_day():
    day, _ = relative_day("The ministers met on Saturday.", SATURDAY)
    assert day == SATURDAY


def test_a_weekday_is_counted_back_within_the_week():
    day, _ = relative_day("They met on the evening of Thursday.", SATURDAY)
    assert day == dt.date(2022, 2, 24)


def test_a_sentence_without_a_day_gives_none():
    assert relative_day("They met in the capital.", SATURDAY) == (None, "")


def test_a_weekday_pins_the_year_of_a_day_and_month():
    today = dt.date(2025, 6, 1)
    # 5 March was a Tuesday in 2024 and a Wednesday in 2025.
    assert year_for_weekday(3, 5, 1, today) == dt.date(2024, 3, 5)
    assert year_for_weekday(3, 5, 2, today) == dt.date(2025, 3, 5)


def test_a_weekday_can_pin_next_year_when_the_day_is_near():
    # Pasted before new year: Monday 5 January is next year's.
    assert year_for_weekday(1, 5, 0, dt.date(2025, 12, 20)) == dt.date(2026, 1, 5)


def test_a_weekday_pins_a_29_february_to_a_leap_year():
    # 29 February 2024 was a Thursday.
    assert year_for_weekday(2, 29, 3, dt.date(2025, 6, 1)) == dt.date(2024, 2, 29)


def test_no_year_when_the_weekday_fits_none_of_the_recent_years():
    # 29 February fell on a Tuesday in none of the leap years 2016 to 2024.
    assert year_for_weekday(2, 29, 1, dt.date(2025, 6, 1)) is None


def test_no_year_for_an_impossible_date():
    assert year_for_weekday(2, 30, 0, dt.date(2025, 6, 1)) is None
