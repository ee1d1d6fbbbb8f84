"""The archive's own bookkeeping: its version, the addresses records had, the kept counts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from engagements.models.meetings import Meeting
from engagements.models.records import Official, Topic


class ArchiveVersion(models.Model):
    """One row counting the archive's changes: every public page is cached under it.

    Every write to the public archive (a save, a delete, an import, a publish) adds one, so
    a page cached before the change is never served after it (upkeep/version.py,
    public/pagecache.py). Kept in the database, not the cache, so that every server
    process sees a change at once whatever the cache.
    """

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    # Every page says so when the archive holds generated sample readouts: kept here, with
    # the version every request reads anyway, it costs the pages no query of its own.
    has_synthetic = models.BooleanField(default=False)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="archiveversion_single_row")]

    def __str__(self) -> str:
        return f"version {self.number} of {self.changed_at:%Y-%m-%d %H:%M:%S}"


class FormerAddress(models.Model):
    """An address a readout, official or topic used to have, so that it still answers.

    Recorded when a readout's date or slug, or an official's or topic's slug, changes, and
    when duplicates are merged (upkeep/permalinks.py). A request for it is redirected (301) to the
    record's address of today, however often it has changed since.
    """

    path = models.CharField(max_length=500, unique=True, help_text="e.g. /officials/old-slug/")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="former_addresses"
    )
    official = models.ForeignKey(
        Official, on_delete=models.CASCADE, null=True, blank=True, related_name="former_addresses"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="former_addresses"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "former addresses"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(meeting__isnull=False, official__isnull=True, topic__isnull=True)
                    | Q(meeting__isnull=True, official__isnull=False, topic__isnull=True)
                    | Q(meeting__isnull=True, official__isnull=True, topic__isnull=False)
                ),
                name="formeraddress_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.path

    def get_absolute_url(self) -> str:
        return self.target.get_absolute_url()

    @property
    def target(self) -> Meeting | Official | Topic:
        return self.meeting or self.official or self.topic


class MeetingFacet(models.Model):
    """What a published readout counts towards in the facet counts, as last counted.

    One row per (readout, facet, value): each of its countries, pairs of countries,
    officials and topics, its kind, year and month (upkeep/facetcounts.py). Kept so that a change
    to a readout can be counted as a difference, without recounting the archive. Not a
    foreign key: a deleted readout's rows are what its counts are taken back from.
    """

    meeting_id = models.BigIntegerField(db_index=True)
    facet = models.CharField(max_length=8)
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting_id", "facet", "value"], name="meetingfacet_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"meeting {self.meeting_id}: {self.facet} {self.value}"


class FacetCount(models.Model):
    """How many published readouts of a scope have a facet value, kept up to date on write.

    The scope is the whole archive ("all", 0) or the readouts with one country, pair of
    countries, official, topic, kind or year; the value one country, official, topic, kind
    or month. A list whose filters are exactly one scope (a country's page,
    `/meetings/?topic=…`) reads its facets here instead of counting its readouts
    (upkeep/facetcounts.py, public/keptcounts.py).
    """

    scope_facet = models.CharField(max_length=8)
    scope_value = models.BigIntegerField()
    facet = models.CharField(max_length=8)
    value = models.BigIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        # The numbers lead both indexes: every read names each of the first three columns
        # by equality (several years by IN, never a range: public/keptcounts.py), so their
        # order does not matter to it, but building the indexes after a recount from
        # scratch (2.9 million rows at 100,000 readouts) compares the columns in order, and
        # a text comparison costs several times a number's: 5.1 s → 1.5 s and 10.6 s →
        # 4.1 s on PostgreSQL (migration 0022).
        constraints = [
            models.UniqueConstraint(
                fields=["scope_value", "value", "scope_facet", "facet"],
                name="facetcount_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["scope_value", "scope_facet", "facet", "-count", "value"],
                name="facetcount_top_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_facet} {self.scope_value}: {self.facet} {self.value} × {self.count}"


class Withdrawal(models.Model):
    """A readout the public saw and sees no more (deleted, or returned to draft), kept so
    that harvesters learn to drop it (OAI-PMH reports it as deleted). Forgotten when the
    readout is published again. Saves and deletes one at a time leave one (the admin, the
    History's reverts); a bulk delete or an import does not: the archive declares its
    deletions "transient"."""

    external_id = models.CharField(max_length=100, unique=True)
    withdrawn_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.external_id} (withdrawn {self.withdrawn_at:%Y-%m-%d})"
