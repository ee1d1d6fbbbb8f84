"""The people of the event: everyone the text names (known officials, names after or
before an office, names in capitals, the language model's), then those who took part,
with their titles, countries and roles (envoy, counterpart, participant)."""

from __future__ import annotations

import itertools
import logging
import re

from engagements.desk.pressrelease.events import (
    Principal,
    Sentence,
    is_background,
    is_possessor,
    order_roles,
    presence_sentences,
)
from engagements.desk.pressrelease.names import (
    appositive_mentions,
    attach_surnames,
    model_mentions,
    repeat_mentions,
)
from engagements.desk.pressrelease.nlp import ModelUnavailable, person_spans
from engagements.desk.pressrelease.people import (
    Mention,
    MentionedPerson,
    _candidate_names,
    describe_person,
    find_known_officials,
    gather_people,
    honorific_mentions,
    known_mentions,
)
from engagements.desk.pressrelease.places import (
    country_mentions,
    guess_country,
)
from engagements.desk.pressrelease.proposal import (
    COUNTERPART,
    ENVOY,
    MAX_PARTICIPANTS,
    PARTICIPANT,
    ProposedParticipant,
)

logger = logging.getLogger(__name__)


def find_people(analysis: str, notes: list[str]) -> list[MentionedPerson]:
    """Everyone the text names: known officials, names after an office or honorific, and
    the names the language model finds; each person once, in order of first mention."""
    honorific = honorific_mentions(analysis)
    officials = find_known_officials(_candidate_names(analysis, honorific))
    known = known_mentions(analysis, officials)
    try:
        entities = person_spans(analysis)
    except ModelUnavailable:
        logger.exception("the language model is not available")
        notes.append("The language model is not installed: only names after an office were read.")
        entities = []
    found, single = model_mentions(analysis, entities, [*honorific, *known])
    followed = appositive_mentions(analysis, [*honorific, *known, *found])
    led = sorted([*honorific, *found, *followed], key=lambda m: m.start)
    people = gather_people(analysis, known, led)
    repeat_mentions(analysis, people)
    attach_surnames(analysis, people, single)
    return people


def event_participants(
    analysis: str,
    body_start: int,
    people: list[MentionedPerson],
    event: list[Sentence],
    headline_sentences: list[tuple[int, int]],
    body_sentences: list[tuple[int, int]],
    venue_country: str,
    issuing: str,
    notes: list[str],
) -> list[ProposedParticipant]:
    """The people of the event, matched to known officials, with titles, countries, roles.

    Only the event sentence's people (and the headline's, and those said to be present)
    take part; a name inside another's description ("adviser to President X") or a
    message's sender ("greetings of Y") does not.
    """
    if not people:
        notes.append("No participants found: add them.")
        return []
    zones = [(s.start, s.end) for s in event]
    presence = presence_sentences(analysis, body_sentences, event[0].end) if event else []
    if event:
        zones += [(a, b) for a, b in headline_sentences]
        zones += [(s.start, s.end) for s in presence]
    else:
        # No sentence tells a meeting: the headline and the opening paragraph.
        first_end = body_sentences[0][1] if body_sentences else len(analysis)
        zones = [*headline_sentences, (body_start, first_end)]

    def taking_part(person: MentionedPerson) -> Mention | None:
        for mention in person.mentions:
            run_start = mention.run_start if mention.run_start >= 0 else mention.start
            if (
                any(a <= mention.start < b for a, b in zones)
                and not is_possessor(analysis, run_start, bool(mention.run))
                and not is_background(analysis, mention.end, mention.run)
            ):
                return mention
        return None

    present = [(taking_part(p), p) for p in people]
    present = [(m, p) for m, p in present if m is not None]
    dropped = [p.name for p in people if all(p is not q for _, q in present)]
    if dropped:
        notes.append(
            "Named but not taken as participants (background, or not at the meeting): "
            + ", ".join(dropped[:8])
            + ". Add any who took part."
        )
    if len(present) > MAX_PARTICIPANTS:
        notes.append(f"The text names over {MAX_PARTICIPANTS} people: only the first were kept.")
        present = present[:MAX_PARTICIPANTS]
    if not present:
        notes.append("No participants found: add them.")
        return []

    all_mentions = sorted((m for p in people for m in p.mentions), key=lambda m: m.start)
    sides = country_mentions(analysis[:4000])
    described = []
    for mention, person in present:
        title, context = describe_person(analysis, person, all_mentions, body_start)
        if person.official is not None:
            code, guessed = person.official.country.code, False
        else:
            after = analysis[mention.end : mention.end + 40]
            code = _country_after_name(after) or guess_country(context)
            guessed = not code
            notes.append(
                f"“{person.name}” is not in the archive: add them as an official (or correct "
                "the name) before saving."
            )
        described.append([mention, person, title, code, guessed])
    members = _inherit_countries(analysis, described, presence)
    # A delegation's leader ("a delegation … led by X") is of the delegation's country.
    side = _delegation_country(analysis, event, presence)
    for entry in described:
        run_start = entry[0].run_start if entry[0].run_start >= 0 else entry[0].start
        if (
            not entry[3]
            and side
            and _LED_BY_RE.search(analysis[max(0, run_start - 30) : run_start])
        ):
            entry[3] = side
    # A title without a country ("the Foreign Secretary") is the issuing side's; failing
    # that, the side of the two the release is about that the others are not.
    # Releases name the foreign side's nationality and leave their own side's unsaid: an
    # office with no country is the issuing side's, unless that side is already the other
    # principal's, in which case a principal is of the other side the text names most.
    in_event_order = [
        e
        for e in sorted(described, key=lambda e: e[0].start)
        if event and event[0].start <= e[0].start < event[-1].end
    ]
    leading = {id(e) for e in in_event_order[:2]}
    for entry in described:
        if entry[3] or id(entry) in members:
            continue
        others = {e[3] for e in described if e[3] and e is not entry}
        principal_taken = any(e[3] == issuing for e in in_event_order[:2] if e is not entry)
        if issuing and not (id(entry) in leading and principal_taken):
            entry[3] = issuing
        else:
            entry[3] = next((c for c in sides if c not in others), issuing)
        if entry[3]:
            notes.append(f"The country of “{entry[1].name}” was guessed ({entry[3]}): check it.")
        else:
            notes.append(f"The country of “{entry[1].name}” could not be told: enter it.")

    envoy = counterpart = None

    # The two principals, in the order the event sentence names them (then the others').
    def event_mention(entry: list) -> Mention | None:
        if not event:
            return None
        return next(
            (m for m in entry[1].mentions if event[0].start <= m.start < event[-1].end), None
        )

    in_event = sorted(
        ((event_mention(e), e) for e in described if event_mention(e)), key=lambda p: p[0].start
    )
    principals = [*in_event, *((e[0], e) for e in described if not event_mention(e))]
    if len(principals) >= 2:
        first = principals[0]
        pool = in_event[1:] if len(in_event) >= 2 else principals[1:]
        second = next((p for p in pool if p[1][3] != first[1][3]), pool[0])
        both_in_event = len(in_event) >= 2 and second in in_event
        sentence = event[0] if both_in_event else Sentence(0, len(analysis), analysis)
        if both_in_event:
            sentence = Sentence(
                event[0].start, event[-1].end, analysis[event[0].start : event[-1].end]
            )
        pair = [
            Principal(
                id(entry[1]), m.start, m.end, m.run_start if m.run_start >= 0 else m.start, entry[3]
            )
            for m, entry in (first, second)
        ]
        chosen_envoy, _ = order_roles(analysis, pair[0], pair[1], sentence, venue_country)
        envoy, counterpart = (
            (first[1], second[1]) if chosen_envoy is pair[0] else (second[1], first[1])
        )
    else:
        notes.append("No sentence names two people: set who is the envoy and the counterpart.")
        envoy = described[0] if described else None

    # A delegation's members are of its side: the one the text names with the delegation
    # ("a delegation of the Pakistan Peoples Party", "the Pakistani delegation"), else
    # its leader's.
    for entry in described:
        if id(entry) in members and not entry[3]:
            entry[3] = side or (envoy[3] if envoy else "") or issuing
            if entry[3]:
                notes.append(
                    f"The country of “{entry[1].name}” was taken from the delegation's leader "
                    f"({entry[3]}): check it."
                )
    proposed: list[ProposedParticipant] = []
    for entry in described:
        mention, person, title, code, _ = entry
        role = ENVOY if entry is envoy else COUNTERPART if entry is counterpart else PARTICIPANT
        proposed.append(ProposedParticipant(person.name, person.official, title, code, role))
    # The envoy and counterpart lead the list; the others follow in the text's order.
    rank = {ENVOY: 0, COUNTERPART: 1, PARTICIPANT: 2}
    return sorted(proposed, key=lambda p: rank[p.role])


