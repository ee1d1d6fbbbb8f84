"""Read a pasted press release and propose a draft readout for an editor to check.

A press release is loosely shaped prose, so this is heuristics, not parsing. The text is
cleaned (control characters, bidi overrides, invisible characters and lone surrogates
removed; cut to MAX_TEXT_CHARS), then read in layers, each with plain regular expressions:

1. *Layout.* Metadata lines open the text: labels ("PRESS RELEASE", "READOUT"), and a
   date line (``date 2025-11-11``, "January 27, 2024"). A dateline
   (``BEIJING, NOV 11 /DNA/ –``, ``ISLAMABAD, March 3 (APP):``, ``WASHINGTON —``) gives
   the city, maybe a date and the agency. The headline is a short line without a final
   full stop, after the dateline or above it. The rest becomes Markdown paragraphs.
2. *Date.* The date line, else the dateline, else a full date in the URL, else the first
   date written in the text. A year-less date ("NOV 11") takes the year nearest to
   another explicit date in the text, else to the URL's ``/yyyy/mm/``, else the most
   recent such day not after ``today``.
3. *People.* Names after an honorific or office, in any case and with an object ("H.E.
   Mr. Liu Haixing", "Foreign Minister Wang Yi", "President of Pakistan Asif Ali
   Zardari", "acting foreign minister Amir Khan Muttaqi"), plus any known official whose
   name or alias occurs in the text. Known officials are found with one bounded query:
   candidate strings (honorific-led names, windows of 2–4 capitalised words, windows of
   CJK characters; at most MAX_CANDIDATES) are compared with names and aliases, and alias
   hits are verified line by line in Python. Titles come from the office before the name,
   an appositive before it ("The Ambassador of Pakistan to China, H.E. …") or after it
   ("…, Minister of …"), the body's mentions before the headline's. Roles follow the
   first sentence that names two people.
4. *Kind, place, publisher, topics* come from keyword tables, the archive's own meetings
   then a built-in table of diplomatic cities, the agency or the URL's site, and the
   archive's topics (whole-word matches of names and aliases).

Everything is bounded: the text's length, the candidates, occurrences and people, and the
queries (at most five, or six with over ALL_TOPICS_LIMIT topics; all reads). Anything
uncertain becomes a note in plain English for the editor; nothing here writes to the
database, and no input raises.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pycountry
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.db.models import Count, Q
from django.db.models.functions import Lower

from .models import Meeting, Official, Participation, Source, Topic, http_url_validator

logger = logging.getLogger(__name__)

# Press releases run to a few thousand characters; anything longer is cut (with a note)
# so that every step below stays well under a second.
MAX_TEXT_CHARS = 200_000
# Strings looked up as possible names of known officials, in one query.
MAX_CANDIDATES = 200
# Of those, the share kept for CJK windows when Latin-script names crowd them out.
MIN_CJK_CANDIDATES = 50
# Rows the official lookup may return before Python verification (2-character CJK
# windows can match inside many aliases).
MAX_OFFICIAL_ROWS = 500
MAX_PARTICIPANTS = 40
MAX_OCCURRENCES_PER_PERSON = 50
MAX_HONORIFIC_MENTIONS = 1000
# Topics are all loaded when there are at most this many (the realistic size).
ALL_TOPICS_LIMIT = 2000
# Phrases of the text compared with topic names when there are more topics than that.
MAX_TOPIC_PHRASES = 5000
MAX_TITLE_CHARS = 300
MAX_HEADLINE_CHARS = 250
MAX_SUMMARY_CHARS = 400
MAX_URL_CHARS = 1000  # Source.url's max_length
MAX_PERSON_TITLE_CHARS = 300  # Participation.title's max_length

ENVOY = Participation.Role.ENVOY.value
COUNTERPART = Participation.Role.COUNTERPART.value
PARTICIPANT = Participation.Role.PARTICIPANT.value
Kind = Meeting.Kind


@dataclass
class ProposedParticipant:
    """One person the release names, matched to a known official where possible."""

    name: str  # the name as the text gives it
    official: Official | None  # the known official it matched, else None
    title: str  # the office the text gives the person; "" if none
    country_code: str  # ISO alpha-2: the official's country, else guessed from the title
    role: str  # a Participation.Role value


@dataclass
class Proposal:
    """A proposed draft readout: every field is for an editor to check and correct."""

    title: str
    date: dt.date | None
    city: str
    location_country_code: str
    kind: str
    summary: str
    body: str
    publisher: str
    url: str
    published: dt.date | None
    participants: list[ProposedParticipant] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Reference tables
# ---------------------------------------------------------------------------------------

# Capitals and the other cities diplomatic releases are datelined in; the archive's own
# meetings are asked first, so this only has to cover a city's first appearance.
CITY_COUNTRIES: dict[str, str] = {
    "Beijing": "CN", "Shanghai": "CN", "Guangzhou": "CN", "Shenzhen": "CN",
    "Tianjin": "CN", "Chengdu": "CN", "Urumqi": "CN", "Kashgar": "CN",
    "Hong Kong": "HK", "Macau": "MO", "Taipei": "TW",
    "Islamabad": "PK", "Rawalpindi": "PK", "Lahore": "PK", "Karachi": "PK",
    "Peshawar": "PK", "Quetta": "PK", "Gwadar": "PK",
    "New Delhi": "IN", "Delhi": "IN", "Mumbai": "IN",
    "Washington": "US", "New York": "US",
    "Moscow": "RU", "Saint Petersburg": "RU", "St. Petersburg": "RU", "Sochi": "RU",
    "Kazan": "RU",
    "Kabul": "AF", "Tehran": "IR", "Ankara": "TR", "Istanbul": "TR",
    "Riyadh": "SA", "Jeddah": "SA", "Doha": "QA", "Abu Dhabi": "AE", "Dubai": "AE",
    "Muscat": "OM", "Kuwait City": "KW", "Manama": "BH", "Baghdad": "IQ",
    "Damascus": "SY", "Beirut": "LB", "Amman": "JO", "Cairo": "EG", "Sanaa": "YE",
    "Dhaka": "BD", "Kathmandu": "NP", "Colombo": "LK", "Malé": "MV", "Male": "MV",
    "Thimphu": "BT",
    "Tokyo": "JP", "Seoul": "KR", "Pyongyang": "KP", "Ulaanbaatar": "MN",
    "Hanoi": "VN", "Ho Chi Minh City": "VN", "Bangkok": "TH", "Kuala Lumpur": "MY",
    "Singapore": "SG", "Jakarta": "ID", "Manila": "PH", "Phnom Penh": "KH",
    "Vientiane": "LA", "Naypyidaw": "MM", "Nay Pyi Taw": "MM", "Yangon": "MM",
    "Astana": "KZ", "Almaty": "KZ", "Tashkent": "UZ", "Samarkand": "UZ",
    "Dushanbe": "TJ", "Bishkek": "KG", "Ashgabat": "TM", "Baku": "AZ", "Tbilisi": "GE",
    "Yerevan": "AM",
    "Berlin": "DE", "Paris": "FR", "London": "GB", "Brussels": "BE", "Geneva": "CH",
    "Bern": "CH", "Davos": "CH", "Vienna": "AT", "Rome": "IT", "Madrid": "ES",
    "Lisbon": "PT", "The Hague": "NL", "Amsterdam": "NL", "Stockholm": "SE", "Oslo": "NO",
    "Copenhagen": "DK", "Helsinki": "FI", "Warsaw": "PL", "Prague": "CZ",
    "Budapest": "HU", "Bucharest": "RO", "Belgrade": "RS", "Athens": "GR",
    "Dublin": "IE", "Kyiv": "UA", "Kiev": "UA", "Minsk": "BY",
    "Ottawa": "CA", "Mexico City": "MX", "Brasília": "BR", "Brasilia": "BR",
    "Buenos Aires": "AR", "Santiago": "CL", "Lima": "PE", "Bogotá": "CO", "Bogota": "CO",
    "Havana": "CU", "Caracas": "VE", "Canberra": "AU", "Wellington": "NZ",
    "Addis Ababa": "ET", "Nairobi": "KE", "Pretoria": "ZA", "Johannesburg": "ZA",
    "Abuja": "NG", "Algiers": "DZ", "Rabat": "MA", "Tunis": "TN", "Khartoum": "SD",
    "Dar es Salaam": "TZ", "Accra": "GH", "Kampala": "UG", "Harare": "ZW", "Luanda": "AO",
}  # fmt: skip

# Adjectives of nationality that name a person's country in a title ("Chinese Foreign
# Minister"); pycountry has no demonyms, so the common ones are listed.
DEMONYMS: dict[str, str] = {
    "Chinese": "CN", "Pakistani": "PK", "Indian": "IN", "American": "US", "Russian": "RU",
    "British": "GB", "French": "FR", "German": "DE", "Japanese": "JP",
    "South Korean": "KR", "Korean": "KR", "North Korean": "KP", "Afghan": "AF",
    "Iranian": "IR", "Turkish": "TR", "Saudi": "SA", "Qatari": "QA", "Emirati": "AE",
    "Bangladeshi": "BD", "Nepali": "NP", "Nepalese": "NP", "Sri Lankan": "LK",
    "Maldivian": "MV", "Bhutanese": "BT", "Italian": "IT", "Spanish": "ES",
    "Portuguese": "PT", "Dutch": "NL", "Belgian": "BE", "Swiss": "CH", "Austrian": "AT",
    "Swedish": "SE", "Norwegian": "NO", "Danish": "DK", "Finnish": "FI", "Polish": "PL",
    "Czech": "CZ", "Hungarian": "HU", "Romanian": "RO", "Serbian": "RS", "Greek": "GR",
    "Irish": "IE", "Ukrainian": "UA", "Belarusian": "BY", "Georgian": "GE",
    "Armenian": "AM", "Azerbaijani": "AZ", "Kazakh": "KZ", "Kazakhstani": "KZ",
    "Uzbek": "UZ", "Tajik": "TJ", "Kyrgyz": "KG", "Turkmen": "TM", "Mongolian": "MN",
    "Vietnamese": "VN", "Thai": "TH", "Malaysian": "MY", "Singaporean": "SG",
    "Indonesian": "ID", "Filipino": "PH", "Philippine": "PH", "Cambodian": "KH",
    "Lao": "LA", "Laotian": "LA", "Myanmar": "MM", "Burmese": "MM", "Australian": "AU",
    "New Zealand": "NZ", "Canadian": "CA", "Mexican": "MX", "Brazilian": "BR",
    "Argentine": "AR", "Argentinian": "AR", "Chilean": "CL", "Peruvian": "PE",
    "Colombian": "CO", "Cuban": "CU", "Venezuelan": "VE", "Egyptian": "EG",
    "Ethiopian": "ET", "Kenyan": "KE", "South African": "ZA", "Nigerian": "NG",
    "Algerian": "DZ", "Moroccan": "MA", "Tunisian": "TN", "Libyan": "LY",
    "Sudanese": "SD", "Tanzanian": "TZ", "Ghanaian": "GH", "Ugandan": "UG",
    "Zimbabwean": "ZW", "Angolan": "AO", "Iraqi": "IQ", "Syrian": "SY", "Lebanese": "LB",
    "Jordanian": "JO", "Omani": "OM", "Kuwaiti": "KW", "Bahraini": "BH", "Yemeni": "YE",
    "Israeli": "IL", "Palestinian": "PS",
}  # fmt: skip

# Country names pycountry lacks or spells formally, and bodies named by abbreviation.
EXTRA_COUNTRY_NAMES: dict[str, str] = {
    "Russia": "RU", "Iran": "IR", "South Korea": "KR", "North Korea": "KP",
    "Vietnam": "VN", "Laos": "LA", "Syria": "SY", "Turkey": "TR", "Türkiye": "TR",
    "Britain": "GB", "Great Britain": "GB", "United Kingdom": "GB", "UK": "GB",
    "United States": "US", "United States of America": "US", "USA": "US", "U.S.": "US",
    "America": "US", "Czech Republic": "CZ", "Brunei": "BN", "Burma": "MM",
    "Ivory Coast": "CI", "Cape Verde": "CV", "Macedonia": "MK", "Palestine": "PS",
    "Vatican": "VA", "Holy See": "VA", "Moldova": "MD", "Bolivia": "BO",
    "Venezuela": "VE", "Tanzania": "TZ", "Taiwan": "TW", "UAE": "AE",
    "CPC": "CN", "IDCPC": "CN", "PLA": "CN", "NPC": "CN", "CPPCC": "CN",
}  # fmt: skip

MONTHS: dict[str, int] = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8,
    "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
    "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

# Meeting kinds in priority order, each with the phrases that reveal it.
KIND_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (Kind.COURTESY_CALL.value, re.compile(r"\bcourtesy (?:call|visit|meeting)\b", re.I)),
    (
        Kind.TELEPHONE_CALL.value,
        re.compile(
            r"\b(?:tele)?phone (?:conversation|call|talks?)\b|\btelephonic\b|\b(?:tele)?phoned\b"
            r"|(?<!video )\bcalls? with\b"
            r"|\bspoke (?:over|on|by) (?:the )?(?:tele)?phone\b|\bby (?:tele)?phone\b",
            re.I,
        ),
    ),
    (
        Kind.VIDEO_CONFERENCE.value,
        re.compile(
            r"\bvideo[- ]?link\b|\bvirtual (?:meeting|summit|talks|conference)\b"
            r"|\bvideo[- ]?conferenc\w*|\bvideo call\b",
            re.I,
        ),
    ),
    (Kind.STATE_VISIT.value, re.compile(r"\bstate visit\b", re.I)),
    (Kind.OFFICIAL_VISIT.value, re.compile(r"\bofficial visit\b", re.I)),
    (Kind.DELEGATION_VISIT.value, re.compile(r"\bdelegations?\b", re.I)),
    (
        Kind.SIGNING_CEREMONY.value,
        re.compile(
            r"\bsign(?:ed|ing ceremony)\b|\bMoUs?\b|\bmemorand(?:um|a) of understanding\b", re.I
        ),
    ),
    (Kind.WORKING_LUNCH.value, re.compile(r"\bworking (?:lunch|dinner|breakfast)\b", re.I)),
    (Kind.CONSULTATIONS.value, re.compile(r"\bconsultations\b", re.I)),
    (Kind.SUMMIT.value, re.compile(r"\bsummit\b", re.I)),
    (
        Kind.BILATERAL_MEETING.value,
        re.compile(
            r"\b(?:held|hold|holds) talks\b|\bbilateral (?:meeting|talks)\b|\bmee?ts?\b", re.I
        ),
    ),
]
CALL_KINDS = {Kind.TELEPHONE_CALL.value, Kind.VIDEO_CONFERENCE.value}

# How a generated title joins the envoy and the counterpart, by kind.
TITLE_PHRASES: dict[str, str] = {
    Kind.COURTESY_CALL.value: "{a} pays courtesy call on {b}",
    Kind.TELEPHONE_CALL.value: "{a} holds telephone call with {b}",
    Kind.VIDEO_CONFERENCE.value: "{a} holds video conference with {b}",
    Kind.STATE_VISIT.value: "{a} meets {b} during state visit",
    Kind.OFFICIAL_VISIT.value: "{a} meets {b} during official visit",
    Kind.DELEGATION_VISIT.value: "{a} leads delegation to meet {b}",
    Kind.SIGNING_CEREMONY.value: "{a} and {b} attend signing ceremony",
    Kind.WORKING_LUNCH.value: "{a} and {b} hold working lunch",
    Kind.CONSULTATIONS.value: "{a} holds consultations with {b}",
    Kind.SUMMIT.value: "{a} meets {b} at summit",
    Kind.BILATERAL_MEETING.value: "{a} holds talks with {b}",
    Kind.MEETING.value: "{a} meets {b}",
}


def _words(text: str) -> list[str]:
    """The whitespace-separated words of a table written as text."""
    return text.split()


# --- Honorifics and offices --------------------------------------------------------------
# A "title run" is a sequence of these units before a name: "H.E. Mr.", "Deputy Prime
# Minister and Foreign Minister Senator". Courtesy units are dropped from the proposed
# title; style units (ranks, "Senator") are kept only when no office is given.
_COURTESY_UNITS = [
    r"H\.\s?E\.", r"His Excellency", r"Her Excellency", r"Their Excellencies", r"Excellency",
    r"The Honou?rable", r"Honou?rable", r"Hon\.", r"Mrs\.?", r"Mr\.?", r"Ms\.?", r"Miss",
    r"Dr\.?", r"Madam", r"Madame", r"Mme\.?", r"Prof\.", r"Professor", r"Sir", r"Dame",
    r"Engr\.",
]  # fmt: skip
_STYLE_UNITS = [
    r"Senator", r"Sen\.", r"(?:Lieutenant|Major|Brigadier) General", r"(?:Lt|Maj|Brig)\.\s?Gen\.",
    r"General", r"Gen\.", r"Admiral", r"Adm\.", r"Air Chief Marshal", r"Field Marshal",
    r"Colonel", r"Col\.", r"Brigadier", r"Captain",
]  # fmt: skip
_OFFICE_MODIFIERS = (
    r"Deputy|Vice|Acting|Assistant|Senior|Special|Prime|Foreign|Defen[cs]e|Finance|Interior"
    r"|Commerce|Trade|Planning|State|Federal|Provincial|Executive|Permanent|Under|First"
    r"|Second|Third|Chief|Crown|Party|Regional|Political|Economic|Cultural|Press"
)
_OFFICE_HEADS = (
    r"Minister|President|Premier|Chairman|Chairwoman|Chairperson|Chair|Ambassador|Governor"
    r"|Mayor|Speaker|Secretary|Envoy|Representative|Director|Consul|Counsellor|Counselor"
    r"|Councilor|Councillor|Spokesperson|Spokesman|Spokeswoman|Commander|King|Queen"
    r"|Prince|Princess|Sheikh|Sheikha|Emir|Sultan|Chancellor|Chief|Justice|Adviser"
    r"|Advisor|Commissioner|Attaché|Chargé|Charge|Leader|Member"
)
# Offices match in any case: agencies write "Afghanistan's acting foreign minister Amir
# Khan Muttaqi". Courtesy and style units stay capitalised ("dr", "general" are words).
_OFFICE_UNIT = (
    rf"(?i:(?:(?:{_OFFICE_MODIFIERS})[ -]){{0,3}}(?:{_OFFICE_HEADS})"
    r"(?:[ -]General|[ -]at[ -]Large|\sof\sState|\sof\s(?:the\s)?(?:Army|Naval|Air)\sStaff"
    r"|\sd['’]Affaires)?)"
)
_UNIT = "|".join(
    [*_COURTESY_UNITS, *_STYLE_UNITS, _OFFICE_UNIT]  # longest alternatives first within each
)
_UNIT_RE = re.compile(rf"(?<![\w.])(?:{_UNIT})(?![\w])")
_COURTESY_RE = re.compile(rf"(?:{'|'.join(_COURTESY_UNITS)})$")
_STYLE_RE = re.compile(rf"(?:{'|'.join(_STYLE_UNITS)})$")
_RUN_JOINER = r"(?:\s*/\s*|\s+and\s+|\s*&\s*|\s*-cum-\s*|\s+cum\s+|\s+)"
_TITLE_RUN = rf"(?<![\w.])(?:{_UNIT})(?![\w])(?:{_RUN_JOINER}(?:{_UNIT})(?![\w])){{0,5}}"
_NAME_WORD_RE = re.compile(r"[^\W\d_][\w'’\-]*")
# What follows a title run up to the clause's end, read word by word in Python. It is in a
# lookahead so that finditer resumes right after the run: in "President Xi Jinping and
# Prime Minister Shehbaz Sharif" both people are found.
_HONORIFIC_NAME_RE = re.compile(rf"(?P<run>{_TITLE_RUN})[ \t]+(?=(?P<tail>[^\n,;:()]{{1,160}}))")
# Words that continue an office before the name: "President of Pakistan Asif Ali Zardari".
_OFFICE_OBJECT_LINKS = frozenset({"of", "for", "on", "the", "and", "&"})
_RUN_AT_END_RE = re.compile(rf"(?:{_TITLE_RUN})\s+$")

# Lower-case particles that belong inside names: "Mohammed bin Salman", "Zia ul Haq".
NAME_PARTICLES = frozenset(
    _words(
        """
        bin bint ibn al el ul ur ud de da di del della van von der den du la le dos das y
        """
    )
)
_TITLE_WORDS = frozenset(
    re.sub(r"[^A-Za-zé ]", " ", f"{_OFFICE_MODIFIERS}|{_OFFICE_HEADS}").split()
) | frozenset(
    _words(
        """
        Mr Mrs Ms Dr Miss Madam Madame Mme Excellency Excellencies Honourable Honorable Hon Prof
        Professor Sir Dame Senator General Admiral Marshal Colonel Brigadier Captain Lieutenant
        Major Gen Lt
        """
    )
)
# Capitalised words that never start or continue a person's name.
NON_NAME_WORDS = _TITLE_WORDS | frozenset(
    _words(
        """
        The A An And Of For To In On At By With From His Her Their Its Our Both This That These
        Those During After Before While Meanwhile However Also Today Yesterday Tomorrow Monday
        Tuesday Wednesday Thursday Friday Saturday Sunday January February March April July
        September October November December Ministry Department Embassy Consulate Government
        Republic Party Committee Central Council Affairs International National Office Assembly
        Parliament Senate Commission Bank University Institute Forum Summit Conference Meeting
        Corridor Initiative Agency Mission House Palace Hall Centre Center Province Joint
        Statement Communist People People's Peoples Islamic Democratic Federation Kingdom Union
        Organization Organisation Group Council Bureau Political Standing Plenary Session Belt
        Road Economic Relations Cooperation Strategic Dialogue Climate Change Energy Health
        Education Information Broadcasting Water Resources Railways Maritime Science Technology
        Industries Industry Production Petroleum Power Human Rights Law Justice Overseas
        Religious Narcotics Control Food Security Agriculture Communications Housing Works
        Privatisation Investment Development Reform Culture Tourism Sports Youth Women Labour
        Employment Transport Aviation Defence Defense Finance Revenue Planning Commerce Trade
        Interior Foreign Parliamentary Kashmir Gilgit-Baltistan Asia Europe Africa Americas
        Middle East South North West Pacific Gulf Region Regional Multilateral Bilateral
        """
    )
)

CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002a6df"
_CJK_RE = re.compile(f"[{CJK_CHARS}]")
_CJK_RUN_RE = re.compile(f"[{CJK_CHARS}]+")
_WORD_RE = re.compile(r"[^\W\d_](?:[\w'’\-]*[^\W_])?")
_POSSESSIVE_RE = re.compile(r"['’]s$")
_INITIAL_RE = re.compile(r"(?<=\s)[^\W\d_]\.\s+")

# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)(?![a-z])\.?"
)
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"\d{4}(?!\d)"
# A date without named groups, for the dateline pattern.
_DATE_CORE = (
    rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?"
    rf"|{_MONTH}\s+{_DAY}(?!\w)(?:,?\s+{_YEAR})?)"
)
_DATE_RE = re.compile(
    rf"""
      (?<![\w-])(?P<iso_y>\d{{4}})-(?P<iso_m>\d{{1,2}})-(?P<iso_d>\d{{1,2}})(?![\w-])
    | (?<!\w)(?P<dmy_d>{_DAY})(?:\s+of)?\s+(?P<dmy_m>{_MONTH})(?:,?\s+(?P<dmy_y>{_YEAR}))?
    | (?<!\w)(?P<mdy_m>{_MONTH})\s+(?P<mdy_d>{_DAY})(?!\w)(?:,?\s+(?P<mdy_y>{_YEAR}))?
    """,
    re.X | re.I,
)
_URL_DATE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])(?:[/-](0?[1-9]|[12]\d|3[01]))?(?!\d)"
)


@dataclass(frozen=True)
class DateMention:
    """A date written in the text; ``year`` is None when the text leaves it out."""

    year: int | None
    month: int
    day: int
    start: int
    text: str

    def as_date(self) -> dt.date | None:
        return _safe_date(self.year, self.month, self.day) if self.year else None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    """The date, or None when it does not exist or is outside the archive's range."""
    if not 1000 <= year <= 2999:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str) -> Iterator[DateMention]:
    """Every plausible date in `text`, in order, with or without a year."""
    for match in _DATE_RE.finditer(text):
        if match["iso_y"]:
            year, month, day = int(match["iso_y"]), int(match["iso_m"]), int(match["iso_d"])
            if _safe_date(year, month, day):
                yield DateMention(year, month, day, match.start(), match[0])
            continue
        month_word = match["dmy_m"] or match["mdy_m"]
        # "may 5" in running prose is a verb and a number, not a date.
        if not month_word[0].isupper():
            continue
        month = MONTHS[month_word.rstrip(".").lower()]
        day = int(re.match(r"\d+", match["dmy_d"] or match["mdy_d"])[0])
        year_text = match["dmy_y"] or match["mdy_y"]
        year = int(year_text) if year_text else None
        if year is not None and _safe_date(year, month, day) is None:
            year = None  # "11 November 0225": a typo for a year is no year at all
        if _safe_date(2000, month, day):  # 2000 was a leap year: 29 February passes
            yield DateMention(year, month, day, match.start(), match[0])


