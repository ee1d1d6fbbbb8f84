"""Writing interchange records from a management command: to a file, or to standard output."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.base import CommandError

from engagements.interchange.export import write_records, write_records_to_stdout


def write_to(records: Iterable[dict], file: str, stdout) -> int:
    """Write `records` to `file` ('-': the command's stdout). Returns how many, or -1 when
    the reader of standard output stopped early (`| head`)."""
    if file == "-":
        return write_records_to_stdout(records, stdout)
    try:
        with open(file, "w", encoding="utf-8", newline="\n") as out:
            return write_records(records, out)
    except OSError as exc:
        raise CommandError(f"{file}: cannot write it ({exc.strerror})") from None
