"""The reader end to end: `propose` puts the layers together into a Proposal, with notes
for the editor."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.db import DatabaseError
from django.db.models import Count

from engagements.desk.pressrelease.dates import (
    DateMention,
    _latest_date_not_after,
    _nearest_date,
    find_dates,
    url_date,
)
from engagements.desk.pressrelease.layout import (
    _HTML_TAG_RE,
    Dateline,
    Layout,
    _paragraphs,
    clean_text,
    read_layout,
    sentence_spans,
)
from engagements.desk.pressrelease.people import (
    _candidate_names,
    assign_roles,
    describe_person,
    find_known_officials,
    gather_people,
    honorific_mentions,
    known_mentions,
)
from engagements.desk.pressrelease.places import (
    _city_in_text_re,
    guess_country,
    known_city,
    title_case_city,
)
from engagements.desk.pressrelease.proposal import (
    CALL_KINDS,
    COUNTERPART,
    ENVOY,
    MAX_PARTICIPANTS,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    PARTICIPANT,
    TITLE_PHRASES,
    Kind,
    Proposal,
    ProposedParticipant,
)
from engagements.desk.pressrelease.subjects import (
    detect_kind,
    find_topics,
    publisher_for_url,
    valid_url,
)
from engagements.models import Meeting

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------


def _shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:") + "…"


def make_summary(paragraphs: list[str]) -> str:
    """The first sentence of the body, and the second if both fit in MAX_SUMMARY_CHARS."""
    if not paragraphs:
        return ""
    # Two sentences never need more than the opening few thousand characters.
    opening = "\n".join(paragraphs[:2])[: 4 * MAX_SUMMARY_CHARS]
    sentences = [opening[a:b] for a, b in sentence_spans(opening)] or [opening]
    summary = sentences[0]
    if len(sentences) > 1 and len(summary) + 1 + len(sentences[1]) <= MAX_SUMMARY_CHARS:
        summary = f"{summary} {sentences[1]}"
    return _shorten(summary, MAX_SUMMARY_CHARS)


def make_title(
    headline: str, kind: str, envoy: ProposedParticipant | None, other: ProposedParticipant | None
) -> str:
    """The headline; else 'X pays courtesy call on Y' from the people; else ''."""
    if headline:
        return _shorten(headline, MAX_TITLE_CHARS)

    def label(person: ProposedParticipant) -> str:
        return person.official.name if person.official else person.name

    if envoy and other:
        return _shorten(TITLE_PHRASES[kind].format(a=label(envoy), b=label(other)), MAX_TITLE_CHARS)
    if envoy:
        return _shorten(f"{kind[:1].upper()}{kind[1:]} with {label(envoy)}", MAX_TITLE_CHARS)
    return ""


# ---------------------------------------------------------------------------------------
# The proposal
# ---------------------------------------------------------------------------------------


def propose(text: str, *, url: str = "", today: dt.date | None = None) -> Proposal:
    """A proposed draft readout for the press release `text` (reads, never writes).

    Never raises on any input: anything unreadable leaves fields empty and adds a note.
    """
    if isinstance(today, dt.datetime):
        today = today.date()
    elif not isinstance(today, dt.date):
        today = dt.date.today()
    notes: list[str] = []
    try:
        return _propose(text, url, today, notes)
    except DatabaseError:
        raise  # the database being down is not something the text caused
    except Exception:  # the promise to the editor's form: a bad paste never breaks it
        logger.exception("press release could not be read")
        try:
            body = "\n\n".join(_paragraphs(clean_text(text, [])))
        except Exception:  # the same text broke the reader once already
            body = ""
        return Proposal(
            title="Untitled readout",
            date=None,
            city="",
            location_country_code="",
            kind=Kind.MEETING.value,
            summary="",
            body=body,
            publisher="",
            url=valid_url(url),
            published=None,
            notes=[
                *notes,
                "The text could not be read automatically: fill in the readout by hand.",
            ],
        )


def _propose(raw_text: str, raw_url: str, today: dt.date, notes: list[str]) -> Proposal:
    text = clean_text(raw_text, notes)
    url = valid_url(raw_url)
    if raw_url and not url:
        notes.append("The address given is not an http(s) URL, so it was left out.")
    if not text.strip():
        notes.append("The text is empty: paste the press release.")
    if _HTML_TAG_RE.search(text):
        notes.append("The text contains HTML tags, kept as text: remove them if they are markup.")

    layout = read_layout(text)
    headline, paragraphs, dateline = layout.headline, layout.paragraphs, layout.dateline
    body = "\n\n".join(paragraphs)
    # One string for every search below, so that spans compare across headline and body.
    analysis = f"{headline}\n\n{body}" if headline else body
    body_start = len(headline) + 2 if headline else 0

    kind = detect_kind(headline, body)
    date, published = _dates(layout, analysis, url, today, notes)
    city, country_code = _place(dateline, kind, paragraphs, notes)
    publisher = _publisher(dateline, url, notes)
    participants = _participants(analysis, body_start, notes)
    topics = find_topics(analysis)
    if not topics and analysis.strip():
        notes.append("No topic already in the archive is named in the text: add topics by hand.")

    envoy = next((p for p in participants if p.role == ENVOY), None)
    counterpart = next((p for p in participants if p.role == COUNTERPART), None)
    lead = envoy or (participants[0] if participants else None)
    title = make_title(headline, kind, lead, counterpart)
    if not title:
        title = "Untitled readout"
        notes.append("No headline or participants found: give the readout a title.")
    elif not headline:
        notes.append("The text has no headline: the title was made up from the meeting; check it.")
    return Proposal(
        title=title,
        date=date,
        city=city,
        location_country_code=country_code,
        kind=kind,
        summary=make_summary(paragraphs),
        body=body,
        publisher=publisher,
        url=url,
        published=published,
        participants=participants,
        topics=topics,
        notes=notes,
    )


def _dates(
    layout: Layout, analysis: str, url: str, today: dt.date, notes: list[str]
) -> tuple[dt.date | None, dt.date | None]:
    """(meeting date, release date), with notes on every guess."""
    mentions = list(find_dates(analysis))
    address_date, address_has_day = url_date(url)
    dateline_date: dt.date | None = None
    # The metadata line is the editor's own record of the date: nothing to infer then.
    if layout.dateline and layout.dateline.date_text and not layout.meta_date:
        written = next(find_dates(layout.dateline.date_text), None)
        if written and written.year:
            dateline_date = written.as_date()
        elif written:
            dateline_date = _infer_year(written, mentions, address_date, today, notes)
    published = layout.meta_date or dateline_date or (address_date if address_has_day else None)
    if published:
        date = published
        opening = layout.paragraphs[0] if layout.paragraphs else ""
        if re.search(r"\byesterday\b", opening, re.I) and not layout.meta_date:
            date = published - dt.timedelta(days=1)
            notes.append(
                "The release says the meeting was “yesterday”: the date is the day before it."
            )
        elif not layout.meta_date and not dateline_date:
            notes.append("The date comes from the address (URL): check it is the meeting's date.")
        return date, published
    # No dateline date: the first date written in the text.
    for mention in mentions:
        found = mention.as_date() or _infer_year(mention, mentions, address_date, today, notes)
        if found:
            notes.append(f"The date was read from the text (“{mention.text}”): check it.")
            return found, found
    notes.append("No date found: enter the meeting's date.")
    return None, None


def _infer_year(
    written: DateMention,
    mentions: list[DateMention],
    address_date: dt.date | None,
    today: dt.date,
    notes: list[str],
) -> dt.date | None:
    """A year for a date written without one ("NOV 11")."""
    full = next((m for m in mentions if m.year and m.as_date()), None)
    if full:
        found, source = (
            _nearest_date(written.month, written.day, full.as_date()),
            (f"the date “{full.text}” in the text"),
        )
    elif address_date:
        found, source = _nearest_date(written.month, written.day, address_date), "the address (URL)"
    else:
        found, source = _latest_date_not_after(written.month, written.day, today), "today's date"
    if found:
        notes.append(
            f"The year is not given with “{written.text}”: {found.year} was taken from "
            f"{source}; check it."
        )
    return found


def _place(
    dateline: Dateline | None, kind: str, paragraphs: list[str], notes: list[str]
) -> tuple[str, str]:
    """(city, venue country code); both empty for calls, which have no venue."""
    city = title_case_city(dateline.city) if dateline else ""
    if kind in CALL_KINDS:
        where = f" ({city} in the dateline is where the release was issued)" if city else ""
        notes.append(f"A {kind} has no venue: city and country are left empty{where}.")
        return "", ""
    if not city:
        opening = "\n".join(paragraphs[:2])[:3000]  # where a release says where it was
        found = _city_in_text_re().search(opening)
        if found:
            city = title_case_city(found[1])
            notes.append(f"The place was read from the text (“{found[0]}”): check it.")
    if not city:
        notes.append("No place found: enter the city and country where the meeting was held.")
        return "", ""
    # The archive knows its own cities best; then the built-in table.
    usual = (
        Meeting.objects.filter(city__iexact=city, location_country__isnull=False)
        .values("location_country__code")
        .annotate(meetings=Count("pk"))
        .order_by("-meetings", "location_country__code")
        .first()
    )
    if usual:
        return city, usual["location_country__code"]
    known = known_city(city)
    if known:
        return city, known[1]
    notes.append(f"The country of {city} is not known: enter it.")
    return city, ""


def _publisher(dateline: Dateline | None, url: str, notes: list[str]) -> str:
    """The agency in the dateline, else what the archive calls the URL's site, else its host."""
    if dateline and dateline.agency:
        return dateline.agency
    if url:
        publisher, from_archive = publisher_for_url(url)
        if publisher and not from_archive:
            notes.append(
                f"The publisher is the address's site ({publisher}): give its proper name."
            )
        if publisher:
            return publisher
    notes.append("No publisher found: enter who issued the release.")
    return ""


