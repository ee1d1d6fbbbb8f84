"""A visitor's search text, read the way web search engines read it: quotes, `or`, `-`.

Both engines see the same reading (sqlite.py builds its FTS5 expression from it;
PostgreSQL's `websearch_to_tsquery` reads the same syntax itself).
"""

from __future__ import annotations

import re
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

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.excluded


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse(text: str) -> ParsedQuery:
    """Read quotes ("exact phrase"), `or` and a leading `-`, the way search engines do.

    Words are cut at anything that is not a letter or digit, as both engines' tokenizers
    do; unbalanced quotes run to the end, lone operators are ignored.
    """
    parsed = ParsedQuery()
    pending_or = False
    for negative, quoted, bare in _TOKEN.findall(text.replace("\x00", " ")):
        if bare and bare.lower() == "or":
            pending_or = bool(parsed.groups)
            continue
        if bare.startswith("-") and len(bare) > 1:
            negative, bare = "-", bare[1:]
        words = re.findall(r"\w+", quoted if quoted or not bare else bare)
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
