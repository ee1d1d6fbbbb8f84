"""manage.py evaluate_intake [FOLDER] — score the press-release reader on a corpus."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from engagements.desk import pressrelease
from engagements.desk.pressrelease.evaluation import (
    proposal_record,
    read_corpus,
    report,
    score,
)


class Command(BaseCommand):
    help = (
        "Read every NAME.txt of a corpus folder with the press-release reader, score the "
        "proposals against NAME.json where there is one (docs/intake-corpus.md), print the "
        "figures and the worst cases, and optionally write every proposal as JSON."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "folder",
            nargs="?",
            default=str(Path(settings.BASE_DIR) / "eval" / "intake"),
            help="the corpus folder (default: the project's eval/intake)",
        )
        parser.add_argument("--out", help="write the proposals to this JSON file")
        parser.add_argument(
            "--worst", type=int, default=10, help="how many of the worst releases to list"
        )

    def handle(self, *args, folder: str, out: str | None, worst: int, **options) -> None:
        try:
            releases = read_corpus(Path(folder))
        except ValueError as error:
            raise CommandError(str(error)) from None
        if not releases:
            raise CommandError(f"{folder} holds no NAME.txt release")
        records, pairs, timings = [], [], []
        for release in releases:
            started = time.perf_counter()
            proposal = pressrelease.propose(release.text)
            timings.append(time.perf_counter() - started)
            record = proposal_record(release.id, proposal)
            records.append(record)
            if release.truth is not None:
                pairs.append((release.truth, record))
        if out:
            try:
                Path(out).write_text(
                    json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
                )
            except OSError as error:
                raise CommandError(f"cannot write {out}: {error}") from None
            self.stderr.write(f"wrote {len(records)} proposals to {out}")
        timings.sort()
        self.stdout.write(
            f"{len(releases)} releases read; per release: median "
            f"{1000 * timings[len(timings) // 2]:.0f} ms, slowest {1000 * timings[-1]:.0f} ms "
            "(the first includes loading the language model)"
        )
        if pairs:
            tallies, scores = score(pairs)
            self.stdout.write(report(tallies, scores, worst=worst))
        else:
            self.stdout.write("No truth files (NAME.json): nothing scored.")
