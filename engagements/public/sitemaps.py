"""sitemap.xml: every public page type, so search engines find every readout."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from engagements.models import Country, Meeting, Official, Topic


class SectionSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> list[str]:
        return [
            "engagements:home",
            "engagements:meeting-list",
            "engagements:country-list",
            "engagements:official-list",
            "engagements:topic-list",
        ]

    def location(self, name: str) -> str:
        return reverse(name)


class MeetingSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 10_000

    def items(self):
        # Synthetic sample readouts (a demo archive) are not offered to search engines.
        return (
            Meeting.objects.published()
            .filter(synthetic=False)
            .order_by("date", "pk")
            .only("date", "slug", "updated_at")
        )

    def lastmod(self, meeting: Meeting):
        return meeting.updated_at


class _WithReadouts(Sitemap):
    """Records that have at least one published readout, newest activity as lastmod."""

    changefreq = "weekly"
    priority = 0.5
    limit = 10_000
    model = None
    path = ""

    def items(self):
        return (
            self.model.objects.filter(
                **{f"{self.path}status": Meeting.Status.PUBLISHED, f"{self.path}synthetic": False}
            )
            .annotate(last_change=Max(f"{self.path}updated_at"))
            .order_by("pk")
        )

    def lastmod(self, obj):
        return obj.last_change


class CountrySitemap(_WithReadouts):
    model, path = Country, "meetings__"


class OfficialSitemap(_WithReadouts):
    model, path = Official, "participations__meeting__"


class TopicSitemap(_WithReadouts):
    model, path = Topic, "meeting_links__content_object__"


SITEMAPS = {
    "sections": SectionSitemap,
    "meetings": MeetingSitemap,
    "countries": CountrySitemap,
    "officials": OfficialSitemap,
    "topics": TopicSitemap,
}
