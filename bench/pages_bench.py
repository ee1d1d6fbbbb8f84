#!/usr/bin/env python3
"""Server time of the list, filter, search and facet pages on an imported archive.

    DATABASE_URL=postgres://…/engagement_bench .venv/bin/python bench/pages_bench.py
    DATABASE_URL=sqlite:////path/bench.sqlite3 .venv/bin/python bench/pages_bench.py

Fill the database first (bench/import_bench.py leaves both behind: PostgreSQL
database `engagement_bench`, and the SQLite file it prints). Each page is requested
in-process through Django's test client (no network, no HTTP server: the server's
own time), twice to warm up and then --runs times; the report gives median, p95
and the number of SQL queries. Pages are chosen from the data: the busiest country,
topic and official, a rare topic, a common and a rare search word.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("SECURE_HTTPS", "false")
os.environ.setdefault("WHITENOISE_USE_FINDERS", "true")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--out", help="append the report to this Markdown file")
    options = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from engagements.models import Country, Meeting, Official, Topic

    published = Meeting.objects.published()
    total = published.count()
    country = Country.objects.annotate(n=Count("meetings")).order_by("-n").first()
    partner = (
        Country.objects.filter(meetings__countries=country)
        .exclude(pk=country.pk)
        .annotate(n=Count("meetings"))
        .order_by("-n")
        .first()
    )
    topics = Topic.objects.annotate(n=Count("meeting_links")).order_by("-n")
    busy_topic, rare_topic = topics.first(), topics.filter(n__gte=5).last()
    officials = Official.objects.annotate(n=Count("participations")).order_by("-n")
    busy_official = officials.first()
    # About 20 readouts; a generated million gives every official thousands: the fewest.
    some_official = officials.filter(n__lte=25).first() or officials.last()
    year = published.order_by("-date").first().date.year - 1

    newest = published.order_by("-date", "-id").first()
    pages = [
        ("home", "/"),
        ("a readout", newest.get_absolute_url()),
        ("newest list", "/meetings/"),
        ("page 20 of the list", "/meetings/?page=20"),
        (f"country filter ({country.code})", f"/meetings/?country={country.code.lower()}"),
        (f"topic filter, busiest ({busy_topic.n:,})", f"/meetings/?topic={busy_topic.slug}"),
        (f"topic filter, rare ({rare_topic.n:,})", f"/meetings/?topic={rare_topic.slug}"),
        ("kind filter", "/meetings/?kind=courtesy+call"),
        (f"one year ({year})", f"/meetings/?from={year}&to={year}"),
        (f"official filter ({busy_official.n:,})", f"/meetings/?official={busy_official.slug}"),
        # The long tail crawlers walk: combinations no kept count serves.
        (
            "two filters (country + kind)",
            f"/meetings/?country={country.code.lower()}&kind=courtesy+call",
        ),
        (
            "two filters (country + topic)",
            f"/meetings/?country={country.code.lower()}&topic={busy_topic.slug}",
        ),
        (f"three years ({year - 2}-{year})", f"/meetings/?from={year - 2}&to={year}"),
        (f"ten years ({year - 9}-{year})", f"/meetings/?from={year - 9}&to={year}"),
        ("country page", f"/countries/{country.code.lower()}/"),
        ("bilateral page", f"/countries/{country.code.lower()}/{partner.code.lower()}/"),
        ("topic page", f"/topics/{busy_topic.slug}/"),
        (f"official page, busiest ({busy_official.n:,})", f"/officials/{busy_official.slug}/"),
        (f"official page (~{some_official.n})", f"/officials/{some_official.slug}/"),
        ("search, common word", "/meetings/?q=cooperation"),
        ("search, rare word", f"/meetings/?q={quote_plus(rare_topic.name)}"),
        ("search, phrase", "/meetings/?q=%22green+development%22"),
        ("search + country", f"/meetings/?q=energy&country={country.code.lower()}"),
        ("search, name", f"/meetings/?q={quote_plus(busy_official.name)}"),
        ("topics index", "/topics/"),
        ("countries index", "/countries/"),
        ("officials index", "/officials/"),
    ]
    client = Client()
    rows = []
    for label, url in pages:
        for _ in range(2):
            if client.get(url, HTTP_HOST="127.0.0.1").status_code != 200:
                sys.exit(f"{url} did not answer 200")
        times = []
        for _ in range(options.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, HTTP_HOST="127.0.0.1")
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"{url} did not answer 200")
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        rows.append((label, url, statistics.median(times), p95, len(queries)))
        print(f"{label:45} {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  "
              f"{len(queries):2} queries", flush=True)  # fmt: skip

    report = [
        f"## Page server time, {connection.vendor}, {total:,} published readouts",
        "",
        f"{options.runs} requests per page after 2 warm-ups, in-process "
        f"(`bench/pages_bench.py`), {time.strftime('%Y-%m-%d')}.",
        "",
        "| page | median | p95 | queries |",
        "|---|---|---|---|",
        *(
            f"| {label} (`{url}`) | {median:.0f} ms | {p95:.0f} ms | {count} |"
            for label, url, median, p95, count in rows
        ),
        "",
    ]
    text = "\n".join(report)
    print(text)
    if options.out:
        with open(options.out, "a") as out:
            out.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
