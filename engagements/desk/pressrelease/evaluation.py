"""Scoring the reader on a corpus of releases with hand-coded truths.

The corpus format (docs/intake-corpus.md) is an interface: a folder of ``NAME.txt`` (the
release as pasted) and ``NAME.json`` (the truth, optional). `read_corpus` lays it out,
`proposal_record` turns a Proposal into the truth's shape, and `score` compares the two
field by field. Nothing here writes to the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pycountry
from rapidfuzz import fuzz

from engagements.desk.pressrelease.proposal import (
    CALL_KINDS,
    DEMONYMS,
    EXTRA_COUNTRY_NAMES,
    Proposal,
)

# Honorifics that are not part of a name ("H.E. Mr. Liu Haixing" is Liu Haixing).
_HONORIFICS = {
    "he", "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "sheikh", "shaikh",
    "hh", "hrh", "his", "her", "excellency", "highness", "madam", "madame", "mme", "m",
}  # fmt: skip
# A title this similar (rapidfuzz token-sort ratio) to the truth's counts as right.
TITLE_SIMILARITY = 80
# Figures below this many releases are printed but are too few to mean much.
FIELDS = (
    "people_found",
    "people_extra",
    "date",
    "city",
    "kind",
    "country",
    "title",
    "role",
    "topics_precision",
    "topics_recall",
)


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces single."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def name_words(name: str) -> set[str]:
    """The words of a name, without honorifics."""
    return {word for word in fold(name).split() if word not in _HONORIFICS}


# Transliterations of one name ("Shahbaz Sharif", "Shehbaz Sharif") this similar match.
NAME_SIMILARITY = 88


def same_person(a: str, b: str) -> bool:
    """Equal word sets, or one holding the other with at least two words in common, or
    the same number of words spelled nearly alike (a transliteration)."""
    left, right = name_words(a), name_words(b)
    if not left or not right:
        return False
    if left == right:
        return True
    common = left & right
    if len(common) >= 2 and common in (left, right):
        return True
    return (
        len(left) == len(right) >= 2
        and fuzz.token_sort_ratio(" ".join(sorted(left)), " ".join(sorted(right)))
        >= NAME_SIMILARITY
    )


# A nationality opening a title is the person's country, scored on its own: "Chinese Vice
# Premier" and "Vice Premier" are the same office.
_COUNTRY_WORDS = {
    fold(name)
    for name in [*EXTRA_COUNTRY_NAMES, *(c.name for c in pycountry.countries)]
    if "," not in name
}
_NATIONALITY_LEAD_RE = re.compile(
    r"^(?:the\s+)?(?:(?:"
    + "|".join(map(re.escape, sorted(_COUNTRY_WORDS, key=len, reverse=True)))
    + r")\s+s\s+|(?:"
    + "|".join(sorted((d.casefold() for d in DEMONYMS), key=len, reverse=True))
    + r")\s+)"
)


def same_text(a: str, b: str) -> bool:
    """Titles and topics: equal after folding (and without "the" or a leading
    nationality: "Pakistan's Ambassador to China" is "Ambassador to China"), or close."""
    left = " ".join(w for w in fold(a).split() if w != "the")
    right = " ".join(w for w in fold(b).split() if w != "the")
    left, right = _NATIONALITY_LEAD_RE.sub("", left), _NATIONALITY_LEAD_RE.sub("", right)
    if left == right:
        return True
    if not left or not right:
        return False
    return fuzz.token_sort_ratio(left, right) >= TITLE_SIMILARITY


# ---------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class Release:
    id: str
    text: str
    truth: dict | None


def read_corpus(folder: Path) -> list[Release]:
    """Every ``NAME.txt`` in `folder` (sorted), with ``NAME.json`` when there is one.

    Raises ValueError with a clear message on an unreadable file."""
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    releases = []
    for path in sorted(folder.glob("*.txt")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"{path.name}: cannot be read as UTF-8 text ({error})") from None
        truth_path = path.with_suffix(".json")
        truth = None
        if truth_path.exists():
            try:
                truth = json.loads(truth_path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                raise ValueError(f"{truth_path.name}: not valid JSON ({error})") from None
            if not isinstance(truth, dict):
                raise ValueError(f"{truth_path.name}: the truth must be a JSON object")
        releases.append(Release(path.stem, text, truth))
    return releases


def proposal_record(release_id: str, proposal: Proposal) -> dict:
    """A proposal in the truth file's shape (plus its notes)."""
    return {
        "id": release_id,
        "url": proposal.url,
        "date": proposal.date.isoformat() if proposal.date else None,
        "city": proposal.city,
        "country": proposal.location_country_code,
        "kind": proposal.kind,
        "title": proposal.title,
        "participants": [
            {
                "name": person.official.name if person.official else person.name,
                "country": person.country_code,
                "title": person.title,
                "role": person.role,
            }
            for person in proposal.participants
        ],
        "topics": [
            *(topic if isinstance(topic, str) else topic.name for topic in proposal.topics),
            *proposal.new_topics,
        ],
        "notes": list(proposal.notes),
    }


