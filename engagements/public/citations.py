"""How to cite a readout: formatted in two styles (Chicago, APA) and as the files reference
managers import (BibTeX, RIS, CSL-JSON).

A readout is cited as a web page of the archive: its title, the day of the meeting, the
publishers of its accounts as authors (institutions, not people), the archive as
publisher, its permanent address, and the day the archive took the record (`created_at`:
for a shipped fixture, when it was entered, not when the release came out).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from engagements.models import Meeting

ARCHIVE = "Engagement Archive"
FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


@dataclass(frozen=True)
class Reference:
    key: str
    title: str
    date: dt.date
    place: str
    authors: tuple[str, ...]
    url: str
    archived: dt.date

    @classmethod
    def of(cls, meeting: Meeting, permalink: str) -> Reference:
        publishers = dict.fromkeys(s.publisher for s in meeting.sources.all() if s.publisher)
        return cls(
            key=re.sub(r"[^A-Za-z0-9]+", "-", meeting.external_id).strip("-") or str(meeting.pk),
            title=meeting.title,
            date=meeting.date,
            place=meeting.place,
            authors=tuple(publishers) or (ARCHIVE,),
            url=permalink,
            archived=meeting.created_at.date(),
        )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def chicago(ref: Reference) -> str:
    """Chicago (notes and bibliography) for a web page."""
    authors = "; ".join(ref.authors)
    place = f", {ref.place}" if ref.place else ""
    return (
        f"{authors}. “{ref.title}.” {ref.date:%B} {ref.date.day}, {ref.date.year}{place}. "
        f"{ARCHIVE}. Archived {ref.archived:%B} {ref.archived.day}, {ref.archived.year}. "
        f"{ref.url}."
    )


def apa(ref: Reference) -> str:
    """APA (7th edition) for a web page by an organisation."""
    authors = ", ".join(ref.authors[:-1]) + (" & " if len(ref.authors) > 1 else "")
    authors += ref.authors[-1]
    return (
        f"{authors}. ({ref.date.year}, {ref.date:%B} {ref.date.day}). {ref.title}. "
        f"{ARCHIVE}. {ref.url}"
    )


def csl_json(ref: Reference) -> str:
    item = {
        "id": ref.key,
        "type": "webpage",
        "title": ref.title,
        "author": [{"literal": author} for author in ref.authors],
        "issued": {"date-parts": [[ref.date.year, ref.date.month, ref.date.day]]},
        "container-title": ARCHIVE,
        "publisher": ARCHIVE,
        "URL": ref.url,
        "accessed": {"date-parts": [[ref.archived.year, ref.archived.month, ref.archived.day]]},
        **({"event-place": ref.place} if ref.place else {}),
    }
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


_BIBTEX_SPECIAL = str.maketrans(
    {c: "\\" + c for c in "&%$#_"} | {"{": "(", "}": ")", "\\": "/", "~": "-", "^": ""}
)


def _bib(text: str) -> str:
    return _one_line(text).translate(_BIBTEX_SPECIAL)


def bibtex(ref: Reference) -> str:
    # Institutions as authors are braced, so BibTeX never splits them into first and last
    # names.
    authors = " and ".join("{" + _bib(author) + "}" for author in ref.authors)
    fields = {
        "title": "{" + _bib(ref.title) + "}",
        "author": authors,
        "year": str(ref.date.year),
        "month": ref.date.strftime("%b").lower(),
        "day": str(ref.date.day),
        "publisher": ARCHIVE,
        "url": ref.url,
        "urldate": ref.archived.isoformat(),
        "note": _bib(f"{ref.place}; archived {ref.archived.isoformat()}" if ref.place else ""),
    }
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items() if value)
    return f"@misc{{{ref.key},\n{body}\n}}\n"


def ris(ref: Reference) -> str:
    lines = [("TY", "ELEC"), ("TI", ref.title)]
    lines += [("AU", author) for author in ref.authors]
    lines += [
        ("PY", str(ref.date.year)),
        ("DA", ref.date.strftime("%Y/%m/%d")),
        ("PB", ARCHIVE),
        ("UR", ref.url),
        ("Y2", ref.archived.strftime("%Y/%m/%d")),
    ]
    if ref.place:
        lines.append(("CY", ref.place))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)


WRITERS = {"bib": bibtex, "ris": ris, "json": csl_json}
