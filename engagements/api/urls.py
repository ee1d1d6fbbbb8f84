from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from engagements.api import views

app_name = "api"
urlpatterns = [
    path("", views.RootView.as_view(), name="root"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<str:id>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<str:key>/", views.CountryDetailView.as_view(), name="country-detail"),
    path("officials/", views.OfficialListView.as_view(), name="official-list"),
    path("officials/<str:key>/", views.OfficialDetailView.as_view(), name="official-detail"),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<str:key>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("counts/", views.PanelListView.as_view(), name="panel-list"),
    path("counts/<str:key>/", views.PanelDetailView.as_view(), name="panel-detail"),
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^(?P<unmatched>.*)$", views.not_found),
]
