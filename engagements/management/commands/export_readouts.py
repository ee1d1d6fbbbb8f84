"""manage.py export_readouts [FILE] — write the archive in the interchange format."""

from __future__ import annotations

import itertools

from django.core.management.base import BaseCommand

from engagements.interchange.catalogue import record_lines
from engagements.interchange.export import export_records
from engagements.management.jsonl import write_to
from engagements.models import Meeting


class Command(BaseCommand):
    help = (
        "Export readouts as JSON Lines, oldest first (the format import_readouts reads). "
        "Writes to standard output unless FILE is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", default="-", help="output file (default: stdout)")
        parser.add_argument(
            "--status",
            choices=["published", "draft", "all"],
            default="all",
            help="which readouts to export (default: all)",
        )

    def handle(self, *args, file: str, status: str, **options) -> None:
        meetings = Meeting.objects.all()
        if status != "all":
            meetings = meetings.filter(status=status)
        records = list(record_lines(meetings))  # the organisations, officials and topics
        lines = itertools.chain(records, export_records(meetings.order_by("pk")))
        count = write_to(lines, file, self.stdout)
        if count >= 0:
            described = f" and {len(records):,} of the records they name" if records else ""
            self.stderr.write(f"exported {count - len(records):,} readouts{described}")
