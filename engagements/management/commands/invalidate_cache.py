"""Make every cached page and count obsolete, in every server process."""

from django.core.management.base import BaseCommand

from engagements.public import pagecache
from engagements.upkeep import version


class Command(BaseCommand):
    help = (
        "Bump the archive's version (pages cached before are never served again) and empty "
        "the cache. Writes through the admin, the importer or the ORM do this by themselves."
    )

    def handle(self, *args, **options) -> None:
        pagecache.clear()
        self.stdout.write(f"Archive now at {version.current()}; the cache is empty.")
