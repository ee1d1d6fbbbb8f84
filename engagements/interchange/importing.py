"""Bulk import of interchange files: validated line by line, written in batches, all or nothing.

`import_readouts` is the one operation; the management command wraps it with a
progress bar. The whole run is one transaction, so an error, Ctrl-C or a killed
process leaves the database as it was before the run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, reset_queries, transaction
from django.utils import timezone
from django.utils.text import slugify

from engagements.interchange import catalogue
from engagements.interchange.export import keyed_records
from engagements.interchange.format import (
    RESTORING_KEYS,
    Person,
    Readout,
    RecordLine,
    default_slug,
    moment_text,
    parse_line,
)
from engagements.markup import render_markdown
from engagements.models import (
    AccountTitle,
    Country,
    FormerAddress,
    Meeting,
    MeetingCountry,
    Official,
    Organization,
    Participation,
    Source,
    TaggedMeeting,
    Topic,
    Withdrawal,
)
from engagements.models.records import family_sort_key
from engagements.search import schema
from engagements.upkeep import derived, facetcounts, purge, version

MAX_ERRORS_KEPT = 10_000


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    invalid_lines: set[int] = field(default_factory=set)
    # (line, what it lacks): readouts that asked to be published and were kept as drafts.
    held_back: list[tuple[int, list[str]]] = field(default_factory=list)
    seconds: float = 0.0  # reading, checking and writing, up to the commit
    # What the commit set off after it (rebuilding the whole archive's download files).
    seconds_after: float = 0.0
    written: bool = False
    records: int = 0  # organisations, officials and topics written from their lines

    @property
    def invalid(self) -> int:
        return len(self.invalid_lines)

    def summary(self) -> str:
        drafts = f", kept as drafts {len(self.held_back):,}" if self.held_back else ""
        records = f", records {self.records:,}" if self.records else ""
        return (
            f"created {self.created:,}, updated {self.updated:,}, unchanged {self.unchanged:,}, "
            f"invalid {self.invalid:,}{drafts}{records} in {self.seconds:.1f} s"
            + (
                f" (then {self.seconds_after:.1f} s rebuilding the whole archive's downloads)"
                if self.seconds_after >= 0.1
                else ""
            )
        )


def _insert(model, fields: list[str], rows: list[tuple], *, per_statement: int = 1000) -> None:
    """INSERT plain rows into `model`'s table: with COPY on PostgreSQL (the values go as
    they are, with no statement to build, bind and parse), many rows per
    statement elsewhere."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
                f"VALUES {', '.join([one_row] * len(chunk))}",
                [value for row in chunk for value in row],
            )


def _create_meetings(meetings: list[Meeting]) -> None:
    """bulk_create, with COPY on PostgreSQL: the ids are taken from the table's sequence
    first, and each field is prepared for the database as bulk_create prepares it (its
    moments stamped, auto_now)."""
    if connection.vendor != "postgresql" or not meetings:
        Meeting.objects.bulk_create(meetings)
        return
    table = Meeting._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(meetings)],
        )
        for meeting, (pk,) in zip(meetings, cursor.fetchall(), strict=True):
            meeting.pk = pk
    fields = Meeting._meta.concrete_fields
    rows = []
    for meeting in meetings:
        rows.append(
            tuple(f.get_db_prep_save(f.pre_save(meeting, add=True), connection) for f in fields)
        )
        meeting._state.adding, meeting._state.db = False, connection.alias
    _insert(Meeting, [f.name for f in fields], rows)


class _Rollback(Exception):
    """Raised inside the transaction to undo a run that found invalid lines."""


class _SlugBook:
    """Unique slugs handed out from memory, seeded with the ones already taken."""

    def __init__(self, taken: Iterable[str], *, fallback: str, max_length: int = 200) -> None:
        self.taken = set(taken)
        self.fallback, self.max_length = fallback, max_length

    def issue(self, text: str) -> str:
        base = (slugify(text) or self.fallback)[: self.max_length].strip("-") or self.fallback
        slug, n = base, 2
        while slug in self.taken:
            suffix = f"-{n}"
            slug, n = f"{base[: self.max_length - len(suffix)]}{suffix}", n + 1
        self.taken.add(slug)
        return slug