def _participants(analysis: str, body_start: int, notes: list[str]) -> list[ProposedParticipant]:
    """The people the text names, matched to known officials, with titles and roles."""
    honorific = honorific_mentions(analysis)
    officials = find_known_officials(_candidate_names(analysis, honorific))
    known = known_mentions(analysis, officials)
    people = gather_people(analysis, known, honorific)
    if len(people) > MAX_PARTICIPANTS:
        notes.append(f"The text names over {MAX_PARTICIPANTS} people: only the first were kept.")
        people = people[:MAX_PARTICIPANTS]
    if not people:
        notes.append("No participants found: add them.")
        return []
    body_sentences = sentence_spans(analysis[body_start:], body_start)
    headline_sentences = sentence_spans(analysis[:body_start]) if body_start else []
    envoy, counterpart = assign_roles(analysis, people, body_sentences)
    if envoy is None:
        envoy, counterpart = assign_roles(analysis, people, headline_sentences)
    if envoy is None:
        notes.append("No sentence names two people: set who is the envoy and the counterpart.")
    all_mentions = sorted((m for p in people for m in p.mentions), key=lambda m: m.start)
    proposed: list[ProposedParticipant] = []
    for person in people:
        title, context = describe_person(analysis, person, all_mentions, body_start)
        if person.official is not None:
            code = person.official.country.code
        else:
            code = guess_country(context)
            notes.append(
                f"“{person.name}” is not in the archive: add them as an official (or correct "
                "the name) before saving."
            )
            if not code:
                notes.append(f"The country of “{person.name}” could not be told: enter it.")
        role = ENVOY if person is envoy else COUNTERPART if person is counterpart else PARTICIPANT
        proposed.append(ProposedParticipant(person.name, person.official, title, code, role))
    # The envoy and counterpart lead the list; the others follow in the text's order.
    rank = {ENVOY: 0, COUNTERPART: 1, PARTICIPANT: 2}
    return sorted(proposed, key=lambda p: rank[p.role])
