"""Downloads of any filtered list: CSV for spreadsheets, JSON Lines in the interchange format.

Both stream: rows are fetched and written a chunk at a time, so memory stays flat
however many readouts match.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from .filters import parse_filters
from .interchange import dumps, export_records, keyed_records
from .models import Meeting, readout_path

CSV_COLUMNS = [
    "id", "date", "title", "kind", "city", "country", "participants", "countries",
    "topics", "summary", "sources", "url",
]  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Spreadsheets run cells that start like a formula: make them plain text."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _bad_filter(form) -> HttpResponse:
    problems = "; ".join(
        f"{name}: {error}" for name, errors in form.errors.items() for error in errors
    )
    return HttpResponse(
        f"This address has a filter the archive cannot read. {problems}\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def _matching(request: HttpRequest):
    filters, form = parse_filters(request.GET)
    if filters is None:
        return None, form
    return filters, filters.apply(Meeting.objects.published(), every_match=True)


def _attachment(response: StreamingHttpResponse, name: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_jsonl(request: HttpRequest) -> HttpResponse:
    filters, meetings = _matching(request)
    if filters is None:
        return _bad_filter(meetings)
    lines = (dumps(record) for record in export_records(meetings))
    response = StreamingHttpResponse(lines, content_type="application/jsonl; charset=utf-8")
    return _attachment(response, filters.file_name("jsonl"))


def _csv_rows(meetings, site: str) -> Iterator[list[str]]:
    yield CSV_COLUMNS
    for row, record in keyed_records(meetings):
        participants = "; ".join(
            f"{p['name']} ({p['country']}, {p['role']}"
            + (f", {p['title']}" if p["title"] else "")
            + ")"
            for p in record["participants"]
        )
        codes = sorted(
            {p["country"] for p in record["participants"]}
            | ({record["location"]["country"]} if record["location"]["country"] else set())
        )
        yield [
            _cell(str(value))
            for value in [
                record["id"],
                record["date"],
                record["title"],
                record["kind"],
                record["location"]["city"],
                record["location"]["country"] or "",
                participants,
                "; ".join(codes),
                "; ".join(record["themes"]),
                record["summary"],
                "; ".join(s["url"] or s["publisher"] for s in record["sources"]),
                site + readout_path(row["date"], row["slug"]),
            ]
        ]


def export_csv(request: HttpRequest) -> HttpResponse:
    filters, meetings = _matching(request)
    if filters is None:
        return _bad_filter(meetings)
    writer = csv.writer(_Echo())
    site = request.build_absolute_uri("/").rstrip("/")
    rows = (writer.writerow(row) for row in _csv_rows(meetings, site))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    return _attachment(response, filters.file_name("csv"))
