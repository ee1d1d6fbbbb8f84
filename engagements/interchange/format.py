"""The readout interchange format (JSON Lines; see README "Import and export").

Reading: `parse_line` turns one line of a file into a `Readout` (or a `RecordLine`) or a
list of errors. Its mirror image, export.py, writes what the database holds in the same
form, so that export → import → export is byte-identical.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from engagements.markup import without_bidi_controls
from engagements.models import (
    EARLIEST_DATE,
    LATEST_DATE,
    Country,
    Meeting,
    Official,
    Participation,
    Source,
    Topic,
    http_url_validator,
    longest,
    missing_for_publication,
)

MAX_LINE_BYTES = 10 * 1024 * 1024
MAX_BODY_CHARS = 500_000
MAX_PARTICIPANTS = 5_000
MAX_THEMES = 200
MAX_SOURCES = 100
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
KINDS = {k.value for k in Meeting.Kind}
ROLES = {r.value for r in Participation.Role}
STATUSES = {s.value for s in Meeting.Status}


@dataclass(frozen=True)
class Person:
    name: str
    title: str
    country: str  # ISO alpha-2, upper case
    role: str
    organization: str = ""  # version 3: the slug of the organisation they acted for


@dataclass(frozen=True)
class Reference:
    """One account of the readout (version 2 adds side, headline, text and topics)."""

    url: str
    publisher: str
    published: dt.date | None
    archived_url: str = ""
    side: str | None = None  # the ISO code of the side whose account it is
    headline: str = ""
    text: str = ""
    topics: tuple[str, ...] = ()  # among the readout's themes
    # The titles this account gives participants in its own words: (index among the
    # readout's participants, title).
    titles: tuple[tuple[int, str], ...] = ()
    side_organization: str = ""  # version 3: the slug of the organisation whose account


@dataclass
class Readout:
    """One validated line."""

    id: str
    date: dt.date
    title: str
    kind: str
    city: str
    country: str | None
    participants: list[Person]
    themes: list[str]
    summary: str
    body: str
    sources: list[Reference]
    status: str = Meeting.Status.PUBLISHED
    synthetic: bool = False
    # What it lacks to be published, when it asked to be: it is imported as a draft.
    held_back: list[str] = field(default_factory=list)
    line: int = 0
    extra: dict = field(default_factory=dict)
    # Version 3, what makes the archive restorable: the readout's address and former ones,
    # and when the archive took, last changed and published it. `given`: which were given
    # (a key left out keeps what the archive has).
    slug: str = ""
    former_addresses: tuple[str, ...] = ()
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    given: frozenset[str] = frozenset()


# The keys of version 3 a readout line may leave out (import_readouts keeps the archive's).
RESTORING_KEYS = ("slug", "former_addresses", "created_at", "updated_at", "published_at")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")
_PATH = re.compile(r"/[^\s\x00]{0,499}")


@dataclass(frozen=True)
class RecordLine:
    """A line that describes an organisation, official or topic rather than a readout
    (version 3): catalogue.apply_record_line writes it."""

    kind: str  # "organization", "official" or "topic"
    data: dict


class _Errors(list):
    def check(self, condition: bool, message: str) -> bool:
        if not condition:
            self.append(message)
        return condition


def _text(
    errors: _Errors, where: str, value, *, max_length: int, required: bool = True, strip=True
) -> str:
    """A string field; names and titles are trimmed, long text is kept exactly as given."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        errors.append(f"{where}: expected text, got {_type_name(value)}")
        return ""
    value = without_bidi_controls(value)  # as every model save does (upkeep/receivers.py)
    if strip:
        value = value.strip()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        errors.append(f"{where}: contains an unpaired surrogate, which is not text")
        return ""
    if required and not value.strip():
        errors.append(f"{where}: must not be empty")
    elif len(value) > max_length:
        errors.append(f"{where}: longer than {max_length:,} characters ({len(value):,})")
    elif "\x00" in value:
        errors.append(f"{where}: contains a NUL character")
    return value


