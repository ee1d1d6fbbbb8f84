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
    _nearest_date,
    find_dates,
    url_date,
)
from engagements.desk.pressrelease.events import (
    BACKGROUND_RE,
    EVENT_RE,
    WEEKDAYS,
    event_kind,
    event_sentences,
    relative_day,
    year_for_weekday,
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
from engagements.desk.pressrelease.names import soften_capitals
from engagements.desk.pressrelease.participants import event_participants, find_people
from engagements.desk.pressrelease.places import (
    _fold,
    issuing_country,
    sidelines_country,
    title_case_city,
    venue_in,
    world_city,
)
from engagements.desk.pressrelease.proposal import (
    CALL_KINDS,
    COUNTERPART,
    ENVOY,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    TITLE_PHRASES,
    Kind,
    Proposal,
    ProposedParticipant,
)
from engagements.desk.pressrelease.subjects import (
    find_topics,
    publisher_for_url,
    suggest_topics,
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
    """What happened, from the people: 'X pays courtesy call on Y' (the archive's titles
    describe the meeting alike, whoever published it); else the headline; else ''."""

    def label(person: ProposedParticipant) -> str:
        return person.official.name if person.official else person.name

    if envoy and other:
        return _shorten(TITLE_PHRASES[kind].format(a=label(envoy), b=label(other)), MAX_TITLE_CHARS)
    if headline:
        return _shorten(headline, MAX_TITLE_CHARS)
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
    # One string for every search below, so that spans compare across headline and body;
    # names in capitals are softened ("KAMIKAWA Yoko") with every offset kept.
    analysis = soften_capitals(f"{headline}\n\n{body}" if headline else body)
    body_start = len(headline) + 2 if headline else 0
    body_sentences = sentence_spans(analysis[body_start:], body_start)
    headline_sentences = sentence_spans(analysis[:body_start]) if body_start else []

    people = find_people(analysis, notes)
    spans = [(m.start, m.end) for p in people for m in p.mentions]
    event = event_sentences(analysis, body_sentences, spans)
    event_text = " ".join(sentence.text for sentence in event)
    # With no sentence naming people at a meeting, the opening sentence dates the event.
    opening_sentence = (
        analysis[body_sentences[0][0] : body_sentences[0][1]] if body_sentences else ""
    )
    kind = event_kind(headline, event_text or opening_sentence, "\n".join(paragraphs[:2]))
    date, published = _dates(layout, analysis, event_text or opening_sentence, url, today, notes)
    issuing = issuing_country(dateline.agency if dateline else "", layout.preamble)
    city, country_code = _place(dateline, kind, event_text, paragraphs, notes, headline)
    publisher = _publisher(dateline, url, notes)
    participants = event_participants(
        analysis, body_start, people, event, headline_sentences, body_sentences,
        country_code, issuing, notes,
    )  # fmt: skip
    topics = find_topics(analysis)
    new_topics = suggest_topics(analysis, topics, [p.title for p in participants])
    if not topics and analysis.strip():
        notes.append("No topic already in the archive is named in the text: add topics by hand.")
    if new_topics:
        notes.append(
            "The text also names subjects the archive has no topic for: "
            + "; ".join(new_topics)
            + ". Add the ones worth keeping to the topics."
        )
    already = _already_in_archive(date, participants)
    if already:
        notes.append(
            "This meeting may already be in the archive (the same officials within a day): "
            "check the readouts listed above before saving a second one."
        )

    envoy = next((p for p in participants if p.role == ENVOY), None)
    counterpart = next((p for p in participants if p.role == COUNTERPART), None)
    lead = envoy or (participants[0] if participants else None)
    title = make_title(headline, kind, lead, counterpart)
    if not title:
        title = "Untitled readout"
        notes.append("No headline or participants found: give the readout a title.")
    elif envoy and counterpart and headline:
        notes.append(f"The title describes the meeting; the release's headline was “{headline}”.")
    elif not (envoy and counterpart) and not headline:
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
        new_topics=new_topics,
        already=already,
        headline=headline,
        side=issuing if len(issuing) == 2 and issuing != "EU" else "",
    )


def _release_date(
    layout: Layout,
    mentions: list[DateMention],
    url: str,
    today: dt.date,
    notes: list[str],
    opening: str = "",
) -> dt.date | None:
    """The day the release was issued: its dateline (its year from the page's date line,
    another date, the address, or a weekday it falls on), its date line, its address."""
    address_date, address_has_day = url_date(url)
    if layout.dateline and layout.dateline.date_text:
        written = next(find_dates(layout.dateline.date_text), None)
        if written and written.year:
            return written.as_date()
        if written and layout.meta_date:
            return _nearest_date(written.month, written.day, layout.meta_date)
        if written:
            found = _infer_year(written, mentions, address_date, notes) or _recent(
                written, today, notes
            )
            if found:
                return found
            # "Amman, April 20 (Petra) -- … on Sunday received": the day is that weekday.
            weekday = re.search(r"\b(?:on|this)\s+(" + "|".join(WEEKDAYS) + r")\b", opening, re.I)
            if weekday:
                pinned = year_for_weekday(
                    written.month, written.day, WEEKDAYS.index(weekday[1].lower()), today
                )
                if pinned:
                    notes.append(
                        f"The year of “{written.text}” was taken from the weekday the release "
                        f"gives (“{weekday[0]}”): {pinned.year}; check it."
                    )
                    return pinned
    if layout.meta_date:
        return layout.meta_date
    if address_date and address_has_day:
        notes.append("The date comes from the address (URL): check it is the meeting's date.")
        return address_date
    return None


def _dates(
    layout: Layout, analysis: str, event_text: str, url: str, today: dt.date, notes: list[str]
) -> tuple[dt.date | None, dt.date | None]:
    """(meeting date, release date), with notes on every guess.

    The event sentence's own date comes first ("On March 5, …"); then what it says
    relative to the release's date ("today", "yesterday", "on Friday"); then the release's
    date itself. A date with no year anywhere is not guessed: the editor is asked.
    """
    mentions = list(find_dates(analysis))
    published = _release_date(layout, mentions, url, today, notes, event_text)
    for mention in find_dates(event_text):
        if mention.year:
            found = mention.as_date()
        elif published:
            found = _nearest_date(mention.month, mention.day, published)
        else:
            found = (
                _pinned_by_weekday(event_text, mention, today)
                or _infer_year(mention, mentions, None, notes)
                or _recent(mention, today, notes)
            )
        if found:
            if not published:
                notes.append(f"The date was read from the text (“{mention.text}”): check it.")
            return found, published or found
    if published:
        relative, words = relative_day(event_text, published)
        if relative:
            if relative != published:
                notes.append(f"The release says the meeting was “{words}”: {relative:%-d %B %Y}.")
            return relative, published
        return published, published
    # No release date: the first date written in the text that has (or can get) a year.
    for mention in mentions:
        found = mention.as_date() or _pinned_by_weekday(analysis, mention, today)
        if found:
            notes.append(f"The date was read from the text (“{mention.text}”): check it.")
            return found, found
    yearless = (layout.dateline.date_text if layout.dateline else "") or (
        mentions[0].text if mentions else ""
    )
    if yearless:
        notes.append(f"The text gives the date “{yearless}” without a year: enter the date.")
    else:
        notes.append("No date found: enter the meeting's date.")
    return None, None


# A year-less date this close before today is taken as this year's: an editor pasting the
# day's release ("ISLAMABAD, March 3 (APP):"). Further back, the year is asked for.
RECENT_DAYS = 14


def _recent(written: DateMention, today: dt.date, notes: list[str]) -> dt.date | None:
    """The (month, day) of `written` in the last RECENT_DAYS before `today`, or None."""
    for year in (today.year, today.year - 1):
        try:
            candidate = dt.date(year, written.month, written.day)
        except ValueError:
            continue
        if dt.timedelta(0) <= today - candidate <= dt.timedelta(days=RECENT_DAYS):
            notes.append(
                f"The year is not given with “{written.text}”: {year} was taken as the "
                "release is recent; check it."
            )
            return candidate
    return None


def _pinned_by_weekday(text: str, mention: DateMention, today: dt.date) -> dt.date | None:
    """A year-less date whose weekday is written next to it ("Tuesday, 5 March")."""
    window = text[max(0, mention.start - 14) : mention.start + len(mention.text) + 14]
    if mention.start < 0 or mention.text not in window:
        return None
    match = re.search(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", window)
    if not match:
        return None
    return year_for_weekday(mention.month, mention.day, WEEKDAYS.index(match[1].lower()), today)


def _infer_year(
    written: DateMention,
    mentions: list[DateMention],
    address_date: dt.date | None,
    notes: list[str],
) -> dt.date | None:
    """A year for a date written without one ("NOV 11"): another full date in the text,
    else the address's; never today's (a guess the editor would not see)."""
    full = next((m for m in mentions if m.year and m.as_date()), None)
    if full:
        found = _nearest_date(written.month, written.day, full.as_date())
        source = f"the date “{full.text}” in the text"
    elif address_date:
        found, source = _nearest_date(written.month, written.day, address_date), "the address (URL)"
    else:
        return None
    if found:
        notes.append(
            f"The year is not given with “{written.text}”: {found.year} was taken from "
            f"{source}; check it."
        )
    return found


_HELD_IN_RE = re.compile(
    r"\b(?:(?:meeting|talks|consultations|call|dialogue|session)\s+(?:was|were)\s+held"
    r"|took\s+place|met|were\s+held|was\s+held)\s+(?:here\s+)?(?:[^.;]{0,60}?\s)?"
    r"(?:in|at)\s+[A-Z][^.;\n]{0,60}"
)


def _place(
    dateline: Dateline | None,
    kind: str,
    event_text: str,
    paragraphs: list[str],
    notes: list[str],
    headline: str = "",
) -> tuple[str, str]:
    """(city, venue country code); both empty for calls, which have no venue.

    Where the event sentence places the meeting ("in Beijing on a visit", "on the margins
    of … in Bucharest") comes first; then the dateline's city; then a later sentence that
    says where they met ("The two met in New York City").
    """
    city = title_case_city(dateline.city) if dateline else ""
    if kind in CALL_KINDS:
        where = f" ({city} in the dateline is where the release was issued)" if city else ""
        notes.append(f"A {kind} has no venue: city and country are left empty{where}.")
        return "", ""
    venue = venue_in(event_text) if event_text else None
    if not venue:
        # "The meeting took place in Moscow", "The two met in New York City" (any sentence
        # of the opening that says where the meeting was), then the headline's place.
        for paragraph in paragraphs[:6]:
            said = _HELD_IN_RE.search(paragraph[:4000])
            venue = venue_in(said[0]) if said else None
            if venue:
                break
    if not venue and headline:
        venue = venue_in(headline)
    abroad = sidelines_country(event_text) if event_text and not venue else None
    if abroad:
        notes.append(
            f"The meeting was held in {abroad[0]} (“{abroad[0]}” in the text), the city is not "
            "said: enter it."
        )
        return "", abroad[1]
    if venue and city and _fold(venue[0]) != _fold(city):
        notes.append(
            f"The meeting was placed in {venue[0]} (“{venue[2]}”), not {city} of the "
            "dateline: check it."
        )
    if not venue and not city:
        for paragraph in paragraphs[:12]:
            for begin, end in sentence_spans(paragraph[:3000]):
                sentence = paragraph[begin:end]
                if EVENT_RE.search(sentence) and not BACKGROUND_RE.search(sentence):
                    venue = venue_in(sentence)
                    if venue:
                        break
            if venue:
                notes.append(f"The place was read from the text (“{venue[2]}”): check it.")
                break
    if venue:
        return venue[0], venue[1]
    if not city:
        notes.append("No place found: enter the city and country where the meeting was held.")
        return "", ""
    # The archive knows its own cities best; then the built-in table, then GeoNames.
    usual = (
        Meeting.objects.filter(city__iexact=city, location_country__isnull=False)
        .values("location_country__code")
        .annotate(meetings=Count("pk"))
        .order_by("-meetings", "location_country__code")
        .first()
    )
    if usual:
        return city, usual["location_country__code"]
    known = world_city(city)
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


# Readouts listed as possibly the same meeting, at most.
MAX_ALREADY = 5


def _already_in_archive(
    date: dt.date | None, participants: list[ProposedParticipant]
) -> list[Meeting]:
    """Readouts of the archive's (drafts too) within a day of `date` that share the
    proposal's known officials: all of them, or two when it names more (one query)."""
    officials = {p.official.pk for p in participants if p.official is not None}
    if date is None or not officials:
        return []
    needed = min(2, len(officials))
    day = dt.timedelta(days=1)
    return list(
        Meeting.objects.filter(
            date__range=(date - day, date + day), participations__official__in=officials
        )
        .annotate(shared=Count("participations__official", distinct=True))
        .filter(shared__gte=needed)
        .order_by("date", "pk")[:MAX_ALREADY]
    )
