"""Atom feeds: the newest readouts (filterable), and one per country, pair, official, topic."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from engagements.models import Country, Meeting, Official, Source, Topic
from engagements.public import browse
from engagements.public.filters import parse_filters

FEED_SIZE = 30


class AccountsAtomFeed(Atom1Feed):
    """Atom, with each account of a readout as a related link titled by whose it is."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        for account in item.get("accounts", ()):
            handler.addQuickElement("link", "", account)


class ReadoutFeed(Feed):
    """Newest readouts first. Subclasses pick the object and narrow the meetings."""

    feed_type = AccountsAtomFeed
    subtitle = "Readouts of diplomatic engagements, each with its source."
    # Atom requires an author for every entry: the archive for the feed, and for each entry
    # whoever published the account it is told on (its first source).
    author_name = "Engagement Archive"
    SYNTHETIC_LABEL = "Synthetic sample — not a real readout"

    def base_meetings(self, obj):
        return Meeting.objects.published()

    def items(self, obj):
        return (
            self.base_meetings(obj)
            .select_related("location_country")
            .with_topics_in_order()
            .prefetch_related(
                Prefetch(
                    "sources", queryset=Source.objects.select_related("side", "side_organization")
                ),
            )
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def author_link(self, obj) -> str:
        return reverse("engagements:home")

    def item_title(self, meeting: Meeting) -> str:
        title = f"{meeting.date:%-d %B %Y}: {meeting.title}"
        return f"{title} [{self.SYNTHETIC_LABEL}]" if meeting.synthetic else title

    def item_author_name(self, meeting: Meeting) -> str:
        publishers = [source.publisher for source in meeting.sources.all() if source.publisher]
        return publishers[0] if publishers else self.author_name

    def item_description(self, meeting: Meeting) -> str:
        # Atom1Feed declares the summary type="html", and readers render it: the plain-text
        # summary must reach them escaped, or a "<script>" in it would be markup.
        return escape(meeting.summary or meeting.title)

    def item_extra_kwargs(self, meeting: Meeting) -> dict:
        """Every account with an address, as <link rel="related" title="Whose: publisher">."""
        return {
            "accounts": [
                {
                    "rel": "related",
                    "href": source.url,
                    "title": ": ".join(filter(None, [source.side_label, source.publisher])),
                }
                for source in meeting.sources.all()
                if source.url
            ]
        }

    def item_pubdate(self, meeting: Meeting):
        return meeting.published_at

    def item_updateddate(self, meeting: Meeting):
        return meeting.updated_at

    def item_categories(self, meeting: Meeting) -> list[str]:
        topics = [topic.name for topic in meeting.topics_in_order]  # main subjects first
        return [*topics, self.SYNTHETIC_LABEL] if meeting.synthetic else topics

    def item_guid(self, meeting: Meeting) -> str:
        # The interchange id, not the database's: gaps in a sequence of database ids would
        # tell a reader how many readouts are not public.
        return (
            f"tag:engagement-archive,{meeting.created_at:%Y-%m-%d}:"
            f"readout/{quote(meeting.external_id, safe='')}"
        )

    item_guid_is_permalink = False


class LatestFeed(ReadoutFeed):
    """`/meetings/feed/`, taking the list's filters: any filtered list can be followed."""

    def get_object(self, request):
        filters, _form = parse_filters(request.GET)
        if filters is None:
            raise Http404("This feed address has a filter the archive cannot read.")
        return filters

    def base_meetings(self, filters):
        return filters.apply(Meeting.objects.published())

    def title(self, filters) -> str:
        if filters.is_empty:
            return "Engagement Archive: newest readouts"
        described = ", ".join(f"{chip.label} {chip.value}" for chip in filters.chips)
        return f"Engagement Archive: readouts ({described})"

    def link(self, filters) -> str:
        url = reverse("engagements:meeting-list")
        return f"{url}?{filters.query_string}" if filters.query_string else url

    def feed_url(self, filters) -> str:
        """The feed's own address (its `self` link), with the filters it was asked with."""
        url = reverse("engagements:meeting-feed")
        return f"{url}?{filters.query_string}" if filters.query_string else url


class CountryFeed(ReadoutFeed):
    def get_object(self, request, code: str) -> Country:
        return get_object_or_404(Country.objects.public(), code=code.upper())

    def base_meetings(self, country: Country):
        return Meeting.objects.published().of(country)

    def title(self, country: Country) -> str:
        return f"Engagement Archive: {country.name}"

    def link(self, country: Country) -> str:
        return country.get_absolute_url()


class BilateralFeed(ReadoutFeed):
    def get_object(self, request, code_a: str, code_b: str) -> tuple[Country, Country]:
        if code_a == code_b:
            raise Http404("A bilateral feed needs two different countries.")
        return (
            get_object_or_404(Country.objects.public(), code=code_a.upper()),
            get_object_or_404(Country.objects.public(), code=code_b.upper()),
        )

    def base_meetings(self, pair):
        return Meeting.objects.published().of(*pair)

    def title(self, pair) -> str:
        return f"Engagement Archive: {pair[0].name} and {pair[1].name}"

    def link(self, pair) -> str:
        return browse.bilateral_url(pair[0].code, pair[1].code)


class OfficialFeed(ReadoutFeed):
    def get_object(self, request, slug: str) -> Official:
        return get_object_or_404(Official.objects.public(), slug=slug)

    def base_meetings(self, official: Official):
        return Meeting.objects.published().of(official)

    def title(self, official: Official) -> str:
        return f"Engagement Archive: {official.name}"

    def link(self, official: Official) -> str:
        return official.get_absolute_url()


class TopicFeed(ReadoutFeed):
    def get_object(self, request, slug: str) -> Topic:
        return get_object_or_404(Topic.objects.public(), slug=slug)

    def base_meetings(self, topic: Topic):
        return Meeting.objects.published().of(topic)

    def title(self, topic: Topic) -> str:
        return f"Engagement Archive: {topic.name}"

    def link(self, topic: Topic) -> str:
        return topic.get_absolute_url()
