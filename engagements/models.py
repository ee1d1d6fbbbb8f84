"""The archive's records: countries, officials, meetings, who took part and on whose account."""

from __future__ import annotations

import datetime as dt
import uuid

import pycountry
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .markup import render_markdown

http_url_validator = URLValidator(schemes=["http", "https"])

# Four-digit years only: a readout's address carries its year (and 0225 is a typo for 2025).
EARLIEST_DATE = dt.date(1000, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)


def new_external_id() -> str:
    """An interchange id for a meeting entered here, unique across archives."""
    return f"ea-{uuid.uuid4().hex}"


def unique_slug(model: type[models.Model], text: str, *, max_length: int, **scope) -> str:
    """A slug for `text` that no other row of `model` (within `scope`) uses yet."""
    base = (slugify(text, allow_unicode=False) or "untitled")[:max_length].strip("-")
    slug, n = base, 2
    while model._default_manager.filter(slug=slug, **scope).exists():
        suffix = f"-{n}"
        slug, n = f"{base[: max_length - len(suffix)]}{suffix}", n + 1
    return slug


class CountryQuerySet(models.QuerySet):
    def public(self) -> CountryQuerySet:
        """Countries involved in at least one published readout."""
        # A correlated LIMIT 1 rather than EXISTS: PostgreSQL turns EXISTS into a semi-join
        # over every published readout (200 ms at 100,000); this probes each of the few
        # hundred countries (1 ms).
        first_published = Meeting.countries.through.objects.filter(
            country=OuterRef("pk"), meeting__status=Meeting.Status.PUBLISHED
        ).values("pk")[:1]
        return self.alias(first_published=Subquery(first_published)).filter(
            first_published__isnull=False
        )


class Country(models.Model):
    """A country, by its ISO 3166-1 alpha-2 code; created on demand from the code."""

    code = models.CharField(
        max_length=2,
        unique=True,
        help_text="ISO 3166-1 alpha-2 code, upper case (e.g. PK).",
    )
    name = models.CharField(max_length=100, help_text="Short English name, from ISO 3166.")
    slug = models.SlugField(max_length=100, unique=True)

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}$"), name="country_code_is_alpha2"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.code = self.code.upper()
        if not self.name:
            self.name = self.iso_name(self.code) or self.code
        if not self.slug:
            self.slug = slugify(self.name) or self.code.lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("engagements:country-detail", args=[self.code.lower()])

    @staticmethod
    def iso_name(code: str) -> str | None:
        """The ISO 3166 short name for `code`, or None when no country has it."""
        if len(code or "") != 2:
            return None
        record = pycountry.countries.get(alpha_2=code.upper())
        if record is None:
            return None
        return getattr(record, "common_name", None) or record.name

    @classmethod
    def for_code(cls, code: str) -> Country:
        """The country with ISO code `code`, created if needed. ValueError if no such code."""
        code = (code or "").strip().upper()
        name = cls.iso_name(code)
        if name is None:
            raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
        country, _ = cls.objects.get_or_create(
            code=code, defaults={"name": name, "slug": slugify(name) or code.lower()}
        )
        return country


class Organization(models.Model):
    """A ministry, party department, embassy, parliament or think-tank an official acts for."""

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    abbreviation = models.CharField(max_length=30, blank=True, help_text="e.g. IDCPC")
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="organizations", null=True, blank=True
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
        help_text="The body this one belongs to, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Organization, self.name, max_length=200)
        super().save(*args, **kwargs)


class OfficialQuerySet(models.QuerySet):
    def public(self) -> OfficialQuerySet:
        """Officials in at least one published readout: the others are not public yet."""
        # EXISTS, unlike countries and topics: there are thousands of officials, and
        # PostgreSQL's one semi-join beats thousands of probes.
        return self.filter(
            Exists(
                Participation.objects.filter(
                    official=OuterRef("pk"), meeting__status=Meeting.Status.PUBLISHED
                )
            )
        )


class Official(models.Model):
    """A person who takes part in meetings. Their offices come from their participations."""

    name = models.CharField(max_length=200, help_text="The name as the archive displays it.")
    slug = models.SlugField(max_length=200, unique=True)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="officials",
        help_text="The country the official represents.",
    )
    aliases = models.TextField(
        blank=True,
        help_text="Other spellings and scripts, one per line (e.g. 刘海星). Searched and "
        "matched on import.",
    )
    wikidata_id = models.CharField(
        "Wikidata ID",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata ID looks like Q42.")],
    )
    bio = models.TextField(blank=True, help_text="A short biography, Markdown.")
    bio_html = models.TextField(blank=True, editable=False)

    objects = OfficialQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["country", "name"], name="official_country_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__regex=r"^Q[1-9][0-9]*$"),
                name="official_wikidata_id_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Official, self.name, max_length=200)
        self.aliases = "\n".join(self.alias_list)
        self.bio_html = render_markdown(self.bio)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("engagements:official-detail", args=[self.slug])

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def wikidata_url(self) -> str:
        return f"https://www.wikidata.org/wiki/{self.wikidata_id}" if self.wikidata_id else ""


