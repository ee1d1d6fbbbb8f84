"""Read a pasted press release and propose a draft readout for an editor to check.

A release is loosely shaped prose around page furniture, so the reader combines rules
where rules are right (datelines, dates, offices, boilerplate) with a language model
where they are not (names nothing announces), and the archive's own records first
(known officials and their aliases, topics, the cities of its meetings). One module
per layer:

- `layout` — cleaning (control, bidi and invisible characters; a length bound), where
  the release starts under menus and weather lines, the dateline (also "APR 26
  (DNA):The", "Urumqi, April 22nd—Chen", a lone city line, a closing "Islamabad 9
  December 2024"), the headline, paragraphs, sentences, and where the page's trailer
  (tags, related items, copyright) starts.
- `dates` — written dates (with or without a year; ISO, "04.04.2025", "2024.04.17"),
  a URL's date.
- `places` — the world's cities (a table, then GeoNames), the venue a sentence names,
  the country an office names, the side that issued the release.
- `vocabulary` and `people` — offices and honorifics, names after an office, before one
  ("X, head of …"), in capitals, known officials by name or alias (one query), names
  the model finds, titles, and who is the same person.
- `nlp` — spaCy's small English model, loaded once per process on first use, checked
  against the released files' hashes.
- `events` — the event sentence, who took part (not background people), host and
  visitor, the kind of meeting, relative days ("on Friday").
- `subjects` — the archive's topics (and close variants) the text names, subjects it
  has no topic for, the publisher of an address.
- `names` — names no office announces: in capitals, found by the model, followed by
  their office, written again in full, or by surname alone.
- `participants` — everyone the text names, then the people of the event with their
  titles, countries and roles.
- `compose` — `propose`, which puts the layers together, with a note for every guess,
  and finds readouts of the same meeting already in the archive.
- `evaluation` — scoring proposals against hand-coded truths (docs/intake-corpus.md).

Everything is bounded (text length, candidates, occurrences, people, queries), nothing
here writes to the database, and no input raises.
"""

from engagements.desk.pressrelease.compose import propose
from engagements.desk.pressrelease.proposal import MAX_TEXT_CHARS, Proposal

__all__ = ["MAX_TEXT_CHARS", "Proposal", "propose"]
