"""manage.py make_sample_readouts — synthetic readouts for the demo, in the interchange format."""

from django.core.management.base import BaseCommand, CommandError

from engagements.interchange import write_records, write_records_to_stdout
from engagements.synthetic import sample_records


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
        records = sample_records(count, seed=seed)
        if file == "-":
            write_records_to_stdout(records, self.stdout)
            return
        try:
            with open(file, "w", encoding="utf-8", newline="\n") as out:
                written = write_records(records, out)
        except OSError as exc:
            raise CommandError(f"{file}: cannot write it ({exc.strerror})") from None
        self.stderr.write(f"wrote {written:,} synthetic readouts to {file}")