class TopicQuerySet(models.QuerySet):
    def public(self) -> TopicQuerySet:
        """Topics of at least one published readout."""
        first_published = TaggedMeeting.objects.filter(
            tag=OuterRef("pk"), content_object__status=Meeting.Status.PUBLISHED
        ).values("pk")[:1]  # not EXISTS: see CountryQuerySet.public
        return self.alias(first_published=Subquery(first_published)).filter(
            first_published__isnull=False
        )


class Topic(TagBase):
    """A subject discussed at meetings (a readout's "themes")."""

    description = models.TextField(blank=True, help_text="What the topic covers, one or two lines.")
    aliases = models.TextField(
        blank=True,
        help_text="Other names for the topic, one per line (e.g. China-Pakistan Economic "
        "Corridor for CPEC). Matched when a press release is pasted.",
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def save(self, *args, **kwargs) -> None:
        self.aliases = "\n".join(self.alias_list)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("engagements:topic-detail", args=[self.slug])

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class TaggedMeeting(TaggedItemBase):
    """Direct-FK link between a meeting and a topic (taggit's through model)."""

    content_object = models.ForeignKey(
        "Meeting", on_delete=models.CASCADE, related_name="topic_links"
    )
    tag = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="meeting_links")

    class Meta:
        verbose_name = "meeting topic"
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="taggedmeeting_unique_topic_per_meeting"
            ),
        ]
        indexes = [
            models.Index(fields=["tag", "content_object"], name="taggedmeeting_tag_meeting_idx")
        ]


def readout_path(date, slug: str) -> str:
    """A readout's permanent address: /meetings/yyyy/mm/dd/slug/."""
    return reverse(
        "engagements:meeting-detail",
        kwargs={"year": date.year, "month": date.month, "day": date.day, "slug": slug},
    )


class MeetingQuerySet(models.QuerySet):
    def published(self) -> MeetingQuerySet:
        """What the public sees. Every public view, feed and export starts here."""
        return self.filter(status=Meeting.Status.PUBLISHED)

    def involving(self, country: Country) -> MeetingQuerySet:
        """Meetings a participant's country or the venue's country connects to `country`."""
        return self.filter(countries=country)

    def delete(self):
        """As QuerySet.delete, with the facet counts taken back once, not per readout."""
        from . import facetcounts

        with facetcounts.deferred():
            return super().delete()

    def update(self, **kwargs) -> int:
        """As QuerySet.update, which sends no signals: tell the page cache (caching.py),
        and recount the facets (facetcounts.py) when what they count changes."""
        from . import caching, facetcounts

        counted = {"status", "kind", "date"} & set(kwargs)
        ids = list(self.values_list("pk", flat=True)) if counted else []
        # Drafts before and after: the public archive (and its version) did not change.
        was_public = self.published().exists()
        count = super().update(**kwargs)
        if count and (was_public or kwargs.get("status") == Meeting.Status.PUBLISHED):
            caching.bump()
        if count:
            facetcounts.recount(ids)
        return count

    def for_listing(self) -> MeetingQuerySet:
        """Everything a meeting list row shows, in a fixed number of queries."""
        return self.select_related("location_country").prefetch_related(
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related("official__country").order_by(
                    "order", "id"
                ),
            ),
            "topics",
        )


