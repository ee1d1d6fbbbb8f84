"""Pagination that stays cheap however large the archive grows.

A page of a list costs an OFFSET: the database walks past every row before it. Lists
therefore page only through their first MAX_PAGES pages (10,000 readouts at 25 a page);
the year facet, the year archives and the "oldest first" sort reach everything else.
The count comes from what the page has already counted (the facets), or from the cache:
no request counts a large list twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from engagements.public import pagecache


class BoundedPaginator(Paginator):
    @property
    def max_pages(self) -> int:
        return settings.ARCHIVE_MAX_PAGES

    @cached_property
    def all_pages(self) -> int:
        return super().num_pages

    @cached_property
    def num_pages(self) -> int:
        return min(self.all_pages, self.max_pages)

    @property
    def truncated(self) -> bool:
        return self.all_pages > self.max_pages

    @property
    def reachable(self) -> int:
        """How many of the list's readouts its pages show."""
        return min(self.count, self.max_pages * self.per_page)


class BoundedPaginationMixin:
    """For ListView and its date-based kin: bounded pages and a count cached per version."""

    paginator_class = BoundedPaginator

    def known_count(self, queryset) -> int:
        """The number of items in the list: counted once per version of the archive."""
        query = sorted((k, v) for k, v in self.request.GET.lists() if k != "page")
        parts = (type(self).__name__, sorted(self.kwargs.items()), query)
        return pagecache.memo("count", parts, queryset.count)

    def get_paginator(self, queryset, *args, **kwargs) -> BoundedPaginator:
        paginator = super().get_paginator(queryset, *args, **kwargs)
        paginator.count = self.known_count(queryset)
        return paginator
