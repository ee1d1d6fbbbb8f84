"""A release's layout: cleaned text, metadata lines, the dateline, the headline, paragraphs,
sentences."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from engagements.desk.pressrelease.dates import _DATE_CORE, find_dates
from engagements.desk.pressrelease.places import known_city
from engagements.desk.pressrelease.proposal import MAX_HEADLINE_CHARS, MAX_TEXT_CHARS, MONTHS

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
    [ ]*(?:(?:[-–—]{{1,3}}|:)(?=\s|$)|[–—:](?=[^\W\d_"“‘'(]))  # also "APR 26 (DNA):The"
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
    agency_after_city = ""
    if ". " in city:  # "ASTANA. KAZINFORM": the agency follows the city
        city, agency_after_city = (part.strip() for part in city.split(". ", 1))
    words = city.split()
    if not words or words[0].rstrip(".").lower() in MONTHS:
        return None
    agency = (match["slash"] or match["paren"] or agency_after_city).strip()
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
    preamble: str = ""  # the page's furniture above the release (site name, menus)


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


# Page furniture above a release: navigation, share buttons, weather, labels.
_CLUTTER_LINE_RE = re.compile(
    r".*(?:\s[>»|]\s|\s/\s.*\s/\s).*"  # breadcrumbs and menus: "Home > Press > …"
    r"|[\W\d]*(?:°|℃|\bC\b)[\W\d]*"  # "28.2 C"
    r"|(?:share|print|close|email|tweet|submit release|menu|search|home|back|e-?paper"
    r"|latest(?: news)?|photos?|videos?|english|español|français|日本語|中文|русский)\W*",
    re.I,
)
# The line where a page's furniture starts again below the release.
_TRAILER_LINE_RE = re.compile(
    r"(?:tags?|related(?: articles| news| posts| items| stories)?|read (?:also|more)|also read"
    r"|see also|more (?:from|on|news)|share(?: this)?(?: article| page)?|print(?: this)?"
    r"|is this page useful\??|back to top|follow us|subscribe|comments?|latest news"
    r"|most (?:read|popular)|editor|responsible editor|source|copyright|all rights reserved"
    r"|related documents?|you may also like|recommended|topics)\b[^\n]{0,200}"
    r"|[©®][^\n]{0,200}|(?:\[?(?:editor|source|photo|reporter|written by)\s*:)[^\n]{0,200}"
    r"|[^\n]{0,120}(?:©|\bcopyright\b|\ball rights reserved\b)[^\n]{0,200}",
    re.I,
)
# How far down a pasted page the release may start.
MAX_LINES_ABOVE_BODY = 80


# Words a headline in title case leaves in lower case.
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "of", "and", "or", "with", "for", "to", "in", "on", "at", "by", "from"}
    | {"as", "vs", "via", "into", "over", "amid", "after"}
)


def _is_prose(line: str) -> bool:
    """A line of running text: long, with lower-case words that are not mere particles (a
    headline in title case has none), ending a sentence or long."""
    line = line.strip()
    words = line.split()
    if len(words) < 8:
        return False
    lower = [w for w in words if w[:1].islower() and w.casefold() not in _FUNCTION_WORDS]
    if re.search(r"[.!?。\"”’]$", line) and len(words) >= 12:
        return True  # a long sentence, however many offices it names
    if re.search(r"[.!?。\"”’)]$", line):
        return len(lower) >= 2
    return len(line) >= 160 and len(lower) >= 4


def _is_clutter(line: str) -> bool:
    line = line.strip()
    return (
        not line
        or len(line) < 3
        or bool(_CLUTTER_LINE_RE.fullmatch(line))
        or bool(_LABEL_LINE_RE.fullmatch(line))
    )


def _body_start(lines: list[str]) -> tuple[int, Dateline | None]:
    """The line where the release proper starts, and its dateline if it has one.

    A dateline whose line (or next line) carries running text wins; else the first line
    of running text; else the top (a short paste with no prose is read from its start).
    """
    first_prose = None
    for index, raw in enumerate(lines[:MAX_LINES_ABOVE_BODY]):
        line = raw.strip()
        dateline = parse_dateline(line)
        if dateline:
            remainder = line[dateline.end :].strip()
            following = next((ln for ln in lines[index + 1 : index + 4] if ln.strip()), "")
            if _is_prose(remainder) or (
                (not remainder or _is_headline(remainder, following)) and _is_prose(following)
            ):
                return index, dateline
        if first_prose is None and _is_prose(line):
            first_prose = index
            break
    return (first_prose or 0), None


def _headline_above(lines: list[str]) -> str:
    """The headline among the lines above the body: the nearest line that reads as one.

    Dates, labels, menus and bylines are skipped; a line repeating a breadcrumb's last
    part is still a headline.
    """
    for raw in reversed(lines):
        line = " ".join(raw.split())
        if (
            _is_clutter(line)
            or _DATE_LINE_RE.fullmatch(line)
            or _PUBLISHED_LINE_RE.fullmatch(line)
            or sum(1 for w in line.split() if re.search(r"[^\W\d_]{2}", w)) < 3
            or len(line) > MAX_HEADLINE_CHARS
            or line.endswith((".", ",", ";", ":"))
            or _TRAILER_LINE_RE.fullmatch(line)
            # A byline with its date ("Tugba Altun and Muhammet Tarhan | 15.05.2025").
            or "|" in line
            or re.match(r"(?:by|written by|reporting by)\s", line, re.I)
            or any(d.year for d in find_dates(line))
        ):
            continue
        return line
    return ""


# "Published 12 March 2024", "Updated: March 5, 2024 10:12 PKT", "MAY 18, 2022".
_PUBLISHED_LINE_RE = re.compile(
    rf"(?:(?:first )?(?:published|updated|posted|released|issued|date)(?: on)?\s*:?\s*)?"
    rf"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s*)?(?P<date>{_DATE_CORE})"
    rf"[^\n]{{0,30}}",
    re.I,
)


def _date_above(lines: list[str]) -> dt.date | None:
    """The full date nearest above the body on a short line (the release's date; a date
    at the top of a page is often the day it was viewed)."""
    for raw in reversed(lines):
        line = " ".join(raw.split())
        # "Source: Xinhua | Editor: huaxia | 2023-03-28", "( 2024.04.17 )", "04.04.2025".
        if len(line) > 120 or _is_prose(line):
            continue
        for written in find_dates(line):
            if written.as_date():
                return written.as_date()
    return None


def _cut_trailer(lines: list[str]) -> list[str]:
    """`lines` up to where the page's furniture starts again (tags, related, ©…)."""
    seen_text = False
    for index, raw in enumerate(lines):
        line = raw.strip()
        if seen_text and line and _TRAILER_LINE_RE.fullmatch(line) and not _is_prose(line):
            return lines[:index]
        seen_text = seen_text or _is_prose(line)
    return lines


