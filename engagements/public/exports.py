"""Downloads: any filtered list as CSV for spreadsheets or JSON Lines in the interchange format.

The whole archive is not computed per request: it is a file, rebuilt after every change to
what the public sees (dumps.py). A filtered download holds at most
settings.EXPORT_ROW_LIMIT readouts (a larger list is refused with a pointer to the whole
archive) and is written in full before its first byte goes out: its queries run inside the
request's time budget, a failure is a 503 rather than a truncated file, and it goes out
with its Content-Length, so a client can tell a cut transfer from a whole one. A slow
reader then holds a file, not a database cursor.
"""

from __future__ import annotations

import io
import tempfile

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse

from engagements.models import Meeting
from engagements.public import downloads, dumps
from engagements.public.filters import parse_filters

# A download is spooled in memory up to this size, then in a temporary file.
SPOOL_BYTES = 4 * 1024 * 1024


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _bad_filter(form) -> HttpResponse:
    problems = "; ".join(
        f"{name}: {error}" for name, errors in form.errors.items() for error in errors
    )
    return _plain(f"This address has a filter the archive cannot read. {problems}\n", 400)


def _too_many(request: HttpRequest, fmt: str, count: int) -> HttpResponse:
    whole = request.build_absolute_uri(reverse(f"engagements:meeting-export-{fmt}"))
    response = _plain(
        f"This list holds {count:,} readouts; a download of a filtered list holds at most "
        f"{settings.EXPORT_ROW_LIMIT:,}. Narrow it (a shorter period, a country, a topic), "
        f"or download the whole archive, one file rebuilt after every publication: {whole}\n",
        400,
    )
    response["Link"] = f'<{whole}>; rel="alternate"'
    return response


def download(request: HttpRequest, fmt: str) -> HttpResponse:
    filters, form = parse_filters(request.GET)
    if filters is None:
        return _bad_filter(form)
    if filters.is_empty:
        return dumps.serve(request, fmt)
    meetings = filters.apply(Meeting.objects.published(), every_match=True)
    count = meetings.count()
    if count > settings.EXPORT_ROW_LIMIT:
        return _too_many(request, fmt, count)
    content_type = downloads.FORMATS[fmt][0]
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    downloads.write(meetings, {fmt: text}, site=request.build_absolute_uri("/").rstrip("/"))
    text.flush()
    text.detach()
    spool.seek(0)
    response = FileResponse(
        spool, as_attachment=True, filename=filters.file_name(fmt), content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_csv(request: HttpRequest) -> HttpResponse:
    return download(request, "csv")


def export_jsonl(request: HttpRequest) -> HttpResponse:
    return download(request, "jsonl")
