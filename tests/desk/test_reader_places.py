"""The press-release reader's places (engagements/desk/pressrelease/places.py).

The world's cities (the built-in table, then GeoNames), where a meeting took place, whose
release it is, and the country a title names. Pure text: no database.
"""

from __future__ import annotations

from engagements.desk.pressrelease.places import (
    country_mentions,
    guess_country,
    issuing_country,
    sidelines_country,
    venue_in,
    world_city,
)

# --- world_city ---------------------------------------------------------------------------


def test_a_city_of_the_builtin_table_is_known():
    assert world_city("Islamabad") == ("Islamabad", "PK")


def test_a_city_in_capitals_takes_the_tables_spelling():
    assert world_city("BUCHAREST") == ("Bucharest", "RO")


def test_a_geonames_city_outside_the_table_is_known():
    assert world_city("Strasbourg") == ("Strasbourg", "FR")


def test_a_city_is_found_with_or_without_its_accents():
    assert world_city("Urumqi") == ("Urumqi", "CN")
    assert world_city("Ürümqi") == ("Urumqi", "CN")
    assert world_city("Sao Paulo") == world_city("São Paulo") == ("São Paulo", "BR")


def test_words_that_geonames_knows_as_towns_are_not_cities():
    assert world_city("Commonwealth") is None
    assert world_city("COMMONWEALTH") is None
    assert world_city("Victoria") is None


def test_an_unknown_word_is_not_a_city():
    assert world_city("Quorum") is None


# --- venue_in -----------------------------------------------------------------------------


def test_the_venue_is_the_city_the_text_places_the_meeting_in():
    text = "The two ministers held talks in Bucharest on Monday."
    assert venue_in(text) == ("Bucharest", "RO", "in Bucharest")


def test_travelling_to_a_city_names_the_venue():
    text = "The minister travelled to Lahore for the opening of the trade fair."
    assert venue_in(text) == ("Lahore", "PK", "travelled to Lahore")


def test_new_york_city_is_new_york():
    text = "The two foreign ministers met in New York City on Tuesday."
    assert venue_in(text) == ("New York", "US", "in New York City")


def test_a_city_whose_name_ends_in_city_keeps_it():
    text = "The envoys met in Mexico City on Thursday."
    assert venue_in(text)[:2] == ("Mexico City", "MX")


def test_the_first_city_named_is_the_venue():
    text = "The delegation met officials in Lahore and later flew on to Karachi."
    assert venue_in(text)[:2] == ("Lahore", "PK")


def test_months_are_not_cities():
    assert venue_in("The council will convene in March to review the plan.") is None
    assert venue_in("The forum opened in May and closed in June.") is None


def test_a_month_before_the_city_is_passed_over():
    text = "The commission met in May in Geneva to review the water accord."
    assert venue_in(text)[:2] == ("Geneva", "CH")


def test_no_venue_when_no_city_is_named():
    assert venue_in("The ministers met at the Foreign Office.") is None


def test_a_four_word_city_of_the_builtin_table_is_the_venue():
    text = "The two trade ministers met in Ho Chi Minh City on Monday."
    assert venue_in(text)[:2] == ("Ho Chi Minh City", "VN")


def test_a_city_with_a_lower_case_particle_is_the_venue():
    text = "The envoys met in Dar es Salaam on Friday."
    found = venue_in(text)
    assert found is not None
    assert found[:2] == ("Dar es Salaam", "TZ")


# --- sidelines_country --------------------------------------------------------------------


def test_the_margins_of_a_meeting_in_a_country_give_that_country():
    text = "The two ministers met on the margins of the OSCE meeting in Malta."
    assert sidelines_country(text) == ("Malta", "MT")


def test_the_sidelines_of_a_meeting_in_a_city_give_no_country():
    text = "The two ministers met on the sidelines of the General Assembly in New York."
    assert sidelines_country(text) is None


def test_no_sidelines_no_country():
    assert sidelines_country("The two ministers met in Malta on Monday.") is None


# --- issuing_country ----------------------------------------------------------------------


def test_the_agency_of_the_dateline_gives_the_issuing_country():
    assert issuing_country("APP", "") == "PK"
    assert issuing_country("Xinhua", "") == "CN"


def test_a_state_department_masthead_gives_the_united_states():
    preamble = "U.S. Department of State\nOffice of the Spokesperson\nMedia Note"
    assert issuing_country("", preamble) == "US"


def test_an_agency_name_in_capitals_in_the_preamble_gives_its_country():
    preamble = "ANADOLU AGENCY\nWorld, Asia-Pacific"
    assert issuing_country("", preamble) == "TR"


def test_a_short_agency_name_counts_only_in_capitals():
    # "app" in lower case is the word, not the Associated Press of Pakistan.
    assert issuing_country("", "Download our app\nHome") == ""
    assert issuing_country("", "APP\nHome") == "PK"


def test_the_dateline_city_is_not_the_issuing_side():
    # Agencies file from abroad ("BEIJING, NOV 11 /DNA/"): only the agency or masthead count.
    assert issuing_country("", "Home\nNews") == ""
    assert issuing_country("Example Wire", "") == ""


def test_no_clue_gives_no_issuing_country():
    assert issuing_country("", "") == ""


# --- guess_country ------------------------------------------------------------------------


def test_the_country_an_ambassador_is_of_is_theirs():
    assert guess_country("Ambassador of Afghanistan to Pakistan") == "AF"


def test_a_possessive_country_is_the_persons():
    assert guess_country("Pakistan's Ambassador to China") == "PK"


def test_a_demonym_is_the_persons_country():
    assert guess_country("Chinese Foreign Minister") == "CN"


def test_the_country_an_envoy_is_sent_to_is_not_theirs():
    assert guess_country("Ambassador to China") == ""


def test_the_country_a_special_representative_is_for_is_not_theirs():
    assert guess_country("Special Representative for Afghanistan") == ""


def test_a_city_an_office_is_of_gives_its_country():
    assert guess_country("Crown Prince of Abu Dhabi") == "AE"


def test_a_province_an_office_is_of_gives_its_country():
    assert guess_country("Chief Minister of Punjab") == "PK"


def test_a_party_office_names_the_partys_country():
    title = "Minister of the International Department of the CPC Central Committee"
    assert guess_country(title) == "CN"


# --- country_mentions ---------------------------------------------------------------------


def test_countries_are_listed_most_mentioned_first():
    text = (
        "Pakistan and China agreed to widen trade. China's minister said Chinese firms "
        "would invest in Pakistan, and China would host the next round."
    )
    assert country_mentions(text) == ["CN", "PK"]


def test_countries_mentioned_equally_often_keep_the_order_of_first_mention():
    text = "The Japanese side met India's envoy in Japan and then flew to India."
    assert country_mentions(text) == ["JP", "IN"]


def test_a_text_naming_no_country_has_no_mentions():
    assert country_mentions("The two ministers discussed fisheries and shipping.") == []
