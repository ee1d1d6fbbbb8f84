"""Public pages. Everything starts from Meeting.objects.published()."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.generic import DateDetailView, ListView, MonthArchiveView, TemplateView
from django.views.generic import YearArchiveView as BaseYearArchiveView

from engagements import search
from engagements.models import (
    Country,
    Meeting,
    Official,
    Topic,
)
from engagements.public import (
    accounts,
    cards,
    citations,
    facets,
    keptcounts,
    pagecache,
    related,
    stats,
    surrogate,
    worldmap,
)
from engagements.public.filters import MeetingFilters, parse_filters
from engagements.public.pagination import BoundedPaginationMixin
from engagements.search import spelling
from engagements.upkeep import facetcounts


def public_countries() -> list[tuple[int, str, str]]:
    """(id, name, code) of every country a published readout involves, by name."""
    return pagecache.memo(
        "public-countries",
        (),
        lambda: list(Country.objects.public().order_by("name").values_list("pk", "name", "code")),
    )


@never_cache
def health(request) -> HttpResponse:
    """For a load balancer or uptime check: the process answers (no database, no cache)."""
    return HttpResponse("ok\n", content_type="text/plain")


class PublishedMeetingsMixin(BoundedPaginationMixin):
    """Date-based views over what the public sees."""

    date_field = "date"
    allow_future = True
    month_format = "%m"
    day_format = "%d"

    def get_queryset(self):
        return Meeting.objects.published()


class CardsMixin:
    """A list view whose rows are cards (cards.py). Its queryset reads the rows as
    values_list(*cards.FIELDS); a search's results are cards already (SearchResults)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context[self.context_object_name]
        if isinstance(rows, QuerySet):
            context[self.context_object_name] = cards.from_rows(rows)
        return context


class DatedCardsMixin(CardsMixin):
    """The year's and month's archives: their readouts as card rows (the date views read
    the neighbouring years and months from the queryset of readouts itself)."""

    def get_dated_items(self):
        date_list, meetings, extra = super().get_dated_items()
        return date_list, meetings.values_list(*cards.FIELDS), extra