_LIST_GAP_RE = re.compile(r"\s*(?:\([^()]{0,40}\))?\s*(?:,|,?\s+and)\s*(?:the\s+)?")
_MEMBERS_RE = re.compile(r"\bdelegation\b|\bmembers?\b|\bcomprising\b|\bincluded\b", re.I)


def _inherit_countries(analysis: str, described: list[list], presence: list[Sentence]) -> set[int]:
    """Fill in the country of a person listed right after another ("X, Y and Z") with
    none of their own, and return the ids of the entries still without one that a
    sentence names as a delegation's members (they take the leader's side later)."""
    members: set[int] = set()
    ordered = sorted(described, key=lambda e: e[0].start)
    for previous, entry in itertools.pairwise(ordered):
        if entry[3] or entry[2]:
            continue
        gap = analysis[previous[0].end : entry[0].start]
        if previous[3] and _LIST_GAP_RE.fullmatch(gap):
            entry[3] = previous[3]
    for entry in described:
        if entry[3]:
            continue
        sentence = next((p for p in presence if p.start <= entry[0].start < p.end), None)
        if sentence and _MEMBERS_RE.search(sentence.text):
            members.add(id(entry))
    return members


_DELEGATION_WORD_RE = re.compile(r"\bdelegation\b", re.I)
_LED_BY_RE = re.compile(r"\b(?:led|headed)\s+by\s+(?:the\s+|its\s+)?(?:[A-Z]\w*\s+){0,2}$", re.I)


def _delegation_country(analysis: str, event: list[Sentence], presence: list[Sentence]) -> str:
    """The country a delegation is said to be of, in the sentences that tell the event."""
    for sentence in [*event, *presence]:
        for match in _DELEGATION_WORD_RE.finditer(sentence.text):
            around = sentence.text[max(0, match.start() - 30) : match.end() + 80]
            code = guess_country(around)
            if code:
                return code
    return ""


_OF_COUNTRY_AFTER_RE = re.compile(r"^\s+of\s+(?:the\s+)?([A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){0,3})")


def _country_after_name(after: str) -> str:
    """ "Ambassador Jiang Zaidong of China": the country right after the name."""
    match = _OF_COUNTRY_AFTER_RE.match(after)
    return guess_country(f"of {match[1]}") if match else ""
