"""A visitor's search text, read the way web search engines read it: quotes, `or`, `-`.

Both engines run the same reading (`prepare`): sqlite.py builds its FTS5 expression from
it, postgres.py its tsquery.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_CHARS = 300
MAX_TERMS = 24
# What an engine puts around a match in a snippet, before `highlight` makes it <mark>.
MARK_START, MARK_END = "\x02", "\x03"


@dataclass
class ParsedQuery:
    """A web-search query: groups of alternatives (AND between groups), and exclusions."""

    groups: list[list[list[str]]] = field(default_factory=list)  # [[phrase tokens, …], …]
    excluded: list[list[str]] = field(default_factory=list)
    # When the whole query names a topic or an official: its names, each found as well as
    # the reading itself (groups), which they widen and never narrow.
    names: list[list[str]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.excluded


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# A word of a search: letters and digits, cut where both engines' tokenizers cut the
# text, except that it keeps whole what PostgreSQL's parser keeps whole and would not find
# cut: a number with decimals or a name with dots ("2.0", "U.S", "mofa.gov.pk") and the
# signed number it reads after a hyphen ("COVID-19": covid, -19). SQLite's tokenizer
# cuts those again inside the phrase (sqlite.py quotes every word), as it cut the text.
# Hyphens between letters still cut: PostgreSQL keeps a hyphenated word's parts too, so
# "China-Pakistan" finds "China Pakistan" on both.
_WORD = re.compile(r"-\d+(?:\.\d+)*(?!\w)|\w+(?:\.\w+)*")


def words_of(text: str) -> list[str]:
    """The words of a search text (`_WORD`)."""
    return _WORD.findall(text)


def parse(text: str) -> ParsedQuery:
    """Read quotes ("exact phrase"), `or` and a leading `-`, the way search engines do.

    Words are read by `words_of` (cut where both engines' tokenizers cut, numbers and
    dotted names kept whole); unbalanced quotes run to the end, lone operators are
    ignored.
    """
    parsed = ParsedQuery()
    pending_or = False
    for negative, quoted, bare in _TOKEN.findall(text.replace("\x00", " ")):
        if bare and bare.lower() == "or":
            pending_or = bool(parsed.groups)
            continue
        if bare.startswith("-") and len(bare) > 1:
            negative, bare = "-", bare[1:]
        words = words_of(quoted if quoted or not bare else bare)
        if not words:
            continue
        if negative:
            parsed.excluded.append(words)
        elif pending_or:
            parsed.groups[-1].append(words)
        else:
            parsed.groups.append([words])
        pending_or = False
        if len(parsed.groups) + len(parsed.excluded) >= MAX_TERMS:
            break
    return parsed


def highlight(snippet: str) -> SafeString:
    """Escape a snippet's text, then turn the engine's markers into <mark>."""
    html = escape(snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 (escaped above; only our own tags added)


# PostgreSQL's English stop words (its `english` configuration's list). Both engines leave
# them out of a search, so that "the" or "of" finds the same on both: nothing, said so.
STOP_WORDS = frozenset(
    re.findall(
        r"\w+",
        """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can did do does doing don down during each few for from
    further had has have having he her here hers herself him himself his how i if in into
    is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own s same she should so some such t than that the
    their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with you your
    yours yourself yourselves
        """,
    )
)

# British and American spellings of the same word: either finds both.
_SPELLINGS = {
    "defence": "defense",
    "centre": "center",
    "centres": "centers",
    "programme": "program",
    "programmes": "programs",
    "labour": "labor",
    "neighbour": "neighbor",
    "neighbours": "neighbors",
    "neighbouring": "neighboring",
    "honour": "honor",
    "favour": "favor",
    "endeavour": "endeavor",
    "endeavours": "endeavors",
    "dialogue": "dialog",
    "catalogue": "catalog",
}
_SPELLINGS |= {american: british for british, american in list(_SPELLINGS.items())}
# -ise/-ize, -isation/-ization and their forms ("organisation", "modernizing").
_ISE = re.compile(r"^(\w{3,})i([sz])(e|es|ed|ing|ation|ations|er|ers)$")
# Words that end so but are spelt one way only.
_ONLY_ISE = frozenset(
    {"advise", "advertise", "comprise", "compromise", "despise", "devise", "enterprise",
     "exercise", "expertise", "franchise", "improvise", "merchandise", "premise", "revise",
     "supervise", "surprise", "televise", "prize", "seize", "size", "capsize"}
)  # fmt: skip
MAX_ALTERNATIVES = 8


def other_spelling(word: str) -> str | None:
    """The word in the other of British and American spelling, if it has one."""
    word = word.casefold()
    if word in _SPELLINGS:
        return _SPELLINGS[word]
    match = _ISE.match(word)
    if not match:
        return None
    stem, letter, ending = match.groups()
    if any(word.startswith(only.removesuffix("e")) for only in _ONLY_ISE):
        return None
    return f"{stem}i{'z' if letter == 's' else 's'}{ending}"


def _words_key(words: Iterable[str]) -> str:
    return " ".join(word.casefold() for word in words)


def _content_key(words: Iterable[str]) -> str:
    return _words_key(word for word in words if word.casefold() not in STOP_WORDS)


def prepare(text: str, synonyms: Iterable[str] = ()) -> ParsedQuery:
    """The search both engines run for `text`: its reading (`parse`) without stop words,
    each word also in its other spelling (British or American), and, when the whole query
    is the name or an alias of a topic or an official (`synonyms`: all its names), any of
    its names (`names`), as well as the words themselves."""
    parsed = parse(text)
    groups = [
        kept
        for alternatives in parsed.groups
        if (kept := [p for phrase in alternatives if (p := _trimmed(phrase))])
    ]
    excluded = [p for phrase in parsed.excluded if (p := _trimmed(phrase))]
    names = [words_of(name) for name in synonyms]
    names = [words for words in names if words]
    widened = []
    if names and not excluded and all(len(alternatives) == 1 for alternatives in groups):
        # Compared without stop words, which the reading leaves out: "Belt and Road
        # Initiative" is read as Belt, Road, Initiative.
        asked = _content_key(word for (phrase,) in groups for word in phrase)
        if asked and any(_content_key(words) == asked for words in names):
            # "Shanghai Cooperation Organization" is the SCO: any of its names will do, and
            # so do its words wherever they stand ("Gwadar Port": the port of Gwadar).
            widened = _with_spellings(list({_words_key(w): w for w in names}.values()))
    return ParsedQuery(
        groups=[_with_spellings(alternatives) for alternatives in groups],
        excluded=excluded,
        names=widened,
    )


def _trimmed(phrase: list[str]) -> list[str]:
    """A phrase without the stop words it starts or ends with (PostgreSQL leaves them out
    and SQLite would require them: "Xi's" is Xi on both); [] when nothing else is left.
    Those inside stay: "Belt and Road" is three words in a row on SQLite, and two words
    one apart on PostgreSQL."""
    content = [i for i, word in enumerate(phrase) if word.casefold() not in STOP_WORDS]
    return phrase[content[0] : content[-1] + 1] if content else []


def _with_spellings(alternatives: list[list[str]]) -> list[list[str]]:
    spelt = {_words_key(p): p for p in alternatives}
    for phrase in alternatives:
        other = [other_spelling(word) or word for word in phrase]
        if other != [w.casefold() for w in phrase]:
            spelt.setdefault(_words_key(other), other)
    return list(spelt.values())[:MAX_ALTERNATIVES]