class SearchResults(Sequence):
    """What a search found, in the order asked for, as a sequence the paginator slices:
    only the readouts of the page shown are read, as cards."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int | slice):
        if isinstance(index, slice):
            return cards.for_ids(self.ids[index])
        return cards.for_ids([self.ids[index]])[0]

    def __iter__(self):
        # In three queries, not three per readout as Sequence would.
        return iter(self[:])


class FilteredMeetingListView(CardsMixin, BoundedPaginationMixin, ListView):
    """A paginated list of meetings narrowed by the query string (see filters.py).

    Subclasses narrow `base_meetings()` further (one country, one official, …) and
    add their own context; the filters, chips and pagination are shared.
    """

    template_name = "engagements/meeting_list.html"
    context_object_name = "meetings"
    paginate_by = settings.ARCHIVE_PAGE_SIZE
    filters: MeetingFilters | None

    def base_meetings(self):
        """The page's readouts before the visitor's filters: its scope's (scope())."""
        return Meeting.objects.published().of(*self.scope())

    def own_feed_url(self) -> str:
        return reverse("engagements:meeting-feed")

    # Facets a page lists in its own way instead (a country's counterparts).
    hidden_facets: frozenset[str] = frozenset()

    def scope(self) -> list:
        """The country, official or topic this page is about (left out of its facets)."""
        return []

    def scope_params(self) -> list[tuple[str, str]]:
        """The page's scope as /meetings/ parameters (e.g. [("country", "pk")])."""
        params = []
        for item in self.scope():
            if isinstance(item, Country):
                params.append(("country", item.code.lower()))
            else:
                params.append(("official" if isinstance(item, Official) else "topic", item.slug))
        return params

    def _list_query(self) -> str:
        """The page's scope plus the visitor's filters, as a /meetings/ query string."""
        extra = self.filters.query_string if self.filters else ""
        return "&".join(filter(None, [urlencode(self.scope_params()), extra]))

    def head(self, request, *args, **kwargs):
        # Defined here, not left to View.setup, which stores `self.head = self.get` on the
        # instance: a reference cycle that kept each view, with the 10,000 rows a search
        # read, alive until the next full garbage collection (a worker grew to 180 MB).
        return self.get(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.scope():  # a country's, official's, topic's or pair's page (a 404 first)
            surrogate.tag_records(request, self.scope())
        self.filters, self.filter_form = parse_filters(request.GET)
        if self.filters is None:
            # A malformed value: say what is wrong, with status 400 and no results.
            self.object_list = Meeting.objects.none()
            context = self.get_context_data()
            return self.render_to_response(context, status=400)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if self.filters is None:
            return Meeting.objects.none()
        if self.filters.q:
            return SearchResults(self.found.ordered(self.filters.sort))
        return self.filters.apply(self.base_meetings()).values_list(*cards.FIELDS)

    corrected_query: str | None = None

    @cached_property
    def found(self) -> search.Found:
        """What a search found (its newest SEARCH_SAMPLE matches), read once per request;
        for a query that finds nothing, what its spelling corrected from the archive's own
        vocabulary finds ("CEPC" → CPEC), said on the page."""
        found, self.corrected_query = find_searched(
            self.filters.narrow(self.base_meetings()), self.filters.q, self.vocabulary_hit
        )
        return found

    def vocabulary_hit(self, text: str) -> dict | None:
        """remembered_hit, kept for the rest of the request: the search and the page both
        ask (with the per-version memo off, it was looked up twice)."""
        if text not in self.vocabulary_hits:
            self.vocabulary_hits[text] = remembered_hit(text)
        return self.vocabulary_hits[text]

    @cached_property
    def vocabulary_hits(self) -> dict[str, dict | None]:
        return {}

    @cached_property
    def summary(self) -> tuple[list[facets.Facet], int]:
        """The facets of the filtered list and its size, counted once per archive version."""
        query = self.request.GET.copy()
        query.pop("page", None)
        scope = [(type(item).__name__, item.pk) for item in self.scope()]
        countries = self.public_countries
        return pagecache.memo(
            "facets",
            (type(self).__name__, scope, query.urlencode()),
            lambda: facets.facets(
                self.found if self.filters.q else self.filters.apply(self.base_meetings()),
                query,
                self.filters,
                scope=self.scope(),
                country_names={pk: (name, code) for pk, name, code in countries},
            ),
        )

    @cached_property
    def public_countries(self) -> list[tuple[int, str, str]]:
        return public_countries()

    def known_count(self, queryset) -> int:
        return self.summary[1] if self.filters is not None else 0

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filters=self.filters,
            filter_form=self.filter_form,
            kind_choices=Meeting.Kind.choices,
            filter_countries=[
                {"name": name, "code": code} for _, name, code in self.public_countries
            ],
            feed_url=(
                self.own_feed_url()
                if not self.filters or self.filters.is_empty
                else f"{reverse('engagements:meeting-feed')}?{self._list_query()}"
            ),
            export_query=self._list_query(),
        )
        if self.filters is not None:
            context.update(self._results_context(context))
        return context

    def _results_context(self, context) -> dict:
        """Facets, search snippets and the ways out of an empty result."""
        filters, query = self.filters, self.request.GET
        facet_list, total = self.summary
        extra = {
            "facets": facet_list,
            # The facets that narrow the list (years and months draw the activity chart).
            "narrowing_facets": [
                f for f in facet_list if f.key not in {"year", "month", *self.hidden_facets}
            ],
            "export_row_limit": settings.EXPORT_ROW_LIMIT,
            # A filtered download holds at most EXPORT_ROW_LIMIT readouts (exports.py).
            "export_too_large": bool(context.get("export_query"))
            and total > settings.EXPORT_ROW_LIMIT,
            "activity": facets.activity_chart(facet_list),
            # search.find counts and ranks only the newest SEARCH_SAMPLE matches.
            "search_sample": settings.SEARCH_SAMPLE
            if filters.q and 0 < settings.SEARCH_SAMPLE <= total
            else None,
        }
        page = list(context["meetings"])
        if filters.q:
            searched = self.corrected_query or filters.q
            extra["vocabulary_hit"] = self.vocabulary_hit(searched)
            extra["corrected_query"] = self.corrected_query
            names = search.names_of((extra["vocabulary_hit"] or {}).get("record"))
            found = search.snippets([m.pk for m in page], searched, names)
            for meeting in page:
                meeting.snippet = found.get(meeting.pk)
            # Found by words only an account holds: say whose, and show them there.
            from_accounts = search.account_snippets(
                [m.pk for m in page if m.snippet is None], searched
            )
            for meeting in page:
                meeting.account_snippet = from_accounts.get(meeting.pk)
            if len(page) < 3:
                extra["suggestions"] = search.suggestions(filters.q)
        if not page and filters.chips:
            extra["relaxations"] = facets.without_each_filter(self.base_meetings(), query, filters)
        return extra


def vocabulary_hit(text: str) -> dict | None:
    """The topic or official a search names exactly (by name or alias, any case), with
    its count of published readouts: {"record", "count"}; else None. Three queries at most."""
    record = search.named_record(text)
    if record is None:
        return None
    return {"record": record, "count": keptcounts.count_of(record)}


def remembered_hit(text: str) -> dict | None:
    """vocabulary_hit, computed once per version of the archive."""
    return pagecache.memo("vocabulary-hit", text, lambda: vocabulary_hit(text))


def find_searched(
    meetings, text: str, hit: Callable[[str], dict | None] = remembered_hit
) -> tuple[search.Found, str | None]:
    """What a list page's search finds among `meetings` (search.find_or_correct), with the
    archive's vocabulary and the names a query names (`hit`) read once per version."""
    return search.find_or_correct(
        meetings,
        text,
        lambda: pagecache.memo("spelling", (), spelling.read_vocabulary),
        lambda query: search.names_of((hit(query) or {}).get("record")),
    )


