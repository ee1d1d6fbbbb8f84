from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter
from django.views.generic import TemplateView

from engagements.public import browse, exports, feeds, oai, panels, views
from engagements.public.sitemaps import SITEMAPS


class FourDigits:
    """A year, kept as a string: the date views parse it (and 404 on nonsense)."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return f"{value:04d}" if isinstance(value, int) else str(value)


class TwoDigits(FourDigits):
    regex = "[0-9]{2}"

    def to_url(self, value) -> str:
        return f"{value:02d}" if isinstance(value, int) else str(value)


class CountryCode:
    regex = "[a-z]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value.lower()


class AnySlug(FourDigits):
    """Topic slugs may be in any script (taggit keeps 一带一路 as it is)."""

    regex = r"[-\w]+"

    def to_url(self, value) -> str:
        return str(value)


register_converter(AnySlug, "anyslug")
register_converter(FourDigits, "yyyy")
register_converter(TwoDigits, "nn")
register_converter(CountryCode, "cc")


class CitationFormat(FourDigits):
    regex = "bib|ris|json"


register_converter(CitationFormat, "citefmt")

app_name = "engagements"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/feed/", feeds.LatestFeed(), name="meeting-feed"),
    path(
        "meetings/facets/<slug:key>/", views.FacetValuesView.as_view(), name="meeting-facet-values"
    ),
    path("meetings/export.csv", exports.export_csv, name="meeting-export-csv"),
    path("meetings/export.jsonl", exports.export_jsonl, name="meeting-export-jsonl"),
    path("meetings/<yyyy:year>/", views.YearArchiveView.as_view(), name="meeting-year"),
    path("meetings/<yyyy:year>/<nn:month>/", views.MonthView.as_view(), name="meeting-month"),
    path(
        "meetings/<yyyy:year>/<nn:month>/<nn:day>/<slug:slug>/",
        views.MeetingDetailView.as_view(),
        name="meeting-detail",
    ),
    path(
        "meetings/<yyyy:year>/<nn:month>/<nn:day>/<slug:slug>/cite.<citefmt:fmt>",
        views.MeetingCitationView.as_view(),
        name="meeting-citation",
    ),
    path("countries/", browse.CountryListView.as_view(), name="country-list"),
    path("countries/<cc:code>/", browse.CountryDetailView.as_view(), name="country-detail"),
    path("countries/<cc:code>/feed/", feeds.CountryFeed(), name="country-feed"),
    path("countries/<cc:code_a>/<cc:code_b>/", browse.BilateralView.as_view(), name="bilateral"),
    path("countries/<cc:code_a>/<cc:code_b>/feed/", feeds.BilateralFeed(), name="bilateral-feed"),
    path("officials/", browse.OfficialListView.as_view(), name="official-list"),
    path("officials/<slug:slug>/", browse.OfficialDetailView.as_view(), name="official-detail"),
    path("officials/<slug:slug>/feed/", feeds.OfficialFeed(), name="official-feed"),
    path("topics/", browse.TopicListView.as_view(), name="topic-list"),
    path("topics/<anyslug:slug>/", browse.TopicDetailView.as_view(), name="topic-detail"),
    path("topics/<anyslug:slug>/feed/", feeds.TopicFeed(), name="topic-feed"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "engagements:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("oai/", oai.endpoint, name="oai"),
    path("data/", panels.DataView.as_view(), name="data"),
    path("data/<slug:key>.csv", panels.download, {"fmt": "csv"}, name="panel-csv"),
    path("data/<slug:key>.json", panels.download, {"fmt": "json"}, name="panel-json"),
    path("healthz", views.health, name="health"),
]
