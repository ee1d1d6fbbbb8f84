"""Readouts: a meeting, who took part, and on whose account it is told."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from taggit.managers import TaggableManager

from engagements.markup import render_markdown
from engagements.models.addresses import readout_path
from engagements.models.records import (
    EARLIEST_DATE,
    LATEST_DATE,
    Country,
    Official,
    Organization,
    PublicationStatus,
    TaggedMeeting,
    Topic,
    http_url_validator,
    unique_slug,
)


def new_external_id() -> str:
    """An interchange id for a meeting entered here, unique across archives."""
    return f"ea-{uuid.uuid4().hex}"


# Sent once by a queryset update() or delete() of readouts (an update sends no per-row
# signal; a delete's per-row ones are left to this): ids, fields (frozenset), deleted,
# was_public (whether any of them was published before). upkeep/receivers.py listens.
meetings_changed = Signal()
# Kept by upkeep/derived.py from what a readout is made of.
DERIVED_FIELDS = frozenset({"search_primary", "search_secondary", "facet_keys"})
_bulk_delete: ContextVar[bool] = ContextVar("meetings_bulk_delete", default=False)


def in_bulk_delete() -> bool:
    """Inside a queryset delete() of readouts (their post_delete receivers wait for it)."""
    return _bulk_delete.get()


# A readout's topics as it lists them, main subjects first (Meeting.topics_in_order):
# taggit's `topics` manager orders them by name and takes no prefetch queryset.
_TOPICS_IN_ORDER = models.Prefetch(
    "topic_links", queryset=TaggedMeeting.objects.select_related("tag").order_by("order", "id")
)


class MeetingQuerySet(models.QuerySet):
    def published(self) -> MeetingQuerySet:
        """What the public sees. Every public view, feed and export starts here."""
        return self.filter(status=Meeting.Status.PUBLISHED)

    def involving(self, country: Country) -> MeetingQuerySet:
        """Meetings a participant's country or the venue's country connects to `country`."""
        return self.filter(countries=country)

    def of(self, *records: Country | Official | Topic) -> MeetingQuerySet:
        """The readouts of a *scope*: those that involve every one of these countries, have
        every one of these officials taking part and name every one of these topics. The
        one vocabulary of scopes: pages, feeds, filters and kept counts all use it."""
        for record in records:
            self = self.filter(**{SCOPE_LOOKUPS[type(record)]: record})
        return self

    def delete(self):
        """As QuerySet.delete; what follows (counts taken back, the version) is done once
        for all of them, on `meetings_changed`, not once per readout."""
        ids = list(self.values_list("pk", flat=True))
        was_public = self.published().exists()
        token = _bulk_delete.set(True)
        try:
            with transaction.atomic(using=self.db):
                result = super().delete()
                meetings_changed.send(
                    sender=Meeting, ids=ids, fields=frozenset(), deleted=True, was_public=was_public
                )
        finally:
            _bulk_delete.reset(token)
        return result

    def update(self, **kwargs) -> int:
        """As QuerySet.update, which sends no per-row signal: one `meetings_changed` says
        which readouts changed which fields (upkeep/receivers.py keeps what derives)."""
        if not set(kwargs) - DERIVED_FIELDS:
            # The derived state's own writes (upkeep/derived.py): part of a write that
            # already says what it changed.
            return super().update(**kwargs)
        ids = list(self.values_list("pk", flat=True))
        was_public = self.published().exists()
        with transaction.atomic(using=self.db):
            count = super().update(**kwargs)
            if count:
                meetings_changed.send(
                    sender=Meeting,
                    ids=ids,
                    fields=frozenset(kwargs),
                    deleted=False,
                    was_public=was_public,
                )
        return count

    def with_topics_in_order(self) -> MeetingQuerySet:
        """With each readout's topics read in their order (Meeting.topics_in_order)."""
        return self.prefetch_related(_TOPICS_IN_ORDER)

    def in_full(self) -> MeetingQuerySet:
        """Everything a readout's page shows of it: participants with their organisations,
        accounts with their sides, topics and titles, topics; a fixed number of queries."""
        return self.select_related("location_country").prefetch_related(
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related(
                    "official__country", "organization__country"
                ).order_by("order", "id"),
            ),
            models.Prefetch(
                "sources",
                queryset=Source.objects.select_related(
                    "side", "side_organization"
                ).prefetch_related("topics", "titles"),
            ),
            _TOPICS_IN_ORDER,
        )

    def for_listing(self) -> MeetingQuerySet:
        """Everything a meeting list row shows, in a fixed number of queries."""
        return self.select_related("location_country").prefetch_related(
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related("official__country").order_by(
                    "order", "id"
                ),
            ),
            _TOPICS_IN_ORDER,
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

    Status = PublicationStatus

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
    # Listed by name wherever they show (not in the order they were linked): the same page
    # whatever order an archive was built or restored in.
    topics = TaggableManager(
        through=TaggedMeeting,
        blank=True,
        related_name="meetings",
        help_text="Comma-separated.",
        ordering=["name"],
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
        # Contributors write drafts; only Editors (desk/roles.py) publish a readout.
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
            # 0.9 s through the table from a cold cache, 0.1 s through this index). On
            # PostgreSQL it also carries what a list's facets are counted from
            # (public/facets.py: kind and facet keys), so a list no kept count serves
            # reads its readouts from the index, not from their wide rows (SQLite has no
            # INCLUDE and ignores it).
            models.Index(
                fields=["id", "date"],
                include=["kind", "facet_keys"],
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

    @property
    def topics_in_order(self) -> list[Topic]:
        """The readout's topics as it lists them, its main subjects first (TaggedMeeting.
        order; prefetched by in_full and for_listing, else read here)."""
        links = self.topic_links.all()
        if "topic_links" not in getattr(self, "_prefetched_objects_cache", {}):
            links = links.select_related("tag").order_by("order", "id")
        return [link.tag for link in links]


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
    """One account of a meeting: who published it, on whose side, and what it says.

    A meeting is often reported by both sides, and their accounts stress different things:
    each is kept with its publisher and address, the side whose account it is (a country
    or an organisation such as a party department), its headline and text as published,
    and the topics it names. A meeting's topics include every account's.
    """

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
    side = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="accounts",
        null=True,
        blank=True,
        help_text="Whose account this is: the country of the side that published it.",
    )
    side_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="accounts",
        null=True,
        blank=True,
        verbose_name="side (organisation)",
        help_text="Or the organisation whose account it is (a party department, a ministry).",
    )
    headline = models.CharField(max_length=300, blank=True, help_text="As the publisher gave it.")
    text = models.TextField(
        blank=True, help_text="The account as published (Markdown), to compare with the others."
    )
    text_html = models.TextField(blank=True, editable=False)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="accounts", help_text="The topics this account names."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "account"
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

    def save(self, *args, **kwargs) -> None:
        self.text_html = render_markdown(self.text)
        super().save(*args, **kwargs)

    @property
    def side_label(self) -> str:
        """Whose account: "Pakistan", "International Department of the CPC", or ""."""
        if self.side_organization_id:
            return self.side_organization.name
        return self.side.name if self.side_id else ""


