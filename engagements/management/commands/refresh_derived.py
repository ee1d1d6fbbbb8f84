"""Recompute every readout's derived state: search text, countries, facet keys."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from engagements.models import Meeting
from engagements.upkeep import derived, version


class Command(BaseCommand):
    help = (
        "Recompute what every readout derives from its parts: the text a search reads "
        "(participants' names, offices and organisations, topics and their aliases, places, "
        "accounts), the countries it involves and its facet keys. Writes keep these up to "
        "date by themselves; run this once after an upgrade that changes what is indexed "
        "(the release notes say so), or after changing the database behind the archive's back."
    )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True))
        with transaction.atomic():  # all or nothing; readers see the old text until the end
            derived.refresh_many(ids)
            version.bump()  # pages cached with the old search text are not served again
        self.stdout.write(
            f"Refreshed the derived state of {len(ids):,} readouts "
            f"in {time.monotonic() - started:.1f} s."
        )
