"""People: names after honorifics and offices, known officials, the titles the text gives
them, and who is envoy and who counterpart."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.db.models import Q

from engagements.desk.pressrelease.places import _country_names, _fold, known_city
from engagements.desk.pressrelease.proposal import (
    DEMONYMS,
    MAX_CANDIDATES,
    MAX_HONORIFIC_MENTIONS,
    MAX_OCCURRENCES_PER_PERSON,
    MAX_OFFICIAL_ROWS,
    MAX_PERSON_TITLE_CHARS,
    MIN_CJK_CANDIDATES,
)
from engagements.desk.pressrelease.vocabulary import (
    _CJK_RE,
    _CJK_RUN_RE,
    _COURTESY_RE,
    _HONORIFIC_NAME_RE,
    _INITIAL_RE,
    _NAME_WORD_RE,
    _OFFICE_OBJECT_LINKS,
    _POSSESSIVE_RE,
    _RUN_AT_END_RE,
    _STYLE_RE,
    _TITLE_WORDS,
    _UNIT,
    _UNIT_RE,
    _WORD_RE,
    NAME_PARTICLES,
    NON_NAME_WORDS,
    PLACE_WORDS,
)
from engagements.models import Official

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
        if not kept or any(w[0] in PLACE_WORDS for w in kept):
            continue  # "Commander of the UAE Armed Forces": a body, not a name
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
class MentionedPerson:
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


def _variants(person: MentionedPerson) -> list[set[str]]:
    """The word sets of every spelling the text has used for a person."""
    return [{w.casefold() for w in m.name.split()} for m in person.mentions if m.name]


def _overlaps(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


def gather_people(
    text: str, known: list[Mention], honorific: list[Mention]
) -> list[MentionedPerson]:
    """People in order of first mention, each once: known officials, then new names."""
    people: dict[object, MentionedPerson] = {}
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
            people[key] = MentionedPerson(mention.name, mention.official, [mention])
    known_people = list(people.values())
    for mention in honorific:
        if any(_overlaps(mention, k) for k in known):
            continue
        words = {w.casefold() for w in mention.name.split()}
        # "Mohammad Ishaq Dar" and "Ishaq Dar" are one person: a name whose words contain
        # (or are contained in) another's is that person again. But once "Nawaz Sharif"
        # has been "Muhammad Nawaz Sharif", a "Maryam Nawaz Sharif" is someone else.
        same = next(
            (
                p
                for p in [*known_people, *people.values()]
                if len(words & p.words()) >= 2
                and (words <= p.words() or p.words() <= words)
                and not any(not (variant <= words or words <= variant) for variant in _variants(p))
            ),
            None,
        )
        if same:
            same.mentions.append(mention)
            # The fullest spelling names the person ("Mohammad Ishaq Dar", not "Ishaq Dar").
            if same.official is None and len(words) > len(same.name.split()):
                same.name = mention.name
            continue
        people[("name", mention.name.casefold())] = MentionedPerson(mention.name, None, [mention])
    ordered = sorted(people.values(), key=lambda p: p.first)
    for person in ordered:
        person.mentions.sort(key=lambda m: m.start)
    return ordered


_CONNECTORS = frozenset({"of", "the", "to", "for", "and", "on", "&", "at", "de", "d’", "in"})


def _title_words_ok(words: list[str]) -> bool:
    """A title is capitalised words joined by of/the/to/for/and: no verbs, no prose."""
    return all(
        _is_capitalised(w.strip('()[]"“”‘’,'))
        or w.strip("()") in _CONNECTORS
        or not w.strip("()")
        or _title_word(w)
        for w in words
    )


_LOWER_TITLE_WORDS = frozenset({w.casefold() for w in _TITLE_WORDS} | {"head"})


def _starts_like_title(word: str) -> bool:
    """Whether an office can start with `word`: "Minister", "head", "co-chairman"."""
    bare = _POSSESSIVE_RE.sub("", word.strip("()"))
    if bare in _TITLE_WORDS or bool(re.match(_UNIT, word)):
        return True
    return bare.casefold().split("-")[-1] in _LOWER_TITLE_WORDS - {"the", "of"}


def _title_word(word: str) -> bool:
    """A word that may stand inside an office in lower case: "and chairman of"."""
    return word.strip("()[],").casefold().split("-")[-1] in _LOWER_TITLE_WORDS


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
    # "…, the United States Ambassador to Pakistan,": a country may open the office.
    lead = 0
    while lead < min(3, len(words)) and not _starts_like_title(words[lead]):
        if not (
            _is_capitalised(words[lead])
            and (_is_nationality(words[lead]) or _is_non_name(words[lead]))
        ):
            break
        lead += 1
    if lead and lead < len(words) and _starts_like_title(words[lead]):
        pass
    elif not words or not _starts_like_title(words[0]):
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


_SENTENCE_END_TOKEN_RE = re.compile(r".*[.;:!?]$")
_ABBREVIATED_TOKEN_RE = re.compile(r"(?:[A-Z]\.)+|[A-Z][a-z]{0,3}\.")


# Words of a portfolio that may stand before an office's head: "External Affairs Minister".
_PORTFOLIO_RE = re.compile(
    r"Affairs|Energy|Transport|Infrastructure|Interior|Finance|Trade|Commerce|Defen[cs]e"
    r"|Planning|Health|Education|Agriculture|Industry|Industries|Information|Culture|Tourism"
    r"|Water|Power|Petroleum|Maritime|Railways|Communications|Labour|Justice|Law|Economic"
    r"|Investment|Development|Climate|Science|Technology|Housing|Works|Revenue|Aviation"
)


def _office_before(text: str, start: int, floor: int) -> str:
    """The office written right before a name, through commas: the capitalised words (and
    of/for/and/the) back to where the prose stops, from the first word that starts an
    office ("On Monday, Foreign Minister X" → "Foreign Minister")."""
    window = text[max(floor, start - 240) : start]
    window = window[window.rfind("\n") + 1 :]  # an office does not cross a line
    if not window.endswith((" ", "\u00a0")):
        return ""
    tokens = window.split()
    kept: list[str] = []
    for token in reversed(tokens):
        bare = token.rstrip(",")
        if _SENTENCE_END_TOKEN_RE.fullmatch(token) and not _ABBREVIATED_TOKEN_RE.fullmatch(token):
            break
        if not (_is_capitalised(bare.strip('()"“”')) or bare in _CONNECTORS or _title_word(bare)):
            break
        # ", the President of …" and ", and …" start a new person's description.
        if token.endswith(",") and kept and kept[0].casefold() in {"the", "and"}:
            kept.pop(0)
            break
        kept.insert(0, token)
        if len(kept) > 30:
            return ""
    # The office starts at its first title word, or at the portfolio words right before
    # it ("External Affairs Minister", "Transport and Infrastructure Minister"); a clause
    # before a comma ("On Monday,") is not part of it.
    first_title = next(
        (
            i
            for i, token in enumerate(kept)
            if _starts_like_title(token.rstrip(",")) and not _COURTESY_RE.match(token.rstrip(","))
        ),
        None,
    )
    if first_title is None:
        return ""
    begin = first_title
    while begin > 0:
        token = kept[begin - 1]
        bare = token.rstrip(",")
        if token.endswith(",") or bare in {"The", "the", "On", "In", "At", "During", "His", "Her"}:
            break
        if bare in {"Majesty", "Highness", "Excellency", "Royal", "Hon", "Honourable"}:
            break
        # A country or an abbreviation in brackets ends it: "People's Republic of China
        # (PRC) Foreign Minister" is the Foreign Minister (of China).
        if bare.startswith("(") or _fold(bare) in _country_names() or known_city(bare):
            break
        if bare in _CONNECTORS and bare not in {"and", "&"}:
            break
        if _is_nationality(bare) or bare in DEMONYMS:
            begin -= 1
            break
        if (
            bare in NON_NAME_WORDS
            and bare not in _TITLE_WORDS
            and not _PORTFOLIO_RE.fullmatch(bare)
        ):
            break
        begin -= 1
    kept = kept[begin:]
    while kept and kept[0] in _CONNECTORS:
        kept.pop(0)
    # Courtesies and styles right before the name are the person's, not the office's.
    while kept and (
        _COURTESY_RE.match(kept[-1].rstrip(","))
        or kept[-1].rstrip(",") in _CONNECTORS
        or re.fullmatch(r"(?:[A-Z]\.)+", kept[-1])  # the "S." of "Dr. S. Jaishankar"
    ):
        kept.pop()
    return " ".join(kept).strip(" ,")


def describe_person(
    text: str, person: MentionedPerson, spans: list[Mention], body_start: int = 0
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
        # "Federal Minister for Planning, Development and Special Initiatives Ahsan Iqbal":
        # the whole office before the name, commas and all, when the run holds less.
        longer = _office_before(text, mention.start, floor)
        style_only = bool(office) and bool(_STYLE_RE.match(office))
        if longer and (not office or style_only or longer.endswith(office)):
            office = longer
        before = _appositive_before(text, run_start, floor)
        if style_only and before:
            office = ""  # "Deputy Prime Minister/Foreign Minister, Senator X": the office
        # "Ambassador Jiang Zaidong of China": the office's object follows the name.
        of_after = re.match(
            r"\s+(of\s+(?:the\s+)?[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,3})",
            text[mention.end : mention.end + 60],
        )
        if office and of_after and " of " not in office and not style_only:
            office = f"{office} {of_after[1]}"
        after = _appositive_after(text, mention.end)
        context = context or (lead[0] if lead else "")
        for candidate in (office, before, after):
            if candidate:
                title, nationality = _strip_nationality(candidate)
                if candidate is office and lead:
                    nationality = nationality or lead[0]
                return title[:MAX_PERSON_TITLE_CHARS].strip(" ,"), f"{nationality} {candidate}"
    return "", context
