from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Engagement Archive — staff"
admin.site.site_title = "Engagement Archive admin"
admin.site.index_title = "Readouts and records"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("api/", include("engagements.api.urls")),
    path("", include("engagements.urls")),
]

# A database that is down or a statement over its time limit: 503, not 500.
handler500 = "engagements.public.faults.server_error"
