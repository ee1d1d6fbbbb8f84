"""Country-year data: the archive's counts as panels to analyse, in CSV and JSON.

Four panels, each row a cell of the panel with its count of published readouts, real and
synthetic apart (their sum is what the list page of the same filters counts):

* `country-year`: readouts involving a country (through an official of it or a meeting
  held in it), per year;
* `country-year-kind`: the same, per kind of meeting;
* `pair-year`: readouts involving both countries of a pair, per year;
* `topic-year`: readouts on a topic, per year.

One grouping query a panel, computed once per version of the archive (pagecache.memo).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpRequest, HttpResponse
from django.views.generic import TemplateView

from engagements.models import Country, Meeting, MeetingCountry, TaggedMeeting, Topic
from engagements.public import pagecache


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    description: str
    columns: tuple[str, ...]  # before the counts: real, synthetic


PANELS = {
    panel.key: panel
    for panel in (
        Panel(
            "country-year",
            "Readouts per country per year",
            "Each country a published readout involves (an official of it took part, or "
            "the meeting was held there), by year.",
            ("country_code", "country", "year"),
        ),
        Panel(
            "country-year-kind",
            "Readouts per country, year and kind",
            "As above, by kind of meeting (courtesy call, telephone call, official visit…).",
            ("country_code", "country", "year", "kind"),
        ),
        Panel(
            "pair-year",
            "Readouts per pair of countries per year",
            "Each pair of countries a readout involves both of, by year (codes in "
            "alphabetical order).",
            ("country_a_code", "country_a", "country_b_code", "country_b", "year"),
        ),
        Panel(
            "topic-year",
            "Readouts per topic per year",
            "Each topic of the archive's controlled list, by year.",
            ("topic_slug", "topic", "year"),
        ),
    )
}
COUNTS = ("real", "synthetic")


def rows(key: str) -> list[list]:
    """The panel's rows, sorted by its columns: [*columns, real, synthetic]."""
    published = {"meeting__status": Meeting.Status.PUBLISHED}
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])

    def add(cell: tuple, synthetic: bool, count: int) -> None:
        cells[cell][int(synthetic)] += count

    countries = {
        pk: (code, name) for pk, code, name in Country.objects.values_list("pk", "code", "name")
    }
    if key in ("country-year", "country-year-kind"):
        fields = ["country_id", "year", "meeting__synthetic"]
        if key == "country-year-kind":
            fields.insert(2, "meeting__kind")
        for row in (
            MeetingCountry.objects.filter(**published)
            .annotate(year=ExtractYear("meeting__date"))
            .values(*fields)
            .annotate(count=Count("*"))
            .order_by()
        ):
            code, name = countries[row["country_id"]]
            kind = (row["meeting__kind"],) if key == "country-year-kind" else ()
            add((code, name, row["year"], *kind), row["meeting__synthetic"], row["count"])
    elif key == "pair-year":
        # Each readout's countries joined with themselves: one row per pair (a < b by id).
        for row in (
            MeetingCountry.objects.filter(**published, meeting__countries__pk__gt=F("country_id"))
            .annotate(year=ExtractYear("meeting__date"), other=F("meeting__countries__pk"))
            .values("country_id", "other", "year", "meeting__synthetic")
            .annotate(count=Count("*"))
            .order_by()
        ):
            a, b = sorted([countries[row["country_id"]], countries[row["other"]]])
            add((*a, *b, row["year"]), row["meeting__synthetic"], row["count"])
    elif key == "topic-year":
        topics = {
            pk: (slug, name) for pk, slug, name in Topic.objects.values_list("pk", "slug", "name")
        }
        for row in (
            TaggedMeeting.objects.filter(content_object__status=Meeting.Status.PUBLISHED)
            .annotate(year=ExtractYear("content_object__date"))
            .values("tag_id", "year", "content_object__synthetic")
            .annotate(count=Count("*"))
            .order_by()
        ):
            cell = (*topics[row["tag_id"]], row["year"])
            add(cell, row["content_object__synthetic"], row["count"])
    else:
        raise Http404("No such panel.")
    return [
        [*cell, *counts] for cell, counts in sorted(cells.items(), key=lambda kv: _order(kv[0]))
    ]


def _order(cell: tuple) -> tuple:
    return tuple(str(v).casefold() if isinstance(v, str) else v for v in cell)


def kept_rows(key: str) -> list[list]:
    if key not in PANELS:
        raise Http404("No such panel.")
    return pagecache.memo("panel", key, lambda: rows(key))


def as_json(key: str) -> dict:
    """The panel as the JSON download and the API give it: a row an object."""
    panel_rows = kept_rows(key)  # a 404 for a key that names no panel
    panel = PANELS[key]
    header = [*panel.columns, *COUNTS]
    return {
        "panel": key,
        "title": panel.title,
        "description": panel.description,
        "columns": header,
        "rows": [dict(zip(header, row, strict=True)) for row in panel_rows],
    }


def download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    panel_rows = kept_rows(key)
    panel = PANELS[key]
    header = [*panel.columns, *COUNTS]
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # a spreadsheet then reads the file as UTF-8 (Türkiye, 刘海星)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(panel_rows)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            json.dumps(as_json(key), ensure_ascii=False, indent=1) + "\n",
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{key}.{fmt}"'
    return response


class DataView(TemplateView):
    """The panels, what each counts, and their downloads."""

    template_name = "engagements/data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(panels=list(PANELS.values()), **kwargs)
