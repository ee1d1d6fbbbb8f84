"""Records readouts refer to: countries, organisations, officials and topics.

Below the readouts (models/meetings.py) in the import order: what these need of a readout
(which are public) they reach through their reverse relations, not by importing it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pycountry
from django.core.validators import (
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.text import slugify
from taggit.models import TagBase, TaggedItemBase

from engagements.markup import render_markdown
from engagements.models.addresses import record_path


class PublicationStatus(models.TextChoices):
    """A readout's status (Meeting.Status): only published readouts exist for the public."""

    DRAFT = "draft", "draft"
    PUBLISHED = "published", "published"


http_url_validator = URLValidator(schemes=["http", "https"])

# Four-digit years only: a readout's address carries its year (and 0225 is a typo for 2025).
EARLIEST_DATE = dt.date(1000, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)


def longest(model: type[models.Model], field: str) -> int:
    """The most characters `model.field` holds: forms, the importer and the press-release
    reader cut and check text to it, rather than to a number typed again."""
    return model._meta.get_field(field).max_length


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
        first_published = self.model.meetings.through.objects.filter(
            country=OuterRef("pk"), meeting__status=PublicationStatus.PUBLISHED
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
        return record_path("engagements:country-list", self.code.lower())

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
        participation = self.model.participations.field.model
        return self.filter(
            Exists(
                participation.objects.filter(
                    official=OuterRef("pk"), meeting__status=PublicationStatus.PUBLISHED
                )
            )
        )


# Where a person's family name comes first, in English as at home (Xi Jinping, Yoon Suk
# Yeol, Le Hoai Trung): an index sorts them by their first word, everyone else by the last.
FAMILY_NAME_FIRST = frozenset({"CN", "TW", "HK", "MO", "KR", "KP", "VN"})
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def fold_name(text: str) -> str:
    """Lower case without accents, for sorting and initials (Çavuşoğlu under C)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def family_sort_key(name: str, country_code: str | None, family_name: str = "") -> str:
    """The key an index sorts a person by: family name, then the rest of the name, folded.

    `family_name` is the editors' word where the rule guesses wrong (a compound surname)."""
    words = name.split()
    if family_name.strip():
        family = family_name.strip()
        rest = name.replace(family, " ", 1) if family in name else name
        return fold_name(f"{family} {rest}")
    if len(words) < 2:
        return fold_name(name)
    if country_code in FAMILY_NAME_FIRST:
        return fold_name(name)  # already family name first
    while len(words) > 2 and words[-1].casefold().strip(",") in _NAME_SUFFIXES:
        words = words[:-1]
    return fold_name(" ".join([words[-1], *words[:-1]]))


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
    family_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="Only where the index would guess it wrong (a compound surname): the "
        "part of the name it sorts by. Left blank: the first word of a Chinese, Korean or "
        "Vietnamese name, the last word of any other.",
    )
    # What the officials' index sorts by and takes the initial from (family_sort_key).
    sort_key = models.CharField(max_length=200, blank=True, editable=False)
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
        indexes = [
            models.Index(fields=["country", "name"], name="official_country_name_idx"),
            models.Index(fields=["sort_key", "id"], name="official_sort_key_idx"),
        ]
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
        self.sort_key = family_sort_key(self.name, self.country.code, self.family_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return record_path("engagements:official-list", self.slug)

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
            tag=OuterRef("pk"), content_object__status=PublicationStatus.PUBLISHED
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

    def slugify(self, tag: str, i: int | None = None) -> str:
        """taggit's slug for a new topic (the admin's topics field makes them), never empty
        and within its column with the "_2" taggit adds when it is taken."""
        suffix = f"_{i}" if i is not None else ""
        base = slugify(tag, allow_unicode=True) or "topic"
        return base[: self._meta.get_field("slug").max_length - len(suffix)] + suffix

    def save(self, *args, **kwargs) -> None:
        self.aliases = "\n".join(self.alias_list)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return record_path("engagements:topic-list", self.slug)

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


# Where a topic stands among a readout's topics when nobody said (one added in the admin):
# after those given a place, in the order they were added.
UNORDERED = 32767


class TaggedMeeting(TaggedItemBase):
    """Direct-FK link between a meeting and a topic (taggit's through model)."""

    content_object = models.ForeignKey(
        "Meeting", on_delete=models.CASCADE, related_name="topic_links"
    )
    tag = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="meeting_links")
    order = models.PositiveSmallIntegerField(
        default=UNORDERED,
        help_text="The topic's place among the readout's topics, from 0: its main subjects "
        "first, as the readout's `themes` list them.",
    )

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