def _nearest_date(month: int, day: int, anchor: dt.date) -> dt.date | None:
    """The day (month, day) in the year that puts it nearest to `anchor`."""
    options = [_safe_date(anchor.year + shift, month, day) for shift in (-1, 0, 1)]
    valid = [option for option in options if option]
    return min(valid, key=lambda option: abs((option - anchor).days)) if valid else None


def _latest_date_not_after(month: int, day: int, today: dt.date) -> dt.date | None:
    """The most recent (month, day) on or before `today` (eight years back for 29 Feb)."""
    for year in range(today.year, today.year - 8, -1):
        candidate = _safe_date(year, month, day)
        if candidate and candidate <= today:
            return candidate
    return None


def url_date(url: str) -> tuple[dt.date | None, bool]:
    """The date an address carries (/2025/11/ or 2025-11-11), and whether it has a day."""
    if not url:
        return None, False
    match = _URL_DATE_RE.search(urlsplit(url).path)
    if not match:
        return None, False
    year, month = int(match[1]), int(match[2])
    if match[3]:
        full = _safe_date(year, month, int(match[3]))
        if full:
            return full, True
    return _safe_date(year, month, 15), False


# ---------------------------------------------------------------------------------------
# Text cleaning and layout
# ---------------------------------------------------------------------------------------

