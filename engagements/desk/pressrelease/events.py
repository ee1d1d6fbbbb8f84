"""The event a release reports: the sentence that tells it, who took part, who hosted, what
kind of meeting it was and on which day.

A release names more people than took part: leaders whose greetings are conveyed, a
meeting recalled from last year, the spokesperson a statement is attributed to. The
event sentence is the first sentence of the body that names a person and a meeting verb
("met", "called on", "received", "held talks", "telephone conversation"); the people of
the event are the people it names (and the headline's), plus those a later sentence
says were present ("accompanied by", "the delegation included"). Everyone else is
background.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from engagements.desk.pressrelease.proposal import DEMONYMS, KIND_PATTERNS, Kind

# A verb or noun that tells a meeting (or call) took place.
EVENT_RE = re.compile(
    r"\b(?:met|meets?|meeting|called\s+on|calls?\s+on|calling\s+on|courtesy\s+call"
    r"|received|receives|receiving|hosted|hosts|hosting|welcomed|welcomes"
    r"|(?:held|holds|hold|holding)\s+(?:talks|a\s+meeting|meetings|consultations|discussions"
    r"|a\s+(?:tele)?phone|a\s+video|a\s+virtual|a\s+working|an?\s+\w+\s+meeting|a\s+bilateral)"
    r"|talks\s+with|(?:tele)?phone\s+(?:call|conversation|talks)|telephoned|phoned"
    r"|video\s+(?:call|conference|link)|virtual\s+meeting|spoke\s+(?:\w+\s+)?(?:with|to|by|over|on)"
    r"|speaks\s+with|conversation\s+with|co-?chaired|visited|paid\s+an?\s+(?:\w+\s+){0,2}visit"
    r"|conferred|exchanged\s+views|call\s+with|discussed|discussion\s+with|signed|signing"
    r"|in\s+the\s+presence\s+of|summit|dialogue|consultations)\b",
    re.I,
)
# Sentences that name people who were present without being the event's subject.
PRESENCE_RE = re.compile(
    r"\baccompanied\b|\bdelegation\s+(?:also\s+)?(?:included|includes|comprised|comprising"
    r"|consisting|consisted)\b|\b(?:was|were)\s+(?:also\s+)?(?:present|in\s+attendance)\b"
    r"|\balso\s+(?:present|attended|took\s+part|participated|joined|attending)\b"
    r"|\battended\s+by\b|\bamong\s+those\s+present\b|\bin\s+the\s+presence\s+of\b"
    r"|\bjoined\s+by\b|\bmembers\s+of\s+the\s+delegation\b|\bwitnessed\s+by\b"
    r"|\bsenior\s+officials\s+(?:from|of)\s+both\s+sides\b|\bmembers\s+(?:included|were)\b"
    r"|\b(?:side|delegation|team)\s+(?:also\s+)?included\b|\brepresented\s+by\b"
    r"|\bsigned\s+(?:for|on\s+behalf\s+of)\b|\bput\s+(?:his|her|their)\s+signatures?\b"
    r"|\b(?:was|were)\s+(?:led|headed)\s+by\b|\bco-?chaired\s+by\b|\bchaired\s+by\b",
    re.I,
)
# A sentence about another time or a statement about the meeting, not the meeting itself.
BACKGROUND_RE = re.compile(
    r"\brecall\w*|\blast\s+(?:year|month|week|January|February|March|April|May|June|July"
    r"|August|September|October|November|December)\b|\bprevious\w*|\bearlier\s+(?:this|last)"
    r"|\battributable\s+to\b|\bspokes(?:person|man|woman)\b|\bwill\s+(?:visit|meet|travel)"
    r"|\bis\s+(?:scheduled|expected)\s+to\b|\bupcoming\b|\bnext\s+(?:week|month|year)\b",
    re.I,
)
# Words before a name that make it part of someone else's description or a message's
# sender: "adviser to President X", "greetings of Prime Minister Y", "on behalf of Z".
_POSSESSOR_BEFORE_RE = re.compile(
    r"(?:\b(?:of|to|from|for)|behalf\s+of|greetings\s+(?:of|from)|message\s+(?:of|from)"
    r"|letter\s+(?:of|from)|wishes\s+(?:of|from)|(?:guidance|leadership|vision|directions?"
    r"|instructions)\s+of|invitation\s+to|regards\s+to|wishes\s+to|greetings\s+to"
    r"|(?:expressed|conveyed|sent|extended|voiced)\s+by)\s+(?:the\s+)?"
    r"(?:strategic\s+)?$",
    re.I,
)
# Right before a person's office: "visiting", "led by", "at the invitation of", "at the
# request of" (a demonym may stand between: "led by Pakistani Senator X").
_VISITOR_BEFORE_RE = re.compile(
    r"(?:\bvisiting|\bled\s+by|\bheaded\s+by|\bvisit\s+of|\barrival\s+of)\s+"
    r"(?:the\s+|its\s+|his\s+|her\s+|their\s+)?"
    r"(?:[A-Z][\w'’]*\s+){0,2}$",
    re.I,
)
_VISITOR_AFTER_RE = re.compile(
    r"^(?:\s*\([^()]{0,60}\))?(?:,\s*[^,.;]{0,120})?,\s*(?:who\s+(?:is|was|are|were)\s+(?:currently\s+)?(?:on\s+an?\s+"
    r"(?:\w+\s+){0,2}visit|visiting|in\s+[A-Z]\w+\s+(?:on|for))|(?:currently\s+)?on\s+an?\s+"
    r"(?:\w+\s+){0,2}visit\s+to|in\s+[A-Z][\w ]{1,30}\s+on\s+an?\s+(?:\w+\s+){0,2}visit)",
)
_HOST_BEFORE_RE = re.compile(
    r"\b(?:invitation|invited)\s+(?:of|by)\s+(?:the\s+)?(?:[A-Z][\w'’]*\s+)?$", re.I
)
_CALLER_BEFORE_RE = re.compile(
    r"\b(?:(?:at\s+the\s+)?request\s+of|(?:tele)?phone\s+call\s+from|call\s+from"
    r"|was\s+called\s+by|received\s+a\s+(?:\w+\s+)?call\s+from)\s+(?:the\s+)?"
    r"(?:[A-Z][\w'’]*\s+)?$",
    re.I,
)
_SIDE_REQUEST_RE = re.compile(r"\b(?:request|initiative)\s+of\s+the\s+([A-Z][a-z]+)\s+side\b", re.I)
# Between the first-named and the second-named person.
_FIRST_IS_VISITOR_RE = re.compile(
    r"\bcall(?:ed|s|ing)?\s+on\b|\bcourtesy\s+call\s+on\b|\b(?:received|hosted|welcomed)\s+by\b"
    r"|\bvisit(?:ed|s)?\b|\bpaid\s+a\s+(?:\w+\s+)?(?:call|visit)\b|\b(?:tele)?phoned\b"
    r"|\bcalled\b(?!\s+for)|\bmade\s+a\s+(?:\w+\s+)?call\s+to\b|\bdialled\b",
    re.I,
)
_FIRST_IS_HOST_RE = re.compile(
    r"\b(?:received|receives|receiving|hosted|hosts|hosting|welcomed|welcomes|welcoming)\b"
    r"(?!\s+by)|\bmet\s+here\b|\bmeets\s+here\b|\bcalled\s+on\s+by\b|\breceived\s+a\s+"
    r"(?:\w+\s+)?call\s+from\b|\binvited\b",
    re.I,
)
_RELATIVE_DAY_RE = re.compile(
    r"\b(?P<today>today|this\s+(?:morning|afternoon|evening)|tonight|here\s+today)\b"
    r"|\b(?P<yesterday>yesterday|last\s+night)\b"
    r"|\b(?:on\s+)?(?:the\s+(?:morning|afternoon|evening)\s+of\s+)?"
    r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
    re.I,
)
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@dataclass
class Sentence:
    start: int
    end: int
    text: str


def event_sentences(
    text: str, sentences: Sequence[tuple[int, int]], people_spans: Sequence[tuple[int, int]]
) -> list[Sentence]:
    """The sentence that tells the event, followed by the next ones while it names fewer
    than two people; [] when no sentence has a meeting verb and a person."""

    def people_in(begin: int, end: int) -> int:
        return sum(1 for a, _ in people_spans if begin <= a < end)

    chosen: list[Sentence] = []
    for index, (begin, end) in enumerate(sentences[:40]):
        sentence = text[begin:end]
        if people_in(begin, end) and EVENT_RE.search(sentence):
            chosen.append(Sentence(begin, end, sentence))
            named = people_in(begin, end)
            for later_begin, later_end in sentences[index + 1 : index + 3]:
                if named >= 2:
                    break
                later = text[later_begin:later_end]
                if BACKGROUND_RE.search(later):
                    continue
                chosen.append(Sentence(later_begin, later_end, later))
                named += people_in(later_begin, later_end)
            break
    if not chosen:
        # No meeting verb: the first sentence that names two people tells the event.
        for begin, end in sentences[:10]:
            if people_in(begin, end) >= 2:
                return [Sentence(begin, end, text[begin:end])]
    return chosen


def presence_sentences(
    text: str, sentences: Sequence[tuple[int, int]], after: int, limit: int = 30
) -> list[Sentence]:
    """Sentences after `after` that name people as present ("accompanied by")."""
    found = []
    for begin, end in sentences[:limit]:
        if begin < after:
            continue
        sentence = text[begin:end]
        cue = PRESENCE_RE.search(sentence)
        if cue and not BACKGROUND_RE.search(sentence):
            found.append(Sentence(begin, end, sentence))
    return found


_TAKING_PART_BEFORE_RE = re.compile(
    r"\b(?:chairmanship|presidency|presence|participation|attendance|leadership|invitation"
    r"|request|co-?chairmanship)\s+of\s+(?:the\s+)?$|\b(?:led|headed|received|hosted|joined"
    r"|accompanied|represented|chaired|co-?chaired)\s+by\s+(?:the\s+)?$",
    re.I,
)


_COUNTRY_WORD_BEFORE_RE = re.compile(r"\s(?:the\s+)?[A-Z][\w'’]*\s+$")


_MESSAGE_AFTER_RE = re.compile(
    r"['’]s?\s+(?:\w+\s+){0,2}(?:greetings|message|letter|wishes|regards|invitation|vision"
    r"|leadership|initiative|remarks|statement|behalf|instructions|directives?|guidance)\b",
    re.I,
)
_SPOKESPERSON_RE = re.compile(r"spokes(?:person|man|woman)", re.I)


def is_background(text: str, mention_end: int, office: str) -> bool:
    """A name whose greetings, message or vision is conveyed ("President Xi's greetings"),
    or a spokesperson who speaks about the meeting, is not at the meeting."""
    if _SPOKESPERSON_RE.search(office):
        return True
    return bool(_MESSAGE_AFTER_RE.match(text, mention_end, mention_end + 60))


def is_possessor(text: str, run_start: int, has_office: bool = False) -> bool:
    """Whether a name at `run_start` (where its office starts) belongs to someone else's
    description or a message: "adviser to President X", "greetings of Prime Minister Y",
    "adviser to UAE President Z". "Under the chairmanship of X", "in the presence of Y"
    name people who took part."""
    before = text[max(0, run_start - 40) : run_start]
    if has_office:
        # A country may stand between: "to UAE President" (but "Ambassador of China to
        # Pakistan Jiang Zaidong", with no office of his own before the name, is not).
        word = _COUNTRY_WORD_BEFORE_RE.search(before)
        if word and _POSSESSOR_BEFORE_RE.search(before[: word.start() + 1]):
            return not _TAKING_PART_BEFORE_RE.search(before[: word.start() + 1])
    return bool(_POSSESSOR_BEFORE_RE.search(before)) and not _TAKING_PART_BEFORE_RE.search(before)


# ---------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------


@dataclass
class Principal:
    """One of the two people the event is between, as the event sentence names them."""

    key: object  # the caller's handle for the person
    start: int  # where the name starts
    end: int
    run_start: int  # where the office before the name starts
    country: str


def _cue(text: str, person: Principal, sentence: Sentence) -> str:
    """'visitor', 'host' or '' from the words right around one person's name."""
    before = text[max(sentence.start, person.run_start - 80) : person.run_start]
    after = text[person.end : min(sentence.end, person.end + 160)]
    if _CALLER_BEFORE_RE.search(before) or _VISITOR_BEFORE_RE.search(before):
        return "visitor"
    if _VISITOR_AFTER_RE.search(after):
        return "visitor"
    if _HOST_BEFORE_RE.search(before):
        return "host"
    return ""


