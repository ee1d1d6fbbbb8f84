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