def _date(errors: _Errors, where: str, value, *, required: bool = True) -> dt.date | None:
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        errors.append(f"{where}: expected an ISO date YYYY-MM-DD, got {_show(value)}")
        return None
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        errors.append(f"{where}: {value} is not a real date")
        return None
    if not EARLIEST_DATE <= date <= LATEST_DATE:
        errors.append(f"{where}: {value} is outside the years 1000-2999 (a typo?)")
        return None
    return date


def _country(errors: _Errors, where: str, value, *, required: bool = True) -> str | None:
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or Country.iso_name(value.strip()) is None:
        errors.append(f"{where}: {_show(value)} is not an ISO 3166-1 alpha-2 country code")
        return None
    return value.strip().upper()


def _url(errors: _Errors, where: str, value) -> str:
    value = _text(errors, where, value, max_length=longest(Source, "url"), required=False)
    if value:
        try:
            http_url_validator(value)
        except ValidationError:
            errors.append(f"{where}: {_show(value)} is not an http(s) URL")
    return value


def _list(errors: _Errors, where: str, value, *, max_items: int, required: bool = True) -> list:
    if value is None and not required:
        return []
    if not isinstance(value, list):
        errors.append(f"{where}: expected a list, got {_type_name(value)}")
        return []
    if len(value) > max_items:
        errors.append(f"{where}: more than {max_items:,} items ({len(value):,})")
        return []
    return value


def _object(errors: _Errors, where: str, value) -> dict:
    if not isinstance(value, dict):
        errors.append(f"{where}: expected an object, got {_type_name(value)}")
        return {}
    return value


def _word(value) -> str | None:
    """A vocabulary word (kind, role, status) as stored: trimmed, lower case; None if not text."""
    return value.strip().lower() if isinstance(value, str) else None


def _type_name(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "null" if value is None else "a number"
    )


