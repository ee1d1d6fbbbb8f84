"""Load the readouts shipped in fixtures/ into an archive that does not hold them yet."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from engagements.interchange.importing import import_readouts
from engagements.models import Meeting, Official, Topic
from engagements.upkeep import derived


class Command(BaseCommand):
    help = (
        "Load fixtures/*.json (the seed records) and the real readouts of "
        "fixtures/real/*.jsonl (interchange format) unless the archive already has "
        "readouts (safe to run every start)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Load even when the archive is not empty."
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        folder = Path(settings.BASE_DIR) / "fixtures"
        files = sorted(str(p) for p in folder.glob("*.json") if p.name != "vocabulary.json")
        readouts = sorted(folder.glob("real/*.jsonl"))
        if not files and not readouts:
            self.stdout.write("No fixtures to load.")
            return
        if Meeting.objects.exists() and not force:
            # Fixtures carry primary keys, and an import updates readouts it finds again:
            # loading them over staff's records could overwrite their edits.
            self.stdout.write("The archive already has readouts; fixtures not loaded (--force to).")
            return
        # One transaction: the archive changes once, so what follows a change (the whole
        # archive's download files) is rebuilt once, not after each file and topic.
        with transaction.atomic():
            self._load(folder, files, readouts, options["verbosity"])

    def _load(self, folder: Path, files: list[str], readouts: list[Path], verbosity: int) -> None:
        if files:
            call_command("loaddata", *files, verbosity=verbosity)
            # Fixtures load raw (no signals): compute what is derived from the loaded records.
            ids = list(Meeting.objects.values_list("pk", flat=True))
            for start in range(0, len(ids), 500):
                derived.refresh(ids[start : start + 500])
        for path in readouts:
            with path.open("rb") as lines:
                result = import_readouts(lines)
            if result.errors:
                shown = "; ".join(f"line {line}: {message}" for line, message in result.errors[:5])
                raise CommandError(f"{path.relative_to(folder.parent)} is invalid: {shown}")
            if verbosity:
                self.stdout.write(
                    f"{path.name}: {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged"
                )
        vocabulary = folder / "vocabulary.json"
        if vocabulary.exists():
            apply_vocabulary(json.loads(vocabulary.read_text(encoding="utf-8")))


def _merged(aliases: str, more: list[str]) -> str:
    kept = [line.strip() for line in aliases.splitlines() if line.strip()]
    return "\n".join([*kept, *(a for a in more if a not in kept)])


def apply_vocabulary(vocabulary: dict) -> None:
    """The controlled topics (created if missing, with their descriptions and aliases)
    and the aliases of officials the shipped readouts name (fixtures/vocabulary.json)."""
    for entry in vocabulary.get("topics", []):
        topic = Topic.objects.filter(name__iexact=entry["name"]).first() or Topic(
            name=entry["name"]
        )
        topic.description = topic.description or entry.get("description", "")
        topic.aliases = _merged(topic.aliases, entry.get("aliases", []))
        topic.save()
    for entry in vocabulary.get("officials", []):
        official = Official.objects.filter(
            name__iexact=entry["name"], country__code=entry["country"]
        ).first()
        if official is not None:
            official.aliases = _merged(official.aliases, entry.get("aliases", []))
            official.save()
