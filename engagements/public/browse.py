"""Browsing by record: countries (and a pair of them), officials, topics: their indexes,
and each one's page of readouts (the list of views.py, narrowed to the record)."""

from __future__ import annotations

from django.db.models import Count, Max, Min
from django.db.models.functions import Left, Lower, Upper
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import ListView

from engagements.models import Country, Meeting, Official, Participation, Topic
from engagements.public import accounts, pagecache, stats, worldmap
from engagements.public.pagination import BoundedPaginationMixin
from engagements.public.views import FilteredMeetingListView


class CountryListView(ListView):
    template_name = "engagements/country_list.html"
    context_object_name = "countries"

    def get_queryset(self):
        return stats.with_kept_count(Country.objects.all(), "country").order_by("name")

    def get_context_data(self, **kwargs):
        # The table below the map is its text for screen readers.
        return super().get_context_data(world_map=worldmap.archive_map(), **kwargs)


class CountryDetailView(FilteredMeetingListView):
    template_name = "engagements/country_detail.html"

    @cached_property
    def country(self) -> Country:
        # A country only drafts mention is not public yet.
        return get_object_or_404(Country.objects.public(), code=self.kwargs["code"].upper())

    def scope(self):
        return [self.country]

    def own_feed_url(self) -> str:
        return reverse("engagements:country-feed", args=[self.country.code])

    # Its counterpart countries are listed once, as links to the bilateral dossiers.
    hidden_facets = frozenset({"country"})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            country=self.country,
            sides_compared=pagecache.memo(
                "sides-compared",
                (self.country.pk, None),
                lambda: accounts.topic_balance(
                    self.base_meetings(),
                    self.country,
                    list_url=f"{reverse('engagements:meeting-list')}"
                    f"?country={self.country.code.lower()}&",
                ),
            ),
            counterpart_countries=pagecache.memo(
                "counterparts",
                self.country.pk,
                lambda: [
                    setattr(other, "url", bilateral_url(self.country.code, other.code)) or other
                    for other in stats.with_shares(
                        stats.kept_top(
                            Country, ("country", self.country.pk), exclude=[self.country]
                        )
                    )
                ],
            ),
        )
        return context


def bilateral_url(code_a: str, code_b: str, *, feed: bool = False) -> str:
    """The one address of a pair's dossier (or feed): the two codes in alphabetical order."""
    first, second = sorted([code_a.lower(), code_b.lower()])
    return reverse(
        "engagements:bilateral-feed" if feed else "engagements:bilateral", args=[first, second]
    )


class BilateralView(FilteredMeetingListView):
    template_name = "engagements/bilateral_detail.html"

    def get(self, request, *args, **kwargs):
        a, b = self.pair  # a 404 first for a pair that is not public
        canonical = bilateral_url(a.code, b.code)
        if request.path != canonical:
            # /countries/pk/cn/ and /countries/cn/pk/ are one dossier: one address for it.
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)
        return super().get(request, *args, **kwargs)

    @cached_property
    def pair(self) -> tuple[Country, Country]:
        a, b = self.kwargs["code_a"].upper(), self.kwargs["code_b"].upper()
        if a == b:
            raise Http404("A bilateral page needs two different countries.")
        found = {c.code: c for c in Country.objects.public().filter(code__in=[a, b])}
        if len(found) != 2:
            raise Http404("No such country.")
        return found[a], found[b]

    def scope(self):
        return list(self.pair)

    def own_feed_url(self) -> str:
        return bilateral_url(*(c.code for c in self.pair), feed=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        a, b = self.pair
        context.update(
            country_a=a,
            country_b=b,
            sides_compared=pagecache.memo(
                "sides-compared",
                (a.pk, b.pk),
                lambda: accounts.topic_balance(
                    self.base_meetings(),
                    a,
                    b,
                    list_url=f"{reverse('engagements:meeting-list')}?country={a.code.lower()}"
                    f"&country={b.code.lower()}&",
                ),
            ),
        )
        return context


class OfficialListView(BoundedPaginationMixin, ListView):
    template_name = "engagements/official_list.html"
    context_object_name = "officials"
    paginate_by = 100

    def get(self, request, *args, **kwargs):
        letter = request.GET.get("letter", "")
        if letter and not (len(letter) == 1 and letter.isalpha()):
            raise Http404("Pick a letter A–Z.")
        self.letter = letter.upper()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # By family name (Hashmi under H, Liu Haixing under L), accents aside (sort_key).
        officials = (
            stats.with_kept_count(Official.objects.all(), "official")
            .select_related("country")
            .order_by("sort_key", "id")
        )
        if self.letter:
            officials = officials.filter(sort_key__startswith=self.letter.lower())
        return officials

    def get_context_data(self, **kwargs):
        initials = (
            stats.with_kept_count(Official.objects.all(), "official")
            .annotate(initial=Upper(Left("sort_key", 1)))
            .order_by()
            .values_list("initial", flat=True)
            .distinct()
        )
        return super().get_context_data(
            letter=self.letter, letters=sorted({i for i in initials if i.isalpha()}), **kwargs
        )


class OfficialDetailView(FilteredMeetingListView):
    template_name = "engagements/official_detail.html"

    @cached_property
    def official(self) -> Official:
        # An official known only from drafts is not public yet.
        return get_object_or_404(
            Official.objects.public().select_related("country"), slug=self.kwargs["slug"]
        )

    def scope(self):
        return [self.official]

    def own_feed_url(self) -> str:
        return reverse("engagements:official-feed", args=[self.official.slug])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        offices = list(
            Participation.objects.filter(
                official=self.official, meeting__status=Meeting.Status.PUBLISHED
            )
            .values("title")
            # COUNT(*), not of the ids: then both sides are read from indexes alone
            # (participation_offices_idx, meeting_published_id_date_idx).
            .annotate(first=Min("meeting__date"), last=Max("meeting__date"), count=Count("*"))
            .order_by("first", "title")
        )
        context.update(official=self.official, offices=timeline(offices))
        return context


def timeline(spans: list[dict]) -> list[dict]:
    """Place each span (first, last dates) on a shared axis: `offset` and `extent` in 0–1."""
    if not spans:
        return spans
    start = min(s["first"] for s in spans)
    days = max((max(s["last"] for s in spans) - start).days, 1)
    for span in spans:
        span["offset"] = (span["first"] - start).days / days
        # A single day still gets a visible mark.
        span["extent"] = max((span["last"] - span["first"]).days / days, 0.01)
    return spans


class TopicListView(ListView):
    template_name = "engagements/topic_list.html"
    context_object_name = "topics"

    def get_queryset(self):
        topics = stats.with_kept_count(Topic.objects.all(), "topic")
        # Case aside: "iPhone diplomacy" among the I's, not after Z as SQLite would put it.
        if self.request.GET.get("sort") == "count":
            return topics.order_by("-meeting_count", Lower("name"))
        return topics.order_by(Lower("name"), "id")


class TopicDetailView(FilteredMeetingListView):
    template_name = "engagements/topic_detail.html"

    @cached_property
    def topic(self) -> Topic:
        # A topic used only by drafts is not public yet.
        return get_object_or_404(Topic.objects.public(), slug=self.kwargs["slug"])

    def scope(self):
        return [self.topic]

    def own_feed_url(self) -> str:
        return reverse("engagements:topic-feed", args=[self.topic.slug])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(topic=self.topic)
        return context