# Control characters, and bidirectional overrides that could disguise text in the admin.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Invisible characters that split names ("Khalil\u200bHashmi") and carry nothing.
_INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_ODD_SPACE_RE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_LABEL_LINE_RE = re.compile(
    r"(?:press|news|media) release|for immediate release|press statement|handout|readout"
    r"|media note|office of the spokesperson|no\.\s*\S{1,20}"
    r"|the (?:below|following) is attributable to [^\n]{1,80}",
    re.I,
)
# A line that is only a date (maybe with its weekday) is the release's date.
_DATE_LINE_RE = re.compile(
    rf"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s*)?(?P<date>{_DATE_CORE})\.?", re.I
)
_HTML_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")


def clean_text(text: object, notes: list[str]) -> str:
    """`text` as tidy Unicode: NFC, \\n line ends, no control characters, bounded length."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    elif not isinstance(text, str):
        text = "" if text is None else str(text)
    # Lone surrogates (from a bad decode) cannot be sent to the database.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\f", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    cleaned = _CONTROL_RE.sub("", text)
    if len(cleaned) < len(text):
        notes.append("The text contained control characters; they were removed.")
    cleaned = _ODD_SPACE_RE.sub(" ", _INVISIBLE_RE.sub("", cleaned))
    if len(cleaned) > MAX_TEXT_CHARS:
        cut = cleaned.rfind(" ", 0, MAX_TEXT_CHARS)
        cleaned = cleaned[: cut if cut > MAX_TEXT_CHARS // 2 else MAX_TEXT_CHARS]
        notes.append(
            f"The text was longer than {MAX_TEXT_CHARS:,} characters: only the beginning "
            "was read and kept as the body."
        )
    return cleaned


@dataclass
class Dateline:
    """What a dateline such as ``BEIJING, NOV 11 /DNA/ –`` says."""

    city: str
    date_text: str
    agency: str
    end: int  # where the dateline ends in its line


_CITY_WORD = r"[^\W\d_][\w'’.\-]*"
# A leading "date 2025-11-11" (or "Date: 11 November 2025") is the release's metadata.
_META_DATE_RE = re.compile(rf"[ \t\n]*date[ \t]*[:=]?[ \t]*(?P<date>{_DATE_CORE})[ \t]*", re.I)
_DATELINE_RE = re.compile(
    rf"""
    [ ]*(?P<city>{_CITY_WORD}(?:[ ]{_CITY_WORD}){{0,3}})
    (?:,?[ ]*D\.[ ]?C\.)?                                      # WASHINGTON, D.C.
    (?:,[ ]*(?P<date>{_DATE_CORE}))?
    ,?[ ]*(?:/[ ]*(?P<slash>[^/\n]{{1,40}}?)[ ]*/|\([ ]*(?P<paren>[^()\n]{{1,40}}?)[ ]*\))?
    [ ]*(?:[-–—]{{1,3}}|:)(?=\s|$)
    """,
    re.X | re.I,
)
_AGENCY_RE = re.compile(r"[^\W\d_][\w .&'’-]{0,39}")


def parse_dateline(line: str) -> Dateline | None:
    """The dateline opening `line`, if it has one that can be trusted."""
    match = _DATELINE_RE.match(line)
    if not match:
        return None
    city = re.sub(r"[ ,]*D\.[ ]?C\.$", "", match["city"]).strip(" .")
    words = city.split()
    if not words or words[0].rstrip(".").lower() in MONTHS:
        return None
    agency = (match["slash"] or match["paren"] or "").strip()
    if agency and (not _AGENCY_RE.fullmatch(agency) or any(find_dates(agency))):
        return None
    # A title-case phrase before a dash is as likely a headline ("Dar - Wang call") as a
    # place: trust it only in capitals, with a date or agency, or when it is a known city.
    is_capitals = city.upper() == city and any(ch.isalpha() for ch in city)
    if not (is_capitals or match["date"] or agency or known_city(city)):
        return None
    if not all(word[0].isupper() for word in words):
        return None
    return Dateline(city=city, date_text=match["date"] or "", agency=agency, end=match.end())


def _is_headline(line: str, rest: str) -> bool:
    """A short first line, without a closing full stop, followed by more text."""
    line = line.strip()
    return (
        bool(rest.strip())
        and bool(line)
        and len(line) <= MAX_HEADLINE_CHARS
        and not line.endswith((".", ",", ";", ":"))
    )


def _paragraphs(text: str) -> list[str]:
    """`text` as paragraphs: blocks between blank lines, or lines if there are none."""
    text = text.strip("\n ")
    if not text:
        return []
    if re.search(r"\n[ ]*\n", text):
        blocks = re.split(r"\n[ ]*\n+", text)
        return [p for p in (" ".join(b.split()) for b in blocks) if p]
    paragraphs: list[str] = []
    for raw_line in text.split("\n"):
        line = " ".join(raw_line.split())
        if not line:
            continue
        previous = paragraphs[-1] if paragraphs else ""
        # A long line that stops mid-sentence was wrapped by hand: join it to the next.
        if previous and len(previous) >= 60 and not re.search(r"[.!?:;\"”’)\]。]$", previous):
            paragraphs[-1] = f"{previous} {line}"
        else:
            paragraphs.append(line)
    return paragraphs


@dataclass
class Layout:
    """The parts of the release: metadata date, dateline, headline and paragraphs."""

    meta_date: dt.date | None
    dateline: Dateline | None
    headline: str
    paragraphs: list[str]


def _take_metadata(lines: list[str], meta_date: dt.date | None) -> dt.date | None:
    """Drop the metadata lines that open `lines` (in place) and return the date they give.

    Metadata: blank lines, labels ("PRESS RELEASE", "READOUT", "No. 123/2025") and a date
    line ("date 2025-11-11", "January 27, 2024"). The seed's date line also carries the
    dateline, which stays.
    """
    while lines:
        line = lines[0].strip()
        meta = _META_DATE_RE.match(line) or _DATE_LINE_RE.fullmatch(line)
        written = next(find_dates(meta["date"]), None) if meta else None
        if meta and meta_date is None and written and written.as_date():
            meta_date = written.as_date()
            lines[0] = line[meta.end() :]
        elif not line or _LABEL_LINE_RE.fullmatch(line) or _DATE_LINE_RE.fullmatch(line):
            lines.pop(0)
        else:
            break
    return meta_date


def read_layout(text: str) -> Layout:
    """Split the cleaned text into its metadata, dateline, headline and paragraphs."""
    lines = text.split("\n")
    meta_date = _take_metadata(lines, None)
    if not lines:
        return Layout(meta_date, None, "", [])
    first = lines.pop(0).strip()
    headline = ""
    dateline = parse_dateline(first)
    if dateline:
        remainder, rest = first[dateline.end :].strip(), "\n".join(lines)
        if _is_headline(remainder, rest):
            headline, body = remainder, rest
        else:
            body = f"{remainder}\n{rest}"
    elif _is_headline(first, "\n".join(lines)):
        # Headline first; then maybe a date line, and the dateline opening the body.
        headline = first
        meta_date = _take_metadata(lines, meta_date)
        dateline = parse_dateline(lines[0]) if lines else None
        if dateline:
            lines[0] = lines[0][dateline.end :]
        body = "\n".join(lines)
    else:
        body = "\n".join([first, *lines])
    return Layout(meta_date, dateline, " ".join(headline.split()), _paragraphs(body))


_ABBREVIATION_BEFORE_STOP_RE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Brig|Adm|Sen|Rep|Gov|Amb|Hon|St|No|Nos"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Jr|Sr|Engr|Mme|vs)"
    r"|(?<![\w.])(?:[A-Za-z]\.)*[A-Za-z])$"
)
_SENTENCE_STOP_RE = re.compile(r"[.!?]+[\"”’)\]]*(?=\s)|[。！？]")


def sentence_spans(text: str, start: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, shifted by `start`; line breaks end them."""
    spans: list[tuple[int, int]] = []

    def add(begin: int, end: int) -> None:
        piece = text[begin:end]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + begin + lead, start + begin + lead + len(stripped)))

    for line in re.finditer(r"[^\n]+", text):
        begin = line.start()
        for stop in _SENTENCE_STOP_RE.finditer(line[0]):
            # "H.E. Mr. Liu" and "Jan. 5" do not end sentences.
            # (Only the last few characters matter: a bounded look keeps long lines linear.)
            before = line[0][max(0, stop.start() - 12) : stop.start()]
            if stop[0][0] == "." and _ABBREVIATION_BEFORE_STOP_RE.search(before):
                continue
            add(begin, line.start() + stop.end())
            begin = line.start() + stop.end()
        add(begin, line.end())
    return spans


