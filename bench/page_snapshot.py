#!/usr/bin/env python
"""Save the HTML of every page type, and the JSON Lines export, of a generated archive.

    DEBUG=true .venv/bin/python bench/page_snapshot.py OUTDIR

A refactoring that must not change behaviour is checked by running this before and after
and comparing the two folders (`diff -r`). The archive is made fresh each time in a
temporary SQLite file: the shipped fixtures plus 300 sample readouts (a fixed seed).
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# When the archive was made differs from run to run (feeds' and sitemaps' dates).
MOMENT = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?")
PAGES = [
    "/",
    "/meetings/",
    "/meetings/?page=2",
    "/meetings/?country=pk&topic=cpec-20",
    "/meetings/?q=trade",
    "/meetings/?q=%22think+tank%22+-climate&sort=newest",
    "/meetings/?from=2024&to=2024-06&kind=courtesy+call",
    "/meetings/2025/",
    "/meetings/2025/11/",
    "/countries/",
    "/countries/pk/",
    "/countries/pk/cn/",
    "/officials/",
    "/officials/?letter=k",
    "/topics/",
    "/topics/?sort=count",
    "/topics/cpec-20/",
    "/meetings/feed/",
    "/countries/pk/feed/",
    "/sitemap.xml",
    "/robots.txt",
]


def main(out: Path) -> None:
    home = Path(tempfile.mkdtemp(prefix="snapshot-"))
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
            "DUMP_DIR": str(home / "dumps"),
            "DEBUG": "true",
            "PAGE_CACHE": "false",
            "ARCHIVE_COMMAND": "snapshot",
        }
    )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from engagements.models import Meeting, Official

    call_command("migrate", verbosity=0)
    call_command("load_fixtures", verbosity=0)
    sample = home / "sample.jsonl"
    quiet = io.StringIO()
    call_command("make_sample_readouts", str(sample), count=300, seed=7, stdout=quiet)
    call_command("import_readouts", str(sample), verbosity=0, stdout=quiet)
    busiest = Official.objects.public().order_by("name").first()
    readout = Meeting.objects.published().order_by("date", "pk").last()
    pages = [*PAGES, busiest.get_absolute_url(), readout.get_absolute_url()]
    out.mkdir(parents=True, exist_ok=True)
    client = Client(HTTP_HOST="127.0.0.1")
    for number, page in enumerate(pages):
        response = client.get(page)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        name = f"{number:02d}-{response.status_code}.html"
        (out / name).write_bytes(page.encode() + b"\n" + MOMENT.sub(b"(moment)", body))
    export = client.get("/meetings/export.jsonl")
    (out / "export.jsonl").write_bytes(b"".join(export.streaming_content))
    print(f"{len(pages)} pages and the export in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