def order_roles(
    text: str, first: Principal, second: Principal, sentence: Sentence, venue_country: str
) -> tuple[Principal, Principal]:
    """(envoy, counterpart): the visitor or caller, then the host or the one called.

    In order of trust: words around a name ("visiting", "led by", "at the invitation
    of", "who is on a visit"), the verb between the two names ("called on", "received",
    "met here"), the venue (the person of the venue's country hosts), the order named.
    """
    # "At the request of the Armenian side": that side's principal placed the call.
    side = _SIDE_REQUEST_RE.search(sentence.text)
    if side:
        code = DEMONYMS.get(side[1]) or DEMONYMS.get(side[1].title())
        if code and first.country != second.country:
            if code == first.country:
                return first, second
            if code == second.country:
                return second, first
    # The verb between the names ("called on", "received") says it outright.
    between = text[first.end : second.run_start]
    if _FIRST_IS_HOST_RE.search(between):
        return second, first
    if _FIRST_IS_VISITOR_RE.search(between):
        return first, second
    first_cue, second_cue = _cue(text, first, sentence), _cue(text, second, sentence)
    if first_cue == second_cue:
        first_cue = second_cue = ""  # both sides' delegations "headed by": no cue
    if first_cue == "visitor" or second_cue == "host":
        return first, second
    if second_cue == "visitor" or first_cue == "host":
        return second, first
    if venue_country and first.country != second.country:
        if first.country == venue_country:
            return second, first
        if second.country == venue_country:
            return first, second
    return first, second