# ---------------------------------------------------------------------------------------
# Countries and places
# ---------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Case- and accent-insensitive key: "BRASILIA" and "Brasília" both give "brasilia"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


@functools.cache
def _city_index() -> dict[str, tuple[str, str]]:
    return {_fold(name): (name, code) for name, code in CITY_COUNTRIES.items()}


def known_city(city: str) -> tuple[str, str] | None:
    """(canonical spelling, country code) of a city in the built-in table."""
    return _city_index().get(_fold(city))


@functools.cache
def _city_in_text_re() -> re.Pattern[str]:
    names = sorted(CITY_COUNTRIES, key=len, reverse=True)
    return re.compile(rf"\b(?:in|at)\s+(?:the\s+)?({'|'.join(map(re.escape, names))})(?!\w)")


def title_case_city(city: str) -> str:
    """A dateline's city in title case ("NEW DELHI" → "New Delhi"), or the table's spelling."""
    known = known_city(city)
    if known:
        return known[0]
    return re.sub(r"[^\W\d_]+", lambda m: m[0][:1].upper() + m[0][1:].lower(), city)


@functools.cache
def _country_names() -> dict[str, str]:
    """Folded country name → ISO code, from pycountry and the table of extra names."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value and "," not in value:
                names.setdefault(_fold(re.sub(r"^the ", "", value)), country.alpha_2)
    for name, code in EXTRA_COUNTRY_NAMES.items():
        names[_fold(name)] = code
    return names


@functools.cache
def _country_mention_re() -> re.Pattern[str]:
    spellings = set(EXTRA_COUNTRY_NAMES) | set(DEMONYMS)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value and "," not in value:
                spellings.add(re.sub(r"^the ", "", value))
    alternatives = "|".join(map(re.escape, sorted(spellings, key=len, reverse=True)))
    return re.compile(
        rf"(?P<before>\b\w+\s+(?:the\s+)?)?(?<![\w.])(?P<name>{alternatives})(?P<possessive>['’]s)?(?![\w])"
    )


def guess_country(text: str) -> str:
    """The country a title or office names as the person's own, or "".

    "of Pakistan", "Pakistan's", "Chinese" and "of the Communist Party of China" name the
    person's country; "Ambassador to China" names the host, so "to/in X" is skipped.
    """
    strong: list[str] = []
    weak: list[str] = []
    for match in _country_mention_re().finditer(text):
        name = match["name"]
        code = DEMONYMS.get(name) or _country_names().get(_fold(name))
        if not code or not name[0].isupper():
            continue
        before = (match["before"] or "").split()
        preposition = before[0].lower() if before else ""
        if name in DEMONYMS or match["possessive"] or preposition in {"of", "for"}:
            strong.append(code)
        elif preposition not in {"to", "in", "at", "with", "from", "toward", "towards"}:
            weak.append(code)
    return (strong or weak or [""])[0]


# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------


def _is_capitalised(word: str) -> bool:
    """Upper-case initial, or a letter from a script without case (Arabic, CJK…)."""
    first = word[:1]
    return first.isupper() or (first.isalpha() and not first.islower())


def _is_non_name(word: str) -> bool:
    bare = _POSSESSIVE_RE.sub("", word).rstrip(".")
    return (
        bare in NON_NAME_WORDS
        or bare.title() in NON_NAME_WORDS
        or _fold(bare) in _country_names()
        or bare in DEMONYMS
        or known_city(bare) is not None
    )


@dataclass
class Mention:
    """One place the text names a person: the name's span and the title run before it."""

    start: int
    end: int
    name: str
    official: Official | None = None
    run: str = ""  # honorifics/offices right before the name, e.g. "H.E. Mr."
    run_start: int = -1  # where that run starts (the name's start when there is none)


