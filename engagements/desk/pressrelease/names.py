"""Names that no office announces: in capitals ("Mr. KAMIKAWA Yoko"), found by the
language model, followed by their office ("Sun Haiyan, Vice-minister of …"), written
again in full, or by surname alone ("Hashmi said")."""

from __future__ import annotations

import re

from engagements.desk.pressrelease.people import (
    Mention,
    MentionedPerson,
    _is_capitalised,
    _is_nationality,
    _is_non_name,
    _name_pattern,
    _starts_like_title,
)
from engagements.desk.pressrelease.places import _country_names, _fold, known_city
from engagements.desk.pressrelease.proposal import (
    DEMONYMS,
    MAX_HONORIFIC_MENTIONS,
    MAX_OCCURRENCES_PER_PERSON,
)
from engagements.desk.pressrelease.vocabulary import (
    _CJK_RE,
    _POSSESSIVE_RE,
    _RUN_AT_END_RE,
    _TITLE_RUN,
    NAME_PARTICLES,
    PLACE_WORDS,
    _words,
)

# ---------------------------------------------------------------------------------------
# Names the language model finds, and names written in capitals
# ---------------------------------------------------------------------------------------

# Abbreviations in capitals that are not family names ("CPEC", "SCO").
_ACRONYMS = frozenset(
    _words(
        """
        CPEC CPC IDCPC SCO BRI UN UNGA UNSC US USA UK EU G20 G7 G77 ASEAN NATO OIC SAARC BRICS
        DPM SAPM COAS CJCSC CGS NSA MNA MPA SACM DG FO MOFA MFA PMO
        IMF WTO WHO PLA NPC CPPCC PTI PPP PML PMLN MQM JUI ANP APP DNA PM FM CEO MOU MOUS
        AIIB ADB OSCE GCC ECO CICA CSTO EAEU AU ICT AI IT SEZ SEZS JCC UAE KSA GDP FDI ICC
        ICJ NAM MOFA FAO UNDP ILO ISI ISPR PAF CM JP CN PK IN RU UNESCO UNICEF COP COP29 COP28
        """
    )
)
_CAPS_WORD_RE = re.compile(r"(?<![\w.])[A-Z][A-Z'’\-]{2,}(?![\w.])")
_NAME_NEIGHBOUR_RE = re.compile(r"[A-Z][a-z][\w'’\-]*|[A-Z]\.|H\.E\.|Mr\.|Ms\.|Mrs\.|Dr\.")


def soften_capitals(text: str) -> str:
    """`text` with family names in capitals in title case ("Mr. KAMIKAWA Yoko" → "Mr.
    Kamikawa Yoko"), the same length, so that offsets still point into the original.

    A word in capitals is a name when a name-like word stands next to it (a capitalised
    word, an initial or an honorific) and it is not a known abbreviation or a country.
    Lines wholly in capitals (datelines, shouted headlines) are left alone.
    """
    pieces: list[str] = []
    last = 0
    for match in _CAPS_WORD_RE.finditer(text):
        word = match[0]
        if word in _ACRONYMS or _fold(word) in _country_names() or known_city(word):
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        if not re.search(r"[a-z]", line):
            continue
        before = text[max(line_start, match.start() - 12) : match.start()].split()
        after = text[match.end() : match.end() + 20].split()
        neighbours = [w for w in (before[-1:] + after[:1]) if w]
        if not any(_NAME_NEIGHBOUR_RE.fullmatch(w.rstrip(",;:")) for w in neighbours):
            continue
        softened = word[0] + word[1:].lower()
        if len(softened) != len(word):
            continue
        pieces.append(text[last : match.start()])
        pieces.append(softened)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


# Letters of scripts the English model cannot read (Arabic, Cyrillic, Greek, …).
_OTHER_SCRIPT_RE = re.compile(r"[\u0370-\u03ff\u0400-\u052f\u0590-\u08ff\u0900-\u0dff]")
_PLACE_AFTER_RE = re.compile(r"\s+(?:House|Palace|Hall|Pavilion|Residence|Hotel|Building)\b")
_LEADING_TITLE_RE = re.compile(rf"^(?:(?:{_TITLE_RUN})\s+)+")