class AccountTitle(models.Model):
    """The title one account gives a participant, where it differs from the readout's.

    The readout keeps one title per participant (Participation.title); when the two sides
    word an office differently ("Minister of the International Department of the CPC
    Central Committee" and "head of the IDCPC"), each account's wording is kept here.
    """

    # The readout too, so the readout form can edit these rows inline.
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="account_titles")
    account = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="titles")
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="account_titles"
    )
    title = models.CharField(max_length=300, help_text="The office as this account words it.")

    class Meta:
        ordering = ["participation__order", "participation_id", "account__order", "account_id"]
        verbose_name = "title in an account"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "participation"], name="account_title_once_per_participant"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # Both ends belong to this readout: a title from another readout's account is a slip.
        errors = {}
        if self.account_id and self.meeting_id and self.account.meeting_id != self.meeting_id:
            errors["account"] = "Choose one of this readout's accounts."
        if (
            self.participation_id
            and self.meeting_id
            and self.participation.meeting_id != self.meeting_id
        ):
            errors["participation"] = "Choose one of this readout's participants."
        if errors:
            raise ValidationError(errors)


# The derived link of a readout to each country it involves (Meeting.countries), written in
# bulk by upkeep/derived.py and the importer, read by the facet code.
MeetingCountry = Meeting.countries.through


# How a readout belongs to a scope's record (MeetingQuerySet.of).
SCOPE_LOOKUPS = {
    Country: "countries",
    Official: "participations__official",
    Topic: "topic_links__tag",
}


def missing_for_publication(*, roles: Iterable[str], source_count: int) -> list[str]:
    """The parts a readout with these participant roles and sources lacks to be published:
    "envoy", "counterpart", "source". The admin, its publish action and the importer all
    apply this one rule (desk/publishing.py words it for editors)."""
    roles = set(roles)
    needed = [Participation.Role.ENVOY, Participation.Role.COUNTERPART]
    missing = [str(role) for role in needed if role not in roles]
    if source_count < 1:
        missing.append("source")
    return missing
