#!/usr/bin/env python3
"""Benchmark bulk import and export on SQLite and PostgreSQL.

    .venv/bin/python bench/import_bench.py [--meetings 100000] [--file FILE] [--pg URL]

Makes (or takes) an interchange file, then for each database: imports it into an
empty archive, imports it again (all unchanged), exports it, and records wall time
and peak memory (RSS) of each command. Runs with production settings (DEBUG off).
Writes bench/import-report.md and prints it.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run_child(args: list[str], env: dict) -> tuple[float, float, str]:
    """Like `timed`, but measures this child alone (wait4 on its pid)."""
    started = time.monotonic()
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = b""
    while chunk := process.stdout.read(65536):
        output += chunk[-4000:]
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    text = output.decode(errors="replace")
    if process.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{text[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, (text.strip().splitlines() or [""])[-1]


# Streams both downloads of the whole archive and counts what arrived.
STREAM_ALL = """
from django.test import Client
client = Client()
sizes = []
for url in ["/meetings/export.jsonl", "/meetings/export.csv"]:
    response = client.get(url, HTTP_HOST="127.0.0.1")
    lines = sum(chunk.count(b"\\n") for chunk in response.streaming_content)
    sizes.append(f"{url}: {lines:,} lines")
print("; ".join(sizes))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--file", help="an interchange file to use instead of generating one")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/engagement_bench")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "import-report.md"))
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_HTTPS": "false",  # the bench talks plain HTTP on loopback
    }
    if options.file:
        source = Path(options.file)
        made_by = f"given file `{source.name}`"
    else:
        source = work / f"readouts-{options.meetings}.jsonl"
        with source.open("w") as out:
            subprocess.run(
                [PYTHON, "manage.py", "make_sample_readouts", "--count",
                 str(options.meetings)], cwd=ROOT, env=env, stdout=out, check=True,
            )  # fmt: skip
        made_by = f"`manage.py make_sample_readouts --count {options.meetings}`"
    size_mb = source.stat().st_size / 1e6
    lines = sum(1 for _ in source.open("rb"))

    targets = []
    if not options.skip_sqlite:
        targets.append(("SQLite", f"sqlite:///{work / 'bench.sqlite3'}"))
    if not options.skip_pg:
        targets.append(("PostgreSQL", options.pg))

    rows = []
    for name, url in targets:
        if name == "PostgreSQL":
            import psycopg

            admin_url, _, database = url.rpartition("/")
            with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
                conn.execute(f'CREATE DATABASE "{database}"')
        db_env = {**env, "DATABASE_URL": url}
        run_child([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], db_env)
        imp = [PYTHON, "manage.py", "import_readouts", str(source), "--no-progress"]
        first = run_child(imp, db_env)
        second = run_child(imp, db_env)
        exported = run_child(
            [PYTHON, "manage.py", "export_readouts", str(work / f"export-{name}.jsonl")], db_env
        )
        streamed = run_child([PYTHON, "manage.py", "shell", "-c", STREAM_ALL], db_env)
        rows.append((name, first, second, exported, streamed))
        print(name, first, second, exported, streamed, flush=True)

    report = [
        "# Import and export benchmark",
        "",
        f"- Data: {lines:,} readouts, {size_mb:,.0f} MB, made by {made_by}",
        f"- Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}",
        f"- Command: `.venv/bin/python bench/import_bench.py {' '.join(sys.argv[1:])}`",
        f"- Date: {time.strftime('%Y-%m-%d')}",
        "",
        "| database | first import | peak RSS | second import (unchanged) | peak RSS "
        "| export_readouts | peak RSS | /meetings/export.jsonl + .csv | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, first, second, exported, streamed in rows:
        report.append(
            f"| {name} | {first[0]:.1f} s | {first[1]:.0f} MB | {second[0]:.1f} s | "
            f"{second[1]:.0f} MB | {exported[0]:.1f} s | {exported[1]:.0f} MB | "
            f"{streamed[0]:.1f} s | {streamed[1]:.0f} MB |"
        )
    report += [
        "",
        "Peak RSS is of the whole process (Python, Django and the data). The web exports "
        "stream every readout through Django's test client in one process.",
        "",
        "Summary lines:",
        "",
    ]
    for name, first, second, _, streamed in rows:
        report.append(f"- {name}, first: `{first[2]}`")
        report.append(f"- {name}, second: `{second[2]}`")
        report.append(f"- {name}, web exports: `{streamed[2]}`")
    text = "\n".join(report) + "\n"
    Path(options.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