def model_mentions(
    text: str, entities: list[tuple[int, int]], taken: list[Mention]
) -> tuple[list[Mention], list[tuple[int, int]]]:
    """Mentions from the language model's PERSON spans that no rule found, and the spans of
    one-word names (surnames, for later mentions of someone already found).

    Offices and honorifics inside the span are moved to the mention's run; spans that are
    not names (countries, offices alone, numbers) are dropped.
    """
    mentions: list[Mention] = []
    single: list[tuple[int, int]] = []
    for start, end in entities:
        span = text[start:end]
        lead = _LEADING_TITLE_RE.match(span)
        if lead:
            start += lead.end()
            span = text[start:end]
        bare = _POSSESSIVE_RE.sub("", span).strip(" .,;:'’\"“”")
        start = start + span.find(bare) if bare else start
        end = start + len(bare)
        if not bare or re.search(r"\d", bare) or "\n" in bare:
            continue
        words = bare.split()
        if any(_is_non_name(w) or w in PLACE_WORDS for w in words if w not in NAME_PARTICLES):
            continue  # "Crown Prince", "Armed Forces", "Zardari House", "Courtesy Call"
        if _OTHER_SCRIPT_RE.search(bare):
            continue  # the English model reads Urdu or Russian words as names: only the
            # archive's own aliases are trusted in other scripts
        if not all(_is_capitalised(w) or w in NAME_PARTICLES for w in words):
            continue
        if _PLACE_AFTER_RE.match(text, end):
            continue  # "Qasr Al Watan Palace", "Aiwan-e-Sadr Hall"
        if any(a.start < end and start < a.end for a in taken):
            continue
        if len(words) == 1 and not _CJK_RE.match(bare):
            single.append((start, end))
            continue
        run = _RUN_AT_END_RE.search(text, max(0, start - 200), start)
        mention = Mention(start, end, bare)
        if run:
            mention.run, mention.run_start = run[0].strip(), run.start()
        mentions.append(mention)
    return mentions, single


# "Sun Haiyan, Vice-minister of …", "Moin ul Haque, Pakistani Ambassador to China": a
# name whose office follows it after a comma.
_APPOSITIVE_NAME_RE = re.compile(
    r"(?<![\w.])(?P<name>[^\W\d_][\w'’\-]+(?:[ ](?:[^\W\d_][\w'’\-]+|ul|al|bin|de|van|von))"
    r"{1,4})(?:[ ]*\([^()\n]{1,30}\))?,[ ]+(?:the[ ]+|a[ ]+|an[ ]+)?(?P<office>[^\n,;]{1,80})"
)


def appositive_mentions(text: str, taken: list[Mention]) -> list[Mention]:
    """Names followed by their office: 2–5 capitalised words, a comma, then an office
    (possibly after a country: "Pakistani Ambassador to China")."""
    found: list[Mention] = []
    for match in _APPOSITIVE_NAME_RE.finditer(text):
        if len(found) >= MAX_HONORIFIC_MENTIONS:
            break
        office_words = match["office"].split()
        lead = 0
        while lead < min(2, len(office_words)) and (
            _is_nationality(office_words[lead]) or office_words[lead] in DEMONYMS
        ):
            lead += 1
        if lead >= len(office_words) or not _starts_like_title(office_words[lead]):
            continue
        words = match["name"].split()
        # Drop leading words that cannot be a name ("On Monday, Liu…", "PM Shehbaz, …").
        while words and (
            _is_non_name(words[0])
            or not _is_capitalised(words[0])
            or _LEADING_TITLE_RE.match(words[0] + " ")
        ):
            words.pop(0)
        if len(words) < 2 or any(_is_non_name(w) or w in PLACE_WORDS for w in words):
            continue
        if not all(_is_capitalised(w) or w in NAME_PARTICLES for w in words):
            continue
        name = " ".join(words)
        start = match.start("name") + match["name"].rfind(name)
        end = start + len(name)
        if any(m.start < end and start < m.end for m in [*taken, *found]):
            continue
        found.append(Mention(start, end, name))
    return found


def repeat_mentions(text: str, people: list[MentionedPerson]) -> None:
    """Every other place the text writes a found person's name in full is that person
    (the model may miss a name the second time, inside a long office)."""
    taken = [m for p in people for m in p.mentions]
    for person in people:
        if person.official is not None or len(person.name.split()) < 2:
            continue
        for count, match in enumerate(_name_pattern(person.name).finditer(text)):
            if count >= MAX_OCCURRENCES_PER_PERSON:
                break
            if any(m.start < match.end() and match.start() < m.end for m in taken):
                continue
            mention = Mention(match.start(), match.end(), match[0])
            run = _RUN_AT_END_RE.search(text, max(0, match.start() - 200), match.start())
            if run:
                mention.run, mention.run_start = run[0].strip(), run.start()
            person.mentions.append(mention)
            taken.append(mention)
        person.mentions.sort(key=lambda m: m.start)


def attach_surnames(
    text: str, people: list[MentionedPerson], single: list[tuple[int, int]]
) -> None:
    """Add one-word mentions ("Hashmi said") to the one person whose name holds the word."""
    for start, end in single:
        word = text[start:end].casefold()
        owners = [p for p in people if word in {w.casefold() for w in p.name.split()}]
        if len(owners) == 1:
            owner = owners[0]
            if not any(m.start <= start < m.end for m in owner.mentions):
                owner.mentions.append(Mention(start, end, text[start:end], owner.official))
                owner.mentions.sort(key=lambda m: m.start)
