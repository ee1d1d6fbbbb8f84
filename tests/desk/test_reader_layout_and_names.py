"""The press-release reader's layout and names.

layout.py: where the release starts on a pasted page, its dateline, headline, trailer and
closing signature. people.py: family names in capitals, names followed by their office,
names from the language model's spans, and surnames. Pure text: no database, and the
language model's spans are written by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest

from engagements.desk.pressrelease import propose
from engagements.desk.pressrelease.layout import (
    _body_start,
    _closing_signature,
    _headline_above,
    _is_prose,
    read_layout,
)
from engagements.desk.pressrelease.names import (
    appositive_mentions,
    attach_surnames,
    model_mentions,
    soften_capitals,
)
from engagements.desk.pressrelease.people import (
    MentionedPerson,
    honorific_mentions,
)

# --- soften_capitals ----------------------------------------------------------------------


def test_a_family_name_in_capitals_is_softened_to_title_case():
    text = "Foreign Minister Mr. KAMIKAWA Yoko received Ambassador Ito at the ministry."
    softened = soften_capitals(text)
    assert softened == "Foreign Minister Mr. Kamikawa Yoko received Ambassador Ito at the ministry."


def test_softening_keeps_the_length_so_offsets_still_point_into_the_text():
    text = "The talks were led by Mr. SATO Kenji, Director-General, and Ms. ONO Rie."
    softened = soften_capitals(text)
    assert len(softened) == len(text)
    assert softened[text.index("SATO") : text.index("SATO") + 4] == "Sato"
    assert softened[text.index("ONO") : text.index("ONO") + 3] == "Ono"


def test_a_known_abbreviation_in_capitals_is_untouched():
    text = "The ministers reviewed CPEC 2.0 and the SCO agenda with Mr. Tanaka."
    assert soften_capitals(text) == text


def test_a_dateline_line_wholly_in_capitals_is_untouched():
    text = (
        "ISLAMABAD, MARCH 3 (APP): ENVOY MEETS MINISTER\n"
        "Ambassador Karim Aziz met Minister Lena Sorensen on Monday."
    )
    assert soften_capitals(text) == text


def test_a_dateline_city_in_capitals_is_untouched():
    text = "ISLAMABAD, March 3 (APP): Minister Lena Sorensen met the envoy."
    assert soften_capitals(text) == text


# --- appositive_mentions ------------------------------------------------------------------


def test_a_name_followed_by_its_office_is_found():
    text = (
        "The delegation was received by Sun Haiyan, Vice-minister of the International "
        "Department, at the guesthouse."
    )
    (mention,) = appositive_mentions(text, [])
    assert mention.name == "Sun Haiyan"
    assert text[mention.start : mention.end] == "Sun Haiyan"


def test_a_nationality_may_stand_before_the_office():
    text = "Moin ul Haque, Pakistani Ambassador to China, attended the ceremony."
    assert [m.name for m in appositive_mentions(text, [])] == ["Moin ul Haque"]


def test_a_weekday_before_a_comma_is_not_a_name():
    text = "On Monday, the Minister of Commerce opened the autumn trade fair."
    assert appositive_mentions(text, []) == []


def test_a_name_followed_by_a_clause_and_not_an_office_is_not_taken():
    text = "Karim Aziz, who arrived on Monday, met the press at the airport."
    assert appositive_mentions(text, []) == []


def test_a_name_already_found_is_not_found_again():
    text = "The talks were opened by Sun Haiyan, Vice-minister of the International Department."
    taken = appositive_mentions(text, [])
    assert taken
    assert appositive_mentions(text, taken) == []


# --- model_mentions and attach_surnames ---------------------------------------------------

MODEL_TEXT = (
    "The talks between Lena Sorensen and Foreign Minister Karim Aziz went well. "
    "Sorensen said Denmark valued the ties. Zardari House hosted a dinner."
)


def entity(text: str, words: str) -> tuple[int, int]:
    return text.index(words), text.index(words) + len(words)


def test_the_model_spans_become_mentions_with_the_office_moved_to_the_run():
    entities = [
        entity(MODEL_TEXT, "Lena Sorensen"),
        entity(MODEL_TEXT, "Foreign Minister Karim Aziz"),
    ]
    mentions, single = model_mentions(MODEL_TEXT, entities, [])
    assert [m.name for m in mentions] == ["Lena Sorensen", "Karim Aziz"]
    assert mentions[1].run == "Foreign Minister"
    assert mentions[1].run_start == MODEL_TEXT.index("Foreign Minister")
    assert single == []


def test_model_spans_that_are_countries_or_buildings_are_dropped():
    entities = [entity(MODEL_TEXT, "Denmark"), entity(MODEL_TEXT, "Zardari House")]
    assert model_mentions(MODEL_TEXT, entities, []) == ([], [])


def test_a_one_word_model_span_is_kept_as_a_surname_not_a_mention():
    start = MODEL_TEXT.index("Sorensen said")
    surname = (start, start + len("Sorensen"))
    mentions, single = model_mentions(MODEL_TEXT, [surname], [])
    assert mentions == []
    assert single == [surname]


def test_a_surname_is_attached_to_the_one_person_whose_name_holds_it():
    mentions, _ = model_mentions(
        MODEL_TEXT,
        [entity(MODEL_TEXT, "Lena Sorensen"), entity(MODEL_TEXT, "Foreign Minister Karim Aziz")],
        [],
    )
    people = [MentionedPerson(m.name, None, [m]) for m in mentions]
    surname = entity(MODEL_TEXT, "Sorensen said")[0]
    attach_surnames(MODEL_TEXT, people, [(surname, surname + len("Sorensen"))])
    sorensen, aziz = people
    assert [m.name for m in sorensen.mentions] == ["Lena Sorensen", "Sorensen"]
    assert [m.name for m in aziz.mentions] == ["Karim Aziz"]


def test_a_surname_two_people_share_is_attached_to_neither():
    text = "Karim Aziz and Omar Aziz met the press. Aziz said trade would grow."
    mentions, _ = model_mentions(text, [entity(text, "Karim Aziz"), entity(text, "Omar Aziz")], [])
    people = [MentionedPerson(m.name, None, [m]) for m in mentions]
    surname = text.index("Aziz said")
    attach_surnames(text, people, [(surname, surname + 4)])
    assert [len(person.mentions) for person in people] == [1, 1]


# --- _is_prose, _body_start, _headline_above, _closing_signature --------------------------


def test_a_title_case_headline_is_not_prose():
    assert not _is_prose("Xinjiang Hosts Delegation From Central Asian Chambers of Commerce")


def test_a_long_sentence_is_prose():
    assert _is_prose(
        "The minister met a visiting delegation of business leaders and discussed new "
        "freight routes through the region."
    )


def test_the_body_starts_at_a_dateline_followed_by_running_text():
    lines = [
        "Menu",
        "Envoy briefs traders",
        "ISLAMABAD, APR 26 (DNA): Ambassador Rafael Moreno met the chamber's members on "
        "Friday and outlined a shipping corridor for fruit exporters.",
    ]
    start, dateline = _body_start(lines)
    assert start == 2
    assert (dateline.city, dateline.agency) == ("ISLAMABAD", "DNA")


def test_the_headline_above_skips_dates_and_menus():
    above = ["Home > News > Diplomacy", "Envoy briefs traders on export corridor", "April 26, 2025"]
    assert _headline_above(above) == "Envoy briefs traders on export corridor"


def test_a_closing_line_with_an_unknown_place_is_not_a_signature():
    lines = ["Both sides agreed to stay in touch.", "Ruritania 9 December 2024"]
    signature, kept = _closing_signature(lines)
    assert signature is None
    assert kept == lines


# --- read_layout --------------------------------------------------------------------------

CLUTTERED_PAGE = """\
Home | Pakistan | World | Business | Sports
Menu
Search
Islamabad 28.2 C
Submit Release
Envoy briefs traders on new export corridor
ISLAMABAD, APR 26 (DNA):Ambassador Rafael Moreno of Chile met the chamber's president, \
Saima Akhtar, on Friday and outlined a shipping corridor for fruit exporters.
The two sides agreed to set up a joint working group before the end of the year.
"""


def test_a_dateline_with_no_space_after_its_colon_opens_the_body():
    layout = read_layout(CLUTTERED_PAGE)
    assert layout.dateline is not None
    assert (layout.dateline.city, layout.dateline.date_text, layout.dateline.agency) == (
        "ISLAMABAD",
        "APR 26",
        "DNA",
    )
    assert layout.paragraphs[0].startswith("Ambassador Rafael Moreno of Chile met")


def test_menu_clutter_above_the_release_is_not_in_the_body():
    layout = read_layout(CLUTTERED_PAGE)
    body = "\n".join(layout.paragraphs)
    for clutter in ("Submit Release", "28.2 C", "Menu", "Search", "Home |"):
        assert clutter not in body
    assert "Submit Release" in layout.preamble
    assert len(layout.paragraphs) == 2


def test_the_headline_is_the_line_above_the_dateline_not_the_clutter():
    layout = read_layout(CLUTTERED_PAGE)
    assert layout.headline == "Envoy briefs traders on new export corridor"


def test_a_title_case_headline_above_a_dateline_with_an_ordinal_date():
    page = (
        "Regional News\n"
        "Xinjiang Hosts Delegation From Central Asian Chambers of Commerce\n"
        "Urumqi, April 22nd—Chen Dawei, vice chairman of the regional government, met a "
        "visiting delegation of business leaders from Central Asia on Tuesday and discussed "
        "new freight routes through the region.\n"
        "The guests toured a logistics park on the outskirts of the city.\n"
    )
    layout = read_layout(page)
    assert layout.headline == "Xinjiang Hosts Delegation From Central Asian Chambers of Commerce"
    assert (layout.dateline.city, layout.dateline.date_text) == ("Urumqi", "April 22nd")
    assert layout.paragraphs[0].startswith("Chen Dawei, vice chairman")


def test_the_pages_trailer_is_cut_from_the_body():
    page = (
        "BEIJING, 8 March 2025 (Xinhua) — Minister Zhou Ping met Ambassador Ingrid Holm of "
        "Norway in the capital and the two talked about polar research and Arctic shipping.\n"
        "They agreed to hold a seminar on ocean science later this year.\n"
        "Related news\n"
        "Minister attends trade fair opening\n"
        "© 2025 Example News Agency. All rights reserved.\n"
    )
    layout = read_layout(page)
    assert (
        layout.paragraphs[-1] == "They agreed to hold a seminar on ocean science later this year."
    )
    body = "\n".join(layout.paragraphs)
    assert "Related news" not in body
    assert "trade fair" not in body
    assert "©" not in body


def test_a_closing_signature_gives_the_place_and_date_of_issue():
    page = (
        "Ministry of Foreign Affairs\n"
        "Pakistan and Norway review cooperation in renewable energy\n"
        "The Foreign Secretary received the Ambassador of Norway at the Ministry today and "
        "discussed cooperation on wind power, hydropower and the training of engineers.\n"
        "Both sides agreed to keep in close touch on the forthcoming energy forum.\n"
        "Islamabad 9 December 2024\n"
    )
    layout = read_layout(page)
    assert layout.dateline.city == "Islamabad"
    assert layout.meta_date == dt.date(2024, 12, 9)
    assert layout.headline == "Pakistan and Norway review cooperation in renewable energy"
    # The signature is not a paragraph of the body.
    assert layout.paragraphs[-1].startswith("Both sides agreed")


def test_a_lone_city_line_above_the_body_gives_the_city():
    page = (
        "ANADOLU AGENCY\n"
        "Türkiye and Hungary discuss energy links\n"
        "ISTANBUL\n"
        "Turkish Foreign Minister Kemal Arslan met his Hungarian counterpart in the city on "
        "Monday and the two ministers discussed rail freight and gas supplies in the region.\n"
        "They also reviewed preparations for a business forum next spring.\n"
    )
    layout = read_layout(page)
    assert layout.dateline.city == "ISTANBUL"
    assert layout.headline == "Türkiye and Hungary discuss energy links"
    assert layout.paragraphs[0].startswith("Turkish Foreign Minister Kemal Arslan met")
    assert "ISTANBUL" not in "\n".join(layout.paragraphs)


# --- An office before a name does not cross a line ----------------------------------------

HEADLINE_ENDING_IN_AN_OFFICE = (
    "Envoy of Norway calls on Pakistan's Commerce Minister\n"
    "\n"
    "ISLAMABAD, 4 March 2025 (APP): Ambassador Ingrid Holm of Norway called on Commerce "
    "Minister Tariq Mahmood at the Ministry of Commerce today.\n"
    "\n"
    "The two sides discussed trade in seafood and the training of engineers.\n"
)


def test_an_honorific_run_does_not_cross_a_paragraph_break():
    text = "Envoy visits the Commerce Minister\n\nAmbassador Ingrid Holm met him today."
    (mention,) = honorific_mentions(text)
    assert mention.name == "Ingrid Holm"
    assert mention.run == "Ambassador"


@pytest.mark.django_db
def test_a_headline_ending_in_an_office_does_not_lend_it_to_the_body_first_name():
    proposal = propose(HEADLINE_ENDING_IN_AN_OFFICE)
    titles = {person.name: person.title for person in proposal.participants}
    assert titles["Ingrid Holm"] == "Ambassador of Norway"
