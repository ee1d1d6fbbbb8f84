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
    MAX_TOPIC_PHRASES,
    MAX_URL_CHARS,
)
from engagements.desk.pressrelease.vocabulary import _CJK_RE
from engagements.models import Source, Topic, http_url_validator

# ---------------------------------------------------------------------------------------


_KEY_TOKEN_RE = re.compile(r"\w+")
_KEY_POSSESSIVE_RE = re.compile(r"(?<=\w)['’]s\b")


def _key_tokens(text: str) -> list[re.Match[str]]:
    """Words for topic matching: case-folded, possessives dropped ("5E’s" is "5E")."""
    return list(_KEY_TOKEN_RE.finditer(_KEY_POSSESSIVE_RE.sub("", text.casefold())))


_SPELLINGS = [
    (re.compile(r"isation$"), "ization"),
    (re.compile(r"is(e|ed|ing)$"), r"iz\1"),
    (re.compile(r"(?<=[^aeiou])our$"), "or"),  # labour, but not "four"
    (re.compile(r"(?<=[^aeiou])tre$"), "ter"),  # centre
    (re.compile(r"ence$"), "ense"),  # defence
]


def word_variant(word: str) -> str:
    """One spelling for the variants of a word: singular, American ("exchanges" and
    "exchange", "organisation" and "organization", "defence" and "defense")."""
    if len(word) > 4 and not word.isdigit():
        if word.endswith("ies"):
            word = word[:-3] + "y"
        elif word.endswith(("sses", "shes", "ches", "xes")):
            word = word[:-2]
        elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        for pattern, replacement in _SPELLINGS:
            word = pattern.sub(replacement, word)
    return word


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
    # Close variants match: "party-to-party exchange" names "party-to-party exchanges".
    words = [word_variant(t[0]) for t in tokens]
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
            key = tuple(word_variant(m[0]) for m in _key_tokens(spelling))
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


# Named programmes and agreements: "Global Development Initiative", "China-Pakistan Economic
# Corridor", "Special Economic Zones", with the abbreviation that may follow.
_NAMED_TOPIC_RE = re.compile(
    r"(?<![\w-])(?P<name>(?:[A-Z][\w’'\-.]*|\d[\w.]*)(?:\s+(?:of|and|for|the|on|&|[A-Z][\w’'\-.]*"
    r"|\d[\w.]*)){0,6}?\s+(?:Initiative|Corridor|Agreement|Framework|Plan|Programme|Program"
    r"|Strategy|Partnership|Zones?|Vision|Project|Treaty|Convention|Mechanism|Fund|Policy"
    r"|Road|Belt|Agenda|Process|Pact|Accord)s?\b(?:\s+\d[\w.]*)?)(?:\s+\((?P<short>[A-Z][\w\-.&]{1,12})\))?"
)
# "cooperation in trade, agriculture and digital technology": the fields listed.
_FIELDS_RE = re.compile(
    r"\b(?:cooperation|collaboration|ties|exchanges)\s+(?:in|on)\s+(?:the\s+)?"
    r"(?:fields?|areas?|sectors?)\s+of\s+(?P<list>[^.;:()]{3,200})"
    r"|\b(?:in\s+(?:the\s+)?(?:fields?|areas?|sectors?)\s+(?:of|such\s+as)|such\s+as|including)\s+"
    r"(?P<list2>[^.;:()]{3,200})",
    re.I,
)
MAX_NEW_TOPICS = 8


def suggest_topics(text: str, known: list[Topic], offices: list[str] = ()) -> list[str]:
    """Subjects the text names that the archive has no topic for: named programmes and
    agreements, and the fields of cooperation it lists (at most MAX_NEW_TOPICS). Words
    of the participants' `offices` ("Minister for Planning, Development and Special
    Initiatives") are not subjects."""
    in_offices = " ".join(offices).casefold()
    taken = set()
    for topic in known:
        for spelling in [topic.name, *topic.alias_list]:
            taken.add(" ".join(word_variant(m[0]) for m in _key_tokens(spelling)))
    found: dict[str, str] = {}

    def add(phrase: str) -> None:
        phrase = " ".join(phrase.split()).strip(" ,-–")
        phrase = re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.I)
        key = " ".join(word_variant(m[0]) for m in _key_tokens(phrase))
        if phrase.casefold() in in_offices:
            return
        if key and key not in taken and key not in found and 2 < len(phrase) <= 80:
            found[key] = phrase

    for match in _NAMED_TOPIC_RE.finditer(text[:20000]):
        name = re.sub(r"^(?:The|A|An|Both|This|That)\s+", "", match["name"])
        if len(name.split()) >= 2:
            add(name)
        if len(found) >= MAX_NEW_TOPICS:
            break
    for match in _FIELDS_RE.finditer(text[:20000]):
        listed = match["list"] or match["list2"]
        for item in re.split(r",\s*|\s+and\s+|\s+as\s+well\s+as\s+", listed):
            item = item.strip()
            words = item.split()
            if 1 <= len(words) <= 4 and all(w[:1].islower() or w.isupper() for w in words):
                add(item)
        if len(found) >= MAX_NEW_TOPICS:
            break
    return list(found.values())[:MAX_NEW_TOPICS]


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
