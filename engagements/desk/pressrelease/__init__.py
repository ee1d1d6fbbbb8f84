"""Read a pasted press release and propose a draft readout for an editor to check.

A press release is loosely shaped prose, so this is heuristics, not parsing. The text is
cleaned (control characters, bidi overrides, invisible characters and lone surrogates
removed; cut to MAX_TEXT_CHARS), then read in layers, each with plain regular expressions:

1. *Layout.* Metadata lines open the text: labels ("PRESS RELEASE", "READOUT"), and a
   date line (``date 2025-11-11``, "January 27, 2024"). A dateline
   (``BEIJING, NOV 11 /DNA/ –``, ``ISLAMABAD, March 3 (APP):``, ``WASHINGTON —``) gives
   the city, maybe a date and the agency. The headline is a short line without a final
   full stop, after the dateline or above it. The rest becomes Markdown paragraphs.
2. *Date.* The date line, else the dateline, else a full date in the URL, else the first
   date written in the text. A year-less date ("NOV 11") takes the year nearest to
   another explicit date in the text, else to the URL's ``/yyyy/mm/``, else the most
   recent such day not after ``today``.
3. *People.* Names after an honorific or office, in any case and with an object ("H.E.
   Mr. Liu Haixing", "Foreign Minister Wang Yi", "President of Pakistan Asif Ali
   Zardari", "acting foreign minister Amir Khan Muttaqi"), plus any known official whose
   name or alias occurs in the text. Known officials are found with one bounded query:
   candidate strings (honorific-led names, windows of 2–4 capitalised words, windows of
   CJK characters; at most MAX_CANDIDATES) are compared with names and aliases, and alias
   hits are verified line by line in Python. Titles come from the office before the name,
   an appositive before it ("The Ambassador of Pakistan to China, H.E. …") or after it
   ("…, Minister of …"), the body's mentions before the headline's. Roles follow the
   first sentence that names two people.
4. *Kind, place, publisher, topics* come from keyword tables, the archive's own meetings
   then a built-in table of diplomatic cities, the agency or the URL's site, and the
   archive's topics (whole-word matches of names and aliases).

Everything is bounded: the text's length, the candidates, occurrences and people, and the
queries (at most five, or six with over ALL_TOPICS_LIMIT topics; all reads). Anything
uncertain becomes a note in plain English for the editor; nothing here writes to the
database, and no input raises.

The reader is a package, one module per layer: layout (cleaning, dateline, headline,
sentences), dates, places, people (vocabulary of offices and names), subjects (kind,
topics, publisher), and compose (`propose`, which puts them together).
"""

from engagements.desk.pressrelease.compose import propose
from engagements.desk.pressrelease.proposal import MAX_TEXT_CHARS, Proposal

__all__ = ["MAX_TEXT_CHARS", "Proposal", "propose"]
