"""Whose account matched: a passage from the account of a readout that a search found by
words its own text does not hold.

A readout's search text includes every account's headline and text (upkeep/derived.py), so
a search can find a readout for words only one side's account uses. Its own snippet then
shows nothing; this one says whose account holds the words and shows them there. Plain
Python on the page's readouts (at most a page of accounts): the same on both engines.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from engagements.models import Source
from engagements.search.query import MARK_END, MARK_START, highlight, parse

# Characters of context either side of the first match.
CONTEXT_CHARS = 110
# Endings the engines' stemmers take off ("talks" finds "talk"), taken off the query's words
# before matching them as the start of a word.
_ENDINGS = ("ing", "es", "ed", "s")


@dataclass(frozen=True)
class AccountSnippet:
    whose: str  # "Pakistan", "International Department of the CPC", or the publisher
    passage: SafeString


def _fold(text: str) -> str:
    """Lower case without diacritics, one character for each: positions carry over."""
    return "".join(unicodedata.normalize("NFKD", ch)[0].lower()[0] for ch in text)


def _pattern(text: str) -> re.Pattern | None:
    words = {word for group in parse(text).groups for phrase in group for word in phrase}
    stems = []
    for word in sorted(words, key=len, reverse=True):
        word = _fold(word)
        for ending in _ENDINGS:
            if len(word) > len(ending) + 3 and word.endswith(ending):
                word = word.removesuffix(ending)
                break
        stems.append(re.escape(word))
    return re.compile(r"\b(?:" + "|".join(stems) + r")\w*") if stems else None


def account_snippets(meeting_ids: list[int], text: str) -> dict[int, AccountSnippet]:
    """{meeting pk: the passage of its first account (in order) holding the query's words},
    for those of `meeting_ids` with such an account. One query."""
    pattern = _pattern(text)
    if pattern is None or not meeting_ids:
        return {}
    found: dict[int, AccountSnippet] = {}
    accounts = (
        Source.objects.filter(meeting_id__in=meeting_ids)
        .select_related("side", "side_organization")
        .only("meeting_id", "publisher", "headline", "text_html", "side", "side_organization")
        .order_by("meeting_id", "order", "id")
    )
    for account in accounts:
        if account.meeting_id in found:
            continue
        for part in (account.headline, html.unescape(strip_tags(account.text_html))):
            passage = _passage(part, pattern)
            if passage:
                whose = account.side_label or account.publisher or "another"
                found[account.meeting_id] = AccountSnippet(whose, highlight(passage))
                break
    return found


def _passage(text: str, pattern: re.Pattern) -> str:
    """The text around the first match, every match in it marked; "" without a match."""
    text = " ".join(text.split())
    folded = _fold(text)  # same length as `text`: positions carry over
    first = pattern.search(folded)
    if first is None:
        return ""
    start = max(0, first.start() - CONTEXT_CHARS)
    end = min(len(text), first.end() + CONTEXT_CHARS)
    pieces, at = [], start
    for match in pattern.finditer(folded, start, end):
        pieces += [text[at : match.start()], MARK_START, text[match.start() : match.end()]]
        pieces.append(MARK_END)
        at = match.end()
    pieces.append(text[at:end])
    return ("… " if start else "") + "".join(pieces) + (" …" if end < len(text) else "")