# ---------------------------------------------------------------------------------------
# Kind
# ---------------------------------------------------------------------------------------

_HELD_TALKS_RE = re.compile(
    r"\b(?:held|hold|holds|holding)\s+(?:\w+\s+){0,2}talks\b|\bbilateral\s+(?:meeting|talks)\b"
    r"|\btalks\s+(?:with|between)\b|\bdelegation-level\b",
    re.I,
)
_DELEGATION_RE = re.compile(r"\bdelegations?\b", re.I)
_MET_RE = re.compile(
    r"\b(?:met|meets?|meeting|talks|called\s+on|calls?\s+on|received|hosted|discussed)\b", re.I
)


_COURTESY_RE = re.compile(
    r"\bcourtesy\s+(?:call|visit|meeting)\b|\bcall(?:ed|s|ing)?\s+on\b(?!\s+(?:the\s+)?"
    r"(?:international|world|all|both|countries|parties|members|government|people)\b)",
    re.I,
)
_VISIT_KINDS = (Kind.STATE_VISIT.value, Kind.OFFICIAL_VISIT.value)


def event_kind(headline: str, event_text: str, opening: str) -> str:
    """The kind of meeting, from the event sentence and the headline (a call mentioned
    further down does not make a meeting a call), in order of how specific a kind is:
    a courtesy call, a call, a video conference, consultations, a working meal, a summit,
    a signing with no meeting; then talks; then a state or official visit; then a
    delegation received; else a meeting ("held talks" in the opening makes it talks).
    """
    patterns = dict(KIND_PATTERNS)
    told = f"{event_text}\n{headline}"
    # "A delegation led by X called on Y" is the delegation's visit.
    if _COURTESY_RE.search(told) and not _DELEGATION_RE.search(event_text):
        return Kind.COURTESY_CALL.value
    for kind in (
        Kind.TELEPHONE_CALL.value,
        Kind.VIDEO_CONFERENCE.value,
        Kind.CONSULTATIONS.value,
        Kind.WORKING_LUNCH.value,
    ):
        if patterns[kind].search(told):
            return kind
    if re.search(r"\bstrategic\s+dialogue\b|\bpolitical\s+consultations?\b", told, re.I):
        return Kind.CONSULTATIONS.value
    if patterns[Kind.SUMMIT.value].search(told) and not re.search(
        r"\b(?:sidelines|margins|eve|ahead|side-?lines|preparations?\s+for)\s+of\b"
        r"|\b(?:upcoming|forthcoming|next|planned|proposed|invitation\s+to)\b[^.]{0,60}summit",
        told,
        re.I,
    ):
        return Kind.SUMMIT.value
    if patterns[Kind.SIGNING_CEREMONY.value].search(told) and not _MET_RE.search(told):
        return Kind.SIGNING_CEREMONY.value
    if _HELD_TALKS_RE.search(told):
        return Kind.BILATERAL_MEETING.value
    for kind in _VISIT_KINDS:
        if patterns[kind].search(told):
            return kind
    if _DELEGATION_RE.search(event_text):
        return Kind.DELEGATION_VISIT.value
    if _HELD_TALKS_RE.search(opening):
        return Kind.BILATERAL_MEETING.value
    if not event_text and _DELEGATION_RE.search(opening):
        return Kind.DELEGATION_VISIT.value
    return Kind.MEETING.value


# ---------------------------------------------------------------------------------------
# Date
# ---------------------------------------------------------------------------------------


def relative_day(sentence: str, anchor: dt.date) -> tuple[dt.date | None, str]:
    """The day "today", "yesterday" or "on Friday" in `sentence` means, counted from the
    release's own date `anchor`; (None, "") when the sentence says none of them."""
    match = _RELATIVE_DAY_RE.search(sentence)
    if not match:
        return None, ""
    if match["today"]:
        return anchor, match[0]
    if match["yesterday"]:
        return anchor - dt.timedelta(days=1), match[0]
    weekday = WEEKDAYS.index(match["weekday"].lower())
    back = (anchor.weekday() - weekday) % 7
    return anchor - dt.timedelta(days=back), match[0]


def year_for_weekday(month: int, day: int, weekday: int, today: dt.date) -> dt.date | None:
    """The most recent year (up to ten back, or next year) in which (month, day) falls on
    `weekday`: "Tuesday, 5 March" pins its year."""
    for year in [today.year + 1, *range(today.year, today.year - 11, -1)]:
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate.weekday() == weekday and candidate <= today + dt.timedelta(days=31):
            return candidate
    return None