class HomeView(TemplateView):
    template_name = "engagements/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            latest=cards.from_rows(Meeting.objects.published().values_list(*cards.FIELDS)[:8]),
            world_map=worldmap.archive_map(),
            **pagecache.memo("home", (), self.statistics),
            **kwargs,
        )

    @staticmethod
    def statistics() -> dict:
        # From the counts kept on write: a few small reads, whatever the archive's size.
        totals = stats.kept_totals()
        return dict(
            meeting_count=totals["meetings"],
            country_count=totals.get("country", 0),
            official_count=totals.get("official", 0),
            topic_count=totals.get("topic", 0),
            busiest_countries=stats.with_shares(stats.kept_top(Country, facetcounts.ALL)),
            top_topics=stats.with_shares(stats.kept_top(Topic, facetcounts.ALL, limit=15)),
            activity=stats.kept_activity(),
        )


class MeetingListView(FilteredMeetingListView):
    pass


class YearArchiveView(DatedCardsMixin, PublishedMeetingsMixin, BaseYearArchiveView):
    template_name = "engagements/meeting_archive_year.html"
    make_object_list = True
    paginate_by = settings.ARCHIVE_PAGE_SIZE
    context_object_name = "meetings"


class MonthView(DatedCardsMixin, PublishedMeetingsMixin, MonthArchiveView):
    template_name = "engagements/meeting_archive_month.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE
    context_object_name = "meetings"


class MeetingDetailView(PublishedMeetingsMixin, DateDetailView):
    template_name = "engagements/meeting_detail.html"
    context_object_name = "meeting"

    def meetings(self):
        return Meeting.objects.published()

    def get_queryset(self):
        return self.meetings().in_full()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        topic_ids = [t.pk for t in meeting.topics_in_order]
        official_ids = [p.official_id for p in meeting.participations.all()]
        context["related"] = related.same_officials(meeting.pk, official_ids)
        context["same_topics"] = related.same_topics(meeting.pk, topic_ids)
        surrogate.tag_readout_page(
            self.request,
            meeting.pk,
            {"o": (official_ids, context["related"]), "t": (topic_ids, context["same_topics"])},
            related.RELATED_SHOWN,
        )
        context["comparison"] = accounts.compare(
            list(meeting.sources.all()), list(meeting.participations.all())
        )
        context["permalink"] = self.request.build_absolute_uri(meeting.get_absolute_url())
        reference = citations.Reference.of(meeting, context["permalink"])
        context["citation_chicago"] = citations.chicago(reference)
        context["citation_apa"] = citations.apa(reference)
        return context


class MeetingPreviewView(MeetingDetailView):
    """A readout, draft or not, as its public page will show it (the admin's preview)."""

    def meetings(self):
        return Meeting.objects.all()

    def get_object(self, queryset=None) -> Meeting:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "preview": True}


class MeetingCitationView(MeetingDetailView):
    """The readout as a file a reference manager imports: .bib, .ris or CSL .json."""

    def render_to_response(self, context, **response_kwargs):
        fmt = self.kwargs["fmt"]
        content_type, extension = citations.FORMATS[fmt]
        meeting = self.object
        surrogate.tag_readout(self.request, meeting)
        reference = citations.Reference.of(
            meeting, self.request.build_absolute_uri(meeting.get_absolute_url())
        )
        response = HttpResponse(citations.WRITERS[fmt](reference), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{meeting.slug}.{extension}"'
        return response

    def get_context_data(self, **kwargs):
        return {}  # the file needs none of the page's related readouts


class FacetValuesView(TemplateView):
    """Every value of one facet (countries, officials or topics) of a filtered list, with
    its count: where a facet's "more" link leads. The list's own parameters, the busiest
    ALL_VALUES values."""

    template_name = "engagements/facet_values.html"

    def get(self, request, *args, **kwargs):
        key = kwargs["key"]
        if key not in facets.LISTED_IN_FULL:
            raise Http404("No such facet.")
        filters, form = parse_filters(request.GET)
        if filters is None:
            context = self.get_context_data(key=key, filter_form=form, facet=None, total=0)
            return self.render_to_response(context, status=400)
        query = request.GET.copy()
        query.pop("page", None)
        facet, total = pagecache.memo(
            "facet-values", (key, query.urlencode()), lambda: self.count(key, filters, query)
        )
        return self.render_to_response(
            self.get_context_data(key=key, filters=filters, facet=facet, total=total)
        )

    @staticmethod
    def count(key: str, filters, query) -> tuple[facets.Facet | None, int]:
        published = Meeting.objects.published()
        if filters.q:
            results, _corrected = find_searched(filters.narrow(published), filters.q)
        else:
            results = filters.apply(published)
        facet_list, total = facets.facets(
            results,
            query,
            filters,
            country_names={pk: (name, code) for pk, name, code in public_countries()},
            size=facets.ALL_VALUES,
        )
        return next((f for f in facet_list if f.key == key), None), total

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = facets.LISTED_IN_FULL[kwargs["key"]]
        context["list_query"] = self.request.GET.urlencode()
        return context