def _show(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def parse_record(data) -> tuple[Readout | None, list[str]]:
    """Validate one decoded JSON value; (Readout, []) or (None, [what is wrong, …])."""
    errors = _Errors()
    if isinstance(data, list):
        return None, [
            "expected one JSON object per line, found a list (the format is JSON Lines: "
            "one readout per line, not a JSON array)"
        ]
    if not isinstance(data, dict):
        return None, [f"expected a JSON object, found {_type_name(data)}"]

    record_id = data.get("id")
    if not isinstance(record_id, str) or not _ID.fullmatch(record_id):
        errors.append(
            f"id: {_show(record_id)} is not a valid id (1-100 letters, digits, . _ : / -)"
        )
    date = _date(errors, "date", data.get("date"))
    title = _text(errors, "title", data.get("title"), max_length=longest(Meeting, "title"))
    kind = _word(data.get("kind"))
    errors.check(
        kind in KINDS,
        f"kind: {_show(data.get('kind'))} is not one of: {', '.join(sorted(KINDS))}",
    )

    location = data.get("location") or {}
    location = _object(errors, "location", location)
    city = _text(
        errors,
        "location.city",
        location.get("city"),
        max_length=longest(Meeting, "city"),
        required=False,
    )
    venue = _country(errors, "location.country", location.get("country"), required=False)

    people: list[Person] = []
    seen_people: dict[tuple[str, str], Person] = {}
    raw_people = _list(errors, "participants", data.get("participants"), max_items=MAX_PARTICIPANTS)
    for i, raw in enumerate(raw_people):
        where = f"participants[{i}]"
        raw = _object(errors, where, raw)
        if not raw:
            continue
        name = _text(errors, f"{where}.name", raw.get("name"), max_length=longest(Official, "name"))
        title_held = _text(
            errors,
            f"{where}.title",
            raw.get("title"),
            max_length=longest(Participation, "title"),
            required=False,
        )
        code = _country(errors, f"{where}.country", raw.get("country"))
        role = _word(raw.get("role"))
        errors.check(
            role in ROLES,
            f"{where}.role: {_show(raw.get('role'))} is not envoy, counterpart or participant",
        )
        organization = _slug(errors, f"{where}.organization", raw.get("organization"))
        if name and code:
            person = Person(
                name=name, title=title_held, country=code, role=role, organization=organization
            )
            key = (name.casefold(), code)
            if key in seen_people:
                # The same entry twice is one participant; the same person twice, differently,
                # is a mistake the archive cannot settle.
                errors.check(
                    (seen_people[key].title, seen_people[key].role) == (title_held, role),
                    f"{where}: {name} ({code}) is listed twice with different titles or roles",
                )
                continue
            seen_people[key] = person
            people.append(person)

    themes: list[str] = []
    seen_themes: set[str] = set()
    for i, theme in enumerate(
        _list(errors, "themes", data.get("themes"), max_items=MAX_THEMES, required=False)
    ):
        theme = _text(errors, f"themes[{i}]", theme, max_length=longest(Topic, "name"))
        if theme and theme.casefold() not in seen_themes:
            seen_themes.add(theme.casefold())
            themes.append(theme)

    summary = _text(
        errors,
        "summary",
        data.get("summary"),
        max_length=longest(Meeting, "summary"),
        required=False,
        strip=False,
    )
    body = _text(
        errors, "body", data.get("body"), max_length=MAX_BODY_CHARS, required=False, strip=False
    )

    sources: list[Reference] = []
    for i, raw in enumerate(
        _list(errors, "sources", data.get("sources"), max_items=MAX_SOURCES, required=False)
    ):
        where = f"sources[{i}]"
        raw = _object(errors, where, raw)
        if not raw:
            continue
        url = _url(errors, f"{where}.url", raw.get("url"))
        publisher = _text(
            errors,
            f"{where}.publisher",
            raw.get("publisher"),
            max_length=longest(Source, "publisher"),
            required=False,
        )
        errors.check(bool(url or publisher), f"{where}: needs a url or a publisher")
        published = _date(errors, f"{where}.published", raw.get("published"), required=False)
        archived = _url(errors, f"{where}.archived_url", raw.get("archived_url"))
        # Version 2: whose account it is, and what it says.
        side = _country(errors, f"{where}.side", raw.get("side"), required=False)
        headline = _text(
            errors,
            f"{where}.headline",
            raw.get("headline"),
            max_length=longest(Source, "headline"),
            required=False,
        )
        text = _text(
            errors,
            f"{where}.text",
            raw.get("text"),
            max_length=MAX_BODY_CHARS,
            required=False,
            strip=False,
        )
        named: list[str] = []
        for j, topic in enumerate(
            _list(
                errors, f"{where}.topics", raw.get("topics"), max_items=MAX_THEMES, required=False
            )
        ):
            topic = _text(errors, f"{where}.topics[{j}]", topic, max_length=longest(Topic, "name"))
            # An account names the readout's topics: the readout's are the union of its
            # accounts'.
            if topic and errors.check(
                topic.casefold() in seen_themes,
                f"{where}.topics[{j}]: {_show(topic)} is not among the readout's themes",
            ):
                named.append(next(t for t in themes if t.casefold() == topic.casefold()))
        titles = _account_titles(errors, where, raw.get("titles"), people)
        side_organization = _slug(
            errors, f"{where}.side_organization", raw.get("side_organization")
        )
        sources.append(
            Reference(
                url,
                publisher,
                published,
                archived,
                side,
                headline,
                text,
                tuple(dict.fromkeys(named)),
                titles,
                side_organization,
            )
        )

    status = _word(data.get("status", Meeting.Status.PUBLISHED))
    errors.check(
        status in STATUSES, f"status: {_show(data.get('status'))} is not draft or published"
    )
    synthetic = data.get("synthetic", False)
    errors.check(isinstance(synthetic, bool), "synthetic: expected true or false")

    restoring = _restoring(errors, data)
    if errors:
        return None, list(errors)
    # The admin's rule: a readout without an envoy, a counterpart and a source is not
    # published, whichever way it comes in. It is kept, as a draft, for an editor.
    held_back = []
    if status == Meeting.Status.PUBLISHED:
        held_back = missing_for_publication(
            roles=[person.role for person in people], source_count=len(sources)
        )
        if held_back:
            status = Meeting.Status.DRAFT
    return (
        Readout(
            id=record_id,
            date=date,
            title=title,
            kind=kind,
            city=city,
            country=venue,
            participants=people,
            themes=themes,
            summary=summary,
            body=body,
            sources=sources,
            status=status,
            synthetic=synthetic,
            held_back=held_back,
            **restoring,
        ),
        [],
    )


def _slug(errors: _Errors, where: str, value) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        errors.append(f"{where}: {_show(value)} is not a slug (letters, digits, - and _)")
        return ""
    return value


def _moment(errors: _Errors, where: str, value) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        errors.append(f"{where}: expected a moment in ISO 8601 with its zone, got {_show(value)}")
        return None
    return moment.astimezone(dt.UTC)


def _paths(errors: _Errors, where: str, value) -> tuple[str, ...]:
    paths = []
    for i, path in enumerate(_list(errors, where, value, max_items=MAX_SOURCES, required=False)):
        if not isinstance(path, str) or not _PATH.fullmatch(path):
            errors.append(f"{where}[{i}]: {_show(path)} is not a path of this site (/…/)")
        else:
            paths.append(path)
    return tuple(paths)


def _restoring(errors: _Errors, data: dict) -> dict:
    """A readout line's version 3 keys: its address, former addresses and moments."""
    found = {
        "slug": _slug(errors, "slug", data.get("slug")),
        "former_addresses": _paths(errors, "former_addresses", data.get("former_addresses")),
        "created_at": _moment(errors, "created_at", data.get("created_at")),
        "updated_at": _moment(errors, "updated_at", data.get("updated_at")),
        "published_at": _moment(errors, "published_at", data.get("published_at")),
    }
    found["given"] = frozenset(key for key in RESTORING_KEYS if key in data)
    return found


def moment_text(moment: dt.datetime) -> str:
    """A moment as the format writes it: ISO 8601, UTC, microseconds, "Z"."""
    # isoformat, not strftime: three per readout, and the whole archive's download writes
    # 100,000 readouts (strftime cost a second of it).
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def default_slug(title: str) -> str:
    """The address an import gives a readout of this title (before any clash)."""
    return slugify(title)[:200].strip("-") or "readout"


def _account_titles(errors: _Errors, where: str, value, people: list[Person]):
    """An account's `titles`: {participant's name: the title this account gives them}."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        errors.append(f"{where}.titles: expected an object of names and titles")
        return ()
    errors.check(
        len(value) <= MAX_PARTICIPANTS, f"{where}.titles: more than {MAX_PARTICIPANTS} names"
    )
    positions: dict[str, list[int]] = {}
    for i, person in enumerate(people):
        positions.setdefault(person.name.casefold(), []).append(i)
    titles = []
    for name, title in list(value.items())[:MAX_PARTICIPANTS]:
        where_title = f"{where}.titles[{_show(name)}]"
        title = _text(errors, where_title, title, max_length=longest(Participation, "title"))
        found = positions.get(name.strip().casefold(), [])
        if not errors.check(
            len(found) == 1,
            f"{where}.titles: {_show(name)} is not one of the readout's participants"
            if not found
            else f"{where}.titles: {_show(name)} names two participants; rename one",
        ):
            continue
        if title:
            titles.append((found[0], title))
    return tuple(sorted(titles))


def parse_line(raw: bytes) -> tuple[Readout | None, list[str]]:
    """Decode and validate one line of a file (bytes, newline included or not)."""
    if len(raw) > MAX_LINE_BYTES:
        return None, [f"line is {len(raw):,} bytes; the limit is {MAX_LINE_BYTES:,}"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [f"not valid UTF-8 (byte {exc.start + 1})"]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [f"not valid JSON: {exc.msg} (column {exc.colno})"]
    except RecursionError:
        return None, ["not valid JSON: nested too deeply"]
    except ValueError as exc:  # e.g. an integer with thousands of digits
        return None, [f"not valid JSON: {exc}"]
    if isinstance(data, dict) and "record" in data:
        kind = data["record"]
        if kind not in ("country", "organization", "official", "topic"):
            return None, [f"record: {_show(kind)} is not country, organization, official or topic"]
        return RecordLine(kind, data), []
    return parse_record(data)