def _is_initial(word: re.Match[str], text: str) -> bool:
    """A single capital followed by a full stop: the "J." of "Antony J. Blinken"."""
    return len(word[0]) == 1 and word[0].isupper() and text[word.end() : word.end() + 1] == "."


def _joined(previous: re.Match[str], word: re.Match[str], text: str) -> bool:
    """Whether two words are parts of one name: only spaces (or an initial's stop) between."""
    gap = text[previous.end() : word.start()]
    if _is_initial(previous, text):
        gap = gap[1:]
    return bool(gap) and gap.strip(" \t") == ""


def _read_name(words: list[re.Match[str]], text: str) -> list[re.Match[str]]:
    """The 2–4 capitalised words (with particles and initials) that open `words`, or []."""
    kept: list[re.Match[str]] = []
    capitalised = 0
    for word in words:
        token = word[0]
        if kept and not _joined(kept[-1], word, text):
            break
        if token in NAME_PARTICLES and kept:
            kept.append(word)
            continue
        # A capital letter after a name is an initial: "Nguyễn Văn A", "George W. Bush".
        is_initial = len(token) == 1 and token.isupper() and capitalised > 0
        if capitalised == 4 or not (
            is_initial or (_is_capitalised(token) and not _is_non_name(token))
        ):
            break
        kept.append(word)
        capitalised += 1
        if _POSSESSIVE_RE.search(token):
            break  # "Modi's visit": the name ends at the possessive
    while kept and kept[-1][0] in NAME_PARTICLES:  # particles only join two names
        kept.pop()
    return kept if capitalised >= 2 else []


def honorific_mentions(text: str) -> list[Mention]:
    """Names led by an honorific or office: 'H.E. Mr. Liu Haixing', 'Senator X Y'.

    An office may take an object before the name ("President of Pakistan Asif Ali
    Zardari", "Minister for Planning Ahsan Iqbal"): capitalised words that cannot be a
    name (countries, portfolios) and of/for/the join the run, and the name follows.
    """
    mentions: list[Mention] = []
    for match in _HONORIFIC_NAME_RE.finditer(text):
        if len(mentions) >= MAX_HONORIFIC_MENTIONS:
            break
        tail_start = match.start("tail")
        words = list(_NAME_WORD_RE.finditer(text, tail_start, match.end("tail")))
        run_end = match.end("run")
        first = 0
        if words and words[0][0] in {"of", "for", "on"}:
            while first < len(words) and (
                words[first][0] in _OFFICE_OBJECT_LINKS
                or (_is_capitalised(words[first][0]) and _is_non_name(words[first][0]))
            ):
                if first and not _joined(words[first - 1], words[first], text):
                    break
                first += 1
            while first and words[first - 1][0] in _OFFICE_OBJECT_LINKS:
                first -= 1
            if first == 0 or first == len(words):
                continue  # "Ambassador of Pakistan to China," names no one
            run_end = words[first - 1].end()
        kept = _read_name(words[first:], text)
        if not kept:
            continue
        start = kept[0].start()
        name = _POSSESSIVE_RE.sub("", text[start : kept[-1].end()])
        run = text[match.start("run") : run_end]
        mentions.append(Mention(start, start + len(name), name, None, run, match.start("run")))
    return mentions


