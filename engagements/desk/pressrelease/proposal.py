"""What the reader proposes (a Proposal and its participants), its limits, and the
kinds of meeting it recognises."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from engagements.models import Meeting, Official, Participation, Source, Topic, longest

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
MAX_TITLE_CHARS = longest(Meeting, "title")
MAX_HEADLINE_CHARS = 250
MAX_SUMMARY_CHARS = 400
MAX_URL_CHARS = longest(Source, "url")
MAX_PERSON_TITLE_CHARS = longest(Participation, "title")

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
    new_topics: list[str] = field(default_factory=list)  # named, but not in the archive
    headline: str = ""  # the release's own headline
    side: str = ""  # ISO code of the side that issued it (its agency or masthead), if known
    already: list[Meeting] = field(default_factory=list)  # the same meeting, already entered


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
    "Republic of Korea": "KR", "ROK": "KR", "Kyrgyz Republic": "KG", "Kyrgyzstan": "KG",
    "Kazakhstan": "KZ", "Uzbekistan": "UZ", "Tajikistan": "TJ", "Turkmenistan": "TM",
    "People's Republic of China": "CN", "PRC": "CN", "Islamic Republic of Pakistan": "PK",
    "European Union": "EU", "EU": "EU", "European Commission": "EU", "European Council": "EU",
    "Arab Republic of Egypt": "EG", "Russian Federation": "RU", "DPRK": "KP",
    "Saudi Arabia": "SA", "Kingdom of Saudi Arabia": "SA", "KSA": "SA",
    "United Arab Emirates": "AE", "State of Qatar": "QA",
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