class Importer:
    """Resolves names to records with in-memory indexes and writes batches of readouts."""

    def __init__(self, *, skip_invalid: bool = False, batch_size: int = 1000) -> None:
        self.skip_invalid = skip_invalid
        self.batch_size = batch_size
        self.result = ImportResult()
        self.first_line_of: dict[str, int] = {}

    # -- indexes -----------------------------------------------------------------------------

    indexes_stale = False
    into_empty_archive = False

    def _load_indexes(self) -> None:
        self.indexes_stale = False
        self.country_ids = dict(Country.objects.values_list("code", "pk"))
        self.country_codes = {pk: code for code, pk in self.country_ids.items()}
        self.country_names = dict(Country.objects.values_list("pk", "name"))
        self.official_aliases: dict[int, list[str]] = {}
        self.official_by_name: dict[tuple[str, str], int] = {}
        self.official_by_alias: dict[tuple[str, str], int] = {}
        self.official_by_alias_anywhere: dict[str, set[int]] = {}
        self.official_names: dict[int, str] = {}
        self.official_countries: dict[int, str] = {}
        slugs = []
        for pk, name, slug, country_id, aliases in Official.objects.values_list(
            "pk", "name", "slug", "country_id", "aliases"
        ).order_by("pk"):
            code = self.country_codes[country_id]
            self.official_by_name.setdefault((name.strip().casefold(), code), pk)
            self.official_aliases[pk] = list(
                filter(None, (a.strip() for a in aliases.splitlines()))
            )
            for alias in self.official_aliases[pk]:
                self.official_by_alias.setdefault((alias.casefold(), code), pk)
                self.official_by_alias_anywhere.setdefault(alias.casefold(), set()).add(pk)
            self.official_names[pk] = name
            self.official_countries[pk] = code
            slugs.append(slug)
        self.official_slugs = _SlugBook(slugs, fallback="official")
        self.topic_by_name: dict[str, int] = {}
        self.topic_names: dict[int, str] = {}
        self.topic_aliases: dict[int, list[str]] = {}
        slugs = []
        for pk, name, slug, aliases in Topic.objects.values_list(
            "pk", "name", "slug", "aliases"
        ).order_by("pk"):
            self.topic_by_name.setdefault(name.casefold(), pk)
            self.topic_names[pk] = name
            self.topic_aliases[pk] = list(filter(None, (a.strip() for a in aliases.splitlines())))
            slugs.append(slug)
        # A theme given by a topic's other name (one merged into it, say) is that topic.
        for pk, aliases in self.topic_aliases.items():
            for alias in aliases:
                self.topic_by_name.setdefault(alias.casefold(), pk)
        self.topic_slugs = _SlugBook(slugs, fallback="topic", max_length=100)
        self.organization_ids: dict[str, int] = {}
        self.organization_names: dict[str, list[str]] = {}
        for pk, slug, name, abbreviation in Organization.objects.values_list(
            "pk", "slug", "name", "abbreviation"
        ):
            self.organization_ids[slug] = pk
            self.organization_names[slug] = [text for text in (name, abbreviation) if text]

    def _country_id(self, code: str) -> int:
        if code not in self.country_ids:
            country = Country.for_code(code)
            self.country_ids[code] = country.pk
            self.country_codes[country.pk] = code
            self.country_names[country.pk] = country.name
        return self.country_ids[code]

    def _official_id(self, name: str, code: str) -> int | None:
        key = name.casefold()
        found = self.official_by_name.get((key, code)) or self.official_by_alias.get((key, code))
        if found is None:
            anywhere = self.official_by_alias_anywhere.get(key, set())
            found = next(iter(anywhere)) if len(anywhere) == 1 else None
        return found

    # -- the run -----------------------------------------------------------------------------

    def run(
        self, lines: Iterable[bytes], *, progress: Callable[[int, int], None] | None = None
    ) -> ImportResult:
        started = time.monotonic()
        committed_at: list[float] = []
        try:
            with transaction.atomic(), facetcounts.deferred() as self.recount:
                # Registered first, so run first after the commit: the moment it committed,
                # before what the change sets off (the downloads' rebuild).
                transaction.on_commit(lambda: committed_at.append(time.monotonic()))
                self.into_empty_archive = not Meeting.objects.exists()
                self.slugs_given: set[tuple[dt.date, str]] = set()
                finish_index = schema.prepare_bulk_write(empty_archive=self.into_empty_archive)
                self._load_indexes()
                batch: list[Readout] = []
                number = consumed = 0
                for number, raw in enumerate(lines, 1):
                    consumed += len(raw)
                    if progress and number % 500 == 0:
                        progress(number, consumed)
                    readout = self._validate(number, raw)
                    if isinstance(readout, RecordLine):
                        # An organisation, official or topic (version 3): written before the
                        # readouts that follow it name it.
                        if batch and (self.skip_invalid or not self.result.errors):
                            self._write(batch)
                        batch = []
                        self._write_record(number, readout)
                        continue
                    if readout is None or (self.result.errors and not self.skip_invalid):
                        continue  # after a bad line a strict run only validates the rest
                    batch.append(readout)
                    if len(batch) >= self.batch_size:
                        self._write(batch)
                        batch = []
                if progress:
                    progress(number, consumed)
                if batch and (self.skip_invalid or not self.result.errors):
                    self._write(batch)
                if self.result.errors and not self.skip_invalid:
                    raise _Rollback
                finish_index()
                if self.result.created or self.result.updated:
                    version.bump()  # bulk writes send no signals
                self.result.written = True
        except _Rollback:
            self.result.created = self.result.updated = self.result.unchanged = 0
        finished = time.monotonic()
        self.result.seconds = (committed_at[0] if committed_at else finished) - started
        self.result.seconds_after = finished - started - self.result.seconds
        return self.result

    def _error(self, line: int, message: str) -> None:
        self.result.invalid_lines.add(line)
        if len(self.result.errors) < MAX_ERRORS_KEPT:
            self.result.errors.append((line, message))

    def _write_record(self, number: int, line: RecordLine) -> None:
        try:
            with transaction.atomic():
                errors = catalogue.apply_record_line(line.kind, line.data)
        except (IntegrityError, ValidationError) as error:
            # A clash the checks did not foresee: this line is refused, the run goes on.
            errors = [f"{line.kind}: cannot be written ({error})"]
        for message in errors:
            self._error(number, message)
        if not errors:
            self.result.records += 1
            self.indexes_stale = True  # read again before the next readout: it finds it

    def _validate(self, number: int, raw: bytes) -> Readout | RecordLine | None:
        if not raw.strip():
            return None
        readout, errors = parse_line(raw)
        for message in errors:
            self._error(number, message)
        if readout is None or isinstance(readout, RecordLine):
            return readout
        if self.indexes_stale:
            self._load_indexes()
        named = [p.organization for p in readout.participants] + [
            s.side_organization for s in readout.sources
        ]
        unknown = sorted({slug for slug in named if slug and slug not in self.organization_ids})
        if unknown:
            self._error(
                number,
                f"organization: {', '.join(unknown)} is not in the archive (an organization "
                "line must come before the readouts that name it)",
            )
            return None
        first = self.first_line_of.setdefault(readout.id, number)
        if first != number:
            self._error(number, f"id: {readout.id} is already used on line {first}")
            return None
        readout.line = number
        if readout.held_back and len(self.result.held_back) < MAX_ERRORS_KEPT:
            self.result.held_back.append((number, readout.held_back))
        return readout

    # -- writing a batch ---------------------------------------------------------------------

    def _write(self, batch: list[Readout]) -> None:
        reset_queries()  # with DEBUG on, Django would keep every batch's SQL in memory
        resolved = self._resolve(batch)
        # Into an empty archive, the only readouts stored are this run's, and a line that
        # repeats an id is refused (`first_line_of`): nothing to look up.
        stored = {} if self.into_empty_archive else {
            record["id"]: (row["pk"], record)
            for row, record in keyed_records(
                Meeting.objects.filter(external_id__in=[r.id for r, _, _ in resolved]).order_by()
            )
        }  # fmt: skip
        now = timezone.now()
        to_create: list[tuple[Meeting, Readout, list[int], list[int]]] = []
        changed: list[tuple[int, Readout, list[int], list[int]]] = []
        for readout, official_ids, topic_ids in resolved:
            pk, record = stored.get(readout.id, (None, None))
            if pk is None:
                to_create.append(
                    (
                        self._new_meeting(readout, official_ids, topic_ids, now),
                        readout,
                        official_ids,
                        topic_ids,
                    )
                )
            elif self._as_given(record, readout) == self._expected_record(
                readout, official_ids, topic_ids
            ):
                self.result.unchanged += 1
            else:
                changed.append((pk, readout, official_ids, topic_ids))
        instances = Meeting.objects.in_bulk([pk for pk, *_ in changed])
        to_update, moved = [], []
        for pk, readout, official_ids, topic_ids in changed:
            meeting = instances[pk]
            if "slug" in readout.given and readout.slug != meeting.slug:
                meeting.slug = readout.slug  # asked for: the new address, free on its date
                moved.append(meeting)
            elif meeting.date != readout.date:
                moved.append(meeting)  # its slug must be free on the new date too
            self._apply(meeting, readout, official_ids, topic_ids, now)
            to_update.append((meeting, readout, official_ids, topic_ids))

        new_meetings = [m for m, *_ in to_create]
        self._assign_slugs(
            new_meetings + moved,
            [r.slug or default_slug(r.title) for _m, r, *_ in to_create] + [m.slug for m in moved],
        )
        _create_meetings(new_meetings)
        # bulk_create stamps its own moments (auto_now): put back the ones the file gives.
        restored = [m for m, r, *_ in to_create if {"created_at", "updated_at"} & r.given]
        for meeting, readout, *_ in to_create:
            meeting.created_at = readout.created_at or meeting.created_at
            meeting.updated_at = readout.updated_at or meeting.updated_at
        if restored:
            Meeting.objects.bulk_update(restored, ["created_at", "updated_at"])
        if to_update:
            changed_ids = [m.pk for m, *_ in to_update]
            # Their parts are replaced below; what derives from them is already computed.
            with derived.paused():
                Meeting.objects.bulk_update(
                    [m for m, *_ in to_update],
                    ["title", "slug", "date", "kind", "city", "location_country", "summary",
                     "body", "body_html", "status", "published_at", "synthetic", "created_at",
                     "updated_at", "search_primary", "search_secondary", "facet_keys"],
                )  # fmt: skip
                AccountTitle.objects.filter(meeting_id__in=changed_ids).delete()
                Participation.objects.filter(meeting_id__in=changed_ids).delete()
                TaggedMeeting.objects.filter(content_object_id__in=changed_ids).delete()
                Source.objects.filter(meeting_id__in=changed_ids).delete()
                MeetingCountry.objects.filter(meeting_id__in=changed_ids).delete()

        # The rows that hang off each meeting, as plain tuples: building hundreds of
        # thousands of model instances would cost more than writing them.
        participations, links, sources, countries = [], [], [], []
        account_topics: dict[tuple[int, int], list[int]] = {}
        # (meeting, account's position, participant's position, title)
        account_titles: list[tuple[int, int, int, str]] = []
        for meeting, readout, official_ids, topic_ids in to_create + to_update:
            involved = set()
            for order, (person, official_id) in enumerate(
                zip(readout.participants, official_ids, strict=True)
            ):
                participations.append(
                    (meeting.pk, official_id, person.role, person.title, order,
                     self.organization_ids.get(person.organization))
                )  # fmt: skip
                involved.add(self.country_ids[self.official_countries[official_id]])
            if meeting.location_country_id:
                involved.add(meeting.location_country_id)
            countries += [(meeting.pk, c) for c in involved]
            links += [(meeting.pk, t, order) for order, t in enumerate(topic_ids)]
            sources += [
                (meeting.pk, s.url, s.publisher,
                 s.published.isoformat() if s.published else None, s.archived_url, order,
                 self._country_id(s.side) if s.side else None, s.headline, s.text,
                 render_markdown(s.text) if s.text else "",
                 self.organization_ids.get(s.side_organization))
                for order, s in enumerate(readout.sources)
            ]  # fmt: skip
            for order, s in enumerate(readout.sources):
                account_titles += [(meeting.pk, order, person, title) for person, title in s.titles]
                if s.topics:
                    account_topics[meeting.pk, order] = list(
                        dict.fromkeys(self.topic_by_name[t.casefold()] for t in s.topics)
                    )
        _insert(
            Participation,
            ["meeting", "official", "role", "title", "order", "organization"],
            participations,
        )
        _insert(TaggedMeeting, ["content_object", "tag", "order"], links)
        _insert(
            Source,
            ["meeting", "url", "publisher", "published", "archived_url", "order", "side",
             "headline", "text", "text_html", "side_organization"],
            sources,
        )  # fmt: skip
        if account_topics:
            # The topics each account names, now that the accounts have ids.
            ids = {
                (meeting_id, order): pk
                for pk, meeting_id, order in Source.objects.filter(
                    meeting_id__in={meeting_id for meeting_id, _ in account_topics}
                ).values_list("pk", "meeting_id", "order")
            }
            _insert(
                Source.topics.through,
                ["source", "topic"],
                [(ids[key], topic) for key, topics in account_topics.items() for topic in topics],
            )
        if account_titles:
            self._insert_account_titles(account_titles)
        for meeting, readout, *_ in to_create + to_update:
            if "former_addresses" in readout.given:
                self._keep_former_addresses(meeting, readout.former_addresses)
        # A readout published again is no longer reported withdrawn to harvesters (the
        # admin's saves do this in upkeep/receivers.py; bulk writes send no signals).
        republished = [m.external_id for m, *_ in to_create + to_update if m.is_published]
        if republished:
            Withdrawal.objects.filter(external_id__in=republished).delete()
        _insert(MeetingCountry, ["meeting", "country"], countries)
        self.result.created += len(to_create)
        self.result.updated += len(to_update)
        self.recount.add(m.pk for m, *_ in to_create + to_update)  # at the end, or a rebuild
        # Changed readouts' pages, and their records' (whose lists show them), leave an
        # HTTP cache in front; new ones were never in it, and their records' pages follow
        # from the recount.
        purge.note_readouts([m.pk for m, *_ in to_update])

    @staticmethod
    def _keep_former_addresses(meeting: Meeting, paths: tuple[str, ...]) -> None:
        """The readout's former addresses, exactly those the file gives."""
        FormerAddress.objects.filter(meeting=meeting).exclude(path__in=paths).delete()
        kept = set(FormerAddress.objects.filter(meeting=meeting).values_list("path", flat=True))
        for path in paths:
            if path != meeting.get_absolute_url() and path not in kept:
                FormerAddress.objects.update_or_create(
                    path=path, defaults={"meeting": meeting, "official": None, "topic": None}
                )

    def _insert_account_titles(self, titles: list[tuple[int, int, int, str]]) -> None:
        """The titles accounts give participants, now that both have ids (by position)."""
        meeting_ids = {meeting_id for meeting_id, *_ in titles}
        accounts = {
            (meeting_id, order): pk
            for pk, meeting_id, order in Source.objects.filter(
                meeting_id__in=meeting_ids
            ).values_list("pk", "meeting_id", "order")
        }
        people = {
            (meeting_id, order): pk
            for pk, meeting_id, order in Participation.objects.filter(
                meeting_id__in=meeting_ids
            ).values_list("pk", "meeting_id", "order")
        }
        _insert(
            AccountTitle,
            ["meeting", "account", "participation", "title"],
            [
                (meeting_id, accounts[meeting_id, account], people[meeting_id, person], title)
                for meeting_id, account, person, title in titles
            ],
        )

    def _resolve(self, batch: list[Readout]) -> list[tuple[Readout, list[int], list[int]]]:
        """Official and topic ids for each readout, creating the ones the archive lacks.

        A readout naming one known official twice, differently (a name and an alias), is
        refused before anything is created for it.
        """
        accepted: list[tuple[Readout, list[int | tuple[str, str]]]] = []
        for readout in batch:
            people: dict[int | tuple[str, str], Person] = {}
            for person in readout.participants:
                key = self._official_id(person.name, person.country) or (
                    person.name.casefold(),
                    person.country,
                )
                known = people.setdefault(key, person)
                if (known.role, known.title) != (person.role, person.title):
                    self._error(
                        readout.line,
                        f"participants: {known.name} and {person.name} are the same official "
                        "with different titles or roles",
                    )
                    break
            else:
                readout.participants = list(people.values())
                accepted.append((readout, list(people)))

        new_officials: dict[tuple[str, str], Official] = {}
        new_topics: dict[str, Topic] = {}
        for readout, keys in accepted:
            for code in {readout.country, *(p.country for p in readout.participants)} - {None}:
                self._country_id(code)
            for key, person in zip(keys, readout.participants, strict=True):
                if isinstance(key, tuple) and key not in new_officials:
                    new_officials[key] = Official(
                        name=person.name,
                        slug=self.official_slugs.issue(person.name),
                        country_id=self.country_ids[person.country],
                        # bulk_create skips save(), which sets it for one official
                        sort_key=family_sort_key(person.name, person.country),
                    )
            for theme in readout.themes:
                key = theme.casefold()
                if key not in self.topic_by_name and key not in new_topics:
                    new_topics[key] = Topic(name=theme, slug=self.topic_slugs.issue(theme))
        for (name_key, code), official in zip(
            new_officials, Official.objects.bulk_create(new_officials.values()), strict=True
        ):
            self.official_by_name[(name_key, code)] = official.pk
            self.official_names[official.pk] = official.name
            self.official_aliases[official.pk] = []
            self.official_countries[official.pk] = code
        for key, topic in zip(
            new_topics, Topic.objects.bulk_create(new_topics.values()), strict=True
        ):
            self.topic_by_name[key] = topic.pk
            self.topic_names[topic.pk] = topic.name
            self.topic_aliases[topic.pk] = []

        return [
            (
                readout,
                [k if isinstance(k, int) else self.official_by_name[k] for k in keys],
                list(dict.fromkeys(self.topic_by_name[t.casefold()] for t in readout.themes)),
            )
            for readout, keys in accepted
        ]

    def _expected_record(
        self, readout: Readout, official_ids: list[int], topic_ids: list[int]
    ) -> dict:
        """What the export would give once this readout is written: the test for "unchanged"."""
        record = {
            "id": readout.id,
            "date": readout.date.isoformat(),
            "title": readout.title,
            "kind": readout.kind,
            "location": {"city": readout.city, "country": readout.country},
            "participants": [
                {
                    "name": self.official_names[oid],
                    "title": p.title,
                    "country": self.official_countries[oid],
                    "role": p.role,
                }
                | ({"organization": p.organization} if p.organization else {})
                for p, oid in zip(readout.participants, official_ids, strict=True)
            ],
            "themes": [self.topic_names[t] for t in topic_ids],  # main subjects first
            "summary": readout.summary,
            "body": readout.body,
            "sources": [
                {
                    "url": s.url,
                    "publisher": s.publisher,
                    "published": s.published.isoformat() if s.published else None,
                }
                | ({"archived_url": s.archived_url} if s.archived_url else {})
                | ({"side": s.side} if s.side else {})
                | ({"headline": s.headline} if s.headline else {})
                | ({"text": s.text} if s.text else {})
                | ({"topics": sorted(s.topics, key=str.casefold)} if s.topics else {})
                | (
                    {"titles": {self.official_names[official_ids[i]]: t for i, t in s.titles}}
                    if s.titles
                    else {}
                )
                | ({"side_organization": s.side_organization} if s.side_organization else {})
                for s in readout.sources
            ],
        }
        if readout.status != Meeting.Status.PUBLISHED:
            record["status"] = readout.status
        if readout.synthetic:
            record["synthetic"] = True
        if readout.slug and readout.slug != default_slug(readout.title):
            record["slug"] = readout.slug
        if readout.former_addresses:
            record["former_addresses"] = sorted(readout.former_addresses)
        for key in ("created_at", "updated_at", "published_at"):
            moment = getattr(readout, key)
            if moment is not None:
                record[key] = moment_text(moment)
        return record

    @staticmethod
    def _as_given(record: dict, readout: Readout) -> dict:
        """The stored record without the version 3 keys the line leaves out (they keep
        what the archive has, so they cannot make it a change)."""
        left_out = [key for key in RESTORING_KEYS if key not in readout.given]
        return {k: v for k, v in record.items() if k not in left_out}

    def _new_meeting(self, readout: Readout, official_ids, topic_ids, now) -> Meeting:
        meeting = Meeting(external_id=readout.id, created_at=readout.created_at or now)
        self._apply(meeting, readout, official_ids, topic_ids, now)
        return meeting

    def _apply(self, meeting: Meeting, readout: Readout, official_ids, topic_ids, now) -> None:
        """Set the meeting's fields, and what derives from them, from a readout."""
        meeting.title = readout.title
        meeting.date = readout.date
        meeting.kind = readout.kind
        meeting.city = readout.city
        meeting.location_country_id = self.country_ids[readout.country] if readout.country else None
        meeting.summary = readout.summary
        if meeting.body != readout.body or not meeting.body_html:
            meeting.body_html = render_markdown(readout.body)
        meeting.body = readout.body
        meeting.status = readout.status
        if "published_at" in readout.given:
            meeting.published_at = readout.published_at
        elif readout.status == Meeting.Status.PUBLISHED and meeting.published_at is None:
            meeting.published_at = now
        if "created_at" in readout.given:
            meeting.created_at = readout.created_at
        meeting.synthetic = readout.synthetic
        meeting.updated_at = readout.updated_at if "updated_at" in readout.given else now
        countries = {self.country_ids[self.official_countries[o]] for o in official_ids}
        if meeting.location_country_id:
            countries.add(meeting.location_country_id)
        people, offices = derived.participant_texts(
            (
                self.official_names[official_id],
                self.official_aliases[official_id],
                person.title,
                self.organization_names.get(person.organization, ()),
            )
            for person, official_id in zip(readout.participants, official_ids, strict=True)
        )
        meeting.search_primary, meeting.search_secondary = derived.search_texts(
            title=readout.title,
            people=people,
            summary=readout.summary,
            offices=offices,
            topics=sorted(
                text for t in topic_ids for text in [self.topic_names[t], *self.topic_aliases[t]]
            ),
            places=[readout.city, *sorted(self.country_names[c] for c in countries)],
            accounts=[text for s in readout.sources for text in (s.headline, s.text)],
        )
        meeting.facet_keys = derived.facet_keys(
            countries=countries, officials=official_ids, topics=topic_ids
        )

    def _assign_slugs(self, meetings: list[Meeting], bases: list[str]) -> None:
        """Slugs unique per date, starting from `bases`; one query, more only on a clash.
        Into an empty archive, none: the only slugs taken are this run's, kept in memory."""
        if self.into_empty_archive:
            taken = self.slugs_given
        else:
            taken = set(
                Meeting.objects.filter(date__in={m.date for m in meetings}, slug__in=set(bases))
                .exclude(pk__in=[m.pk for m in meetings if m.pk])
                .values_list("date", "slug")
            )
        for meeting, base in zip(meetings, bases, strict=True):
            slug, n = base, 2
            while (meeting.date, slug) in taken or (
                slug != base
                and not self.into_empty_archive
                and Meeting.objects.filter(date=meeting.date, slug=slug)
                .exclude(pk=meeting.pk)
                .exists()
            ):
                suffix = f"-{n}"
                slug, n = f"{base[: 200 - len(suffix)]}{suffix}", n + 1
            taken.add((meeting.date, slug))
            meeting.slug = slug


def import_readouts(
    lines: Iterable[bytes],
    *,
    skip_invalid: bool = False,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import interchange lines (bytes). Strict by default: any invalid line writes nothing."""
    return Importer(skip_invalid=skip_invalid, batch_size=batch_size).run(lines, progress=progress)
