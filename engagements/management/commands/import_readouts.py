"""manage.py import_readouts FILE — load an interchange file (JSON Lines) into the archive."""

from __future__ import annotations

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from engagements.interchange.importing import import_readouts

MAX_ERRORS_SHOWN = 1000


class Progress:
    """A one-line progress bar with rate and ETA on a terminal; silent otherwise."""

    def __init__(self, stream, total_bytes: int | None) -> None:
        self.stream, self.total = stream, total_bytes
        self.started = self.last = time.monotonic()

    def __call__(self, lines: int, consumed: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and (not self.total or consumed < self.total):
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = lines / elapsed
        if self.total:
            share = min(consumed / self.total, 1.0)
            eta = elapsed * (1 - share) / share if share else 0
            bar = "#" * int(share * 30)
            text = f"[{bar:<30}] {share:4.0%} {lines:,} lines {rate:,.0f}/s ETA {eta:,.0f} s"
        else:
            text = f"{lines:,} lines {rate:,.0f}/s"
        self.stream.write(f"\r{text:<78}")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\r" + " " * 78 + "\r")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import readouts from an interchange file (JSON Lines; '-' reads standard input). "
        "Every line is validated; by default nothing is written if any line is invalid."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="path to a .jsonl file, or - for standard input")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid lines and list the invalid ones instead of importing nothing",
        )
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="readouts written per batch (default 1000)"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar, even on a terminal"
        )

    def handle(self, *args, file: str, skip_invalid: bool, batch_size: int, **options) -> None:
        if not 1 <= batch_size <= 5000:
            raise CommandError("--batch-size must be between 1 and 5000")
        if file == "-":
            stream, total, name = sys.stdin.buffer, None, "<stdin>"
        else:
            try:
                stream = open(file, "rb")  # noqa: SIM115 (closed below)
                total = os.fstat(stream.fileno()).st_size
            except OSError as exc:
                raise CommandError(f"{file}: cannot read it ({exc.strerror})") from None
            name = file
        progress = None
        if not options["no_progress"] and sys.stderr.isatty():
            progress = Progress(sys.stderr, total)
        try:
            result = import_readouts(
                stream, skip_invalid=skip_invalid, batch_size=batch_size, progress=progress
            )
        except KeyboardInterrupt:
            # The run's one transaction was rolled back on the way out.
            raise CommandError("Interrupted: nothing was imported.") from None
        finally:
            if progress:
                progress.done()
            if stream is not sys.stdin.buffer:
                stream.close()

        for line, message in result.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(f"{name}:{line}: {message}")
        if len(result.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"… and {len(result.errors) - MAX_ERRORS_SHOWN:,} more errors")

        total_seen = result.created + result.updated + result.unchanged + result.invalid
        if total_seen == 0:
            raise CommandError(f"{name}: no readouts found (the file is empty)")
        if result.written:
            for line, missing in result.held_back[:MAX_ERRORS_SHOWN]:
                self.stdout.write(
                    f"{name}:{line}: kept as a draft, not published: it has no "
                    + ", no ".join(missing)
                    + " (publishing needs an envoy, a counterpart and a source)"
                )
            if len(result.held_back) > MAX_ERRORS_SHOWN:
                self.stdout.write(f"… and {len(result.held_back) - MAX_ERRORS_SHOWN:,} more drafts")
        self.stdout.write(result.summary())
        if result.invalid and not skip_invalid:
            raise CommandError(
                f"{result.invalid:,} invalid line(s) in {name}; nothing was imported. "
                "Fix them, or use --skip-invalid to import the valid lines."
            )