class _CandidateBucket:
    """Distinct candidate strings up to `limit`; repetitive text also exhausts the attempts."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.names: dict[str, str] = {}
        self.attempts = 0

    @property
    def full(self) -> bool:
        return len(self.names) >= self.limit or self.attempts >= 25 * self.limit

    def add(self, candidate: str) -> None:
        self.attempts += 1
        candidate = " ".join(candidate.split())
        if candidate and not self.full:
            self.names.setdefault(candidate.casefold(), candidate)


def _candidate_names(text: str, honorific: list[Mention]) -> list[str]:
    """Strings that may be a known official's name or alias, at most MAX_CANDIDATES.

    Honorific-led names first (the strongest evidence), then windows of 2–4 words from
    runs of capitalised words, then windows of 2–6 CJK characters. CJK keeps a share of
    the budget so that a long English text cannot crowd out a name such as 刘海星.
    """
    latin = _CandidateBucket(MAX_CANDIDATES)
    cjk = _CandidateBucket(MAX_CANDIDATES)

    def add_name(name: str) -> None:
        latin.add(name)
        # The archive may know "Antony J. Blinken" as "Antony Blinken".
        without_initials = _INITIAL_RE.sub(" ", name)
        if without_initials != name:
            latin.add(without_initials)

    for mention in honorific:
        add_name(mention.name)
    run: list[re.Match[str]] = []

    def flush() -> None:
        while run and run[-1][0] in NAME_PARTICLES:
            run.pop()
        for first in range(len(run)):
            # Only title words are ruled out here: a known "Santiago Peña" starts with a city.
            if run[first][0] in NAME_PARTICLES or run[first][0].rstrip(".") in NON_NAME_WORDS:
                continue
            for size in (2, 3, 4):
                window = run[first : first + size]
                if len(window) < size or latin.full:
                    break
                if window[-1][0] in NAME_PARTICLES:
                    continue
                if any(w[0].rstrip(".") in _TITLE_WORDS for w in window):
                    break
                add_name(_POSSESSIVE_RE.sub("", text[window[0].start() : window[-1].end()]))
        run.clear()

    for word in _WORD_RE.finditer(text):
        if latin.full:
            break
        token = word[0]
        if _CJK_RE.match(token[0]):
            flush()  # CJK runs are windowed separately below
        elif _is_capitalised(token) or (run and token in NAME_PARTICLES):
            if not (run and _joined(run[-1], word, text)):
                flush()  # a comma, a full stop or a line break ends a run
            run.append(word)
            if len(run) >= 12:  # a long run is a heading or junk: window it in slices
                tail = run[-3:]
                flush()
                run.extend(tail)
        else:
            flush()
    flush()
    for cjk_run in _CJK_RUN_RE.finditer(text):
        characters = cjk_run[0][: 6 * MAX_CANDIDATES]
        # Windows by position, so that the budget goes to the text's beginning.
        for offset in range(len(characters) - 1):
            for size in range(2, min(6, len(characters) - offset) + 1):
                cjk.add(characters[offset : offset + size])
            if cjk.full:
                break
        if cjk.full:
            break
    latin_names, cjk_names = list(latin.names.values()), list(cjk.names.values())
    cjk_share = min(len(cjk_names), max(MIN_CJK_CANDIDATES, MAX_CANDIDATES - len(latin_names)))
    return latin_names[: MAX_CANDIDATES - cjk_share] + cjk_names[:cjk_share]


def find_known_officials(candidates: list[str]) -> list[Official]:
    """Officials whose name or an alias equals one of `candidates` (one query)."""
    if not candidates:
        return []
    condition = Q()
    for candidate in candidates:
        condition |= Q(name__iexact=candidate) | Q(aliases__icontains=candidate)
    wanted = {candidate.casefold() for candidate in candidates}
    found = []
    for official in Official.objects.filter(condition).select_related("country")[
        :MAX_OFFICIAL_ROWS
    ]:
        # icontains also matches inside a longer alias: keep only whole-line matches.
        if official.name.casefold() in wanted or any(
            alias.casefold() in wanted for alias in official.alias_list
        ):
            found.append(official)
    return found


def _name_pattern(name: str) -> re.Pattern[str]:
    """`name` as a whole-word, case-insensitive pattern; CJK names need no word break."""
    # "Antony Blinken" is also "Antony J. Blinken".
    body = r"(?:\s+[^\W\d_]\.)?\s+".join(map(re.escape, name.split()))
    left = "" if _CJK_RE.match(name[0]) else r"(?<!\w)"
    right = "" if _CJK_RE.match(name[-1]) else r"(?!\w)"
    return re.compile(f"{left}{body}{right}", re.I)


def known_mentions(text: str, officials: list[Official]) -> list[Mention]:
    """Where each known official's name or alias occurs; overlaps go to the longer name."""
    found: list[Mention] = []
    for official in officials:
        for spelling in [official.name, *official.alias_list][:20]:
            if len(spelling.strip()) < 2:
                continue
            for count, match in enumerate(_name_pattern(spelling.strip()).finditer(text)):
                if count >= MAX_OCCURRENCES_PER_PERSON:
                    break
                found.append(Mention(match.start(), match.end(), match[0], official))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


@dataclass
class Person:
    """A person the text names, with every place it names them."""

    name: str
    official: Official | None
    mentions: list[Mention]

    @property
    def first(self) -> int:
        return self.mentions[0].start

    def words(self) -> set[str]:
        spellings = [self.name]
        if self.official:
            spellings += [self.official.name, *self.official.alias_list]
        return {w.casefold() for s in spellings for w in s.split()}


