"""manage.py make_sample_readouts — synthetic readouts for the demo, in the interchange format."""

from django.core.management.base import BaseCommand, CommandError

from engagements.interchange.synthetic import sample_records
from engagements.management.jsonl import write_to


class Command(BaseCommand):
    help = (
        "Write synthetic sample readouts (JSON Lines, each marked synthetic) for a demo archive; "
        "import them with import_readouts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", default="-", help="output file (default: stdout)")
        parser.add_argument("--count", type=int, default=3000, help="how many (default 3000)")
        parser.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")

    def handle(self, *args, file: str, count: int, seed: int, **options) -> None:
        if not 1 <= count <= 1_000_000:
            raise CommandError("--count must be between 1 and 1,000,000")
        written = write_to(sample_records(count, seed=seed), file, self.stdout)
        if file != "-":
            self.stderr.write(f"wrote {written:,} synthetic readouts to {file}")
