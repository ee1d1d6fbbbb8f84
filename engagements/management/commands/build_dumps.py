"""manage.py build_dumps — write the whole archive's download files, if they are not current."""

from django.core.management.base import BaseCommand

from engagements.public import dumps


class Command(BaseCommand):
    help = (
        "Build the files /meetings/export.csv and /meetings/export.jsonl serve (in DUMP_DIR), "
        "unless they already hold the archive's current version."
    )

    def handle(self, *args, **options) -> None:
        built = dumps.rebuild_if_stale()
        self.stdout.write(
            f"{built.readouts:,} published readouts in {dumps.directory()} "
            f"(archive version {built.version}, built {built.finished_at:%Y-%m-%d %H:%M:%S} UTC)."
        )
