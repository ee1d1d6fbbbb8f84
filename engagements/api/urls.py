from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from engagements.api import views


class Key:
    """A path segment of the characters a key may hold: anything else (a NUL byte, say)
    matches no endpoint and gets the API's JSON 404 before any database sees it."""

    regex = r"[-\w]{1,200}"  # slugs, in any script (一带一路), country codes, panel keys

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ReadoutId(Key):
    regex = r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}"  # as the interchange format allows


register_converter(Key, "key")
register_converter(ReadoutId, "readout_id")

app_name = "api"
urlpatterns = [
    path("", views.RootView.as_view(), name="root"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<readout_id:id>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<key:key>/", views.CountryDetailView.as_view(), name="country-detail"),
    path("officials/", views.OfficialListView.as_view(), name="official-list"),
    path("officials/<key:key>/", views.OfficialDetailView.as_view(), name="official-detail"),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<key:key>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("counts/", views.PanelListView.as_view(), name="panel-list"),
    path("counts/<key:key>/", views.PanelDetailView.as_view(), name="panel-detail"),
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^(?P<unmatched>.*)$", views.not_found),
]
