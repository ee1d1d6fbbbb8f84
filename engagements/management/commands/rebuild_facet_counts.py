"""Recount the kept facet counts from scratch (upkeep/facetcounts.py)."""

import time

from django.core.management.base import BaseCommand

from engagements.models import FacetCount
from engagements.upkeep import facetcounts, version


class Command(BaseCommand):
    help = (
        "Recount, from scratch, the facet counts that broad lists read instead of counting. "
        "Writes keep them up to date by themselves; run this after changing the database "
        "behind the archive's back (raw SQL, a restored table)."
    )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        facetcounts.rebuild()
        version.bump()  # pages cached with the old counts are not served again
        self.stdout.write(
            f"Recounted {FacetCount.objects.count():,} facet counts "
            f"in {time.monotonic() - started:.1f} s."
        )
