from django.urls import path, register_converter

from . import views


class FourDigits:
    """A year, kept as a string: the date views parse it (and 404 on nonsense)."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class TwoDigits(FourDigits):
    regex = "[0-9]{2}"


class CountryCode:
    regex = "[a-z]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value.lower()


register_converter(FourDigits, "yyyy")
register_converter(TwoDigits, "nn")
register_converter(CountryCode, "cc")

app_name = "engagements"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<yyyy:year>/", views.YearArchiveView.as_view(), name="meeting-year"),
    path("meetings/<yyyy:year>/<nn:month>/", views.MonthView.as_view(), name="meeting-month"),
    path(
        "meetings/<yyyy:year>/<nn:month>/<nn:day>/<slug:slug>/",
        views.MeetingDetailView.as_view(),
        name="meeting-detail",
    ),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<cc:code>/", views.CountryDetailView.as_view(), name="country-detail"),
    path("countries/<cc:code_a>/<cc:code_b>/", views.BilateralView.as_view(), name="bilateral"),
    path("officials/", views.OfficialListView.as_view(), name="official-list"),
    path("officials/<slug:slug>/", views.OfficialDetailView.as_view(), name="official-detail"),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
]
