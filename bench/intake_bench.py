#!/usr/bin/env python3
"""How fast the press-release reader is, and what it costs a worker in memory.

    .venv/bin/python bench/intake_bench.py [--rounds 5]

In a throwaway SQLite archive holding the shipped records: the process's memory before
and after the language model loads, the load time, the time to read every release of
eval/intake and eval/holdout (median, 90th percentile, slowest; and for releases of
2,500 characters or more), and the paste page's answer (POST, then the filled-in form)
through Django's test client, logged in as staff. Writes bench/intake-report.md and
prints it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    """The resident memory of this process now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="readings of each release")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="intake-bench-")
    os.environ.update(
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{folder}/archive.sqlite3",
        DJANGO_SETTINGS_MODULE="archive.settings",
        ALLOWED_HOSTS="testserver",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    call_command("load_fixtures", verbosity=0)
    setup_test_environment()
    from engagements.desk import pressrelease
    from engagements.desk.pressrelease import nlp
    from engagements.desk.pressrelease.evaluation import read_corpus

    before = rss_mb()
    started = time.perf_counter()
    nlp.language_model()
    load_seconds = time.perf_counter() - started
    after_model = rss_mb()
    pressrelease.propose("ISLAMABAD, March 3 (APP): The Minister met the Ambassador.")
    after_first = rss_mb()

    releases = [*read_corpus(ROOT / "eval" / "intake"), *read_corpus(ROOT / "eval" / "holdout")]
    # Releases of the target's length: two of the corpus's joined, cut to 3,000 characters.
    ordered = sorted(releases, key=lambda r: len(r.text))
    joined = [(ordered[-1 - i].text + "\n\n" + ordered[i].text)[:3000] for i in range(10)]
    timings: list[float] = []
    long_timings: list[float] = []
    for release in releases:
        readings = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            pressrelease.propose(release.text)
            readings.append(time.perf_counter() - started)
        best = statistics.median(readings)
        timings.append(best)
    for text in joined:
        readings = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            pressrelease.propose(text)
            readings.append(time.perf_counter() - started)
        long_timings.append(statistics.median(readings))
    after_all = rss_mb()

    staff = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(staff)
    longest = max(releases, key=lambda r: len(r.text))
    page_timings = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        response = client.post("/admin/engagements/meeting/paste/", {"text": longest.text})
        form = client.get(response["Location"])
        page_timings.append(time.perf_counter() - started)
        if form.status_code != 200:
            raise SystemExit(f"the paste page answered {form.status_code}")

    ms = lambda seconds: f"{1000 * seconds:.0f} ms"  # noqa: E731
    lines = [
        "# The press-release reader: speed and memory",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}) with "
        "`.venv/bin/python bench/intake_bench.py`: SQLite, the shipped records, "
        f"each release read {args.rounds} times (its median counted).",
        "",
        "| what | figure |",
        "|---|---|",
        f"| language model load (once per process) | {load_seconds:.2f} s |",
        f"| process memory before the model | {before:.0f} MB |",
        f"| after loading it | {after_model:.0f} MB (+{after_model - before:.0f} MB) |",
        f"| after reading {len(releases) + len(joined)} releases {args.rounds} times each | "
        f"{after_all:.0f} MB |",
        f"| releases read | {len(releases)} (first reading {after_first - after_model:+.0f} MB) |",
        f"| per release, median | {ms(statistics.median(timings))} |",
        f"| per release, 90th percentile | {ms(percentile(timings, 0.9))} |",
        f"| per release, slowest | {ms(max(timings))} |",
        f"| 3,000-character releases ({len(long_timings)}, two joined), median | "
        f"{ms(statistics.median(long_timings))} |",
        f"| 3,000-character releases, slowest | {ms(max(long_timings))} |",
        f"| paste page, {len(longest.text):,}-character release: POST and form, median | "
        f"{ms(statistics.median(page_timings))} |",
        "",
    ]
    report = "\n".join(lines)
    (ROOT / "bench" / "intake-report.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
