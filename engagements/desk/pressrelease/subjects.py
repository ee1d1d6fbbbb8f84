"""What a meeting was and about: its kind, the archive's topics a text names, the
publisher a URL belongs to."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower

from engagements.desk.pressrelease.layout import _CONTROL_RE
from engagements.desk.pressrelease.proposal import (
    ALL_TOPICS_LIMIT,
    KIND_PATTERNS,
    MAX_TOPIC_PHRASES,
    MAX_URL_CHARS,
    Kind,
)
from engagements.desk.pressrelease.vocabulary import _CJK_RE
from engagements.models import Source, Topic, http_url_validator

# ---------------------------------------------------------------------------------------


def detect_kind(headline: str, body: str) -> str:
    """The meeting kind: the first kind the headline reveals, else the body, else "meeting"."""
    if re.search(r"\bjoint (?:press )?statement\b", f"{headline}\n{body}", re.I):
        # A joint statement closes a visit: the visit is the meeting, whatever it lists.
        for kind in (Kind.STATE_VISIT.value, Kind.OFFICIAL_VISIT.value):
            if dict(KIND_PATTERNS)[kind].search(f"{headline}\n{body}"):
                return kind
    for text in (headline, body):
        for kind, pattern in KIND_PATTERNS:
            if pattern.search(text):
                return kind
    return Kind.MEETING.value


_KEY_TOKEN_RE = re.compile(r"\w+")
_KEY_POSSESSIVE_RE = re.compile(r"(?<=\w)['’]s\b")


def _key_tokens(text: str) -> list[re.Match[str]]:
    """Words for topic matching: case-folded, possessives dropped ("5E’s" is "5E")."""
    return list(_KEY_TOKEN_RE.finditer(_KEY_POSSESSIVE_RE.sub("", text.casefold())))


def find_topics(text: str) -> list[Topic]:
    """Known topics named (by name or alias) in `text`, in order of first occurrence."""
    topics = list(Topic.objects.all()[: ALL_TOPICS_LIMIT + 1])
    if len(topics) > ALL_TOPICS_LIMIT:
        # Too many to scan: ask only for topics whose name is one of the text's phrases.
        topics = list(
            Topic.objects.annotate(lower_name=Lower("name")).filter(
                lower_name__in=_text_phrases(text)
            )[:ALL_TOPICS_LIMIT]
        )
    folded = _KEY_POSSESSIVE_RE.sub("", text.casefold())
    tokens = list(_KEY_TOKEN_RE.finditer(folded))
    words = [t[0] for t in tokens]
    by_first_word: dict[str, list[tuple[tuple[str, ...], Topic]]] = {}
    first_seen: dict[int, int] = {}
    for topic in topics:
        for spelling in [topic.name, *topic.alias_list]:
            if _CJK_RE.search(spelling):
                # CJK is written without spaces: a substring is the only word match.
                position = folded.find(spelling.casefold())
                if position >= 0:
                    first_seen[topic.pk] = min(first_seen.get(topic.pk, position), position)
                continue
            key = tuple(m[0] for m in _key_tokens(spelling))
            if key:
                by_first_word.setdefault(key[0], []).append((key, topic))
    by_pk = {topic.pk: topic for topic in topics}
    for index, word in enumerate(words):
        for key, topic in by_first_word.get(word, ()):
            if topic.pk in first_seen and first_seen[topic.pk] <= tokens[index].start():
                continue
            if tuple(words[index : index + len(key)]) == key:
                first_seen[topic.pk] = tokens[index].start()
    return [by_pk[pk] for pk, _ in sorted(first_seen.items(), key=lambda item: item[1])]


def _text_phrases(text: str) -> list[str]:
    """Lower-cased phrases of 1–4 words, for the large-vocabulary topic query."""
    words = [w.strip(".,;:!?()[]\"“”‘’'") for w in text.lower().split()]
    words = [w for w in words if w]
    phrases: dict[str, None] = {}
    for index in range(len(words)):
        for size in (1, 2, 3, 4):
            if index + size <= len(words):
                phrases.setdefault(" ".join(words[index : index + size]))
            if len(phrases) >= MAX_TOPIC_PHRASES:
                return list(phrases)
    return list(phrases)


def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def publisher_for_url(url: str) -> tuple[str, bool]:
    """(publisher, from the archive?) for a URL: its host's usual publisher, else the host."""
    host = _host(url)
    if not host:
        return "", False
    prefixes = [f"{scheme}://{www}{host}" for scheme in ("http", "https") for www in ("", "www.")]
    condition = Q()
    for prefix in prefixes:
        condition |= Q(url__istartswith=prefix)
    rows = Source.objects.filter(condition).exclude(publisher="").values_list("url", "publisher")
    counts = Counter(publisher for link, publisher in rows[:1000] if _host(link) == host)
    if counts:
        return counts.most_common(1)[0][0], True
    return host, False


def valid_url(url: object) -> str:
    """`url` if it is an http(s) address the archive accepts, else ""."""
    if not isinstance(url, str):
        return ""
    url = url.strip()
    if not url or len(url) > MAX_URL_CHARS or _CONTROL_RE.search(url):
        return ""
    try:
        http_url_validator(url)
    except ValidationError:
        return ""
    return url


# ---------------------------------------------------------------------------------------
# Title and summary