# "Islamabad, 9 December 2024" closing a release: where and when it was issued.
_SIGNATURE_RE = re.compile(
    rf"(?P<city>[^\W\d_][\w'’.\-]*(?:[ ][^\W\d_][\w'’.\-]*){{0,2}}),?[ ]+(?P<date>{_DATE_CORE})\.?"
)


def _closing_signature(lines: list[str]) -> tuple[Dateline | None, list[str]]:
    """A last line giving the place and date of issue, as a dateline, and the lines
    without it."""
    index = len(lines) - 1
    while index >= 0 and not lines[index].strip():
        index -= 1
    if index < 0:
        return None, lines
    line = " ".join(lines[index].split())
    match = _SIGNATURE_RE.fullmatch(line) if len(line) <= 60 else None
    if not match or not known_city(match["city"]):
        return None, lines
    return Dateline(match["city"], match["date"], "", 0), lines[:index]


def _lone_city_line(lines: list[str]) -> Dateline | None:
    """A line above the body that is only a known city ("ISTANBUL"), or a dateline that
    introduces something other than the body ("Washington, DC (STL.News) - The …:")."""
    for raw in reversed(lines[-8:]):
        line = raw.strip()
        if not line:
            continue
        if known_city(line.strip(" .,")):
            return Dateline(line.strip(" .,"), "", "", 0)
        dateline = parse_dateline(line)
        if dateline:
            return dateline
    return None


def read_layout(text: str) -> Layout:
    """Split the cleaned text into its metadata, dateline, headline and paragraphs."""
    lines = text.split("\n")
    meta_date = _take_metadata(lines, None)
    if not lines:
        return Layout(meta_date, None, "", [])
    start, dateline = _body_start(lines)
    if start:
        above, lines = lines[:start], lines[start:]
        meta_date = meta_date or _date_above(above)
        headline = _headline_above(above)
        lines = _cut_trailer(lines)
        signature, lines = _closing_signature(lines)
        if dateline is None:
            dateline = _lone_city_line(above) or signature
            if dateline is not None:
                dateline.end = 0  # it is not on the body's first line
        if signature and meta_date is None:
            written = next(find_dates(signature.date_text), None)
            meta_date = written.as_date() if written else None
        first = lines.pop(0).strip()
        if dateline and dateline.end:
            remainder, rest = first[dateline.end :].strip(), "\n".join(lines)
            if not headline and _is_headline(remainder, rest):
                headline, body = remainder, rest
            else:
                body = f"{remainder}\n{rest}"
        else:
            body = "\n".join([first, *lines])
        return Layout(
            meta_date, dateline, " ".join(headline.split()), _paragraphs(body), "\n".join(above)
        )
    lines = _cut_trailer(lines)
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
