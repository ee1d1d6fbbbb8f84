"""Dates in a release: written dates, a URL's date, and the year a year-less date belongs to."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from engagements.desk.pressrelease.proposal import MONTHS

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
    | (?<![\w.])(?P<ymd_y>(?:19|20)\d\d)[./](?P<ymd_m>[01]?\d)[./](?P<ymd_d>[0-3]?\d)(?![\w.])
    | (?<![\w.])(?P<num_d>[0-3]?\d)\.(?P<num_m>[01]?\d)\.(?P<num_y>(?:19|20)\d\d)(?![\w.])
    | (?<![\w./])(?P<sl_a>[0-3]?\d)/(?P<sl_b>[0-3]?\d)/(?P<sl_y>(?:19|20)\d\d)(?![\w./])
      (?P<sl_clock>\s+\d\d?:\d\d\s*[AP]\.?M\b)?
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


def _slash_date(match: re.Match[str]) -> tuple[str, str, str] | None:
    """(year, month, day) of "03/09/2022": the order is clear when one part is over 12,
    or when a 12-hour clock follows (an American page: month first); else None."""
    first, second = int(match["sl_a"]), int(match["sl_b"])
    if first > 12 >= second:
        return match["sl_y"], match["sl_b"], match["sl_a"]
    if second > 12 >= first or match["sl_clock"]:
        return match["sl_y"], match["sl_a"], match["sl_b"]
    return None


def find_dates(text: str) -> Iterator[DateMention]:
    """Every plausible date in `text`, in order, with or without a year."""
    for match in _DATE_RE.finditer(text):
        numeric = (
            (match["iso_y"], match["iso_m"], match["iso_d"])
            if match["iso_y"]
            else (match["ymd_y"], match["ymd_m"], match["ymd_d"])
            if match["ymd_y"]
            # "04.04.2025": day first, as in Europe and Asia (a US page writes 04/04/2025).
            else (match["num_y"], match["num_m"], match["num_d"])
            if match["num_y"]
            else _slash_date(match)
            if match["sl_y"]
            else None
        )
        if numeric or match["sl_y"]:
            if numeric:
                year, month, day = (int(part) for part in numeric)
                if _safe_date(year, month, day):
                    yield DateMention(year, month, day, match.start(), match[0])
            continue  # an ambiguous "03/09/2022" is no date at all
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
