"""Spelling: a query that finds nothing is corrected from the archive's own vocabulary.

The vocabulary is the words of public officials' names and aliases, topics' names and
aliases, and countries' names (the words a researcher types into this archive). A query
word that is not in it is replaced by the vocabulary word nearest to it, when one is near
enough: one edit (a letter added, dropped, changed or two swapped) for a word of up to
five letters, two for a longer one. "CEPC" becomes "CPEC", "Pakistn" "Pakistan", "Jiang
Zedong" "Jiang Zaidong"; a word nothing resembles is left alone, so no correction is
offered. Works the same on both databases (Python, rapidfuzz); the pages read the
vocabulary once per version of the archive (public/pagecache.memo).
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from engagements.models import Country, Official, Topic

_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# Words too short to correct: "UN", "EU", "Li".
MIN_WORD = 3


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def read_vocabulary() -> dict[str, str]:
    """Folded word or name → as the archive writes it (names and topics whole, and their
    words)."""
    words: dict[str, str] = {}
    texts: list[str] = []
    for name, aliases in Official.objects.public().values_list("name", "aliases"):
        texts += [name, aliases]
    for name, aliases in Topic.objects.public().values_list("name", "aliases"):
        texts += [name, aliases]
    texts += list(Country.objects.values_list("name", flat=True))
    for text in texts:
        for line in (text or "").splitlines():
            if " " in line.strip():
                words.setdefault(fold(" ".join(line.split())), " ".join(line.split()))
            for word in _WORD_RE.findall(line):
                if len(word) >= MIN_WORD:
                    words.setdefault(fold(word), word)
    return words


def _nearest(key: str, keys: list[str], allowed: int) -> str | None:
    """The vocabulary entry fewest edits from `key` (ties: the most alike overall)."""
    close = process.extract(
        key, keys, scorer=DamerauLevenshtein.distance, score_cutoff=allowed, limit=20
    )
    if not close:
        return None
    fewest = min(distance for _, distance, _ in close)
    tied = [choice for choice, distance, _ in close if distance == fewest]
    return max(tied, key=lambda choice: (fuzz.ratio(key, choice), -len(choice)))


def _allowed_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def correct(text: str, words: dict[str, str]) -> str | None:
    """`text` with each unknown word replaced by the nearest word of the vocabulary
    (`read_vocabulary`), or None when no word needed (or found) a correction. Quotes and
    operators are kept."""
    if not words:
        return None
    keys = list(words)
    # A whole name or topic, misspelt: "Jiang Zedong" is Jiang Zaidong.
    whole = fold(" ".join(text.split()))
    if " " in whole and whole not in words:
        allowed = min(3, max(1, len(whole) // 5))
        name = _nearest(whole, [k for k in keys if " " in k], allowed)
        if name:
            return words[name]
    changed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal changed
        word = match[0]
        key = fold(word)
        if len(key) < MIN_WORD or key in words or key in {"or", "and", "not"}:
            return word
        best = _nearest(key, [k for k in keys if " " not in k], _allowed_edits(key))
        if best is None:
            return word
        changed = True
        found = words[best]
        return found.lower() if word.islower() else found

    corrected = _WORD_RE.sub(replace, text)
    return corrected if changed and corrected != text else None