def _overlaps(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


def gather_people(text: str, known: list[Mention], honorific: list[Mention]) -> list[Person]:
    """People in order of first mention, each once: known officials, then new names."""
    people: dict[object, Person] = {}
    for mention in known:
        key = ("official", mention.official.pk)
        # "Senator Mohammad Ishaq Dar": the honorific mention lends its run to "Ishaq Dar".
        for led in honorific:
            if _overlaps(led, mention):
                mention.run, mention.run_start = led.run, led.run_start
                break
        else:
            run = _RUN_AT_END_RE.search(text, max(0, mention.start - 200), mention.start)
            if run:
                mention.run, mention.run_start = run[0].strip(), run.start()
        if key in people:
            people[key].mentions.append(mention)
        else:
            people[key] = Person(mention.name, mention.official, [mention])
    known_people = list(people.values())
    for mention in honorific:
        if any(_overlaps(mention, k) for k in known):
            continue
        words = {w.casefold() for w in mention.name.split()}
        # "Mohammad Ishaq Dar" and "Ishaq Dar" are one person: a name whose words contain
        # (or are contained in) another's is that person again.
        same = next(
            (
                p
                for p in [*known_people, *people.values()]
                if len(words & p.words()) >= 2 and (words <= p.words() or p.words() <= words)
            ),
            None,
        )
        if same:
            same.mentions.append(mention)
            continue
        people[("name", mention.name.casefold())] = Person(mention.name, None, [mention])
    ordered = sorted(people.values(), key=lambda p: p.first)
    for person in ordered:
        person.mentions.sort(key=lambda m: m.start)
    return ordered


_CONNECTORS = frozenset({"of", "the", "to", "for", "and", "on", "&", "at", "de", "d’", "in"})


def _title_words_ok(words: list[str]) -> bool:
    """A title is capitalised words joined by of/the/to/for/and: no verbs, no prose."""
    return all(
        _is_capitalised(w.strip('()[]"“”‘’,')) or w.strip("()") in _CONNECTORS or not w.strip("()")
        for w in words
    )


def _starts_like_title(word: str) -> bool:
    bare = _POSSESSIVE_RE.sub("", word.strip("()"))
    return bare in _TITLE_WORDS or bool(re.match(_UNIT, word))


def _office_of_run(run: str) -> str:
    """The office in a title run: 'H.E. Mr.' → ''; 'Foreign Minister Senator' → 'Foreign Minister'.

    Courtesy units are dropped; a style ("Senator", a rank) is the title only when alone.
    """
    units = list(_UNIT_RE.finditer(run))
    offices = [u for u in units if not _COURTESY_RE.match(u[0]) and not _STYLE_RE.match(u[0])]
    if offices:
        office = run[offices[0].start() :]
        # A style or courtesy after the office is the person's, not the office's.
        trailing = [u for u in units if u.start() > offices[-1].end()]
        if trailing and not run[offices[-1].end() : trailing[0].start()].strip(" /&and"):
            office = run[offices[0].start() : offices[-1].end()]
        return office.strip()
    styles = [u for u in units if _STYLE_RE.match(u[0])]
    return styles[0][0] if styles else ""


def _is_nationality(word: str) -> bool:
    """Whether `word` says whose official someone is: "Chinese", "Pakistan’s"."""
    bare = _POSSESSIVE_RE.sub("", word)
    return word in DEMONYMS or (bare != word and _fold(bare) in _country_names())


def _appositive_before(text: str, end: int, floor: int) -> str:
    """'The Ambassador of Pakistan to China, H.E. X' → 'Ambassador of Pakistan to China'."""
    window = text[max(floor, end - 300) : end]
    if not re.search(r",\s*$", window):
        return ""
    clause = re.split(r"[.;:!?\n(]|,\s", window.rstrip().rstrip(","))[-1]
    words = clause.split()
    suffix: list[str] = []
    for word in reversed(words):
        if not (_is_capitalised(word.strip("()")) or word in _CONNECTORS):
            break
        suffix.insert(0, word)
    while suffix and not _starts_like_title(suffix[0]) and not _is_nationality(suffix[0]):
        suffix.pop(0)
    while suffix and suffix[-1] in _CONNECTORS:
        suffix.pop()
    return " ".join(suffix)


def _appositive_after(text: str, start: int) -> str:
    """'X, Minister of the International Department of … (IDCPC).' → that office."""
    match = re.match(
        r"(?:\s*\([^()\n]{1,60}\))?\s*,\s*(?:the\s+)?((?:[^,;.\n()]|\([^()\n]{0,80}\))+)",
        text[start : start + 400],
    )
    if not match:
        return ""
    words = match[1].split()
    if not words or not _starts_like_title(words[0]):
        return ""
    kept = []
    for word in words:
        if not _title_words_ok([word]):
            break
        kept.append(word)
    while kept and kept[-1] in _CONNECTORS:
        kept.pop()
    return " ".join(kept)


@functools.cache
def _nationality_prefix_re() -> re.Pattern[str]:
    demonyms = "|".join(map(re.escape, sorted(DEMONYMS, key=len, reverse=True)))
    return re.compile(rf"(?:the\s+)?((?:{demonyms})|[^\W\d_][\w ]{{0,30}}?['’]s)\s+(?=\S)")


def _strip_nationality(title: str) -> tuple[str, str]:
    """'Chinese Foreign Minister' → ('Foreign Minister', 'Chinese')."""
    match = _nationality_prefix_re().match(title)
    if not match or not _starts_like_title(title[match.end() :].split()[0]):
        return title, ""
    # "Prime Minister's Special Assistant" keeps its possessive: only a country's goes.
    if not _is_nationality(match[1]):
        return title, ""
    return title[match.end() :], match[1]


def describe_person(
    text: str, person: Person, spans: list[Mention], body_start: int = 0
) -> tuple[str, str]:
    """(title, country context) for a person, from the first mention that gives a title.

    Mentions in the body come before the headline's, which abbreviates offices.
    """
    context = ""
    for mention in sorted(person.mentions, key=lambda m: (m.start < body_start, m.start)):
        run_start = mention.run_start if mention.run_start >= 0 else mention.start
        # Words just before the run ("Pakistan's", "Chinese") name the person's country.
        lead = re.search(r"(?:\S+\s+){0,2}$", text[max(0, run_start - 60) : run_start])
        floor = max((m.end for m in spans if m.end <= run_start), default=0)
        office = _office_of_run(mention.run)
        before = _appositive_before(text, run_start, floor)
        after = _appositive_after(text, mention.end)
        context = context or (lead[0] if lead else "")
        for candidate in (office, before, after):
            if candidate:
                title, nationality = _strip_nationality(candidate)
                if candidate is office and lead:
                    nationality = nationality or lead[0]
                return title[:MAX_PERSON_TITLE_CHARS].strip(" ,"), f"{nationality} {candidate}"
    return "", context


_SWAP_RE = re.compile(
    r"\bcalled on by\b|\b(?:received|receives|receiving|hosted|hosts|hosting|welcomed"
    r"|welcomes|welcoming)\b",
    re.I,
)
_PASSIVE_RE = re.compile(r"\b(?:received|hosted|welcomed)\s+by\b", re.I)


def assign_roles(
    text: str, people: list[Person], sentences: list[tuple[int, int]]
) -> tuple[Person | None, Person | None]:
    """(envoy, counterpart) from the first sentence that names two people.

    The first named is the envoy unless the verb between them is "received", "hosted",
    "welcomed" or "called on by", or the first is named as the host of an invitation.
    """
    for begin, end in sentences:
        present: list[tuple[Mention, Person]] = []
        for person in people:
            inside = next((m for m in person.mentions if begin <= m.start < end), None)
            if inside:
                present.append((inside, person))
        if len(present) < 2:
            continue
        present.sort(key=lambda pair: pair[0].start)
        (first_mention, first), (second_mention, second) = present[0], present[1]
        between = text[first_mention.end : second_mention.start]
        lead_in = text[begin : first_mention.start]
        swap = bool(_SWAP_RE.search(between)) and not _PASSIVE_RE.search(between)
        if re.search(r"\binvitation of\b", lead_in, re.I):
            swap = not swap
        return (second, first) if swap else (first, second)
    return None, None


# ---------------------------------------------------------------------------------------
# Kind, topics, publisher
# ---------------------------------------------------------------------------------------


def detect_kind(headline: str, body: str) -> str:
    """The meeting kind: the first kind the headline reveals, else the body, else "meeting"."""
    if re.search(r"\bjoint (?:press )?statement\b", f"{headline}\n{body}", re.I):
        # A joint statement closes a visit: the visit is the meeting, whatever it lists.
        for kind in (Kind.STATE_VISIT.value, Kind.OFFICIAL_VISIT.value):
            if dict(KIND_PATTERNS)[kind].search(f"{headline}\n{body}"):
                return kind
    for text in (headline, body):
        for kind, pattern in KIND_PATTERNS:
            if pattern.search(text):
                return kind
    return Kind.MEETING.value


_KEY_TOKEN_RE = re.compile(r"\w+")
_KEY_POSSESSIVE_RE = re.compile(r"(?<=\w)['’]s\b")


def _key_tokens(text: str) -> list[re.Match[str]]:
    """Words for topic matching: case-folded, possessives dropped ("5E’s" is "5E")."""
    return list(_KEY_TOKEN_RE.finditer(_KEY_POSSESSIVE_RE.sub("", text.casefold())))


def find_topics(text: str) -> list[Topic]:
    """Known topics named (by name or alias) in `text`, in order of first occurrence."""
    topics = list(Topic.objects.all()[: ALL_TOPICS_LIMIT + 1])
    if len(topics) > ALL_TOPICS_LIMIT:
        # Too many to scan: ask only for topics whose name is one of the text's phrases.
        topics = list(
            Topic.objects.annotate(lower_name=Lower("name")).filter(
                lower_name__in=_text_phrases(text)
            )[:ALL_TOPICS_LIMIT]
        )
    folded = _KEY_POSSESSIVE_RE.sub("", text.casefold())
    tokens = list(_KEY_TOKEN_RE.finditer(folded))
    words = [t[0] for t in tokens]
    by_first_word: dict[str, list[tuple[tuple[str, ...], Topic]]] = {}
    first_seen: dict[int, int] = {}
    for topic in topics:
        for spelling in [topic.name, *topic.alias_list]:
            if _CJK_RE.search(spelling):
                # CJK is written without spaces: a substring is the only word match.
                position = folded.find(spelling.casefold())
                if position >= 0:
                    first_seen[topic.pk] = min(first_seen.get(topic.pk, position), position)
                continue
            key = tuple(m[0] for m in _key_tokens(spelling))
            if key:
                by_first_word.setdefault(key[0], []).append((key, topic))
    by_pk = {topic.pk: topic for topic in topics}
    for index, word in enumerate(words):
        for key, topic in by_first_word.get(word, ()):
            if topic.pk in first_seen and first_seen[topic.pk] <= tokens[index].start():
                continue
            if tuple(words[index : index + len(key)]) == key:
                first_seen[topic.pk] = tokens[index].start()
    return [by_pk[pk] for pk, _ in sorted(first_seen.items(), key=lambda item: item[1])]


def _text_phrases(text: str) -> list[str]:
    """Lower-cased phrases of 1–4 words, for the large-vocabulary topic query."""
    words = [w.strip(".,;:!?()[]\"“”‘’'") for w in text.lower().split()]
    words = [w for w in words if w]
    phrases: dict[str, None] = {}
    for index in range(len(words)):
        for size in (1, 2, 3, 4):
            if index + size <= len(words):
                phrases.setdefault(" ".join(words[index : index + size]))
            if len(phrases) >= MAX_TOPIC_PHRASES:
                return list(phrases)
    return list(phrases)


def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def publisher_for_url(url: str) -> tuple[str, bool]:
    """(publisher, from the archive?) for a URL: its host's usual publisher, else the host."""
    host = _host(url)
    if not host:
        return "", False
    prefixes = [f"{scheme}://{www}{host}" for scheme in ("http", "https") for www in ("", "www.")]
    condition = Q()
    for prefix in prefixes:
        condition |= Q(url__istartswith=prefix)
    rows = Source.objects.filter(condition).exclude(publisher="").values_list("url", "publisher")
    counts = Counter(publisher for link, publisher in rows[:1000] if _host(link) == host)
    if counts:
        return counts.most_common(1)[0][0], True
    return host, False


def valid_url(url: object) -> str:
    """`url` if it is an http(s) address the archive accepts, else ""."""
    if not isinstance(url, str):
        return ""
    url = url.strip()
    if not url or len(url) > MAX_URL_CHARS or _CONTROL_RE.search(url):
        return ""
    try:
        http_url_validator(url)
    except ValidationError:
        return ""
    return url


# ---------------------------------------------------------------------------------------
# Title and summary
# ---------------------------------------------------------------------------------------


def _shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:") + "…"


def make_summary(paragraphs: list[str]) -> str:
    """The first sentence of the body, and the second if both fit in MAX_SUMMARY_CHARS."""
    if not paragraphs:
        return ""
    # Two sentences never need more than the opening few thousand characters.
    opening = "\n".join(paragraphs[:2])[: 4 * MAX_SUMMARY_CHARS]
    sentences = [opening[a:b] for a, b in sentence_spans(opening)] or [opening]
    summary = sentences[0]
    if len(sentences) > 1 and len(summary) + 1 + len(sentences[1]) <= MAX_SUMMARY_CHARS:
        summary = f"{summary} {sentences[1]}"
    return _shorten(summary, MAX_SUMMARY_CHARS)


def make_title(
    headline: str, kind: str, envoy: ProposedParticipant | None, other: ProposedParticipant | None
) -> str:
    """The headline; else 'X pays courtesy call on Y' from the people; else ''."""
    if headline:
        return _shorten(headline, MAX_TITLE_CHARS)

    def label(person: ProposedParticipant) -> str:
        return person.official.name if person.official else person.name

    if envoy and other:
        return _shorten(TITLE_PHRASES[kind].format(a=label(envoy), b=label(other)), MAX_TITLE_CHARS)
    if envoy:
        return _shorten(f"{kind[:1].upper()}{kind[1:]} with {label(envoy)}", MAX_TITLE_CHARS)
    return ""


# ---------------------------------------------------------------------------------------
# The proposal
# ---------------------------------------------------------------------------------------


def propose(text: str, *, url: str = "", today: dt.date | None = None) -> Proposal:
    """A proposed draft readout for the press release `text` (reads, never writes).

    Never raises on any input: anything unreadable leaves fields empty and adds a note.
    """
    if isinstance(today, dt.datetime):
        today = today.date()
    elif not isinstance(today, dt.date):
        today = dt.date.today()
    notes: list[str] = []
    try:
        return _propose(text, url, today, notes)
    except DatabaseError:
        raise  # the database being down is not something the text caused
    except Exception:  # the promise to the editor's form: a bad paste never breaks it
        logger.exception("press release could not be read")
        try:
            body = "\n\n".join(_paragraphs(clean_text(text, [])))
        except Exception:  # the same text broke the reader once already
            body = ""
        return Proposal(
            title="Untitled readout",
            date=None,
            city="",
            location_country_code="",
            kind=Kind.MEETING.value,
            summary="",
            body=body,
            publisher="",
            url=valid_url(url),
            published=None,
            notes=[
                *notes,
                "The text could not be read automatically: fill in the readout by hand.",
            ],
        )


def _propose(raw_text: str, raw_url: str, today: dt.date, notes: list[str]) -> Proposal:
    text = clean_text(raw_text, notes)
    url = valid_url(raw_url)
    if raw_url and not url:
        notes.append("The address given is not an http(s) URL, so it was left out.")
    if not text.strip():
        notes.append("The text is empty: paste the press release.")
    if _HTML_TAG_RE.search(text):
        notes.append("The text contains HTML tags, kept as text: remove them if they are markup.")

    layout = read_layout(text)
    headline, paragraphs, dateline = layout.headline, layout.paragraphs, layout.dateline
    body = "\n\n".join(paragraphs)
    # One string for every search below, so that spans compare across headline and body.
    analysis = f"{headline}\n\n{body}" if headline else body
    body_start = len(headline) + 2 if headline else 0

    kind = detect_kind(headline, body)
    date, published = _dates(layout, analysis, url, today, notes)
    city, country_code = _place(dateline, kind, paragraphs, notes)
    publisher = _publisher(dateline, url, notes)
    participants = _participants(analysis, body_start, notes)
    topics = find_topics(analysis)
    if not topics and analysis.strip():
        notes.append("No topic already in the archive is named in the text: add topics by hand.")

    envoy = next((p for p in participants if p.role == ENVOY), None)
    counterpart = next((p for p in participants if p.role == COUNTERPART), None)
    lead = envoy or (participants[0] if participants else None)
    title = make_title(headline, kind, lead, counterpart)
    if not title:
        title = "Untitled readout"
        notes.append("No headline or participants found: give the readout a title.")
    elif not headline:
        notes.append("The text has no headline: the title was made up from the meeting; check it.")
    return Proposal(
        title=title,
        date=date,
        city=city,
        location_country_code=country_code,
        kind=kind,
        summary=make_summary(paragraphs),
        body=body,
        publisher=publisher,
        url=url,
        published=published,
        participants=participants,
        topics=topics,
        notes=notes,
    )


def _dates(
    layout: Layout, analysis: str, url: str, today: dt.date, notes: list[str]
) -> tuple[dt.date | None, dt.date | None]:
    """(meeting date, release date), with notes on every guess."""
    mentions = list(find_dates(analysis))
    address_date, address_has_day = url_date(url)
    dateline_date: dt.date | None = None
    # The metadata line is the editor's own record of the date: nothing to infer then.
    if layout.dateline and layout.dateline.date_text and not layout.meta_date:
        written = next(find_dates(layout.dateline.date_text), None)
        if written and written.year:
            dateline_date = written.as_date()
        elif written:
            dateline_date = _infer_year(written, mentions, address_date, today, notes)
    published = layout.meta_date or dateline_date or (address_date if address_has_day else None)
    if published:
        date = published
        opening = layout.paragraphs[0] if layout.paragraphs else ""
        if re.search(r"\byesterday\b", opening, re.I) and not layout.meta_date:
            date = published - dt.timedelta(days=1)
            notes.append(
                "The release says the meeting was “yesterday”: the date is the day before it."
            )
        elif not layout.meta_date and not dateline_date:
            notes.append("The date comes from the address (URL): check it is the meeting's date.")
        return date, published
    # No dateline date: the first date written in the text.
    for mention in mentions:
        found = mention.as_date() or _infer_year(mention, mentions, address_date, today, notes)
        if found:
            notes.append(f"The date was read from the text (“{mention.text}”): check it.")
            return found, found
    notes.append("No date found: enter the meeting's date.")
    return None, None


def _infer_year(
    written: DateMention,
    mentions: list[DateMention],
    address_date: dt.date | None,
    today: dt.date,
    notes: list[str],
) -> dt.date | None:
    """A year for a date written without one ("NOV 11")."""
    full = next((m for m in mentions if m.year and m.as_date()), None)
    if full:
        found, source = (
            _nearest_date(written.month, written.day, full.as_date()),
            (f"the date “{full.text}” in the text"),
        )
    elif address_date:
        found, source = _nearest_date(written.month, written.day, address_date), "the address (URL)"
    else:
        found, source = _latest_date_not_after(written.month, written.day, today), "today's date"
    if found:
        notes.append(
            f"The year is not given with “{written.text}”: {found.year} was taken from "
            f"{source}; check it."
        )
    return found


def _place(
    dateline: Dateline | None, kind: str, paragraphs: list[str], notes: list[str]
) -> tuple[str, str]:
    """(city, venue country code); both empty for calls, which have no venue."""
    city = title_case_city(dateline.city) if dateline else ""
    if kind in CALL_KINDS:
        where = f" ({city} in the dateline is where the release was issued)" if city else ""
        notes.append(f"A {kind} has no venue: city and country are left empty{where}.")
        return "", ""
    if not city:
        opening = "\n".join(paragraphs[:2])[:3000]  # where a release says where it was
        found = _city_in_text_re().search(opening)
        if found:
            city = title_case_city(found[1])
            notes.append(f"The place was read from the text (“{found[0]}”): check it.")
    if not city:
        notes.append("No place found: enter the city and country where the meeting was held.")
        return "", ""
    # The archive knows its own cities best; then the built-in table.
    usual = (
        Meeting.objects.filter(city__iexact=city, location_country__isnull=False)
        .values("location_country__code")
        .annotate(meetings=Count("pk"))
        .order_by("-meetings", "location_country__code")
        .first()
    )
    if usual:
        return city, usual["location_country__code"]
    known = known_city(city)
    if known:
        return city, known[1]
    notes.append(f"The country of {city} is not known: enter it.")
    return city, ""


def _publisher(dateline: Dateline | None, url: str, notes: list[str]) -> str:
    """The agency in the dateline, else what the archive calls the URL's site, else its host."""
    if dateline and dateline.agency:
        return dateline.agency
    if url:
        publisher, from_archive = publisher_for_url(url)
        if publisher and not from_archive:
            notes.append(
                f"The publisher is the address's site ({publisher}): give its proper name."
            )
        if publisher:
            return publisher
    notes.append("No publisher found: enter who issued the release.")
    return ""


def _participants(analysis: str, body_start: int, notes: list[str]) -> list[ProposedParticipant]:
    """The people the text names, matched to known officials, with titles and roles."""
    honorific = honorific_mentions(analysis)
    officials = find_known_officials(_candidate_names(analysis, honorific))
    known = known_mentions(analysis, officials)
    people = gather_people(analysis, known, honorific)
    if len(people) > MAX_PARTICIPANTS:
        notes.append(f"The text names over {MAX_PARTICIPANTS} people: only the first were kept.")
        people = people[:MAX_PARTICIPANTS]
    if not people:
        notes.append("No participants found: add them.")
        return []
    body_sentences = sentence_spans(analysis[body_start:], body_start)
    headline_sentences = sentence_spans(analysis[:body_start]) if body_start else []
    envoy, counterpart = assign_roles(analysis, people, body_sentences)
    if envoy is None:
        envoy, counterpart = assign_roles(analysis, people, headline_sentences)
    if envoy is None:
        notes.append("No sentence names two people: set who is the envoy and the counterpart.")
    all_mentions = sorted((m for p in people for m in p.mentions), key=lambda m: m.start)
    proposed: list[ProposedParticipant] = []
    for person in people:
        title, context = describe_person(analysis, person, all_mentions, body_start)
        if person.official is not None:
            code = person.official.country.code
        else:
            code = guess_country(context)
            notes.append(
                f"“{person.name}” is not in the archive: add them as an official (or correct "
                "the name) before saving."
            )
            if not code:
                notes.append(f"The country of “{person.name}” could not be told: enter it.")
        role = ENVOY if person is envoy else COUNTERPART if person is counterpart else PARTICIPANT
        proposed.append(ProposedParticipant(person.name, person.official, title, code, role))
    # The envoy and counterpart lead the list; the others follow in the text's order.
    rank = {ENVOY: 0, COUNTERPART: 1, PARTICIPANT: 2}
    return sorted(proposed, key=lambda p: rank[p.role])
