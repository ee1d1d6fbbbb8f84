"""Load the readouts shipped in fixtures/ into an archive that does not hold them yet."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from engagements.models import Meeting
from engagements.upkeep import derived


class Command(BaseCommand):
    help = "Load fixtures/*.json unless the archive already has readouts (safe to run every start)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Load even when the archive is not empty."
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        files = sorted(str(p) for p in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
        if not files:
            self.stdout.write("No fixtures to load.")
            return
        if Meeting.objects.exists() and not force:
            # Fixtures carry primary keys: loading them over staff's records could overwrite them.
            self.stdout.write("The archive already has readouts; fixtures not loaded (--force to).")
            return
        call_command("loaddata", *files, verbosity=options["verbosity"])
        # Fixtures load raw (no signals): compute what is derived from the loaded records.
        ids = list(Meeting.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            derived.refresh(ids[start : start + 500])