class Meeting(models.Model):
    """One engagement and its readout."""

    class Kind(models.TextChoices):
        COURTESY_CALL = "courtesy call", "courtesy call"
        BILATERAL_MEETING = "bilateral meeting", "bilateral meeting"
        OFFICIAL_VISIT = "official visit", "official visit"
        STATE_VISIT = "state visit", "state visit"
        TELEPHONE_CALL = "telephone call", "telephone call"
        VIDEO_CONFERENCE = "video conference", "video conference"
        DELEGATION_VISIT = "delegation visit", "delegation visit"
        WORKING_LUNCH = "working lunch", "working lunch"
        CONSULTATIONS = "consultations", "consultations"
        SIGNING_CEREMONY = "signing ceremony", "signing ceremony"
        SUMMIT = "summit", "summit"
        MEETING = "meeting", "meeting"

    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        PUBLISHED = "published", "published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200, help_text="The last part of the readout's address; unique per date."
    )
    date = models.DateField(
        help_text="The day the meeting took place.",
        validators=[MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)],
    )
    kind = models.CharField(max_length=40, choices=Kind, default=Kind.MEETING)
    city = models.CharField(max_length=100, blank=True)
    location_country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
        null=True,
        blank=True,
        verbose_name="country",
        help_text="Where the meeting took place (empty for a telephone call).",
    )
    summary = models.TextField(max_length=2000, blank=True, help_text="One or two sentences.")
    body = models.TextField(blank=True, help_text="The readout, Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    topics = TaggableManager(
        through=TaggedMeeting, blank=True, related_name="meetings", help_text="Comma-separated."
    )
    countries = models.ManyToManyField(
        Country,
        related_name="meetings",
        blank=True,
        editable=False,
        help_text="Derived: the venue's country and every participant's country.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    external_id = models.CharField(
        max_length=100,
        unique=True,
        default=new_external_id,
        editable=False,
        help_text="The record's id in the interchange format: the imported one, or made here.",
    )
    search_primary = models.TextField(
        blank=True,
        editable=False,
        help_text="Derived, searched first: the title and the participants' names and aliases.",
    )
    search_secondary = models.TextField(
        blank=True,
        editable=False,
        help_text="Derived, searched next: the summary, topics and places.",
    )
    facet_keys = models.TextField(
        blank=True,
        editable=False,
        help_text="Derived: the ids of its countries, officials and topics, e.g. “c12 o7 t3”.",
    )
    synthetic = models.BooleanField(
        default=False,
        help_text="Generated sample data, not a real readout; every page marks it as such.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        get_latest_by = "date"
        # Contributors write drafts; only Editors (roles.py) may put a readout before the public.
        permissions = [("publish_meeting", "Can publish and unpublish readouts")]
        constraints = [
            models.UniqueConstraint(fields=["date", "slug"], name="meeting_unique_slug_per_date"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="meeting_published_has_published_at",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="meeting_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(date__gte=EARLIEST_DATE, date__lte=LATEST_DATE),
                name="meeting_date_in_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["-date", "-id"],
                condition=Q(status="published"),
                name="meeting_published_date_idx",
            ),
            # The date of a published readout by id, from the index alone: an official's
            # offices join every one of their readouts (115,251 for the busiest of 1,000,000:
            # 0.9 s through the table from a cold cache, 0.1 s through this index).
            models.Index(
                fields=["id", "date"],
                condition=Q(status="published"),
                name="meeting_published_id_date_idx",
            ),
            models.Index(fields=["kind", "-date"], name="meeting_kind_date_idx"),
            models.Index(fields=["id"], condition=Q(synthetic=True), name="meeting_synthetic_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Meeting, self.title, max_length=200, date=self.date)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return readout_path(self.date, self.slug)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def place(self) -> str:
        return ", ".join(p for p in [self.city, str(self.location_country or "")] if p)


class Participation(models.Model):
    """An official's part in a meeting, with the office they held that day."""

    class Role(models.TextChoices):
        ENVOY = "envoy", "envoy"
        COUNTERPART = "counterpart", "counterpart"
        PARTICIPANT = "participant", "participant"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    # Indexed by participation_offices_idx below (official first), not by an index of its own.
    official = models.ForeignKey(
        Official, on_delete=models.PROTECT, related_name="participations", db_index=False
    )
    role = models.CharField(max_length=20, choices=Role, default=Role.PARTICIPANT)
    title = models.CharField(
        max_length=300,
        blank=True,
        help_text="The office held on that date, as the readout gives it.",
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="participations",
        null=True,
        blank=True,
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the readout.")

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "official"], name="participation_unique_official_per_meeting"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["envoy", "counterpart", "participant"]),
                name="participation_role_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["official", "meeting"], name="participation_official_idx"),
            # An official's offices (views.OfficialDetailView) read from the index alone.
            models.Index(fields=["official", "title", "meeting"], name="participation_offices_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.official} ({self.get_role_display()})"


class Source(models.Model):
    """Where a readout comes from: every record says on whose account it is told."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(
        "URL",
        max_length=1000,
        blank=True,
        validators=[http_url_validator],
        help_text="Leave empty when the source is known only by its publisher.",
    )
    publisher = models.CharField(max_length=200, blank=True)
    published = models.DateField(null=True, blank=True)
    archived_url = models.URLField(
        "archived copy",
        max_length=1000,
        blank=True,
        validators=[http_url_validator],
        help_text="A copy in a web archive, if one was made.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url="")
                | Q(url__istartswith="http://")
                | Q(url__istartswith="https://"),
                name="source_url_is_http",
            ),
            models.CheckConstraint(
                condition=Q(archived_url="")
                | Q(archived_url__istartswith="http://")
                | Q(archived_url__istartswith="https://"),
                name="source_archived_url_is_http",
            ),
        ]

    def __str__(self) -> str:
        return self.publisher or self.url


class ArchiveVersion(models.Model):
    """One row counting the archive's changes: every public page is cached under it.

    Every write to the archive (a save, a delete, an import, a publish) adds one, so a page
    cached before the change is never served after it (caching.py). Kept in the database,
    not the cache, so that every server process sees a change at once whatever the cache.
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
    when duplicates are merged (permalinks.py). A request for it is redirected (301) to the
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
    officials and topics, its kind, year and month (facetcounts.py). Kept so that a change
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
    (facetcounts.py).
    """

    scope_facet = models.CharField(max_length=8)
    scope_value = models.BigIntegerField()
    facet = models.CharField(max_length=8)
    value = models.BigIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope_facet", "scope_value", "facet", "value"],
                name="facetcount_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["scope_facet", "scope_value", "facet", "-count", "value"],
                name="facetcount_top_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_facet} {self.scope_value}: {self.facet} {self.value} × {self.count}"