# ---------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += bool(ok)
        self.total += 1

    @property
    def share(self) -> float | None:
        return self.right / self.total if self.total else None


@dataclasses.dataclass
class ReleaseScore:
    id: str
    misses: list[str]  # one line per field the reader got wrong
    errors: int  # how many field checks failed


def _truth_date(value) -> str | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        return str(value)


def score(pairs: Iterable[tuple[dict, dict]]) -> tuple[dict[str, Tally], list[ReleaseScore]]:
    """Per-field tallies over (truth, proposal) pairs, and each release's misses."""
    tallies = {name: Tally() for name in FIELDS}
    releases: list[ReleaseScore] = []
    for truth, proposed in pairs:
        misses: list[str] = []

        def check(field: str, ok: bool, miss: str, misses: list[str] = misses) -> None:
            tallies[field].add(ok)
            if not ok:
                misses.append(miss)

        want_date, got_date = _truth_date(truth.get("date")), proposed.get("date")
        check("date", want_date == got_date, f"date: {got_date} (truth {want_date})")
        kind = truth.get("kind", "")
        check("kind", proposed.get("kind") == kind, f"kind: {proposed.get('kind')} ({kind})")
        if kind not in CALL_KINDS:
            want, got = truth.get("city", "") or "", proposed.get("city", "") or ""
            check("city", fold(want) == fold(got), f"city: {got!r} (truth {want!r})")

        wanted = list(truth.get("participants") or [])
        proposed_people = list(proposed.get("participants") or [])
        matched: set[int] = set()
        for person in wanted:
            found = next(
                (
                    index
                    for index, candidate in enumerate(proposed_people)
                    if index not in matched and same_person(person["name"], candidate["name"])
                ),
                None,
            )
            check("people_found", found is not None, f"missed {person['name']}")
            if found is None:
                continue
            matched.add(found)
            got = proposed_people[found]
            label = person["name"]
            check(
                "country",
                (got.get("country") or "") == (person.get("country") or ""),
                f"{label}: country {got.get('country')!r} (truth {person.get('country')!r})",
            )
            check(
                "title",
                same_text(person.get("title") or "", got.get("title") or ""),
                f"{label}: title {got.get('title')!r} (truth {person.get('title')!r})",
            )
            check(
                "role",
                got.get("role") == person.get("role"),
                f"{label}: role {got.get('role')} (truth {person.get('role')})",
            )
        for index, candidate in enumerate(proposed_people):
            extra = index not in matched
            tallies["people_extra"].add(extra)
            if extra:
                misses.append(f"not there: {candidate['name']}")

        want_topics = [t for t in truth.get("topics") or [] if isinstance(t, str)]
        got_topics = [t for t in proposed.get("topics") or [] if isinstance(t, str)]
        for topic in got_topics:
            tallies["topics_precision"].add(any(same_text(topic, t) for t in want_topics))
        for topic in want_topics:
            tallies["topics_recall"].add(any(same_text(topic, t) for t in got_topics))
        releases.append(ReleaseScore(str(proposed.get("id", "")), misses, len(misses)))
    return tallies, releases


def figures(tallies: dict[str, Tally]) -> dict[str, float | None]:
    """Each field's share right (for people_extra: the share proposed who were not there)."""
    return {name: tally.share for name, tally in tallies.items()}


def report(tallies: dict[str, Tally], releases: list[ReleaseScore], worst: int = 10) -> str:
    """The figures and the worst releases, as text for a terminal."""
    labels = {
        "people_found": "people found (recall)",
        "people_extra": "people proposed who were not there",
        "date": "meeting date",
        "city": "city (in-person meetings)",
        "kind": "kind",
        "country": "each found person's country",
        "title": "each found person's title",
        "role": "each found person's role",
        "topics_precision": "topics proposed that are right",
        "topics_recall": "topics found",
    }
    lines = [f"{len(releases)} releases scored", ""]
    for name in FIELDS:
        tally = tallies[name]
        share = "   n/a" if tally.share is None else f"{100 * tally.share:5.1f}%"
        lines.append(f"{labels[name]:<38} {share}  ({tally.right} of {tally.total})")
    ranked = sorted(releases, key=lambda r: -r.errors)[:worst]
    ranked = [r for r in ranked if r.errors]
    if ranked:
        lines += ["", f"Worst {len(ranked)}:"]
        for release in ranked:
            lines.append(f"  {release.id} ({release.errors} wrong)")
            lines += [f"      {miss}" for miss in release.misses]
    return "\n".join(lines)
